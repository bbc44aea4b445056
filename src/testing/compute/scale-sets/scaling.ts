/**
 * Scaling a scale set as Azure runs it: overprovisioning on a Uniform scale-out, Flexible VMs with
 * their own NICs, and the upgrade policy deciding when a model change reaches an instance.
 */
import { ARM_ERROR_CODES, ArmError } from "../../errors";
import { edit } from "../../journal";
import { allocatePrivateIp, fail } from "../../lookups";
import { membershipNow } from "../../network/membership";
import { keyOf, type ScaleSetInstanceRecord, type ScaleSetNicConfigurationRecord, type ScaleSetRecord, type SimulatorState } from "../../model";
import { reconcileScaleSet } from "../../network/reconcile";
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
 * A new instance on the latest model: Flexible VMs are named `<scale set>_<8 hex>` (e.g.
 * `myScaleSet_0e7d4d21`); Uniform ids are given after the highest ever given, or, when the state
 * says so (`uniformInstanceIds: "reuse"`), the lowest id no instance holds: Microsoft's docs allow
 * both ("The instance IDs may be reused for new instances once old instances are deleted"; "there
 * is no guarantee on the way instance IDs are assigned", docs virtual-machine-scale-sets-instance-ids).
 * `vmss` is the change's copy (ownScaleSet): its id counter moves.
 */
function newInstance(s: SimulatorState, vmss: ScaleSetRecord): ScaleSetInstanceRecord {
    const instanceId = isFlexible(vmss) ? `${vmss.name}_${hex8(s)}` : nextUniformId(s, vmss);
    const instance: ScaleSetInstanceRecord = { instanceId, privateIPAddresses: {}, created: ++s.sequence };
    ensureFlexibleNics(s, vmss, instance);
    instance.privateIPAddresses = instanceAddresses(s, vmss, instance);
    return instance;
}

function nextUniformId(s: SimulatorState, vmss: ScaleSetRecord): string {
    if (s.uniformInstanceIds === "reuse") {
        const held = new Set(vmss.instances.map((i) => Number(i.instanceId)));
        let id = 0;
        while (held.has(id)) id++;
        vmss.nextInstanceId = Math.max(vmss.nextInstanceId, id + 1);
        return String(id);
    }
    return String(vmss.nextInstanceId++);
}

/** An instance's age: its creation sequence, or (states saved before it was kept) its place in the list. */
const ageOf = (vmss: ScaleSetRecord, instance: ScaleSetInstanceRecord): number => instance.created ?? vmss.instances.indexOf(instance) - 1e9;

/**
 * The instances a scale-in removes, by the scale set's scale-in policy (docs
 * virtual-machine-scale-sets-scale-in-policy): Default removes the highest instance ids of a
 * Uniform scale set ("Delete virtual machine with the highest instance ID") and the oldest VMs of a
 * Flexible one ("the oldest virtual machine as per createdTime is scaled-in first"); OldestVM the
 * oldest, NewestVM the newest, by creation time. The balancing across zones and fault domains that
 * comes first is not modelled (docs/simulator.md, "Not modelled").
 */
function scaleInVictims(vmss: ScaleSetRecord, count: number): Set<ScaleSetInstanceRecord> {
    const policy = (vmss.scaleInPolicy ?? "Default").toLowerCase();
    const byAge = [...vmss.instances].sort((a, b) => ageOf(vmss, a) - ageOf(vmss, b));
    if (policy === "newestvm") return new Set(byAge.slice(byAge.length - count));
    if (policy === "oldestvm" || isFlexible(vmss)) return new Set(byAge.slice(0, count));
    const byId = [...vmss.instances].sort((a, b) => Number(a.instanceId) - Number(b.instanceId));
    return new Set(byId.slice(byId.length - count));
}

/** Uniform instances stay sorted by id (the order ARM lists them and hands out ports in); Flexible ones in creation order. */
function sortUniform(vmss: ScaleSetRecord): void {
    if (!isFlexible(vmss)) vmss.instances.sort((a, b) => Number(a.instanceId) - Number(b.instanceId));
}

/**
 * Scale in removes instances by the scale-in policy (scaleInVictims). Scale out adds new
 * instances; while overprovisioning, the extras exist first (holding private IPs, backend pool
 * membership and NAT frontend ports, so the whole peak must fit the ranges), then Azure keeps the
 * first `requested` to succeed (seeded) and deletes the rest, leaving gaps in the ids.
 */
export function scaleTo(s: SimulatorState, vmss: ScaleSetRecord, capacity: number): ScaleSetRecord {
    const own = ownScaleSet(s, vmss);
    const removed = own.instances.length - capacity;
    if (removed > 0) {
        const victims = scaleInVictims(own, removed);
        own.instances = own.instances.filter((i) => !victims.has(i));
    }
    const requested = capacity - own.instances.length;
    if (requested <= 0) return own;
    const extras = overprovisions(own) ? extraVmsFor(requested) : 0;
    const created: ScaleSetInstanceRecord[] = [];
    for (let i = 0; i < requested + extras; i++) {
        const instance = newInstance(s, own);
        created.push(instance);
        own.instances.push(instance); // held while the next is numbered
    }
    sortUniform(own);
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
