/**
 * Pulumi's side of a deployment's memory: the checkpoint. For each resource the last `up` sent (or
 * found unchanged), the inputs it was deployed with and the outputs Azure answered, by ARM id. The
 * real engine diffs a resource's new inputs against these inputs, and a resource whose inputs did
 * not change is a "same" step: nothing is sent to Azure and its outputs are the checkpoint's, even
 * when Azure has changed since (pulumi/pulumi pkg/resource/deploy/step_generator.go: a same step
 * carries the old state's outputs; only `pulumi refresh` / `up --refresh` reads Azure again).
 */
import { readFileSync, existsSync } from "node:fs";
import type { Json } from "../arm-json";
import { SimulatorStateError } from "../errors";
import { writeJsonFile } from "../persistence";
import type { SimulatedAzure } from "../simulated-azure";

/** What the checkpoint holds for one resource. */
export interface CheckpointEntry {
    /** The inputs the resource was last deployed with, after `ignoreChanges` (the engine stores these). */
    inputs: Json;
    /** Its outputs as Azure answered the last create, update or refresh. */
    outputs: Json;
}

export const CHECKPOINT_FORMAT = "azure-nat-rules-checkpoint/1";

const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** Canonical JSON (sorted keys), so two equal input bags compare equal. */
export function canonical(value: unknown): string {
    return JSON.stringify(value, (_key, v: unknown) =>
        isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v);
}

/**
 * One stack's checkpoint. `runDeployment` keeps one per simulator unless given its own, so
 * successive runs over one simulator behave as successive `pulumi up`s of one stack.
 */
export class StackCheckpoint {
    private readonly entries = new Map<string, CheckpointEntry>();

    get(id: string): CheckpointEntry | undefined {
        return this.entries.get(id.toLowerCase());
    }

    /** Records a resource's inputs and outputs after a create or update Azure accepted. */
    record(id: string, inputs: Json, outputs: Json): void {
        this.entries.set(id.toLowerCase(), { inputs: structuredClone(inputs), outputs: structuredClone(outputs) });
    }

    /** Whether `inputs` equal the recorded inputs: the engine's Diff would find nothing to send. */
    unchanged(id: string, inputs: Json): boolean {
        const entry = this.get(id);
        return entry !== undefined && canonical(entry.inputs) === canonical(inputs);
    }

    /**
     * As `pulumi refresh` does through azure-native's Read: each resource's outputs become what
     * Azure has now, and a resource Azure no longer has leaves the checkpoint. Its inputs take what
     * changed in Azure since (provider.go Read: the old and new outputs are projected to the inputs'
     * shape, and their difference is applied to the recorded inputs), so a property changed outside
     * Pulumi (a scale set's capacity) shows as a diff against the program at the next `up`.
     */
    refresh(azure: SimulatedAzure): { refreshed: string[]; gone: string[] } {
        const refreshed: string[] = [];
        const gone: string[] = [];
        for (const [id, entry] of this.entries) {
            if (!azure.has(id)) {
                this.entries.delete(id);
                gone.push(id);
                continue;
            }
            const outputs = azure.pulumiState(id, entry.inputs);
            this.entries.set(id, { inputs: applyOutputDrift(entry.inputs, entry.outputs, outputs) as Json, outputs });
            refreshed.push(id);
        }
        return { refreshed, gone };
    }

    get size(): number {
        return this.entries.size;
    }

    toJSON(): { format: string; resources: Record<string, CheckpointEntry> } {
        return { format: CHECKPOINT_FORMAT, resources: Object.fromEntries(this.entries) };
    }

    static fromJSON(json: unknown, source = "(in-memory checkpoint)"): StackCheckpoint {
        const checkpoint = new StackCheckpoint();
        if (!isObject(json) || json.format !== CHECKPOINT_FORMAT || !isObject(json.resources)) {
            throw new SimulatorStateError(source, `is not a checkpoint of format ${JSON.stringify(CHECKPOINT_FORMAT)}. Fix: delete the file; the next deployment writes a new one.`);
        }
        for (const [id, entry] of Object.entries(json.resources)) {
            if (!isObject(entry) || !isObject(entry.inputs) || !isObject(entry.outputs)) {
                throw new SimulatorStateError(source, `resources[${JSON.stringify(id)}] needs "inputs" and "outputs" objects.`);
            }
            checkpoint.entries.set(id.toLowerCase(), { inputs: entry.inputs, outputs: entry.outputs });
        }
        return checkpoint;
    }

    /** Writes the checkpoint atomically. */
    save(file: string): void {
        writeJsonFile(file, this.toJSON());
    }

    /** Reads a saved checkpoint; a missing file gives an empty one (a stack never deployed). */
    static load(file: string): StackCheckpoint {
        if (!existsSync(file)) return new StackCheckpoint();
        let json: unknown;
        try {
            json = JSON.parse(readFileSync(file, "utf8"));
        } catch (err) {
            throw new SimulatorStateError(file, `cannot be read as JSON (${(err as Error).message}). Fix: delete the file; the next deployment writes a new one.`);
        }
        return StackCheckpoint.fromJSON(json, file);
    }
}

/**
 * The recorded inputs with what changed between two reads of the outputs applied, in the inputs'
 * shape only: keys the inputs do not hold (read-only outputs, path parameters) are left out.
 */
function applyOutputDrift(inputs: unknown, before: unknown, after: unknown): unknown {
    if (canonical(before) === canonical(after)) return inputs;
    if (isObject(inputs) && isObject(before) && isObject(after)) {
        const out: Json = { ...inputs };
        for (const key of Object.keys(inputs)) if (key in after) out[key] = applyOutputDrift(inputs[key], before[key], after[key]);
        return out;
    }
    if (Array.isArray(inputs) && Array.isArray(before) && Array.isArray(after)) {
        if (inputs.length === before.length && before.length === after.length) return inputs.map((item, i) => applyOutputDrift(item, before[i], after[i]));
        // Items added or removed in Azure: its items, cut to the keys the recorded items have.
        const keys = new Set(inputs.flatMap((item) => (isObject(item) ? Object.keys(item) : [])));
        return after.map((item) => (isObject(item) && keys.size > 0 ? Object.fromEntries(Object.entries(item).filter(([k]) => keys.has(k))) : item));
    }
    return after;
}

/** The checkpoint `runDeployment` uses for a simulator when the caller gives none. */
const checkpoints = new WeakMap<SimulatedAzure, StackCheckpoint>();

export function checkpointOf(azure: SimulatedAzure): StackCheckpoint {
    let checkpoint = checkpoints.get(azure);
    if (!checkpoint) checkpoints.set(azure, (checkpoint = new StackCheckpoint()));
    return checkpoint;
}

/** Uses `checkpoint` as the simulator's own from now on (a checkpoint loaded from a file). */
export function useCheckpoint(azure: SimulatedAzure, checkpoint: StackCheckpoint): void {
    checkpoints.set(azure, checkpoint);
}

/**
 * The inputs the engine diffs for an update under `ignoreChanges`: at each ignored path, the old
 * input's value replaces the new one, and a path the old inputs lack is left out (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go processIgnoreChanges; paths as resource.PropertyPath:
 * `a.b`, `a[0]`, `a["b.c"]`, `a[*]`). A create has no old inputs, so nothing is ignored.
 */
export function applyIgnoreChanges(inputs: Json, old: Json | undefined, paths: readonly string[]): Json {
    if (!old || paths.length === 0) return inputs;
    let result: Json = structuredClone(inputs);
    for (const path of paths) result = copyPath(result, old, parsePropertyPath(path)) as Json;
    return result;
}

type Segment = string | number | "*";

/** A Pulumi property path split into keys and indices. */
export function parsePropertyPath(path: string): Segment[] {
    const segments: Segment[] = [];
    let i = 0;
    let key = "";
    const flush = (): void => {
        if (key !== "") segments.push(key);
        key = "";
    };
    while (i < path.length) {
        const c = path[i];
        if (c === ".") {
            flush();
            i++;
        } else if (c === "[") {
            flush();
            const close = path.indexOf("]", i);
            if (close < 0) throw new Error(`ignoreChanges: property path ${JSON.stringify(path)} has an unclosed "[".`);
            const inner = path.slice(i + 1, close);
            if (inner === "*") segments.push("*");
            else if (/^\d+$/.test(inner)) segments.push(Number(inner));
            else if (/^".*"$/.test(inner)) segments.push(JSON.parse(inner) as string);
            else throw new Error(`ignoreChanges: property path ${JSON.stringify(path)} has an invalid index [${inner}].`);
            i = close + 1;
        } else {
            key += c;
            i++;
        }
    }
    flush();
    return segments;
}

/** `target` with the value at `segments` taken from `source` (removed where `source` has none). */
function copyPath(target: unknown, source: unknown, segments: readonly Segment[]): unknown {
    if (segments.length === 0) return structuredClone(source);
    const [head, ...rest] = segments;
    if (head === "*") {
        if (!Array.isArray(target) || !Array.isArray(source)) return target;
        return target.map((item, i) => (i < source.length ? copyPath(item, source[i], rest) : item));
    }
    if (typeof head === "number") {
        if (!Array.isArray(target) || !Array.isArray(source) || head >= source.length || head >= target.length) return target;
        const out = [...target];
        out[head] = copyPath(target[head], source[head], rest);
        return out;
    }
    if (!isObject(source) || !(head in source)) {
        if (!isObject(target) || rest.length > 0) return target;
        const { [head]: _dropped, ...others } = target;
        return others;
    }
    const base = isObject(target) ? target : {};
    return { ...base, [head]: copyPath(base[head], source[head], rest) };
}
