/**
 * What Pulumi's side of the simulator (mocks.ts, preview.ts) needs of it. `AzureSimulator`
 * implements it, so they depend on this shape instead of importing the simulator that imports them.
 */
import type { Json } from "./arm-json";
import type { SimulatorIdentity } from "./model";

export interface SimulatedAzure {
    readonly subscriptionId: string;
    readonly identity: Required<SimulatorIdentity>;
    has(id: string): boolean;
    /** ARM JSON of `GET {path}`; ArmError 404 when missing. */
    get(path: string): unknown;
    /** A resource's Pulumi outputs: the inputs overlaid with what Azure computed. */
    pulumiState(id: string, inputs?: Record<string, unknown>): Json;
    upsert(type: string, name: string, inputs: Record<string, unknown>): { id: string; state: Json };
    /** `upsert` without building outputs, telling whether any record changed. */
    apply(type: string, name: string, inputs: Record<string, unknown>): { id: string; changed: boolean };
    /** An independent copy (what a preview works on). */
    clone(): SimulatedAzure;
}
