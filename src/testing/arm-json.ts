/** The pieces every ARM JSON rendering shares, and the shaping of ARM JSON into azure-native's Pulumi outputs. */
import { createHash } from "node:crypto";

export type Json = Record<string, unknown>;

export const SUCCEEDED = "Succeeded";

/** A stable GUID-shaped value derived from a resource id (resourceGuid, uniqueId, etag). */
export function guidFor(seed: string): string {
    const h = createHash("sha1").update(seed.toLowerCase()).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export const etag = (id: string): string => `W/"${guidFor(`etag:${id}`)}"`;
export const ref = (id: string | undefined): { id: string } | undefined => (id ? { id } : undefined);
export const refs = (ids: readonly string[]): { id: string }[] => ids.map((id) => ({ id }));

/** Drops keys whose value is undefined, so JSON and Pulumi state carry only what is set. */
export function compact<T extends Json>(obj: T): T {
    for (const k of Object.keys(obj)) if (obj[k] === undefined) delete obj[k];
    return obj;
}

/**
 * ARM JSON in azure-native's output shape: every `properties` object is merged into its owner
 * (azure-native flattens `properties` in resource outputs and function results).
 */
export function flattenArm(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(flattenArm);
    if (value === null || typeof value !== "object") return value;
    const out: Json = {};
    for (const [k, v] of Object.entries(value as Json)) {
        if (k === "properties" && v !== null && typeof v === "object" && !Array.isArray(v)) {
            for (const [pk, pv] of Object.entries(v as Json)) out[pk] = flattenArm(pv);
        } else {
            out[k] = flattenArm(v);
        }
    }
    return out;
}

/**
 * Overlays what Azure computed on what was given: objects merge key by key, lists of equal
 * length merge item by item, anything else takes the computed value.
 */
export function overlay(given: unknown, computed: unknown): unknown {
    if (computed === undefined) return given;
    if (Array.isArray(given) && Array.isArray(computed)) {
        return given.length === computed.length ? computed.map((c, i) => overlay(given[i], c)) : computed;
    }
    const isObj = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);
    if (isObj(given) && isObj(computed)) {
        const out: Json = { ...given };
        for (const [k, v] of Object.entries(computed)) out[k] = overlay(given[k], v);
        return out;
    }
    return computed;
}
