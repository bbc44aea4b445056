/**
 * A Flexible scale set end to end, through the simulator: BackendPoolNatRule's mappings are labelled
 * by VM name (`<scale set>_<8 hex>`, as Azure names Flexible VMs), portMappingFor takes a VM name,
 * the demand has no ×2 (Flexible has no overprovisioning), and after autoscale adds VMs outside
 * Pulumi the preview plans the new ports exactly, with the new VMs' names marked as a guess.
 */
import * as compute from "@pulumi/azure-native/compute";
import * as monitor from "@pulumi/azure-native/monitor";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import { describe, expect, it } from "vitest";
import { BackendPoolNatRule, PortRangeExhaustedError, type NatPortMapping } from "../src";
import { AzureSimulator, runDeployment } from "../src/testing";

/** `capacity`: what the program declares. ignoreChanges on it is Pulumi's engine's, which the mocks do not run, so a test passes what autoscale made. */
function program(mode: "Flexible" | "Uniform", lookFor?: string, capacity = 2) {
    return () => {
        const rg = new resources.ResourceGroup("rg", { resourceGroupName: "flex-rg", location: "westeurope" });
        const ip = new network.PublicIPAddress("ip", { resourceGroupName: rg.name, publicIpAddressName: "flex-ip", sku: { name: "Standard" }, publicIPAllocationMethod: "Static" });
        const lb = new network.LoadBalancer("lb", {
            resourceGroupName: rg.name,
            loadBalancerName: "flex-lb",
            sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip.id } }],
            backendAddressPools: [{ name: "pool" }],
        });
        const poolId = lb.backendAddressPools.apply((pools) => pools![0].id!);
        const vmss = new compute.VirtualMachineScaleSet("vmss", {
            resourceGroupName: rg.name,
            vmScaleSetName: "web",
            sku: { name: "Standard_B1s", capacity },
            ...(mode === "Flexible" ? { orchestrationMode: "Flexible", platformFaultDomainCount: 1 } : {}),
            virtualMachineProfile: { networkProfile: { networkInterfaceConfigurations: [{
                name: "nic",
                primary: true,
                ipConfigurations: [{ name: "ipconfig", loadBalancerBackendAddressPools: [{ id: poolId }] }],
            }] } },
        }, { ignoreChanges: ["sku.capacity"] });
        const autoscale = new monitor.AutoscaleSetting("autoscale", {
            resourceGroupName: rg.name,
            autoscaleSettingName: "web-autoscale",
            targetResourceUri: vmss.id,
            enabled: true,
            profiles: [{ name: "default", capacity: { minimum: "1", maximum: "4", default: "2" }, rules: [] }],
        });
        const ssh = new BackendPoolNatRule("ssh", {
            loadBalancerId: lb.id,
            frontendIPConfigurationId: lb.frontendIPConfigurations.apply((f) => f![0].id!),
            backendAddressPoolId: poolId,
            frontendPortRangeStart: 50000,
            // The autoscale profile's maximum, no more: Flexible runs no extra VMs.
            maxInstances: 4,
            backendPort: 22,
            scaleSet: vmss,
            autoscaleSetting: autoscale,
        });
        return { portMappings: ssh.portMappings, ...(lookFor === undefined ? {} : { found: ssh.portMappingFor(lookFor) }) };
    };
}

const byInstance = (mappings: NatPortMapping[]) => Object.fromEntries(mappings.map((m) => [m.instance, m.frontendPort]));

describe("a Flexible scale set behind BackendPoolNatRule", () => {
    it("is labelled by VM name, found by VM name, and planned exactly after autoscale grows it", async () => {
        const sim = new AzureSimulator({ seed: 7 });
        const first = await runDeployment(sim, program("Flexible"));
        const vms = sim.listInstances("flex-rg", "web").map((i) => i.instanceId);
        expect(vms).toHaveLength(2);
        for (const vm of vms) expect(vm).toMatch(/^web_[0-9a-f]{8}$/);
        // Azure's mappings, read after the update, name the VMs.
        expect(byInstance(first.outputs.portMappings)).toEqual({ [vms[0]]: 50000, [vms[1]]: 50001 });
        expect(first.outputs.portMappings.every((m) => m.source === "azure" && !m.labelGuessed)).toBe(true);

        const found = await runDeployment(sim, program("Flexible", vms[1]));
        expect(found.outputs.found).toMatchObject({ instance: vms[1], frontendPort: 50001, backendPort: 22 });

        // Autoscale adds two VMs outside Pulumi, within the profile's maximum of 4.
        sim.autoscale("flex-rg", "web", 4);
        const grown = sim.listInstances("flex-rg", "web").map((i) => i.instanceId);
        expect(grown).toHaveLength(4);
        // The program as deployed (capacity 2, which autoscale owns): its preview reads Azure's 4 VMs.
        const preview = await runDeployment(sim, program("Flexible"), { preview: true });
        const planned = preview.outputs.portMappings;
        // Azure mapped the new VMs as autoscale added them, so the preview, planning from Azure's
        // current mappings, knows every name and port: the survivors keep theirs, the new VMs take the next.
        expect(planned.every((m) => !m.labelGuessed)).toBe(true);
        expect(byInstance(planned)).toMatchObject({ [vms[0]]: 50000, [vms[1]]: 50001 });
        expect(Object.keys(byInstance(planned)).sort()).toEqual([...grown].sort());
        expect(planned.map((m) => m.frontendPort).sort()).toEqual([50000, 50001, 50002, 50003]);
        const after = await runDeployment(sim, program("Flexible", undefined, 4));
        expect(byInstance(after.outputs.portMappings)).toEqual(byInstance(planned));
    });

    it("needs one port per VM where a Uniform scale set, overprovisioning by default, needs two", async () => {
        // An update: in a first preview the new autoscale setting's profiles are not known yet (its outputs are unknown).
        const failure = await runDeployment(new AzureSimulator(), program("Uniform")).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(PortRangeExhaustedError);
        expect((failure as Error).message).toMatch(/^BackendPoolNatRule "ssh" \(rule "ssh"\): frontend port range 50000-50003 \(capacity 4\) is exhausted: 8 instances need a port \(autoscale profile "default" maximum 4 × 2 while overprovisioning is on\)/);
    });
});
