import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import * as monitor from "@pulumi/azure-native/monitor";
import * as network from "@pulumi/azure-native/network";
import { known, poolRuleBase, registrationErrors, valueOf } from "../src/testing/pulumi/component-test-helpers";
import { resetNatRuleRegistry } from "../src/program-registries/conflict-registry";
import { BackendPoolNatRule, SingleVmNatRule } from "../src";

/**
 * A first preview as azure-native runs it: a resource being created outputs its inputs, and every
 * output that is not an input is unknown (pulumi-azure-native provider/pkg/convert/previewOutputs.go).
 */
const computedOutputs: Record<string, string[]> = {
    "azure-native:network:PublicIPAddress": ["ipAddress"],
    "azure-native:compute:VirtualMachineScaleSet": ["overprovision", "orchestrationMode", "name"],
    "azure-native:monitor:AutoscaleSetting": ["properties"],
};
beforeAll(() =>
    pulumi.runtime.setMocks(
        {
            newResource(args) {
                const state: Record<string, unknown> = { ...args.inputs };
                for (const key of computedOutputs[args.type] ?? []) if (!(key in args.inputs)) state[key] = pulumi.unknown;
                return { id: undefined, state };
            },
            call: (args) => args.inputs,
        },
        "project",
        "stack",
        true,
    ),
);
beforeEach(() => resetNatRuleRegistry());

describe("a first preview, where the public IP's address is unknown", () => {
    it("plans known ports with frontendIp \"\", and takes Azure's defaults for scale-set settings it does not know yet", async () => {
        const ip = new network.PublicIPAddress("pip", { resourceGroupName: "rg", sku: { name: "Standard" } });
        expect(await valueOf(ip.ipAddress)).toBe("<unknown>");
        const vmss = new compute.VirtualMachineScaleSet("vmss", { resourceGroupName: "rg", sku: { capacity: 2 } });
        const r = new BackendPoolNatRule("ssh", { ...poolRuleBase, frontendPortRangeStart: 50000, maxInstances: 10, scaleSet: vmss,
            frontendIpAddress: ip.ipAddress.apply((a) => a ?? "") });
        const mappings = await known(r.portMappings);
        // Overprovisioning unset: Azure's default (on), so the new instances' labels are a guess.
        expect(mappings).toEqual([
            { instance: "0", frontendIp: "", frontendPort: 50000, backendPort: 22, protocol: "Tcp", source: "planned", labelGuessed: true },
            { instance: "1", frontendIp: "", frontendPort: 50001, backendPort: 22, protocol: "Tcp", source: "planned", labelGuessed: true },
        ]);
        expect(await known(r.plannedPortMappings)).toEqual(mappings);
    });

    it("shows a single-VM rule's port with frontendIp \"\" too, rather than leaving the whole mapping unknown", async () => {
        const ip = new network.PublicIPAddress("pip-vm", { resourceGroupName: "rg", sku: { name: "Standard" } });
        const r = new SingleVmNatRule("vm-ssh", { loadBalancerId: poolRuleBase.loadBalancerId, frontendIPConfigurationId: poolRuleBase.frontendIPConfigurationId,
            frontendPort: 50022, backendPort: 22, vmName: "vm1", frontendIpAddress: ip.ipAddress.apply((a) => a ?? "") });
        expect(await known(r.portMapping)).toEqual({ instance: "vm1", frontendIp: "", frontendPort: 50022, backendPort: 22, protocol: "Tcp", source: "planned" });
    });

    it("checks a plain autoscale maximum, and an autoscale setting's declared profiles, while the setting is being created", async () => {
        const errors = await registrationErrors(() => {
            const vmss = new compute.VirtualMachineScaleSet("vmss-auto", { resourceGroupName: "rg", sku: { capacity: 2 }, overprovision: false });
            new BackendPoolNatRule("auto", { ...poolRuleBase, frontendPortRangeStart: 50100, maxInstances: 10, scaleSet: vmss, autoscaleMaxCapacity: 11 });
        });
        expect(errors.map((e) => e.message).join("\n")).toMatch(/11 instances need a port \(autoscaleMaxCapacity maximum 11\)/);

        // The setting's outputs are unknown in this preview; what the program declares is not.
        const declared = await registrationErrors(() => {
            const vmss = new compute.VirtualMachineScaleSet("vmss-new", { resourceGroupName: "rg", sku: { capacity: 2 }, overprovision: false });
            const setting = new monitor.AutoscaleSetting("autoscale", { resourceGroupName: "rg", targetResourceUri: vmss.id,
                profiles: [{ name: "default", capacity: { minimum: "1", maximum: "50", default: "2" }, rules: [] }] });
            new BackendPoolNatRule("declared", { ...poolRuleBase, backendPort: 2222, frontendPortRangeStart: 50200, maxInstances: 10, scaleSet: vmss, autoscaleSetting: setting });
        });
        expect(declared.map((e) => e.message).join("\n")).toMatch(/50 instances need a port \(autoscale profile "default" maximum 50\).*Fix: lower autoscale profile "default"'s capacity\.maximum to at most 10, or raise maxInstances to at least 50/);
    });

    it("defers to the update, saying so, an autoscale maximum built from values not known yet", async () => {
        const vmss = new compute.VirtualMachineScaleSet("vmss-later", { resourceGroupName: "rg", sku: { capacity: 2 }, overprovision: false });
        // A maximum taken from another resource's output: unknown in preview.
        const maximum = vmss.id.apply(() => "50");
        const setting = new monitor.AutoscaleSetting("autoscale-later", { resourceGroupName: "rg", targetResourceUri: vmss.id,
            profiles: [{ name: "default", capacity: { minimum: "1", maximum, default: "2" }, rules: [] }] });
        const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
        try {
            const r = new BackendPoolNatRule("deferred", { ...poolRuleBase, backendPort: 2223, frontendPortRangeStart: 50300, maxInstances: 10, scaleSet: vmss, autoscaleSetting: setting });
            expect((await known(r.portMappings)).map((m) => m.frontendPort)).toEqual([50300, 50301]);
            // Not silent: the preview says the check waits for `pulumi up`, and how to have it now.
            const said = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes("profiles are not known in this preview"));
            expect(said).toEqual([expect.stringMatching(/^BackendPoolNatRule "deferred".*`pulumi up` checks the frontend port range against their maxima before it creates or updates the rule\..*set autoscaleMaxCapacity/)]);
        } finally {
            warn.mockRestore();
        }
    });
});
