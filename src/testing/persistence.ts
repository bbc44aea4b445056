/** The simulator state as a saved file: checks on reading, atomic writes. */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { SimulatorStateError } from "./errors";
import { bag } from "./resource-inputs";
import { keyOf, RESOURCE_MAPS, STATE_FORMAT, type SimulatorState } from "./model";
import { reconcile } from "./network/reconcile";

/** An independent copy of a state (what `toJSON`, `clone` and `restore` hand out or take in). */
export function copyState(state: SimulatorState): SimulatorState {
    return structuredClone(state);
}

/** Checks a parsed state (format, identity, records keyed by id, consistent resources) and returns a copy of it. */
export function stateFromJSON(json: unknown, source: string): SimulatorState {
    const problem = (what: string): SimulatorStateError => new SimulatorStateError(source, what);
    const obj = bag(json);
    if (!obj) throw problem("expected a JSON object at the top level.");
    if (obj.format !== STATE_FORMAT) {
        throw problem(`format is ${JSON.stringify(obj.format)}; this version reads ${JSON.stringify(STATE_FORMAT)}. Fix: save the state again with this version, or start from an empty state.`);
    }
    for (const field of ["subscriptionId", "tenantId", "clientId", "objectId", "defaultLocation", "subscriptionName"] as const) {
        if (typeof obj[field] !== "string") throw problem(`${field} is missing or not a string.`);
    }
    for (const field of ["sequence", "defaultSubnetNextHost"] as const) {
        if (typeof obj[field] !== "number") throw problem(`${field} is missing or not a number.`);
    }
    // States saved before autoscale settings were simulated have none.
    const saved = obj.autoscaleSettings === undefined ? { ...obj, autoscaleSettings: {} } : obj;
    for (const map of RESOURCE_MAPS) {
        const records = bag(saved[map]);
        if (!records) throw problem(`${map} is missing or not an object.`);
        for (const [k, rec] of Object.entries(records)) {
            const r = bag(rec);
            if (!r || typeof r.id !== "string" || typeof r.name !== "string" || keyOf(r.id) !== k) {
                throw problem(`${map}[${JSON.stringify(k)}] is not a resource record keyed by its lower-cased id.`);
            }
        }
    }
    const state = structuredClone(saved) as unknown as SimulatorState;
    try {
        reconcile(state);
    } catch (err) {
        throw problem(`the saved resources are inconsistent: ${err instanceof Error ? err.message : String(err)}`);
    }
    return state;
}

/** Writes the state as JSON atomically (a temporary file, then a rename). */
export function writeStateFile(file: string, state: SimulatorState): void {
    writeJsonFile(file, state);
}

/** Writes any JSON value atomically: a temporary file, then a rename, so a reader never sees half a file. */
export function writeJsonFile(file: string, value: unknown): void {
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    try {
        writeFileSync(temporary, JSON.stringify(value, null, 2) + "\n", "utf8");
        renameSync(temporary, file);
    } catch (err) {
        rmSync(temporary, { force: true });
        throw new SimulatorStateError(file, `cannot be written: ${(err as Error).message}`);
    }
}

/** The parsed JSON of a saved state, or undefined when the file does not exist. */
export function readStateFile(file: string): unknown {
    if (!existsSync(file)) return undefined;
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (err) {
        throw new SimulatorStateError(file, `cannot be read: ${(err as Error).message}`);
    }
    try {
        return JSON.parse(text);
    } catch (err) {
        throw new SimulatorStateError(file, `is not valid JSON (${(err as Error).message}). Fix: delete the file to start from an empty state.`);
    }
}
