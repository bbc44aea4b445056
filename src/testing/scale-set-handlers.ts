/** The scale set handler, and scaling: capacity bounds, instance ids and instance addresses. */
import { ARM_ERROR_CODES } from "./errors";
import { computeId, scaleSetIpConfigurationId } from "./ids";
import { bag, bags, flag, integer, reference, references, requiredText, tagsOf, text } from "./inputs";
import { edit, put } from "./journal";
import { allocatePrivateIp, fail, location, requireResourceGroup } from "./lookups";
import { keyOf, type ScaleSetInstanceRecord, type ScaleSetNicConfigurationRecord, type ScaleSetRecord, type SimulatorState } from "./model";
import type { Handler, SimulatedResourceType } from "./resource-types";

/** Most instances one scale set holds (Azure's limit for platform images). */
export const MAX_SCALE_SET_CAPACITY = 1000;

export const SCALE_SET_HANDLERS: Pick<Record<SimulatedResourceType, Handler>, "compute:VirtualMachineScaleSet"> = {
    "compute:VirtualMachineScaleSet": (s, pulumiName, inputs) => {
        const name = text("scale set", "vmScaleSetName", inputs.vmScaleSetName) ?? pulumiName;
        const owner = `scale set ${name}`;
        const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
        const newId = computeId(s.subscriptionId, rg.name, "virtualMachineScaleSets", name);
        const existing = s.virtualMachineScaleSets[keyOf(newId)];
        const id = existing?.id ?? newId;
        const sku = bag(inputs.sku);
        const capacity = integer(owner, "sku.capacity", sku?.capacity) ?? existing?.instances.length ?? 0;
        checkCapacity(id, capacity);
        const profile = bag(inputs.virtualMachineProfile);
        const nicInputs = bags(owner, "virtualMachineProfile.networkProfile.networkInterfaceConfigurations", bag(profile?.networkProfile)?.networkInterfaceConfigurations);
        const nics: ScaleSetNicConfigurationRecord[] = nicInputs.map((n, i) => {
            const nicName = requiredText(owner, `networkInterfaceConfigurations[${i}].name`, n.name);
            const o = `${owner} network interface configuration ${nicName}`;
            return {
                name: nicName,
                primary: flag(o, "primary", n.primary) ?? i === 0,
                networkSecurityGroupId: reference(o, "networkSecurityGroup", n.networkSecurityGroup),
                ipConfigurations: bags(o, "ipConfigurations", n.ipConfigurations).map((c, j) => {
                    const ipName = requiredText(o, `ipConfigurations[${j}].name`, c.name);
                    const oo = `${o} ipConfiguration ${ipName}`;
                    return {
                        name: ipName,
                        primary: flag(oo, "primary", c.primary) ?? j === 0,
                        subnetId: reference(oo, "subnet", c.subnet),
                        loadBalancerBackendAddressPoolIds: references(oo, "loadBalancerBackendAddressPools", c.loadBalancerBackendAddressPools),
                        loadBalancerInboundNatPoolIds: references(oo, "loadBalancerInboundNatPools", c.loadBalancerInboundNatPools),
                    };
                }),
            };
        });
        const vmss: ScaleSetRecord = {
            id,
            name: existing?.name ?? name,
            resourceGroup: rg.name,
            location: location(inputs, owner, existing, rg),
            tags: tagsOf(owner, inputs.tags),
            skuName: text(owner, "sku.name", sku?.name) ?? existing?.skuName ?? "Standard_B1s",
            skuTier: text(owner, "sku.tier", sku?.tier) ?? existing?.skuTier ?? "Standard",
            // Azure's default is true; its temporary extra VMs are not simulated (see reconcile.ts).
            overprovision: flag(owner, "overprovision", inputs.overprovision) ?? true,
            upgradePolicyMode: text(owner, "upgradePolicy.mode", bag(inputs.upgradePolicy)?.mode) ?? "Manual",
            orchestrationMode: text(owner, "orchestrationMode", inputs.orchestrationMode) ?? "Uniform",
            networkInterfaceConfigurations: nics,
            instances: existing?.instances ?? [],
            nextInstanceId: existing?.nextInstanceId ?? 0,
            createdSeq: existing?.createdSeq ?? ++s.sequence,
        };
        put(s, "virtualMachineScaleSets", keyOf(id), vmss);
        // Model changes reach every instance at once (as with upgrade policy Automatic).
        scaleTo(s, refreshInstanceAddresses(s, vmss), capacity);
        return id;
    },
};

export function checkCapacity(scaleSetId: string, capacity: number): void {
    if (!Number.isInteger(capacity) || capacity < 0 || capacity > MAX_SCALE_SET_CAPACITY) {
        throw fail(
            ARM_ERROR_CODES.invalidParameter,
            400,
            `The value ${capacity} of parameter 'sku.capacity' of ${scaleSetId} is out of range. The value must be between 0 and ${MAX_SCALE_SET_CAPACITY}, inclusive. ` +
                "Fix: lower the capacity, or spread the instances over several scale sets.",
        );
    }
}

function instanceAddresses(s: SimulatorState, vmss: ScaleSetRecord, instanceId: string, previous: Record<string, string> = {}): Record<string, string> {
    const out: Record<string, string> = {};
    for (const nic of vmss.networkInterfaceConfigurations) {
        for (const ip of nic.ipConfigurations) {
            const k = `${nic.name}/${ip.name}`;
            out[k] = previous[k] ?? allocatePrivateIp(s, scaleSetIpConfigurationId(vmss.id, instanceId, nic.name, ip.name), ip.subnetId);
        }
    }
    return out;
}

/** Returns the scale set's record as the running change holds it. */
function refreshInstanceAddresses(s: SimulatorState, vmss: ScaleSetRecord): ScaleSetRecord {
    const own = edit<ScaleSetRecord>(s, "virtualMachineScaleSets", keyOf(vmss.id)) as ScaleSetRecord;
    for (const inst of own.instances) inst.privateIPAddresses = instanceAddresses(s, own, inst.instanceId, inst.privateIPAddresses);
    return own;
}

/**
 * Scale out adds ids from the highest ever given + 1 (ids are never reused); scale in drops the
 * highest ids. Returns the scale set's record as the running change holds it.
 */
export function scaleTo(s: SimulatorState, vmss: ScaleSetRecord, capacity: number): ScaleSetRecord {
    const own = edit<ScaleSetRecord>(s, "virtualMachineScaleSets", keyOf(vmss.id)) as ScaleSetRecord;
    while (own.instances.length > capacity) own.instances.pop();
    while (own.instances.length < capacity) {
        const instanceId = String(own.nextInstanceId++);
        const instance: ScaleSetInstanceRecord = { instanceId, privateIPAddresses: {} };
        instance.privateIPAddresses = instanceAddresses(s, own, instanceId);
        own.instances.push(instance);
    }
    return own;
}
