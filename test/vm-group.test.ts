/**
 * A backend-pool rule over a group of VMs: after the first `pulumi up`, portMappings are Azure's,
 * for every VM, because the read waits for the members given in dependsOn.
 */
import { describe, expect, it } from "vitest";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import { BackendPoolNatRule } from "../src";
import { AzureSimulator, runDeployment } from "../src/testing";
import type { NatPortMapping } from "../src/mapping";

function vmGroupProgram(vms: string[], withDependsOn = true) {
    const group = new resources.ResourceGroup("grp-rg", { resourceGroupName: "grp-rg" });
    const vnet = new network.VirtualNetwork("grp-vnet", {
        resourceGroupName: group.name,
        virtualNetworkName: "grp-vnet",
        addressSpace: { addressPrefixes: ["10.2.0.0/16"] },
        subnets: [{ name: "vms", addressPrefix: "10.2.1.0/24" }],
    });
    const pip = new network.PublicIPAddress("grp-pip", { resourceGroupName: group.name, publicIpAddressName: "grp-pip", sku: { name: "Standard" }, publicIPAllocationMethod: "Static" });
    const lb = new network.LoadBalancer("grp-lb", {
        resourceGroupName: group.name,
        loadBalancerName: "grp-lb",
        sku: { name: "Standard" },
        frontendIPConfigurations: [{ name: "frontend", publicIPAddress: { id: pip.id } }],
        backendAddressPools: [{ name: "vms" }],
    });
    const poolId = lb.backendAddressPools.apply((p) => p![0].id!);
    // The NICs are declared after the rule: dependsOn is what orders the read after them.
    const nics: network.NetworkInterface[] = [];
    const rule = new BackendPoolNatRule("grp-admin", {
        loadBalancerId: lb.id,
        frontendIPConfigurationId: lb.frontendIPConfigurations.apply((f) => f![0].id!),
        backendAddressPoolId: poolId,
        frontendPortRangeStart: 60000,
        maxInstances: 5,
        backendPort: 8443,
        virtualMachineNames: vms,
        frontendIpAddress: pip.ipAddress.apply((ip) => ip ?? ""),
    }, withDependsOn ? { dependsOn: nics } : {});
    // The NICs join the pool late (their subnet id takes a while), as slow members do in Azure.
    const subnetId = vnet.subnets.apply((s) => new Promise<string>((resolve) => setTimeout(() => resolve(s![0].id!), 400)));
    for (const vm of vms) {
        nics.push(new network.NetworkInterface(`${vm}-nic`, {
            resourceGroupName: group.name,
            networkInterfaceName: `${vm}-nic`,
            ipConfigurations: [{ name: "ipconfig", subnet: { id: subnetId }, loadBalancerBackendAddressPools: [{ id: poolId }] }],
        }));
    }
    return { portMappings: rule.portMappings };
}

describe("BackendPoolNatRule over a group of VMs", () => {
    it("reads every VM's mapping from Azure on the first deployment", async () => {
        const sim = new AzureSimulator();
        const { outputs } = await runDeployment(sim, () => vmGroupProgram(["web-b", "web-a", "web-c"]));
        const mappings = outputs.portMappings as NatPortMapping[];
        expect(mappings.map((m) => `${m.instance}:${m.frontendPort}:${m.backendPort}:${m.source}`)).toEqual([
            "web-a:60000:8443:azure",
            "web-b:60001:8443:azure",
            "web-c:60002:8443:azure",
        ]);
        expect(mappings.every((m) => /^203\.0\.113\.\d+$/.test(m.frontendIp))).toBe(true);
    });

    it("reads too early without dependsOn: Azure has no members yet, so portMappings is empty (why the JSDoc asks for dependsOn)", async () => {
        const sim = new AzureSimulator();
        const { outputs } = await runDeployment(sim, () => vmGroupProgram(["web-a"], false));
        expect(outputs.portMappings).toEqual([]);
        expect(sim.portMappings("grp-rg", "grp-lb").map((m) => m.instance)).toEqual(["web-a"]);
    });
});
