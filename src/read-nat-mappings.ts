/**
 * `readNatMappings`: another stack's port mappings, read through a `pulumi.StackReference`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { NatPortMapping } from "./mapping";
import { DEFAULT_MAPPINGS_OUTPUT, mappingsFromStackOutputs } from "./stack-mappings";

/**
 * The port mappings another stack exports as `outputName` (as the examples do:
 * `export const portMappings = rule.portMappings`), checked to be a list of {@link NatPortMapping}.
 * Fails with a `StackMappingsError` naming the stack and the output when the output is missing or
 * holds something else.
 *
 * They are the mappings as of that stack's last `pulumi up`: instances that autoscale adds or
 * removes afterwards are not in them. For the live list, call `lookupPortMappings`.
 *
 * @param stack a reference to the stack that declares the rule: `new pulumi.StackReference("org/project/stack")`
 * @param outputName the stack output holding the mappings. @default "portMappings"
 */
export function readNatMappings(stack: pulumi.StackReference, outputName: string = DEFAULT_MAPPINGS_OUTPUT): pulumi.Output<NatPortMapping[]> {
    // The output names are not secret even when some values are; keep them apart so that a secret
    // elsewhere in the stack does not make these mappings secret too.
    const names = pulumi.unsecret(stack.outputs.apply((outputs) => Object.keys(outputs ?? {})));
    return pulumi.all([stack.name, stack.getOutput(outputName), names]).apply(([stackName, value, outputNames]) => {
        const outputs: Record<string, unknown> = Object.fromEntries(outputNames.map((n) => [n, null]));
        if (value !== undefined) outputs[outputName] = value;
        else delete outputs[outputName];
        return mappingsFromStackOutputs(outputs, outputName, {
            describe: `stack "${stackName}"`,
            chooseOutput: `pass the output's name: readNatMappings(stack, "<name>")`,
        });
    });
}
