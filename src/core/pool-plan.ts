import { allocatePorts, compareInstances, diffAssignments, sortInstances } from "./allocation";
import { AzureNatRulesError, PortRangeExhaustedError } from "./errors";
import type { PortAssignment, PortRange } from "./types";

/** One instance of the plan: its label, its port, and whether the label is only a guess. */
export interface PlannedInstance extends PortAssignment {
    /**
     * True when Azure chooses this instance's label and the plan cannot know it: every new
     * instance (Uniform ids have no numbering guarantee and may be reused; Flexible VMs get random
     * names; overprovisioning keeps whichever extra VMs succeed first), and every survivor of a
     * scale-in (the scale-in policy balances zones and fault domains first, and picks by creation
     * time, which the mappings don't show). A new overprovisioning instance's port is a guess too:
     * it is one of the plan's `candidatePorts`.
     */
    labelGuessed: boolean;
    /**
     * True on an instance that exists but runs a model without the rule's pool (upgrade policy
     * Manual): Azure gives it no port until it is upgraded. Its port is the one it would take then,
     * after every other instance of the plan.
     */
    upgradePending?: boolean;
    /**
     * True on a Flexible VM whose port a range change moves, when more than one moves: Azure hands
     * the free ports out in member order, which for Flexible VMs no source gives (the plan uses
     * name order). Its label is Azure's; its port is one of the moved VMs' ports.
     */
    portGuessed?: boolean;
}

/** The plan of a backend-pool rule and what it had to fit. */
export interface PoolPlan {
    /** Every instance the pool will hold after the change, survivors first in label order, then new ones. */
    instances: PlannedInstance[];
    /**
     * The ports this deployment's new instances may end up with, ascending. Without overprovisioning,
     * exactly the new instances' planned ports. While a Uniform scale set overprovisions, the k new
     * instances' planned ports plus the next k free ones, which its k extra VMs take while they exist:
     * Azure keeps k of the 2k VMs, so the new ports are k of these 2k, whichever VMs it keeps.
     */
    candidatePorts: number[];
    /** Ports the rule must be able to hand out at once (the exhaustion check). */
    demand: number;
    /** Why the demand is what it is, quoted in the exhaustion error. */
    demandNote?: string;
    /**
     * Instances Azure has now whose port this change moves (a new range that no longer holds their
     * port), in label order. Azure's docs don't say what a range change does to live mappings: the
     * ports follow the model of `allocatePorts` (ports still in range stay, the rest take the lowest free).
     */
    moved: { instance: string; from: number; to: number }[];
}

/** The most instances a scale set may reach outside Pulumi: an autoscale profile's maximum, or a plain one. */
export interface ScaleSetCeiling {
    maximum: number;
    /** Where it comes from, for the exhaustion error: `autoscale profile "business-hours"`. */
    source: string;
}

export interface ScaleSetPlanRequest {
    /** Rule name, for errors. */
    rule: string;
    range: PortRange;
    /** Azure's mappings of this rule now; empty when the rule does not exist yet. */
    current: readonly PortAssignment[];
    /** The scale set's capacity after this deployment. */
    capacity: number;
    /** "Uniform" (Azure's default) or "Flexible". */
    orchestrationMode?: string;
    /** Uniform only; Azure's default is on. Flexible scale sets never overprovision. */
    overprovision?: boolean;
    /** The scale set's name: a Flexible scale set names its VMs `<name>_<8 hex>`. */
    scaleSetName?: string;
    /**
     * Instances Azure has that the pool does not hold (upgrade policy Manual: they keep a model
     * without the pool until upgraded). They count in the capacity, get no port now, and are
     * planned last, with the port they would take once upgraded.
     */
    pendingUpgrade?: readonly string[];
    /** Ports other members of the pool hold (another scale set, while one replaces it): never planned for this one. */
    reserved?: readonly number[];
    /** The scale set's `scaleInPolicy.rules[0]`: "Default" (or absent), "OldestVM" or "NewestVM". */
    scaleInPolicy?: string;
    /** Autoscale may grow the scale set past `capacity` outside Pulumi, up to the largest of these. */
    ceilings?: readonly ScaleSetCeiling[];
    /**
     * The rule's range in Azure now, when the rule exists. Pulumi updates the scale set before the
     * rule (the rule depends on it), so a scale-out in the same change runs under this range, and
     * the new range applies after it.
     */
    currentRange?: { start: number; end: number };
}

const isFlexible = (mode: string | undefined): boolean => mode?.toLowerCase() === "flexible";

/**
 * Plans a scale set's ports from what Azure has now.
 *
 * - Survivors keep their ports. Which instances survive a scale-in is the scale-in policy's choice
 *   (scaleInSurvivors): marked as a guess.
 * - New instances' labels are Azure's: Uniform ids are numbered after the highest id Azure has now,
 *   though Azure gives no numbering guarantee and may reuse ids (docs:
 *   virtual-machine-scale-sets-instance-ids); new Flexible VMs get placeholders. All are marked.
 * - New instances take the lowest free ports in label order (the allocation model of
 *   `allocatePorts`). Without overprovisioning that set of ports is exact. With it, Azure creates
 *   2k VMs for k new ones, each takes a port while it exists (the 2k lowest free), and Azure keeps
 *   any k of them: the new ports are a guess, any k of those 2k (`candidatePorts`).
 * - A scale-out in the same change as a new range runs first under the current range
 *   (scaleOutUnderCurrentRange); ports a new range no longer holds move (`moved`).
 * - The demand is the largest of the capacity and every ceiling, × 2 while a Uniform scale set
 *   overprovisions; it must fit the range.
 */
export function planScaleSetPorts(request: ScaleSetPlanRequest): PoolPlan {
    const { range, capacity } = request;
    if (!Number.isInteger(capacity) || capacity < 0) {
        throw new AzureNatRulesError(`${request.rule}: scale set capacity ${capacity} is invalid: allowed is an integer of 0 or more.`);
    }
    const flexible = isFlexible(request.orchestrationMode);
    const overprovision = !flexible && request.overprovision !== false;
    const current = [...request.current].sort((a, b) => compareInstances(a.instance, b.instance));

    // Instances outside the pool until upgraded (Manual) count in the capacity, and a scale-in may remove them too.
    const pendingNow = (request.pendingUpgrade ?? []).filter((id) => !current.some((c) => c.instance === id));
    const existing = [...current, ...pendingNow.map((instance) => ({ instance, frontendPort: 0 }))].sort((a, b) => compareInstances(a.instance, b.instance));
    // Which instances a scale-in removes is Azure's choice (scaleInSurvivors): the survivors' labels are a guess then.
    const survivorsGuessed = capacity < existing.length;
    const kept = new Set((survivorsGuessed ? scaleInSurvivors(existing, capacity, flexible, request.scaleInPolicy) : existing).map((e) => e.instance));
    const survivors = current.filter((c) => kept.has(c.instance));
    const pending = pendingNow.filter((id) => kept.has(id));
    const newCount = capacity - survivors.length - pending.length;
    const newLabels = flexible ? flexibleLabels(request.scaleSetName, newCount)
        : uniformIds([...survivors, ...pending.map((instance) => ({ instance, frontendPort: 0 }))], newCount);
    // Azure names new instances: Flexible VMs at random, Uniform ids with no guarantee (they "may be reused").
    const newGuessed = true;

    const peak = Math.max(capacity, ...(request.ceilings ?? []).map((c) => c.maximum));
    const demand = overprovision ? peak * 2 : peak;
    const demandNote = describeDemand(capacity, peak, overprovision, request.ceilings ?? []);

    // The plan: survivors keep their ports, new instances take the lowest free ones.
    const labels = [...survivors.map((s) => s.instance), ...newLabels];
    const previous = newCount > 0 ? scaleOutUnderCurrentRange(request, survivors, labels, newCount, overprovision) : survivors;
    const reserved = (request.reserved ?? []).filter((p) => p >= range.start && p <= range.end);
    // Pending instances come last: they take ports only once upgraded, after everything else here.
    const all = allocatePorts({ rule: request.rule, range, previous, instances: [...labels, ...pending], demandNote, reserved });
    const assigned = all.slice(0, labels.length);
    // The check: the peak (autoscale's growth, the extra VMs of overprovisioning) needs a port per VM at once.
    if (demand + reserved.length > range.capacity) {
        throw new PortRangeExhaustedError(request.rule, range, demand + reserved.length, [], demandNote,
            peakFix(range, capacity, peak, overprovision, request.ceilings ?? []));
    }
    // The extra VMs of overprovisioning take the next free ports after the new instances, one per new instance.
    const extras = overprovision ? nextFreePorts(range, [...assigned, ...reserved.map((p) => ({ instance: "", frontendPort: p }))], newCount) : [];
    const candidates = [...assigned.slice(survivors.length).map((a) => a.frontendPort), ...extras];
    // Survivors a range change moves take the freed ports in member order: unknown for Flexible VMs, and
    // for any scale set when new instances (whose labels are guesses) take part in the same reassignment.
    const moved = movedPorts(current, assigned);
    const before = new Map(previous.map((p) => [p.instance, p.frontendPort]));
    const newMoved = newLabels.some((l) => before.has(l) && assigned.find((a) => a.instance === l)?.frontendPort !== before.get(l));
    const movedGuessed = new Set(moved.length > 1 && (flexible || newMoved) ? moved.map((m) => m.instance) : moved.length === 1 && newMoved ? [moved[0].instance] : []);
    return {
        instances: [
            ...assigned.map((a, i) => ({ ...a, labelGuessed: i < survivors.length ? survivorsGuessed : newGuessed,
                ...(movedGuessed.has(a.instance) ? { portGuessed: true } : {}) })),
            ...all.slice(labels.length).map((a) => ({ ...a, labelGuessed: false, upgradePending: true })),
        ],
        candidatePorts: candidates.sort((a, b) => a - b),
        demand,
        demandNote,
        moved,
    };
}

/**
 * A scale-out in the same change as a new range runs first, under the rule's current range: the
 * instances' ports there, which the new range then keeps where it can (the lowest free for the
 * rest). Refused when the current range cannot hold the scale-out (Azure would refuse it), and
 * while overprovisioning, where which extra VMs' ports Azure keeps under the current range
 * decides the ports after the range change.
 */
function scaleOutUnderCurrentRange(request: ScaleSetPlanRequest, survivors: PortAssignment[], labels: string[], newCount: number,
    overprovision: boolean): PortAssignment[] {
    const now = request.currentRange;
    const { range } = request;
    if (!now || (now.start === range.start && now.end === range.end)) return survivors;
    const current = { start: now.start, end: now.end, capacity: now.end - now.start + 1 };
    const peak = survivors.length + newCount * (overprovision ? 2 : 1);
    const name = request.scaleSetName ?? "the scale set";
    const intro = `${request.rule}: scale set ${name} grows from ${survivors.length} to ${labels.length} instances in the same update that changes ` +
        `the frontend range to ${range.start}-${range.end}. Pulumi updates the scale set first (the rule depends on it), under the current range ` +
        `${current.start}-${current.end} (${current.capacity} ports)`;
    const fix = ` Fix: change the range first: run \`pulumi up\` with the new range and ${survivors.length} instances, then scale out to ${labels.length}.`;
    if (peak > current.capacity) {
        throw new AzureNatRulesError(`${intro}, which cannot hold ${peak} instances${overprovision ? " (the new ones × 2 while overprovisioning)" : ""}, so Azure would refuse the scale-out.${fix}`);
    }
    if (overprovision) {
        throw new AzureNatRulesError(`${intro}; while overprovisioning, which of the extra VMs' ports Azure keeps there decides every port the new range moves, so no plan can say them.${fix}`);
    }
    return allocatePorts({ rule: request.rule, range: current, previous: survivors, instances: labels, reserved: request.reserved });
}

/** Instances present before and after whose port changes, in label order. */
function movedPorts(before: readonly PortAssignment[], after: readonly PortAssignment[]): PoolPlan["moved"] {
    return diffAssignments(before, after).moved.sort((a, b) => compareInstances(a.instance, b.instance));
}

/** The `count` lowest ports of the range no assignment holds. */
function nextFreePorts(range: PortRange, assigned: readonly PortAssignment[], count: number): number[] {
    const used = new Set(assigned.map((a) => a.frontendPort));
    const out: number[] = [];
    for (let port = range.start; port <= range.end && out.length < count; port++) if (!used.has(port)) out.push(port);
    return out;
}

/** What to change when the peak outgrows the range: the ceiling that sets it, or the range. */
function peakFix(range: PortRange, capacity: number, peak: number, overprovision: boolean, ceilings: readonly ScaleSetCeiling[]): string {
    const factor = overprovision ? 2 : 1;
    const most = Math.floor(range.capacity / factor); // the most instances the range holds at the peak
    const raise = `raise maxInstances to at least ${peak * factor} (or frontendPortRangeEnd to at least ${range.start + peak * factor - 1})`;
    const over = overprovision ? ", or set overprovision: false on the scale set (then each instance needs one port)" : "";
    const top = ceilings.filter((c) => c.maximum === peak && peak > capacity)[0];
    if (!top) return `lower the scale set's capacity to at most ${most}, or ${raise}${over}`;
    const lower = top.source === "autoscaleMaxCapacity"
        ? `lower autoscaleMaxCapacity to at most ${most}`
        : `lower ${top.source}'s capacity.maximum to at most ${most}`;
    return `${lower}, or ${raise}${over}`;
}

/**
 * The instances a scale-in keeps, as the scale-in policy says (docs
 * virtual-machine-scale-sets-scale-in-policy), after balancing across zones and fault domains
 * (best effort), which the mappings don't show: Default removes the highest instance ids of a
 * Uniform scale set and the oldest VMs of a Flexible one; OldestVM the oldest, NewestVM the newest,
 * by creation time. For Uniform the plan takes creation order to be id order (ids may be reused,
 * so it is not always); for Flexible, where the names don't show the age, it keeps the first
 * names. Every survivor's label is a guess (labelGuessed); each keeps its own port.
 */
function scaleInSurvivors(current: readonly PortAssignment[], capacity: number, flexible: boolean, policy: string | undefined): PortAssignment[] {
    const rule = (policy ?? "Default").toLowerCase();
    if (!flexible && rule === "oldestvm") return current.slice(current.length - capacity);
    return current.slice(0, capacity);
}

/** Ids after the highest one in use, in order. */
function uniformIds(survivors: readonly PortAssignment[], count: number): string[] {
    const highest = survivors.reduce((max, s) => (/^\d+$/.test(s.instance) ? Math.max(max, Number(s.instance)) : max), -1);
    return Array.from({ length: count }, (_, i) => String(highest + 1 + i));
}

/** Placeholders for VMs Azure will name `<scale set>_<8 hex>`; they sort after every real name. */
function flexibleLabels(scaleSetName: string | undefined, count: number): string[] {
    return Array.from({ length: count }, (_, i) => `${scaleSetName ?? "vm"}_(new ${i + 1})`);
}

function describeDemand(capacity: number, peak: number, overprovision: boolean, ceilings: readonly ScaleSetCeiling[]): string | undefined {
    const top = ceilings.filter((c) => c.maximum === peak && peak > capacity)[0];
    const base = top ? `${top.source} maximum ${peak}` : `scale set capacity ${capacity}`;
    if (overprovision) return `${base} × 2 while overprovisioning is on`;
    return top ? base : undefined;
}

export interface VmGroupPlanRequest {
    rule: string;
    range: PortRange;
    /** Azure's mappings of this rule now; empty when the rule does not exist yet. */
    current: readonly PortAssignment[];
    /** The VMs of the pool after this deployment. */
    vmNames: readonly string[];
}

/** A group of VMs: named VMs keep their ports, new ones take the lowest free ports in name order. */
export function planVmGroupPorts(request: VmGroupPlanRequest): PoolPlan {
    const names = sortInstances(request.vmNames);
    const assigned = allocatePorts({ rule: request.rule, range: request.range, previous: request.current, instances: names });
    const survivors = new Set(request.current.map((c) => c.instance));
    const candidatePorts = assigned.filter((a) => !survivors.has(a.instance)).map((a) => a.frontendPort).sort((a, b) => a - b);
    return { instances: assigned.map((a) => ({ ...a, labelGuessed: false })), candidatePorts, demand: names.length, moved: movedPorts(request.current, assigned) };
}
