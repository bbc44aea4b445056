import * as compute from "@pulumi/azure-native/compute";
import * as monitor from "@pulumi/azure-native/monitor";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import { describe, expect, it } from "vitest";
import { runDeployment } from "../../pulumi/deployment";
import { AzureSimulator } from "../../simulator";

/** Resource group, public IP, Standard LB, a scale set in its pool (Flexible or Uniform), a V2 rule, an autoscale setting. */
function program(mode: "Flexible" | "Uniform") {
    return () => {
        const rg = new resources.ResourceGroup("rg", { resourceGroupName: "demo-rg", location: "westeurope" });
        const ip = new network.PublicIPAddress("ip", { resourceGroupName: rg.name, publicIpAddressName: "demo-ip", sku: { name: "Standard" }, publicIPAllocationMethod: "Static" });
        const lb = new network.LoadBalancer("lb", {
            resourceGroupName: rg.name,
            loadBalancerName: "demo-lb",
            sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip.id } }],
            backendAddressPools: [{ name: "pool" }],
        });
        const poolId = lb.backendAddressPools.apply((pools) => pools![0].id!);
        const vmss = new compute.VirtualMachineScaleSet("vmss", {
            resourceGroupName: rg.name,
            vmScaleSetName: "web",
            sku: { name: "Standard_B1s", capacity: 2 },
            ...(mode === "Flexible" ? { orchestrationMode: "Flexible", platformFaultDomainCount: 1 } : {}),
            virtualMachineProfile: { networkProfile: { networkInterfaceConfigurations: [{
                name: "nic",
                primary: true,
                ipConfigurations: [{ name: "ipconfig", loadBalancerBackendAddressPools: [{ id: poolId }] }],
            }] } },
        });
        const rule = new network.InboundNatRule("ssh", {
            resourceGroupName: rg.name,
            loadBalancerName: lb.name,
            inboundNatRuleName: "ssh",
            frontendIPConfiguration: { id: lb.frontendIPConfigurations.apply((f) => f![0].id!) },
            backendAddressPool: { id: poolId },
            frontendPortRangeStart: 50000,
            frontendPortRangeEnd: 50019,
            backendPort: 22,
            protocol: "Tcp",
        }, { dependsOn: [vmss] });
        const setting = new monitor.AutoscaleSetting("autoscale", {
            resourceGroupName: rg.name,
            autoscaleSettingName: "web-autoscale",
            targetResourceUri: vmss.id,
            enabled: true,
            profiles: [{ name: "default", capacity: { minimum: "1", maximum: "6", default: "2" }, rules: [] }],
        });
        return { ruleId: rule.id, profiles: setting.properties.apply((p) => p.profiles.map((x) => x.capacity.maximum)) };
    };
}

describe("scale sets deployed through the Pulumi mocks", () => {
    it("a Flexible scale set's mappings are labelled by VM name; autoscale then adds VMs within the profile", async () => {
        const sim = new AzureSimulator({ seed: 11 });
        const run = await runDeployment(sim, program("Flexible"));
        // azure-native outputs the setting's profiles under `properties` (capacities are strings).
        expect(run.outputs.profiles).toEqual(["6"]);
        const vms = sim.listInstances("demo-rg", "web").map((i) => i.instanceId);
        expect(vms).toHaveLength(2);
        for (const vm of vms) expect(vm).toMatch(/^web_[0-9a-f]{8}$/);
        expect(sim.portMappings("demo-rg", "demo-lb").map((m) => [m.instance, m.frontendPort])).toEqual([[vms[0], 50000], [vms[1], 50001]]);

        const after = sim.autoscale("demo-rg", "web", 10);
        expect(after).toHaveLength(6);
        expect(after.slice(0, 2)).toEqual(vms);
        expect(sim.portMappings("demo-rg", "demo-lb").map((m) => m.instance)).toEqual(after);
    });

    it("a Uniform scale set with overprovision unset overprovisions on create: ids 0..3, two kept", async () => {
        const sim = new AzureSimulator({ seed: 11 });
        await runDeployment(sim, program("Uniform"));
        const ids = sim.listInstances("demo-rg", "web").map((i) => i.instanceId);
        expect(ids).toHaveLength(2);
        for (const id of ids) expect(["0", "1", "2", "3"]).toContain(id);
        // The same seed and program give the same ids.
        const again = new AzureSimulator({ seed: 11 });
        await runDeployment(again, program("Uniform"));
        expect(again.listInstances("demo-rg", "web").map((i) => i.instanceId)).toEqual(ids);
    });
});
