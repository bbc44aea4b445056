/**
 * Replacing a rule's scale set (issue 25, item 6). Pulumi creates the new scale set before it
 * deletes the old one (its default for a replacement), so for a while the pool holds both, each
 * with instance "0". Labels are unique per pool: qualified by the scale set (`<scale set>/<id>`)
 * while the pool holds more than one, the plain id otherwise.
 */
import { describe, expect, it } from "vitest";
import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import { AzureSimulator, runDeployment } from "../src/testing";
import { BackendPoolNatRule } from "../src";
import type { NatPortMapping } from "../src/mapping";

function program(scaleSetName: string, capacity: number) {
    return () => {
        const rg = new resources.ResourceGroup("rg", { resourceGroupName: "rg" });
        const vnet = new network.VirtualNetwork("vnet", { resourceGroupName: rg.name, virtualNetworkName: "vnet",
            addressSpace: { addressPrefixes: ["10.0.0.0/16"] }, subnets: [{ name: "vmss", addressPrefix: "10.0.1.0/24" }] });
        const ip = new network.PublicIPAddress("ip", { resourceGroupName: rg.name, publicIpAddressName: "ip", sku: { name: "Standard" }, publicIPAllocationMethod: "Static" });
        const lb = new network.LoadBalancer("lb", { resourceGroupName: rg.name, loadBalancerName: "lb", sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip.id } }], backendAddressPools: [{ name: "pool" }] });
        const poolId = lb.backendAddressPools.apply((p) => p![0].id!);
        const vmss = new compute.VirtualMachineScaleSet(scaleSetName, {
            resourceGroupName: rg.name, vmScaleSetName: scaleSetName, sku: { name: "Standard_B1s", capacity }, overprovision: false,
            upgradePolicy: { mode: "Automatic" },
            virtualMachineProfile: { networkProfile: { networkInterfaceConfigurations: [{ name: "nic", primary: true, ipConfigurations: [{
                name: "ipconfig", subnet: { id: vnet.subnets.apply((s) => s![0].id!) }, loadBalancerBackendAddressPools: [{ id: poolId }] }] }] } },
        }, { dependsOn: [lb] });
        const rule = new BackendPoolNatRule("ssh", { loadBalancerId: lb.id, frontendIPConfigurationId: lb.frontendIPConfigurations.apply((f) => f![0].id!),
            backendAddressPoolId: poolId, frontendPortRangeStart: 50000, maxInstances: 10, backendPort: 22, scaleSet: vmss });
        return { portMappings: rule.portMappings, plannedPortMappings: rule.plannedPortMappings };
    };
}

type Out = { portMappings: NatPortMapping[]; plannedPortMappings: NatPortMapping[] };
const deploy = async (sim: AzureSimulator, name: string, capacity: number, preview = false) =>
    (await runDeployment(sim, program(name, capacity), { preview })).outputs as unknown as Out;
const pairs = (m: NatPortMapping[]) => m.map((x) => [x.instance, x.frontendPort]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));

describe("replacing the scale set", () => {
    it("labels each instance uniquely in the pool while both scale sets are in it, then by plain id again", async () => {
        const sim = new AzureSimulator();
        const first = await deploy(sim, "web-a", 2);
        expect(pairs(first.portMappings)).toEqual([["0", 50000], ["1", 50001]]);

        // The new scale set is created (the old one is deleted only at the end of Pulumi's update).
        const planned = await deploy(sim, "web-b", 2, true);
        const both = await deploy(sim, "web-b", 2);
        // Azure's mappings: both scale sets' instances, each label once.
        const labels = both.portMappings.map((m) => m.instance);
        expect(new Set(labels).size).toBe(4);
        expect(pairs(both.portMappings)).toEqual([["web-a/0", 50000], ["web-a/1", 50001], ["web-b/0", 50002], ["web-b/1", 50003]]);
        // The update's own plan (read once the new scale set exists) is Azure's answer.
        expect(pairs(both.plannedPortMappings)).toEqual(pairs(both.portMappings));
        // The preview, before the new scale set exists, plans its instances on the free ports.
        expect(planned.plannedPortMappings.filter((m) => m.instance.startsWith("web-b/")).map((m) => m.frontendPort).sort()).toEqual([50002, 50003]);

        // Pulumi deletes the old scale set: one scale set again, plain ids.
        sim.delete(`/subscriptions/${sim.subscriptionId}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/web-a`);
        const after = await deploy(sim, "web-b", 2);
        expect(pairs(after.portMappings)).toEqual([["0", 50002], ["1", 50003]]);
    });
});
