import * as pulumi from "@pulumi/pulumi";

export type Settled<T> = { state: "known"; value: T } | { state: "unknown" } | { state: "failed"; error: unknown };

/**
 * The value of an Input once it resolves, or "unknown" when Pulumi does not know it (preview).
 * Pulumi's public API has no such read: `apply` skips its callback on unknown values, so a check
 * built on it would wait forever in preview. Every Output carries `isKnown` and `promise()` at
 * runtime (set in its constructor, left out of the typings), and these are what we read.
 */
export async function settle<T>(input: pulumi.Input<T> | undefined): Promise<Settled<T | undefined>> {
    try {
        if (input === undefined || !pulumi.Output.isInstance(input)) {
            const value = await input;
            return pulumi.containsUnknowns(value) ? { state: "unknown" } : { state: "known", value };
        }
        const output = input as unknown as { isKnown: Promise<boolean>; promise(): Promise<T> };
        const [isKnown, value] = await Promise.all([output.isKnown, output.promise()]);
        return isKnown ? { state: "known", value } : { state: "unknown" };
    } catch (error) {
        return { state: "failed", error };
    }
}
