/**
 * ARM reads of a Flexible scale set's VMs and NICs: top-level `Microsoft.Compute/virtualMachines`
 * and `Microsoft.Network/networkInterfaces` resources (docs virtual-machine-scale-sets-orchestration-modes:
 * Flexible instances are standard VMs), each VM pointing at its scale set and each NIC at its VM.
 */
import { guidFor } from "../../arm-json";
import { computeId, subscriptionOf } from "../../ids";
import { keyOf, type ScaleSetInstanceRecord, type ScaleSetRecord, type SimulatorState } from "../../model";
import { flexibleNicId, instanceIpConfigurationId, instanceNics, isFlexible } from "./instance-model";

type Json = Record<string, unknown>;

function flexibleVms(s: SimulatorState, resourceGroup: string): { vmss: ScaleSetRecord; instance: ScaleSetInstanceRecord }[] {
    return Object.values(s.virtualMachineScaleSets)
        .filter((v) => isFlexible(v) && v.resourceGroup.toLowerCase() === resourceGroup.toLowerCase())
        .flatMap((vmss) => vmss.instances.map((instance) => ({ vmss, instance })));
}

export function flexibleVmId(vmss: ScaleSetRecord, instance: ScaleSetInstanceRecord): string {
    return computeId(subscriptionOf(vmss.id), vmss.resourceGroup, "virtualMachines", instance.instanceId);
}

function vmJson(vmss: ScaleSetRecord, instance: ScaleSetInstanceRecord): Json {
    const id = flexibleVmId(vmss, instance);
    return {
        id,
        name: instance.instanceId,
        type: "Microsoft.Compute/virtualMachines",
        location: vmss.location,
        properties: {
            provisioningState: "Succeeded",
            vmId: guidFor(id),
            virtualMachineScaleSet: { id: vmss.id },
            networkProfile: { networkInterfaces: instanceNics(vmss, instance).map((nic) => ({ id: flexibleNicId(vmss, instance, nic.name), properties: { primary: nic.primary } })) },
        },
    };
}

function nicJson(vmss: ScaleSetRecord, instance: ScaleSetInstanceRecord, nicConfig: string): Json | undefined {
    const nic = instanceNics(vmss, instance).find((n) => n.name === nicConfig);
    const id = flexibleNicId(vmss, instance, nicConfig);
    if (!nic || !id) return undefined;
    return {
        id,
        name: instance.nicNames?.[nicConfig],
        type: "Microsoft.Network/networkInterfaces",
        location: vmss.location,
        properties: {
            provisioningState: "Succeeded",
            primary: nic.primary,
            virtualMachine: { id: flexibleVmId(vmss, instance) },
            ...(nic.networkSecurityGroupId ? { networkSecurityGroup: { id: nic.networkSecurityGroupId } } : {}),
            ipConfigurations: nic.ipConfigurations.map((ip) => ({
                id: instanceIpConfigurationId(vmss, instance, nic.name, ip.name),
                name: ip.name,
                type: "Microsoft.Network/networkInterfaces/ipConfigurations",
                properties: {
                    provisioningState: "Succeeded",
                    primary: ip.primary,
                    privateIPAddress: instance.privateIPAddresses[`${nic.name}/${ip.name}`],
                    privateIPAllocationMethod: "Dynamic",
                    ...(ip.subnetId ? { subnet: { id: ip.subnetId } } : {}),
                    loadBalancerBackendAddressPools: ip.loadBalancerBackendAddressPoolIds.map((p) => ({ id: p })),
                },
            })),
        },
    };
}

/** GET of a Flexible VM, its NIC, or the NIC's ipConfiguration; undefined when the path names none. */
export function flexibleGet(s: SimulatorState, path: string): unknown {
    const m = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/(microsoft\.compute\/virtualmachines|microsoft\.network\/networkinterfaces)\/([^/]+)(?:\/ipConfigurations\/([^/]+))?\/?$/i.exec(path);
    if (!m) return undefined;
    const [, rg, type, name, ipConfig] = m;
    for (const { vmss, instance } of flexibleVms(s, rg)) {
        if (type.toLowerCase() === "microsoft.compute/virtualmachines") {
            if (ipConfig === undefined && instance.instanceId.toLowerCase() === name.toLowerCase()) return vmJson(vmss, instance);
            continue;
        }
        for (const [nicConfig, nicName] of Object.entries(instance.nicNames ?? {})) {
            if (nicName.toLowerCase() !== name.toLowerCase()) continue;
            const nic = nicJson(vmss, instance, nicConfig);
            if (!nic || ipConfig === undefined) return nic;
            return (nic.properties as { ipConfigurations: Json[] }).ipConfigurations.find((ip) => keyOf(String(ip.name)) === keyOf(ipConfig));
        }
    }
    return undefined;
}

/**
 * The Flexible VMs or NICs a list of a resource group's `virtualMachines` or `networkInterfaces`
 * adds to the standalone ones (they are standard resources); undefined when the path is no such list.
 */
export function flexibleList(s: SimulatorState, path: string): Json[] | undefined {
    const m = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/(microsoft\.compute\/virtualmachines|microsoft\.network\/networkinterfaces)\/?$/i.exec(path);
    if (!m) return undefined;
    const [, rg, type] = m;
    const vms = flexibleVms(s, rg);
    if (type.toLowerCase() === "microsoft.compute/virtualmachines") return vms.map(({ vmss, instance }) => vmJson(vmss, instance));
    return vms.flatMap(({ vmss, instance }) => Object.keys(instance.nicNames ?? {}).map((config) => nicJson(vmss, instance, config)).filter((n): n is Json => n !== undefined));
}
