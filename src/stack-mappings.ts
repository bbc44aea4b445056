/**
 * Port mappings read back from a stack's outputs: what `readNatMappings` gets through a
 * StackReference and what the CLI gets from `pulumi stack output --json`. Plain TypeScript with no
 * Pulumi import, so the CLI can check a file without loading the Pulumi SDK.
 */
import { AzureNatRulesError, formatValue } from "./core/errors";
import type { NatPortMapping } from "./mapping";

/** The stack output the components' examples export their mappings as. */
export const DEFAULT_MAPPINGS_OUTPUT = "portMappings";

/** Where a stack output came from, for messages: `stack "org/project/dev"` or `file "out.json"`. */
export interface StackOutputSource {
    /** `stack "org/ops/dev"`, `file "outputs.json"`. */
    describe: string;
    /** How the user changes which output is read, e.g. `pass the output's name: readNatMappings(stack, "<name>")`. */
    chooseOutput: string;
}

/** A stack output that is missing or does not hold port mappings. */
export class StackMappingsError extends AzureNatRulesError {}

const FIELDS = ["instance", "frontendIp", "frontendPort", "backendPort", "protocol", "source"] as const;

/**
 * Checks that output `outputName` of a stack's `outputs` is a list of {@link NatPortMapping}s (one
 * mapping alone, as `SingleVmNatRule.portMapping` exports it, counts as a list of one) and returns
 * it. Throws a {@link StackMappingsError} naming the source and the output otherwise.
 */
export function mappingsFromStackOutputs(outputs: Record<string, unknown>, outputName: string, source: StackOutputSource): NatPortMapping[] {
    const where = `output "${outputName}" of ${source.describe}`;
    if (!Object.prototype.hasOwnProperty.call(outputs, outputName) || outputs[outputName] === undefined || outputs[outputName] === null) {
        const names = Object.keys(outputs);
        const held = names.length === 0 ? "it has no outputs" : `its outputs are ${names.map((n) => `"${n}"`).join(", ")}`;
        throw new StackMappingsError(
            `${source.describe} has no output "${outputName}" (${held}). ` +
                `Fix: export the rule's mappings from that stack (export const ${outputName} = rule.portMappings) and run pulumi up there, or ${source.chooseOutput}.`,
        );
    }
    const value = outputs[outputName];
    if (value === "[secret]") {
        throw new StackMappingsError(`${where} is a secret that was not revealed. Fix: write the file with pulumi stack output --json --show-secrets.`);
    }
    const list = Array.isArray(value) ? value : [value];
    const problems: string[] = [];
    list.forEach((entry, i) => {
        const at = Array.isArray(value) ? `${outputName}[${i}]` : outputName;
        if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
            problems.push(`${at} = ${formatValue(entry)}: allowed is a mapping object {${FIELDS.join(", ")}}`);
            return;
        }
        const m = entry as Record<string, unknown>;
        for (const field of ["instance", "frontendIp", "protocol", "source"] as const) {
            if (typeof m[field] !== "string") problems.push(`${at}.${field} = ${formatValue(m[field])}: allowed is a string`);
        }
        for (const field of ["frontendPort", "backendPort"] as const) {
            const port = m[field];
            if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
                problems.push(`${at}.${field} = ${typeof port === "number" ? String(port) : formatValue(port)}: allowed is an integer from 1 to 65535`);
            }
        }
    });
    if (problems.length > 0) {
        const shown = problems.slice(0, 5).map((p) => `  - ${p}`);
        if (problems.length > 5) shown.push(`  - … (${problems.length - 5} more)`);
        throw new StackMappingsError(
            `${where} does not hold port mappings:\n${shown.join("\n")}\n` +
                `Fix: export a component's portMappings (a list of {${FIELDS.join(", ")}}) as that output, or ${source.chooseOutput}.`,
        );
    }
    return list.map((m: Record<string, unknown>) => ({
        instance: m.instance as string,
        frontendIp: m.frontendIp as string,
        frontendPort: m.frontendPort as number,
        backendPort: m.backendPort as number,
        protocol: m.protocol as string,
        source: m.source as string,
    }));
}
