import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import * as monitor from "@pulumi/azure-native/monitor";
import { known, poolRuleBase, registrationErrors } from "../src/testing/pulumi/component-test-helpers";
import { resetNatRuleRegistry } from "../src/program-registries/conflict-registry";
import { BackendPoolNatRule } from "../src";

const registered: string[] = [];
// An update under mocks shaped like azure-native's outputs: an autoscale setting's profiles come back under `properties`.
beforeAll(() =>
    pulumi.runtime.setMocks(
        {
            newResource(args) {
                registered.push(args.name);
                const state: Record<string, unknown> = { ...args.inputs };
                if (args.type === "azure-native:monitor:AutoscaleSetting") state.properties = { profiles: args.inputs.profiles, targetResourceUri: args.inputs.targetResourceUri };
                return { id: `/subscriptions/sub/resourceGroups/rg/providers/${args.type}/${args.name}`, state };
            },
            call: (args) => args.inputs,
        },
        "project",
        "stack",
        false,
    ),
);
beforeEach(() => resetNatRuleRegistry());

const base = { ...poolRuleBase, readAzureMappings: false };
const profile = (name: string, maximum: number) => ({ name, capacity: { minimum: "1", maximum: String(maximum), default: "2" }, rules: [] });

describe("autoscale", () => {
    it("fails when the largest profile maximum × 2 (overprovisioning on) outgrows the range, naming the profile, and creates no rule", async () => {
        const errors = await registrationErrors(() => {
            const vmss = new compute.VirtualMachineScaleSet("vmss-a", { resourceGroupName: "rg", sku: { capacity: 2 } });
            const setting = new monitor.AutoscaleSetting("scale-a", { resourceGroupName: "rg", targetResourceUri: vmss.id,
                profiles: [profile("nights", 3), profile("business-hours", 6)] });
            new BackendPoolNatRule("busy", { ...base, frontendPortRangeStart: 50000, maxInstances: 10, scaleSet: vmss, autoscaleSetting: setting });
        });
        expect(errors.map((e) => e.message).join("\n")).toMatch(/12 instances need a port \(autoscale profile "business-hours" maximum 6 × 2 while overprovisioning is on\)/);
        expect(registered).not.toContain("busy-rule");
    });

    it("passes when the range holds the largest maximum, and plans the declared capacity for a new rule", async () => {
        const vmss = new compute.VirtualMachineScaleSet("vmss-b", { resourceGroupName: "rg", sku: { capacity: 2 }, overprovision: false });
        const setting = new monitor.AutoscaleSetting("scale-b", { resourceGroupName: "rg", targetResourceUri: vmss.id, profiles: [profile("default", 10)] });
        const r = new BackendPoolNatRule("fits", { ...base, backendPort: 2200, frontendPortRangeStart: 51000, maxInstances: 10, scaleSet: vmss, autoscaleSetting: setting });
        expect((await known(r.portMappings)).map((m) => [m.instance, m.frontendPort])).toEqual([["0", 51000], ["1", 51001]]);
    });
});

describe("a Flexible scale set", () => {
    it("needs one port per VM (no overprovisioning), and marks the names of VMs Azure has not created yet as a guess", async () => {
        const vmss = new compute.VirtualMachineScaleSet("flex", { resourceGroupName: "rg", vmScaleSetName: "flex", orchestrationMode: "Flexible",
            platformFaultDomainCount: 1, sku: { capacity: 3 } });
        // 3 ports hold 3 VMs: a Uniform scale set with overprovisioning on would need 6.
        const r = new BackendPoolNatRule("flex-ssh", { ...base, backendPort: 2201, frontendPortRangeStart: 52000, maxInstances: 3, scaleSet: vmss });
        const mappings = await known(r.portMappings);
        expect(mappings.map((m) => [m.instance, m.frontendPort, m.labelGuessed])).toEqual([
            ["flex_(new 1)", 52000, true], ["flex_(new 2)", 52001, true], ["flex_(new 3)", 52002, true],
        ]);
    });
});
