import * as pulumi from "@pulumi/pulumi";
import { readOutput } from "./pulumi-internals";

export type Settled<T> = { state: "known"; value: T } | { state: "unknown" } | { state: "failed"; error: unknown };

/**
 * The value of an Input once it resolves, or "unknown" when Pulumi does not know it (preview),
 * read without `apply`, which would wait forever on an unknown (./pulumi-internals.ts).
 */
export async function settle<T>(input: pulumi.Input<T> | undefined): Promise<Settled<T | undefined>> {
    try {
        if (input === undefined || !pulumi.Output.isInstance(input)) {
            const value = await input;
            return pulumi.containsUnknowns(value) ? { state: "unknown" } : { state: "known", value };
        }
        const { isKnown, value } = await readOutput(input);
        return isKnown ? { state: "known", value } : { state: "unknown" };
    } catch (error) {
        return { state: "failed", error };
    }
}

/**
 * An input's value, or `fallback` while Pulumi does not know it (preview); a failed input fails.
 * For values that only decorate an output (a frontend IP in a mapping), so the rest stays known.
 */
export function knownOr<T>(input: pulumi.Input<T> | undefined, fallback: T): pulumi.Output<T> {
    return pulumi.output(
        settle(input).then((s) => {
            if (s.state === "failed") throw s.error;
            return s.state === "known" ? (s.value ?? fallback) : fallback;
        }),
    ) as pulumi.Output<T>;
}
