/** The ARM JSON of virtual machines, scale sets and Uniform scale-set instances (and their NICs), as a GET returns it. */
import { compact, guidFor, ref, refs, SUCCEEDED, type Json } from "../arm-json";
import { scaleSetIpConfigurationId, scaleSetNicId, scaleSetVmId } from "../ids";
import type { ScaleSetInstanceRecord, ScaleSetRecord, VirtualMachineRecord } from "../model";
import { instanceNics, latestModelApplied } from "./scale-sets/instance-model";

export function virtualMachineJson(vm: VirtualMachineRecord): Json {
    return compact({
        id: vm.id,
        name: vm.name,
        type: "Microsoft.Compute/virtualMachines",
        location: vm.location,
        tags: vm.tags,
        properties: compact({
            provisioningState: SUCCEEDED,
            vmId: guidFor(vm.id),
            hardwareProfile: vm.vmSize ? { vmSize: vm.vmSize } : undefined,
            networkProfile: { networkInterfaces: refs(vm.networkInterfaceIds) },
        }),
    });
}

export function scaleSetJson(vmss: ScaleSetRecord): Json {
    return compact({
        id: vmss.id,
        name: vmss.name,
        type: "Microsoft.Compute/virtualMachineScaleSets",
        location: vmss.location,
        tags: vmss.tags,
        sku: { name: vmss.skuName, tier: vmss.skuTier, capacity: vmss.instances.length },
        properties: {
            provisioningState: SUCCEEDED,
            uniqueId: guidFor(vmss.id),
            overprovision: vmss.overprovision,
            upgradePolicy: { mode: vmss.upgradePolicyMode },
            orchestrationMode: vmss.orchestrationMode,
            virtualMachineProfile: {
                networkProfile: {
                    networkInterfaceConfigurations: vmss.networkInterfaceConfigurations.map((nic) => ({
                        name: nic.name,
                        properties: compact({
                            primary: nic.primary,
                            networkSecurityGroup: ref(nic.networkSecurityGroupId),
                            ipConfigurations: nic.ipConfigurations.map((ip) => ({
                                name: ip.name,
                                properties: compact({
                                    primary: ip.primary,
                                    subnet: ref(ip.subnetId),
                                    loadBalancerBackendAddressPools: refs(ip.loadBalancerBackendAddressPoolIds),
                                    loadBalancerInboundNatPools: refs(ip.loadBalancerInboundNatPoolIds),
                                }),
                            })),
                        }),
                    })),
                },
            },
        },
    });
}

export function scaleSetVmJson(vmss: ScaleSetRecord, instance: ScaleSetInstanceRecord): Json {
    const id = scaleSetVmId(vmss.id, instance.instanceId);
    return {
        id,
        name: `${vmss.name}_${instance.instanceId}`,
        instanceId: instance.instanceId,
        type: "Microsoft.Compute/virtualMachineScaleSets/virtualMachines",
        location: vmss.location,
        sku: { name: vmss.skuName, tier: vmss.skuTier },
        properties: {
            provisioningState: SUCCEEDED,
            latestModelApplied: latestModelApplied(instance),
            vmId: guidFor(id),
            networkProfile: {
                networkInterfaces: instanceNics(vmss, instance).map((nic) => ({
                    id: scaleSetNicId(vmss.id, instance.instanceId, nic.name),
                    properties: { primary: nic.primary },
                })),
            },
        },
    };
}

/** `natRuleIds`: the inbound NAT rules that reach one of the instance's ipConfigurations (a NAT pool's per-instance rules). */
export function scaleSetVmNicJson(vmss: ScaleSetRecord, instance: ScaleSetInstanceRecord, nicName: string, natRuleIds: (ipConfigurationId: string) => string[] = () => []): Json | undefined {
    const nic = instanceNics(vmss, instance).find((n) => n.name.toLowerCase() === nicName.toLowerCase());
    if (!nic) return undefined;
    return {
        id: scaleSetNicId(vmss.id, instance.instanceId, nic.name),
        name: nic.name,
        type: "Microsoft.Network/networkInterfaces",
        location: vmss.location,
        properties: compact({
            provisioningState: SUCCEEDED,
            primary: nic.primary,
            virtualMachine: { id: scaleSetVmId(vmss.id, instance.instanceId) },
            networkSecurityGroup: ref(nic.networkSecurityGroupId),
            ipConfigurations: nic.ipConfigurations.map((ip) => ({
                id: scaleSetIpConfigurationId(vmss.id, instance.instanceId, nic.name, ip.name),
                name: ip.name,
                type: "Microsoft.Network/networkInterfaces/ipConfigurations",
                properties: compact({
                    provisioningState: SUCCEEDED,
                    primary: ip.primary,
                    privateIPAddress: instance.privateIPAddresses[`${nic.name}/${ip.name}`],
                    privateIPAllocationMethod: "Dynamic",
                    privateIPAddressVersion: "IPv4",
                    subnet: ref(ip.subnetId),
                    loadBalancerBackendAddressPools: refs(ip.loadBalancerBackendAddressPoolIds),
                    loadBalancerInboundNatRules: refs(natRuleIds(scaleSetIpConfigurationId(vmss.id, instance.instanceId, nic.name, ip.name))),
                }),
            })),
        }),
    };
}
