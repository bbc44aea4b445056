/**
 * Records are never changed in place while they may be shared: a change replaces a record (`put`)
 * or edits a private copy of it (`edit`), and its journal keeps the record it replaced. So a
 * rejected change puts back exactly the records it touched, a change costs what it touches rather
 * than a copy of the whole state, and two states may share records (`shareState`, what a preview's
 * scratch copy is).
 */
import { RESOURCE_MAPS, type SimulatorState } from "./model";

export type ResourceMap = (typeof RESOURCE_MAPS)[number];

/** Marks a key that had no record before the change. */
const ABSENT = Symbol("absent");

type Records = Record<string, unknown>;

export class Journal {
    private readonly saved = new Map<ResourceMap, Map<string, unknown>>();
    /** Records this change copied for itself: the only ones it may change in place. */
    private readonly owned = new Map<ResourceMap, Set<string>>();
    /** Key order of a map a change deletes from, so a rollback puts keys back where they were. */
    private readonly keyOrders = new Map<ResourceMap, string[]>();
    private readonly sequence: number;
    private readonly defaultSubnetNextHost: number;
    /** The seed's draw count: a rejected change has drawn nothing, so the next change draws the same values. */
    private readonly random: SimulatorState["random"];

    constructor(private readonly state: SimulatorState) {
        this.sequence = state.sequence;
        this.defaultSubnetNextHost = state.defaultSubnetNextHost;
        this.random = state.random;
    }

    private save(map: ResourceMap, key: string): void {
        let records = this.saved.get(map);
        if (!records) this.saved.set(map, (records = new Map()));
        if (!records.has(key)) records.set(key, (this.state[map] as Records)[key] ?? ABSENT);
    }

    put<T>(map: ResourceMap, key: string, record: T): T {
        this.save(map, key);
        this.owned.get(map)?.delete(key);
        (this.state[map] as Records)[key] = record;
        return record;
    }

    edit<T>(map: ResourceMap, key: string): T | undefined {
        const live = this.state[map] as Records;
        if (this.owned.get(map)?.has(key)) return live[key] as T;
        if (live[key] === undefined) return undefined;
        this.save(map, key);
        const copy = structuredClone(live[key]) as T;
        live[key] = copy;
        let owned = this.owned.get(map);
        if (!owned) this.owned.set(map, (owned = new Set()));
        owned.add(key);
        return copy;
    }

    remove(map: ResourceMap, key: string): void {
        this.save(map, key);
        if (!this.keyOrders.has(map)) this.keyOrders.set(map, Object.keys(this.state[map]));
        delete (this.state[map] as Records)[key];
    }

    /** Keys of the records this change touched in one map. */
    touched(map: ResourceMap): string[] {
        return [...(this.saved.get(map)?.keys() ?? [])];
    }

    /** A touched record as it was before the change (undefined when it did not exist). */
    original<T>(map: ResourceMap, key: string): T | undefined {
        const record = this.saved.get(map)?.get(key);
        return record === ABSENT ? undefined : (record as T | undefined);
    }

    /** Puts back every touched record, in its old key order. */
    rollback(): void {
        for (const [map, records] of this.saved) {
            const live = this.state[map] as Records;
            for (const [key, record] of records) {
                if (record === ABSENT) delete live[key];
                else live[key] = record;
            }
            const order = this.keyOrders.get(map);
            if (order) {
                const entries = order.filter((k) => k in live).map((k) => [k, live[k]] as const);
                for (const k of Object.keys(live)) delete live[k];
                for (const [k, v] of entries) live[k] = v;
            }
        }
        this.state.sequence = this.sequence;
        this.state.defaultSubnetNextHost = this.defaultSubnetNextHost;
        if (this.random === undefined) delete this.state.random;
        else this.state.random = this.random;
    }
}

const running = new WeakMap<SimulatorState, Journal>();

/** Starts journaling changes to `state` (one change at a time). */
export function beginChange(state: SimulatorState): Journal {
    if (running.has(state)) throw new Error("AzureSimulator: a change is already running on this state.");
    const journal = new Journal(state);
    running.set(state, journal);
    return journal;
}

export function endChange(state: SimulatorState): void {
    running.delete(state);
}

/** Stores a new or replacing record. It may share parts with the record it replaces: change it later only through `edit`. */
export function put<T>(state: SimulatorState, map: ResourceMap, key: string, record: T): T {
    const journal = running.get(state);
    if (journal) return journal.put(map, key, record);
    (state[map] as Records)[key] = record;
    return record;
}

/** The record under `key`, safe to change in place: the running change's own copy. */
export function edit<T>(state: SimulatorState, map: ResourceMap, key: string): T | undefined {
    const journal = running.get(state);
    if (journal) return journal.edit<T>(map, key);
    return (state[map] as Records)[key] as T | undefined;
}

/** Deletes a record; the running change keeps it for a rollback. */
export function removeRecord(state: SimulatorState, map: ResourceMap, key: string): void {
    const journal = running.get(state);
    if (journal) journal.remove(map, key);
    else delete (state[map] as Records)[key];
}

/** A state of its own maps over the same records (a change never alters a record in place). */
export function shareState(state: SimulatorState): SimulatorState {
    const copy = { ...state };
    for (const map of RESOURCE_MAPS) (copy as Record<ResourceMap, Records>)[map] = { ...(state[map] as Records) };
    return copy;
}
