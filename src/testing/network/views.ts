/** The ARM JSON of resource groups, NICs, virtual networks, subnets and NSGs, as a GET returns it. */
import { compact, etag, guidFor, ref, refs, SUCCEEDED, type Json } from "../arm-json";
import type { NetworkInterfaceRecord, NetworkSecurityGroupRecord, NicIpConfigurationRecord, ResourceGroupRecord, SubnetRecord, VirtualNetworkRecord } from "../model";

export function resourceGroupJson(rg: ResourceGroupRecord): Json {
    return compact({
        id: rg.id,
        name: rg.name,
        type: "Microsoft.Resources/resourceGroups",
        location: rg.location,
        tags: rg.tags,
        properties: { provisioningState: SUCCEEDED },
    });
}

function nicIpConfigurationJson(ip: NicIpConfigurationRecord): Json {
    return {
        id: ip.id,
        name: ip.name,
        type: "Microsoft.Network/networkInterfaces/ipConfigurations",
        properties: compact({
            provisioningState: SUCCEEDED,
            primary: ip.primary,
            privateIPAddress: ip.privateIPAddress,
            privateIPAllocationMethod: ip.privateIPAllocationMethod,
            privateIPAddressVersion: "IPv4",
            subnet: ref(ip.subnetId),
            publicIPAddress: ref(ip.publicIPAddressId),
            loadBalancerBackendAddressPools: refs(ip.loadBalancerBackendAddressPoolIds),
            loadBalancerInboundNatRules: refs(ip.loadBalancerInboundNatRuleIds),
        }),
    };
}

export function networkInterfaceJson(nic: NetworkInterfaceRecord): Json {
    return compact({
        id: nic.id,
        name: nic.name,
        type: "Microsoft.Network/networkInterfaces",
        location: nic.location,
        tags: nic.tags,
        etag: etag(nic.id),
        properties: compact({
            provisioningState: SUCCEEDED,
            resourceGuid: guidFor(nic.id),
            ipConfigurations: nic.ipConfigurations.map((ip) => nicIpConfigurationJson(ip)),
            networkSecurityGroup: ref(nic.networkSecurityGroupId),
            virtualMachine: ref(nic.virtualMachineId),
            primary: true,
        }),
    });
}

export function subnetJson(subnet: SubnetRecord): Json {
    return {
        id: subnet.id,
        name: subnet.name,
        type: "Microsoft.Network/virtualNetworks/subnets",
        properties: compact({
            provisioningState: SUCCEEDED,
            addressPrefix: subnet.addressPrefix,
            networkSecurityGroup: ref(subnet.networkSecurityGroupId),
        }),
    };
}

export function virtualNetworkJson(vnet: VirtualNetworkRecord): Json {
    return compact({
        id: vnet.id,
        name: vnet.name,
        type: "Microsoft.Network/virtualNetworks",
        location: vnet.location,
        tags: vnet.tags,
        etag: etag(vnet.id),
        properties: {
            provisioningState: SUCCEEDED,
            resourceGuid: guidFor(vnet.id),
            addressSpace: { addressPrefixes: vnet.addressPrefixes },
            subnets: vnet.subnets.map((s) => subnetJson(s)),
        },
    });
}

export function networkSecurityGroupJson(nsg: NetworkSecurityGroupRecord): Json {
    return compact({
        id: nsg.id,
        name: nsg.name,
        type: "Microsoft.Network/networkSecurityGroups",
        location: nsg.location,
        tags: nsg.tags,
        etag: etag(nsg.id),
        properties: {
            provisioningState: SUCCEEDED,
            resourceGuid: guidFor(nsg.id),
            securityRules: nsg.securityRules.map((r) => ({
                id: r.id,
                name: r.name,
                type: "Microsoft.Network/networkSecurityGroups/securityRules",
                properties: { provisioningState: SUCCEEDED, ...r.properties },
            })),
        },
    });
}
