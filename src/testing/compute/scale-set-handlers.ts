/** The scale set handler, and scaling: capacity bounds, instance ids and instance addresses. */
import { ARM_ERROR_CODES } from "../errors";
import { computeId } from "../ids";
import { bag, bags, flag, integer, reference, references, requiredText, tagsOf, text } from "../resource-inputs";
import { put } from "../journal";
import { fail, location, requireResourceGroup } from "../lookups";
import { keyOf, type ScaleSetNicConfigurationRecord, type ScaleSetRecord } from "../model";
import type { Handler, SimulatedResourceType } from "../resource-types";
import { upsertAutoscaleSetting } from "../insights/autoscale";
import { FLEXIBLE } from "./scale-sets/instance-model";
import { checkOrchestration } from "./scale-sets/orchestration";
import { applyModelChange, scaleTo } from "./scale-sets/scaling";

export { scaleTo };

/** Most instances one scale set holds (Azure's limit for platform images). */
export const MAX_SCALE_SET_CAPACITY = 1000;

export const SCALE_SET_HANDLERS: Pick<Record<SimulatedResourceType, Handler>, "compute:VirtualMachineScaleSet" | "monitor:AutoscaleSetting"> = {
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
        const orchestrationMode = text(owner, "orchestrationMode", inputs.orchestrationMode) ?? existing?.orchestrationMode ?? "Uniform";
        const overprovision = flag(owner, "overprovision", inputs.overprovision);
        const platformFaultDomainCount = integer(owner, "platformFaultDomainCount", inputs.platformFaultDomainCount) ?? existing?.platformFaultDomainCount;
        checkOrchestration(id, orchestrationMode, overprovision, platformFaultDomainCount);
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
            // Azure's default is true for Uniform (docs design-overview); Flexible has none (scale-sets/scaling.ts).
            overprovision: overprovision ?? orchestrationMode.toLowerCase() !== FLEXIBLE.toLowerCase(),
            upgradePolicyMode: text(owner, "upgradePolicy.mode", bag(inputs.upgradePolicy)?.mode) ?? "Manual",
            orchestrationMode,
            platformFaultDomainCount,
            networkInterfaceConfigurations: nics,
            instances: existing?.instances ?? [],
            nextInstanceId: existing?.nextInstanceId ?? 0,
            scaleInPolicy: scaleInRule(owner, inputs.scaleInPolicy, existing?.scaleInPolicy),
            createdSeq: existing?.createdSeq ?? ++s.sequence,
        };
        put(s, "virtualMachineScaleSets", keyOf(id), vmss);
        // The upgrade policy decides whether existing instances take the new model now.
        scaleTo(s, applyModelChange(s, vmss, existing?.networkInterfaceConfigurations), capacity);
        return id;
    },
    "monitor:AutoscaleSetting": upsertAutoscaleSetting,
};

/**
 * `scaleInPolicy.rules`: Azure/azure-rest-api-specs Compute `ScaleInPolicy.rules`, enum
 * VirtualMachineScaleSetScaleInRules "Default", "OldestVM", "NewestVM" (one rule is applied).
 * Absent: the scale set keeps the one it has, else Default.
 */
function scaleInRule(owner: string, input: unknown, existing: string | undefined): string | undefined {
    const policy = bag(input);
    if (!policy || policy.rules === undefined) return existing;
    const rules = Array.isArray(policy.rules) ? policy.rules : [policy.rules];
    const known = ["Default", "OldestVM", "NewestVM"];
    const rule = rules[0];
    if (rule === undefined) return undefined;
    const match = typeof rule === "string" ? known.find((k) => k.toLowerCase() === rule.toLowerCase()) : undefined;
    if (!match) {
        throw fail(ARM_ERROR_CODES.invalidParameter, 400,
            `The value ${JSON.stringify(rule)} of parameter 'scaleInPolicy.rules' of ${owner} is not valid. Allowed values are ${known.join(", ")}.`);
    }
    return match === "Default" ? undefined : match;
}

export function checkCapacity(scaleSetId: string, capacity: number): void {
    if (!Number.isInteger(capacity) || capacity < 0 || capacity > MAX_SCALE_SET_CAPACITY) {
        throw fail(
            ARM_ERROR_CODES.invalidParameter,
            400,
            `The value ${capacity} of parameter 'sku.capacity' of ${scaleSetId} is out of range. The value must be between 0 and ${MAX_SCALE_SET_CAPACITY}, inclusive.`,
        );
    }
}
