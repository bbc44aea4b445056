/**
 * `azure-nat-rules schema`: the Pulumi package schema, the same schema `pulumi package add` turns
 * into Python, Go, C# and YAML SDKs. From a clone it is inferred from the TypeScript sources (how
 * schema.json is regenerated); from the installed package, which ships no sources, it is the
 * schema.json shipped with it (src/schema.test.ts keeps that file equal to what the sources give).
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { AzureNatRulesError } from "../../core/errors";
import { packageRoot } from "../../package-schema/package-root";
import type { PackageSchema } from "../../schema";

interface SchemaOptions {
    json?: boolean;
}

/** Indented JSON for reading, or one compact line for tools. */
export function renderSchema(schema: PackageSchema, compact: boolean): string {
    return compact ? JSON.stringify(schema) : JSON.stringify(schema, null, 2);
}

/** Whether `root` holds what Pulumi's analyzer reads: a clone, not the installed package. */
function hasSources(root: string): boolean {
    return ["tsconfig.json", path.join("src", "index.ts")].every((file) => existsSync(path.join(root, file)));
}

export function register(program: Command): void {
    program
        .command("schema")
        .description("Print the Pulumi package schema of the components: what Python, Go, C# and YAML programs get from `pulumi package add`.")
        .option("--json", "print the schema as one compact JSON line on stdout and nothing else (default: indented JSON)")
        .addHelpText("after", [
            "",
            "From a clone of the repository the schema is inferred from src/ (a few seconds; this is how schema.json is regenerated).",
            "From the installed package, which ships no sources, it is the package's schema.json, which the repository's tests keep equal to the sources.",
            "Methods such as BackendPoolNatRule.portMappingFor are not part of a schema; other languages read portMappings instead.",
            "",
            "Examples:",
            "  $ azure-nat-rules schema",
            "  $ azure-nat-rules schema --json > schema.json",
        ].join("\n"))
        .action(async (options: SchemaOptions) => {
            const root = packageRoot();
            let schema: PackageSchema;
            if (hasSources(root)) {
                process.stderr.write("schema: inferring the schema from src/ with Pulumi's component analyzer (a few seconds)…\n");
                // Loaded here, not at startup: Pulumi and azure-native would slow every other command.
                const { inferPackageSchema } = await import("../../schema");
                schema = await inferPackageSchema();
            } else {
                schema = shippedSchema(root);
            }
            process.stdout.write(`${renderSchema(schema, options.json === true)}\n`);
        });
}

/** The schema.json the package ships. */
function shippedSchema(root: string): PackageSchema {
    const file = path.join(root, "schema.json");
    try {
        return JSON.parse(readFileSync(file, "utf8")) as PackageSchema;
    } catch (err) {
        throw new AzureNatRulesError(
            `schema: the package has neither its sources (src/, tsconfig.json) nor a readable schema.json (${(err as Error).message}). ` +
                `Fix: reinstall the package, or run the command from a clone of the repository (git clone, then npm ci).`,
        );
    }
}
