/** Reading plain ARM objects in any of the three shapes: azure-native arguments, ARM JSON, az's flattened output. */

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A property of an ARM object in any of its shapes: top level (azure-native args, az's flattened
 * output) or under `properties` (ARM JSON); names compare case-insensitively because az spells
 * `frontendIpConfiguration` where ARM spells `frontendIPConfiguration`.
 */
export function armProperty(obj: unknown, name: string): unknown {
    if (!isObject(obj)) return undefined;
    const lower = name.toLowerCase();
    for (const source of [obj, obj.properties]) {
        if (!isObject(source)) continue;
        for (const key of Object.keys(source)) {
            if (key.toLowerCase() === lower && source[key] !== undefined && source[key] !== null) return source[key];
        }
    }
    return undefined;
}

/** The `id` of a sub-resource reference (`{ id }`), or a plain id string. */
export function refId(value: unknown): unknown {
    return isObject(value) ? armProperty(value, "id") : value;
}

/** An array property as an array; anything else as none. */
export function asArray(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

/** A value shown in an error without printing a whole object or array. */
export function summarize(value: unknown): unknown {
    if (Array.isArray(value)) return `<array of ${value.length}>`;
    if (isObject(value)) return `<object with keys ${Object.keys(value).slice(0, 6).join(", ")}>`;
    return value;
}
