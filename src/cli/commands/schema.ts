/**
 * `azure-nat-rules schema`: the Pulumi package schema inferred from the components' TypeScript,
 * the same schema `pulumi package add` turns into Python, Go, C# and YAML SDKs.
 */
import type { Command } from "commander";
import type { PackageSchema } from "../../schema";

interface SchemaOptions {
    json?: boolean;
}

/** Indented JSON for reading, or one compact line for tools. */
export function renderSchema(schema: PackageSchema, compact: boolean): string {
    return compact ? JSON.stringify(schema) : JSON.stringify(schema, null, 2);
}

export function register(program: Command): void {
    program
        .command("schema")
        .description("Print the Pulumi package schema inferred from the components' TypeScript: what Python, Go, C# and YAML programs get from `pulumi package add`.")
        .option("--json", "print the schema as one compact JSON line on stdout and nothing else (default: indented JSON)")
        .addHelpText("after", [
            "",
            "The schema is read from src/ and tsconfig.json, so run this from a clone of the repository. Inference takes a few seconds.",
            "Methods such as BackendPoolNatRule.portMappingFor are not part of a schema; other languages read portMappings instead.",
            "",
            "Examples:",
            "  $ azure-nat-rules schema",
            "  $ azure-nat-rules schema --json > schema.json",
        ].join("\n"))
        .action(async (options: SchemaOptions) => {
            // Loaded here, not at startup: Pulumi and azure-native would slow every other command.
            const { inferPackageSchema } = await import("../../schema");
            const schema = await inferPackageSchema();
            process.stdout.write(`${renderSchema(schema, options.json === true)}\n`);
        });
}
