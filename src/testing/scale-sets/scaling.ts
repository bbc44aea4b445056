/**
 * Scaling a scale set as Azure runs it: overprovisioning on a Uniform scale-out, Flexible VMs with
 * their own NICs, and the upgrade policy deciding when a model change reaches an instance.
 */
import { ARM_ERROR_CODES, ArmError } from "../errors";
import { edit } from "../journal";
import { allocatePrivateIp, fail } from "../lookups";
import { membershipNow } from "../membership";
import { keyOf, type ScaleSetInstanceRecord, type ScaleSetNicConfigurationRecord, type ScaleSetRecord, type SimulatorState } from "../model";
import { reconcileScaleSet } from "../reconcile";
import { instanceIpConfigurationId, instanceNics, isFlexible } from "./instance-model";
import { hex8, shuffled } from "./random";

/**
 * Overprovisioning is on for a Uniform scale set unless `overprovision: false`: "With
 * overprovisioning turned on, the scale set actually spins up more VMs than you asked for, then
 * deletes the extra VMs once the requested number of VMs are successfully provisioned"
 * (docs virtual-machine-scale-sets-design-overview, "Overprovisioning"). Flexible has none
 * (docs virtual-machine-scale-sets-orchestration-modes).
 */
export function overprovisions(vmss: ScaleSetRecord): boolean {
    return !isFlexible(vmss) && vmss.overprovision;
}

/**
 * Extra VMs Azure creates for `requested` new ones. The docs give no number; we create one extra
 * per requested VM (the peak is current + 2 × new), because the only published bound is
 * azure-cli's, which sizes a scale set's NAT port range at 2 × capacity while overprovisioning is on
 * (Azure/azure-cli PR #23638): a range that holds 2 × capacity always holds this peak.
 */
export function extraVmsFor(requested: number): number {
    return requested;
}

/** Private IPs per `{nicConfig}/{ipConfig}` of the model the instance runs; kept ones stay. */
function instanceAddresses(s: SimulatorState, vmss: ScaleSetRecord, instance: ScaleSetInstanceRecord): Record<string, string> {
    const previous = instance.privateIPAddresses;
    const out: Record<string, string> = {};
    for (const nic of instanceNics(vmss, instance)) {
        for (const ip of nic.ipConfigurations) {
            const k = `${nic.name}/${ip.name}`;
            out[k] = previous[k] ?? allocatePrivateIp(s, instanceIpConfigurationId(vmss, instance, nic.name, ip.name), ip.subnetId);
        }
    }
    return out;
}

/** Flexible VMs get a NIC `<nic config>-<8 hex>` per NIC configuration (tutorial "Connect to Virtual Machine Scale Set instances"). */
function ensureFlexibleNics(s: SimulatorState, vmss: ScaleSetRecord, instance: ScaleSetInstanceRecord): void {
    if (!isFlexible(vmss)) return;
    instance.nicNames ??= {};
    for (const nic of instanceNics(vmss, instance)) instance.nicNames[nic.name] ??= `${nic.name}-${hex8(s)}`;
}

/**
 * The scale set's record as the running change holds it: its own copy, safe to change in place
 * (the committed record may be shared with a preview's copy or a deployment's snapshot).
 */
export function ownScaleSet(s: SimulatorState, vmss: ScaleSetRecord): ScaleSetRecord {
    return edit<ScaleSetRecord>(s, "virtualMachineScaleSets", keyOf(vmss.id)) as ScaleSetRecord;
}

/** Re-reads every instance's NICs and addresses after a model change or an upgrade; `own` is the change's copy (ownScaleSet). */
function refreshInstances(s: SimulatorState, own: ScaleSetRecord): void {
    for (const instance of own.instances) {
        ensureFlexibleNics(s, own, instance);
        instance.privateIPAddresses = instanceAddresses(s, own, instance);
    }
}

/**
 * A new instance on the latest model: Uniform ids count up; Flexible VMs are named `<scale set>_<8 hex>`
 * (e.g. `myScaleSet_0e7d4d21`). `vmss` is the change's copy (ownScaleSet): its id counter moves.
 */
function newInstance(s: SimulatorState, vmss: ScaleSetRecord): ScaleSetInstanceRecord {
    const instanceId = isFlexible(vmss) ? `${vmss.name}_${hex8(s)}` : String(vmss.nextInstanceId++);
    const instance: ScaleSetInstanceRecord = { instanceId, privateIPAddresses: {} };
    ensureFlexibleNics(s, vmss, instance);
    instance.privateIPAddresses = instanceAddresses(s, vmss, instance);
    return instance;
}

/**
 * Scale in drops the highest ids (Uniform) or the oldest VMs (Flexible), as the Default scale-in
 * policy does (docs virtual-machine-scale-sets-scale-in-policy: Uniform "Delete virtual machine with
 * the highest instance ID"; Flexible "the oldest virtual machine as per createdTime is scaled-in
 * first"; zones and fault domains are not modelled). Scale out adds new
 * instances; while overprovisioning, the extras exist first (holding private IPs, backend pool
 * membership and NAT frontend ports, so the whole peak must fit the ranges), then Azure keeps the
 * first `requested` to succeed (seeded) and deletes the rest, leaving gaps in the ids.
 */
export function scaleTo(s: SimulatorState, vmss: ScaleSetRecord, capacity: number): ScaleSetRecord {
    const own = ownScaleSet(s, vmss);
    // Instances are kept in creation order: the last is the highest id (Uniform), the first the oldest VM (Flexible).
    const removed = own.instances.length - capacity;
    if (removed > 0) own.instances.splice(isFlexible(own) ? 0 : capacity, removed);
    const requested = capacity - own.instances.length;
    if (requested <= 0) return own;
    const extras = overprovisions(own) ? extraVmsFor(requested) : 0;
    const created: ScaleSetInstanceRecord[] = [];
    for (let i = 0; i < requested + extras; i++) created.push(newInstance(s, own));
    own.instances.push(...created);
    if (extras === 0) return own;
    try {
        // The peak: the scale set's load balancers must give the extras ports too (the change's own reconcile sees only the end).
        reconcileScaleSet(s, membershipNow(s), keyOf(own.id));
    } catch (err) {
        if (!(err instanceof ArmError)) throw err;
        throw new ArmError(err.code, err.statusCode,
            `${err.message} Scale set ${own.name} overprovisions: scaling out by ${requested} creates ${requested + extras} VMs (${extras} extra) before deleting the extras, ` +
                `so the range must hold ${own.instances.length} instances at the peak.`);
    }
    const kept = new Set(shuffled(s, created).slice(0, requested));
    own.instances = own.instances.filter((i) => !created.includes(i) || kept.has(i));
    return own;
}

const sameModel = (a: ScaleSetNicConfigurationRecord[], b: ScaleSetNicConfigurationRecord[]): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * After a PUT changed the model: with upgrade policy Manual, existing instances keep the model they
 * run until `az vmss update-instances` ("you choose when to update the scale set instances");
 * Automatic applies it to all at once; Rolling upgrades in batches, which the simulator applies at
 * once as well (no time passes in it) (docs virtual-machine-scale-sets-upgrade-policy).
 */
export function applyModelChange(s: SimulatorState, vmss: ScaleSetRecord, previousModel: ScaleSetNicConfigurationRecord[] | undefined): ScaleSetRecord {
    const own = ownScaleSet(s, vmss);
    const manual = own.upgradePolicyMode.toLowerCase() === "manual";
    for (const instance of own.instances) {
        if (manual && previousModel && instance.model === undefined && !sameModel(previousModel, own.networkInterfaceConfigurations)) {
            instance.model = structuredClone(previousModel);
        } else if (!manual || (instance.model && sameModel(instance.model, own.networkInterfaceConfigurations))) {
            delete instance.model;
        }
    }
    refreshInstances(s, own);
    return own;
}

/** `az vmss update-instances --instance-ids ...` (or `*`): the instances take the latest model. */
export function upgradeInstances(s: SimulatorState, vmss: ScaleSetRecord, instanceIds: readonly string[] | "*"): string[] {
    const wanted = instanceIds === "*" ? new Set(vmss.instances.map((i) => i.instanceId)) : new Set(instanceIds.map(String));
    const unknown = [...wanted].filter((id) => !vmss.instances.some((i) => i.instanceId === id));
    if (unknown.length > 0) {
        throw fail(ARM_ERROR_CODES.invalidParameter, 400,
            `Scale set ${vmss.name} has no instance(s) ${unknown.join(", ")}; its instances are ${vmss.instances.map((i) => i.instanceId).join(", ") || "none"}.`);
    }
    const own = ownScaleSet(s, vmss);
    for (const instance of own.instances) if (wanted.has(instance.instanceId)) delete instance.model;
    refreshInstances(s, own);
    return [...wanted];
}
