/**
 * Start-up of the component plugin for other languages. Pulumi's Node.js plugin host builds a
 * ComponentProvider whose first `getSchema()` (and first `construct()`, which needs the components'
 * output names) runs its TypeScript analyzer over src/: a whole TypeScript program, 9–30 s on a
 * loaded machine, before the first Construct is answered. The repository commits that schema
 * (schema.json, kept equal to the inferred one by src/schema.test.ts), so in the plugin process the
 * provider serves it instead, and takes the output names from it.
 *
 * The committed file is served only when it is this package's schema at package.json's version and
 * names exactly the component classes the package exports; otherwise the plugin infers the schema
 * as before and says why on stderr (the engine shows it). `AZURE_NAT_RULES_INFER_SCHEMA=1` makes the
 * plugin infer it anyway. The `schema` command and the tests always infer.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The environment variable that turns the committed schema off in the plugin. */
export const INFER_SCHEMA_ENV = "AZURE_NAT_RULES_INFER_SCHEMA";

/** The file the plugin serves, at the package root. */
export const COMMITTED_SCHEMA_FILE = "schema.json";

interface CommittedSchemaFile {
    name?: unknown;
    version?: unknown;
    resources?: Record<string, { inputProperties?: Record<string, unknown>; properties?: Record<string, unknown> }>;
}

/** What the analyzer would give `construct()`: per component, its inputs and outputs by name. */
export type ComponentDefinitions = Record<string, { name: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }>;

export type CommittedSchema =
    | { served: true; text: string; definitions: ComponentDefinitions }
    | { served: false; reason: string };

/**
 * The committed schema of the package at `root`, if it can stand for the inferred one: the same
 * package `name` and `version`, and one resource per component class in `components`, no more.
 */
export function readCommittedSchema(root: string, name: string, version: string, components: string[]): CommittedSchema {
    const file = path.join(root, COMMITTED_SCHEMA_FILE);
    let schema: CommittedSchemaFile;
    try {
        schema = JSON.parse(fs.readFileSync(file, "utf8")) as CommittedSchemaFile;
    } catch (err) {
        return { served: false, reason: `${COMMITTED_SCHEMA_FILE} could not be read (${err instanceof Error ? err.message : String(err)})` };
    }
    if (schema.name !== name || schema.version !== version) {
        return {
            served: false,
            reason: `${COMMITTED_SCHEMA_FILE} is for ${JSON.stringify(schema.name)} ${JSON.stringify(schema.version)}, the package is ${JSON.stringify(name)} ${JSON.stringify(version)}`,
        };
    }
    const prefix = `${name}:index:`;
    const tokens = Object.keys(schema.resources ?? {});
    const listed = tokens.filter((t) => t.startsWith(prefix)).map((t) => t.slice(prefix.length)).sort();
    const exported = [...components].sort();
    if (tokens.length !== listed.length || listed.join(",") !== exported.join(",")) {
        return { served: false, reason: `${COMMITTED_SCHEMA_FILE} lists ${listed.join(", ") || "no components"}, the package exports ${exported.join(", ") || "none"}` };
    }
    const definitions: ComponentDefinitions = {};
    for (const component of exported) {
        const resource = schema.resources?.[`${prefix}${component}`] ?? {};
        definitions[component] = { name: component, inputs: resource.inputProperties ?? {}, outputs: resource.properties ?? {} };
    }
    return { served: true, text: JSON.stringify(schema), definitions };
}

/** Whether this process is a component plugin started by Pulumi's Node.js host (`node <@pulumi/pulumi>/cmd/run-plugin <dir>`). */
export function isPluginProcess(main: NodeJS.Module | undefined = require.main): boolean {
    return main !== undefined && /[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]run-plugin[\\/]index\.js$/.test(main.filename);
}
