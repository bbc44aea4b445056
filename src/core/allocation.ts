import { AzureNatRulesError, PortRangeExhaustedError } from "./errors";
import type { PortAssignment, PortRange } from "./types";

/**
 * Orders instance ids as Azure numbers them: numeric ids by value ("2" before "10"), then names
 * in code-point order.
 */
export function compareInstances(a: string, b: string): number {
    const na = /^\d+$/.test(a) ? Number(a) : NaN;
    const nb = /^\d+$/.test(b) ? Number(b) : NaN;
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
    if (!Number.isNaN(na)) return -1;
    if (!Number.isNaN(nb)) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
}

export function sortInstances(instances: Iterable<string>): string[] {
    return [...instances].sort(compareInstances);
}

export interface AllocationRequest {
    /** Rule name, for errors. */
    rule: string;
    range: PortRange;
    /** The mapping before this change (empty for a new rule). */
    previous?: Iterable<PortAssignment>;
    /** Every instance that needs a port now, in the order new ports are handed out. */
    instances: readonly string[];
    /** Why the demand is what it is, quoted in the exhaustion error. */
    demandNote?: string;
    /** Ports other members of the pool hold (another scale set's instances): never handed out. */
    reserved?: Iterable<number>;
}

/**
 * The port model for backend-pool rules (facts §4). Azure does not document whether freed ports
 * are reused or in which order; we model: survivors keep their ports, and new instances take the
 * lowest free ports in instance order (freed ports included). This matches the documented
 * behaviour of a new rule (ports sequential by instance id from the range start).
 *
 * Returns one assignment per instance, in the order of `instances`. Previous ports outside the
 * range, or held by instances no longer present, are freed. Throws `PortRangeExhaustedError`
 * when the free ports cannot serve every new instance; nothing is assigned then.
 */
export function allocatePorts(request: AllocationRequest): PortAssignment[] {
    const { range, instances } = request;
    const previous = new Map<string, number>();
    for (const a of request.previous ?? []) previous.set(a.instance, a.frontendPort);

    const seen = new Set<string>();
    const used = new Uint8Array(range.capacity);
    const ports = new Array<number>(instances.length).fill(0);
    const waiting: number[] = []; // indexes into `instances` that need a new port
    for (const port of request.reserved ?? []) {
        const slot = port - range.start;
        if (slot >= 0 && slot < range.capacity) used[slot] = 1;
    }
    for (let i = 0; i < instances.length; i++) {
        const instance = instances[i];
        if (seen.has(instance)) {
            throw new AzureNatRulesError(`${request.rule}: instance "${instance}" is listed twice; each instance needs one port.`);
        }
        seen.add(instance);
        const port = previous.get(instance);
        const slot = port === undefined ? -1 : port - range.start;
        if (slot >= 0 && slot < range.capacity && used[slot] === 0) {
            used[slot] = 1;
            ports[i] = port as number;
        } else {
            waiting.push(i);
        }
    }

    let cursor = 0;
    for (let w = 0; w < waiting.length; w++) {
        while (cursor < range.capacity && used[cursor] === 1) cursor++;
        if (cursor >= range.capacity) {
            const unassigned = waiting.slice(w).map((i) => instances[i]);
            throw new PortRangeExhaustedError(request.rule, range, instances.length, unassigned, request.demandNote);
        }
        used[cursor] = 1;
        ports[waiting[w]] = range.start + cursor;
    }
    return instances.map((instance, i) => ({ instance, frontendPort: ports[i] }));
}

/** What changed between two mappings of one rule. */
export interface MappingDiff {
    added: PortAssignment[];
    removed: PortAssignment[];
    /** Instances present before and after with the same port. */
    kept: PortAssignment[];
    /** Instances present before and after whose port changed. */
    moved: { instance: string; from: number; to: number }[];
}

export function diffAssignments(before: Iterable<PortAssignment>, after: Iterable<PortAssignment>): MappingDiff {
    const old = new Map<string, number>();
    for (const a of before) old.set(a.instance, a.frontendPort);
    const diff: MappingDiff = { added: [], removed: [], kept: [], moved: [] };
    const present = new Set<string>();
    for (const a of after) {
        present.add(a.instance);
        const from = old.get(a.instance);
        if (from === undefined) diff.added.push(a);
        else if (from === a.frontendPort) diff.kept.push(a);
        else diff.moved.push({ instance: a.instance, from, to: a.frontendPort });
    }
    for (const [instance, frontendPort] of old) {
        if (!present.has(instance)) diff.removed.push({ instance, frontendPort });
    }
    return diff;
}
