/**
 * Other stacks' outputs for `pulumi.StackReference`s under the simulator's mocks. Azure has no part
 * in this: a StackReference is read from the Pulumi backend, so these mocks play the backend.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Outputs of other stacks, by fully qualified stack name (`"<org>/<project>/<stack>"`). */
export type StackReferenceOutputs = Record<string, Record<string, unknown>>;

/** The resource type Pulumi reads a StackReference as. */
export const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";

/**
 * Wraps `mocks` so that a `StackReference` to a stack named in `stacks` reads that stack's
 * outputs; every other registration and call goes to `mocks`. A reference to a stack that is not
 * named fails with an error listing the stacks that are, passed to `onError` first (as the
 * simulator's mocks do with theirs).
 */
export function withStackReferences(mocks: pulumi.runtime.Mocks, stacks: StackReferenceOutputs = {}, onError?: (error: unknown) => void): pulumi.runtime.Mocks {
    return {
        newResource(args) {
            if (args.type !== STACK_REFERENCE_TYPE) return mocks.newResource(args);
            // StackReference registers as a read: its id is the stack's name (inputs.name the same).
            const name = String(args.id ?? (args.inputs as { name?: unknown }).name ?? args.name);
            const outputs = Object.prototype.hasOwnProperty.call(stacks, name) ? stacks[name] : undefined;
            if (outputs === undefined) {
                const served = Object.keys(stacks);
                const error = new Error(
                    `StackReference "${name}": no such stack in this deployment (${served.length === 0 ? "no stack outputs are given" : `given: ${served.map((s) => `"${s}"`).join(", ")}`}). ` +
                        `Fix: pass its outputs to runDeployment: { stackReferences: { "${name}": { ... } } }, using the stack's fully qualified name "<org>/<project>/<stack>".`,
                );
                onError?.(error);
                throw error;
            }
            return { id: name, state: { name, outputs, secretOutputNames: [] } };
        },
        call: (args) => mocks.call(args),
    };
}
