/**
 * What one scale-set instance is made of: the network model it runs (upgrade policy Manual keeps
 * an older one until the instance is upgraded) and its ipConfiguration ids (Uniform instances
 * live under the scale set; Flexible instances are VMs with NICs of their own).
 */
import { networkId, scaleSetIpConfigurationId, subscriptionOf } from "../../ids";
import type { ScaleSetInstanceRecord, ScaleSetNicConfigurationRecord, ScaleSetRecord } from "../../model";

export const FLEXIBLE = "Flexible";

export function isFlexible(vmss: ScaleSetRecord): boolean {
    return vmss.orchestrationMode.toLowerCase() === FLEXIBLE.toLowerCase();
}

/** The NIC configurations this instance runs: its pinned model (Manual, not upgraded yet) or the scale set's latest. */
export function instanceNics(vmss: ScaleSetRecord, instance: ScaleSetInstanceRecord): ScaleSetNicConfigurationRecord[] {
    return instance.model ?? vmss.networkInterfaceConfigurations;
}

/** Whether the instance runs the scale set's latest model (`latestModelApplied` in ARM's instance view). */
export function latestModelApplied(instance: ScaleSetInstanceRecord): boolean {
    return instance.model === undefined;
}

/** The NIC id of one NIC configuration of a Flexible instance: a top-level NIC `<nic config>-<8 hex>`. */
export function flexibleNicId(vmss: ScaleSetRecord, instance: ScaleSetInstanceRecord, nicConfig: string): string | undefined {
    const nicName = instance.nicNames?.[nicConfig];
    if (nicName === undefined) return undefined;
    return networkId(subscriptionOf(vmss.id), vmss.resourceGroup, "networkInterfaces", nicName);
}

/**
 * The ipConfiguration id a pool member has: under the scale set for Uniform
 * (`{vmss}/virtualMachines/{id}/networkInterfaces/...`), under the VM's own NIC for Flexible.
 */
export function instanceIpConfigurationId(vmss: ScaleSetRecord, instance: ScaleSetInstanceRecord, nicConfig: string, ipConfig: string): string {
    const flexibleNic = isFlexible(vmss) ? flexibleNicId(vmss, instance, nicConfig) : undefined;
    return flexibleNic ? `${flexibleNic}/ipConfigurations/${ipConfig}` : scaleSetIpConfigurationId(vmss.id, instance.instanceId, nicConfig, ipConfig);
}

/** One network model a scale set has in use, and the first instance that runs it (none: no instance runs the latest yet). */
export interface ModelInUse {
    nics: ScaleSetNicConfigurationRecord[];
    instance: ScaleSetInstanceRecord | undefined;
}

/**
 * Every network model of a scale set that ARM checks: the latest (what new instances get) and each older one an
 * instance still runs (upgrade policy Manual). An instance's NICs keep its model's pools and rules until it is upgraded.
 */
export function modelsInUse(vmss: ScaleSetRecord): ModelInUse[] {
    const latest: ModelInUse = { nics: vmss.networkInterfaceConfigurations, instance: undefined };
    // Pinned models are per-instance copies (records are copied on every change), so equal ones are told apart by content.
    const pinned = new Map<string, ModelInUse>();
    for (const instance of vmss.instances) {
        if (!instance.model) {
            latest.instance ??= instance;
            continue;
        }
        const k = JSON.stringify(instance.model);
        if (!pinned.has(k)) pinned.set(k, { nics: instance.model, instance });
    }
    return [latest, ...pinned.values()];
}
