/**
 * Upgrade policy Manual (issue 25, item 5): "Nothing happens automatically to the existing virtual
 * machines when changes occur to the scale set model" (docs virtual-machine-scale-sets-upgrade-policy).
 * Adopting a rule on an existing scale set whose model gains the rule's pool: the instances that
 * existed keep their old model, outside the pool, and get no port until they are upgraded
 * (`az vmss update-instances`); only new instances get one.
 */
import { describe, expect, it, vi } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import { AzureSimulator, runDeployment } from "../src/testing";
import { BackendPoolNatRule } from "../src";
import type { NatPortMapping } from "../src/mapping";

/** A scale set (Manual), in the pool or not, and, with `rule`, the pool's NAT rule. */
function program(capacity: number, withRule: boolean) {
    return () => {
        const rg = new resources.ResourceGroup("rg", { resourceGroupName: "rg" });
        const vnet = new network.VirtualNetwork("vnet", { resourceGroupName: rg.name, virtualNetworkName: "vnet",
            addressSpace: { addressPrefixes: ["10.0.0.0/16"] }, subnets: [{ name: "vmss", addressPrefix: "10.0.1.0/24" }] });
        const ip = new network.PublicIPAddress("ip", { resourceGroupName: rg.name, publicIpAddressName: "ip", sku: { name: "Standard" }, publicIPAllocationMethod: "Static" });
        const lb = new network.LoadBalancer("lb", { resourceGroupName: rg.name, loadBalancerName: "lb", sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip.id } }], backendAddressPools: [{ name: "pool" }] });
        const poolId = lb.backendAddressPools.apply((p) => p![0].id!);
        const vmss = new compute.VirtualMachineScaleSet("web", {
            resourceGroupName: rg.name, vmScaleSetName: "web", sku: { name: "Standard_B1s", capacity }, overprovision: false,
            upgradePolicy: { mode: compute.UpgradeMode.Manual },
            virtualMachineProfile: { networkProfile: { networkInterfaceConfigurations: [{ name: "nic", primary: true, ipConfigurations: [{
                name: "ipconfig", subnet: { id: vnet.subnets.apply((s) => s![0].id!) }, loadBalancerBackendAddressPools: withRule ? [{ id: poolId }] : [] }] }] } },
        }, { dependsOn: [lb] });
        if (!withRule) return {};
        const rule = new BackendPoolNatRule("ssh", { loadBalancerId: lb.id, frontendIPConfigurationId: lb.frontendIPConfigurations.apply((f) => f![0].id!),
            backendAddressPoolId: poolId, frontendPortRangeStart: 50000, maxInstances: 10, backendPort: 22, scaleSet: vmss });
        return { portMappings: rule.portMappings, plannedPortMappings: rule.plannedPortMappings };
    };
}

type Out = { portMappings: NatPortMapping[]; plannedPortMappings: NatPortMapping[] };
const azure = (sim: AzureSimulator) => new Map(sim.portMappings("rg", "lb", { rule: "ssh" }).map((m) => [m.instance, m.frontendPort]));

describe("upgrade policy Manual: adopting a rule on an existing scale set", () => {
    it("marks the instances that get no port until upgraded, and names the command that upgrades them", async () => {
        const sim = new AzureSimulator();
        await runDeployment(sim, program(2, false));
        const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
        let planned: NatPortMapping[];
        try {
            // The rule, the pool in the model and one more instance, in one change.
            planned = ((await runDeployment(sim, program(3, true), { preview: true })).outputs as unknown as Out).plannedPortMappings;
            const said = warn.mock.calls.map((c) => String(c[0])).filter((m) => /upgrade policy Manual/.test(m));
            expect(said).toHaveLength(1);
            expect(said[0]).toMatch(/az vmss update-instances --resource-group rg --name web --instance-ids 0 1\b/);
        } finally {
            warn.mockRestore();
        }
        await runDeployment(sim, program(3, true));
        const after = azure(sim);
        // Azure (the simulator, which follows the docs' Manual policy) maps only the new instance.
        expect([...after.keys()]).toEqual(["2"]);
        // Every planned mapping Azure does not have is marked as waiting for an upgrade; the one it has is not.
        for (const m of planned) {
            if (after.has(m.instance)) expect(m.upgradePending, `instance ${m.instance}`).toBeUndefined();
            else expect(m.upgradePending, `instance ${m.instance}`).toBe(true);
        }
        expect(planned.filter((m) => m.upgradePending).map((m) => m.instance)).toEqual(["0", "1"]);
        // The new instance's port is Azure's: the pending ones hold no port in the plan's allocation before it.
        expect(planned.find((m) => m.instance === "2")?.frontendPort).toBe(after.get("2"));
        // Once upgraded, they get their ports: the ones the plan gave them (the simulator's lowest-free model).
        sim.upgradeInstances("rg", "web", ["0", "1"]);
        const upgraded = azure(sim);
        expect([...upgraded.keys()].sort()).toEqual(["0", "1", "2"]);
        for (const m of planned) expect(upgraded.get(m.instance), `instance ${m.instance}`).toBe(m.frontendPort);
    });
});
