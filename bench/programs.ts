/**
 * The Pulumi programs the benchmarks deploy: one load balancer with a V2 (backend-pool) NAT rule,
 * written with BackendPoolNatRule or by hand with azure-native, over the same other resources.
 * Each program module is imported only by the cases that use it, so a hand-written run never
 * loads the component's code.
 */
import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import type * as pulumi from "@pulumi/pulumi";
import type { AzureSimulator } from "../src/testing";

/** First frontend port of every benchmark rule. */
export const RANGE_START = 50000;
/** Backend port of every benchmark rule (SSH). */
export const BACKEND_PORT = 22;
export const POOL_NAME = "pool";

/** The resources around the rule: what a user declares either way. */
export interface BaseStack {
    group: resources.ResourceGroup;
    publicIp: network.PublicIPAddress;
    loadBalancer: network.LoadBalancer;
    subnetId: pulumi.Output<string>;
    frontendId: pulumi.Output<string>;
    poolId: pulumi.Output<string>;
}

/** Resource group, virtual network, Standard public IP and Standard load balancer with one frontend and one pool. */
export function declareBase(prefix: string, subnetPrefix: string): BaseStack {
    const group = new resources.ResourceGroup(`${prefix}-rg`, { resourceGroupName: `${prefix}-rg` });
    const vnet = new network.VirtualNetwork(`${prefix}-vnet`, {
        resourceGroupName: group.name,
        virtualNetworkName: `${prefix}-vnet`,
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [{ name: "members", addressPrefix: subnetPrefix }],
    });
    const publicIp = new network.PublicIPAddress(`${prefix}-pip`, {
        resourceGroupName: group.name,
        publicIpAddressName: `${prefix}-pip`,
        sku: { name: "Standard" },
        publicIPAllocationMethod: "Static",
    });
    const loadBalancer = new network.LoadBalancer(`${prefix}-lb`, {
        resourceGroupName: group.name,
        loadBalancerName: `${prefix}-lb`,
        sku: { name: "Standard" },
        frontendIPConfigurations: [{ name: "frontend", publicIPAddress: { id: publicIp.id } }],
        backendAddressPools: [{ name: POOL_NAME }],
    });
    return {
        group,
        publicIp,
        loadBalancer,
        subnetId: vnet.subnets.apply((s) => s![0].id!),
        frontendId: loadBalancer.frontendIPConfigurations.apply((f) => f![0].id!),
        poolId: loadBalancer.backendAddressPools.apply((p) => p![0].id!),
    };
}

/** A Linux scale set of `capacity` instances in the pool, without overprovisioning (one port per instance). */
export function declareScaleSet(prefix: string, base: BaseStack, capacity: number): compute.VirtualMachineScaleSet {
    return new compute.VirtualMachineScaleSet(`${prefix}-vmss`, {
        resourceGroupName: base.group.name,
        vmScaleSetName: `${prefix}-vmss`,
        sku: { name: "Standard_B1s", tier: "Standard", capacity },
        overprovision: false,
        upgradePolicy: { mode: "Manual" },
        virtualMachineProfile: {
            osProfile: { computerNamePrefix: prefix, adminUsername: "azureuser" },
            storageProfile: {
                imageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
                osDisk: { createOption: "FromImage", managedDisk: { storageAccountType: "Standard_LRS" } },
            },
            networkProfile: {
                networkInterfaceConfigurations: [{
                    name: "nic",
                    primary: true,
                    ipConfigurations: [{ name: "ipconfig", subnet: { id: base.subnetId }, loadBalancerBackendAddressPools: [{ id: base.poolId }] }],
                }],
            },
        },
    }, { dependsOn: [base.loadBalancer] });
}

/** The V2 rule as a user writes it with azure-native alone: an explicit port range and nothing else. */
export function declareHandWrittenRule(prefix: string, base: BaseStack, ports: number, dependsOn: pulumi.Resource[]): network.InboundNatRule {
    return new network.InboundNatRule(`${prefix}-ssh-rule`, {
        resourceGroupName: base.group.name,
        loadBalancerName: base.loadBalancer.name,
        inboundNatRuleName: `${prefix}-ssh`,
        frontendIPConfiguration: { id: base.frontendId },
        backendAddressPool: { id: base.poolId },
        frontendPortRangeStart: RANGE_START,
        frontendPortRangeEnd: RANGE_START + ports - 1,
        backendPort: BACKEND_PORT,
        protocol: "Tcp",
    }, { dependsOn });
}

/** Names of the VMs of a growth pool: `vm-00000`, `vm-00001`, ... (zero-padded, so code-point order is numeric order). */
export function memberNames(count: number): string[] {
    return Array.from({ length: count }, (_, i) => `vm-${String(i).padStart(5, "0")}`);
}

/** Subnet of the growth pools: a /19 holds 8,187 usable addresses, enough for Azure's 5,000-member pool limit. */
export const GROWTH_SUBNET = "10.0.0.0/19";
/** Subnet of the comparison stack's scale set. */
export const COMPARISON_SUBNET = "10.0.1.0/24";

/**
 * The group of VMs a growth program's rule serves, made before the program runs: the same
 * resource group, network and load balancer the program declares, and one NIC per VM in the pool
 * (pool membership lives on the NIC; the rule needs nothing else of a VM). Built in one batch.
 */
export function buildGrowthPool(sim: AzureSimulator, prefix: string, names: readonly string[]): void {
    sim.batch(() => {
        const resourceGroupName = `${prefix}-rg`;
        sim.createResourceGroup({ resourceGroupName });
        const vnetId = sim.upsertVirtualNetwork({
            resourceGroupName,
            virtualNetworkName: `${prefix}-vnet`,
            addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
            subnets: [{ name: "members", addressPrefix: GROWTH_SUBNET }],
        });
        const publicIpId = sim.upsertPublicIPAddress({ resourceGroupName, publicIpAddressName: `${prefix}-pip`, sku: { name: "Standard" }, publicIPAllocationMethod: "Static" });
        const lbId = sim.upsertLoadBalancer({
            resourceGroupName,
            loadBalancerName: `${prefix}-lb`,
            sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "frontend", publicIPAddress: { id: publicIpId } }],
            backendAddressPools: [{ name: POOL_NAME }],
        });
        for (const name of names) {
            sim.upsertNetworkInterface({
                resourceGroupName,
                networkInterfaceName: `${name}-nic`,
                ipConfigurations: [{
                    name: "ipconfig",
                    primary: true,
                    subnet: { id: `${vnetId}/subnets/members` },
                    loadBalancerBackendAddressPools: [{ id: `${lbId}/backendAddressPools/${POOL_NAME}` }],
                }],
            });
        }
    });
}
