/**
 * What Pulumi's component analyzer cannot say about our components, added to the schema it
 * infers: TypeScript's `number` has no integer kind and the analyzer keeps a property's JSDoc
 * text but drops its tags, so without this Go would see float64 ports and no SDK would show a
 * default. The plugin host builds its own ComponentProvider, so the refinement is installed on
 * ComponentProvider's `getSchema` when the package entry loads in the plugin (see src/index.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ComponentProvider as ComponentProviderClass } from "@pulumi/pulumi/provider/experimental";
import type * as TypeScript from "typescript";
import { INFER_SCHEMA_ENV, isPluginProcess, readCommittedSchema } from "./committed-schema";

interface Property {
    type?: string;
    $ref?: string;
    items?: Property;
    additionalProperties?: Property;
    description?: string;
    default?: unknown;
}

interface Schema {
    name: string;
    resources: Record<string, { inputProperties: Record<string, Property>; properties: Record<string, Property> }>;
    types: Record<string, { properties?: Record<string, Property> }>;
}

/** `@default` texts of one interface or class, and the interfaces it extends. */
interface Declared {
    defaults: Map<string, string>;
    extends: string[];
}

/** The `@default` tag of every property of every interface and class in `src/`, by declaration name. */
function declaredDefaults(root: string): Map<string, Declared> {
    // Loaded only here: a TypeScript program using the package needs no compiler, the analyzer does anyway.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require("typescript") as typeof TypeScript;
    const found = new Map<string, Declared>();
    const dir = path.join(root, "src");
    const files = fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
    for (const file of files) {
        const source = ts.createSourceFile(file, fs.readFileSync(path.join(dir, file), "utf8"), ts.ScriptTarget.ES2022, true);
        source.forEachChild((node) => {
            if (!(ts.isInterfaceDeclaration(node) || ts.isClassDeclaration(node)) || !node.name) return;
            const defaults = new Map<string, string>();
            for (const member of node.members) {
                if (!member.name || !ts.isIdentifier(member.name)) continue;
                const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === "default");
                const text = typeof tag?.comment === "string" ? tag.comment : ts.getTextOfJSDocComment(tag?.comment);
                if (text) defaults.set(member.name.text, text.replace(/\s+/g, " ").trim());
            }
            const heritage = (node.heritageClauses ?? []).flatMap((c) => c.types.map((t) => t.expression.getText(source)));
            found.set(node.name.text, { defaults, extends: heritage });
        });
    }
    return found;
}

function defaultsOf(name: string, declared: Map<string, Declared>, seen = new Set<string>()): Map<string, string> {
    const own = declared.get(name);
    if (!own || seen.has(name)) return new Map();
    seen.add(name);
    const inherited = own.extends.map((parent) => defaultsOf(parent, declared, seen));
    return new Map([...inherited.flatMap((m) => [...m]), ...own.defaults]);
}

/** The default as a schema value when the text starts with a literal of the property's type (`"Tcp"`, `4 (Azure's default)`, `false`). */
function literalDefault(text: string, type: string | undefined): unknown {
    const literal = /^("[^"]*"|true|false|-?\d+)(?=[\s,;.]|$)/.exec(text)?.[1];
    if (literal === undefined) return undefined;
    const value = JSON.parse(literal) as unknown;
    if (type === "string" && typeof value === "string") return value;
    if (type === "boolean" && typeof value === "boolean") return value;
    if ((type === "integer" || type === "number") && typeof value === "number") return value;
    return undefined;
}

/** Every port, count, priority and timeout of these components is a whole number, as Azure's API takes it. */
function integerNumbers(property: Property): void {
    if (property.type === "number") property.type = "integer";
    if (property.items) integerNumbers(property.items);
    if (property.additionalProperties) integerNumbers(property.additionalProperties);
}

/**
 * Defaults kept out of `default` (described only): generated SDKs send a schema default as if the
 * user had set it, and an idle timeout set on a UDP rule is refused.
 */
const DESCRIBED_ONLY = new Set(["idleTimeoutInMinutes"]);

function withDefaults(properties: Record<string, Property>, defaults: Map<string, string>): void {
    for (const [name, property] of Object.entries(properties)) {
        integerNumbers(property);
        const text = defaults.get(name);
        if (text === undefined) continue;
        const value = literalDefault(text, property.type);
        if (value !== undefined && !DESCRIBED_ONLY.has(name)) property.default = value;
        property.description = `${property.description ?? ""}\n\nDefault: ${text}`.trim();
    }
}

/** The analyzer's schema with integer numbers and the sources' `@default` tags, for the package rooted at `root`. */
export function refineSchema<S extends Schema>(schema: S, root: string): S {
    const declared = declaredDefaults(root);
    const prefix = `${schema.name}:index:`;
    for (const [token, resource] of Object.entries(schema.resources)) {
        const name = token.slice(prefix.length);
        withDefaults(resource.inputProperties, defaultsOf(`${name}Args`, declared));
        withDefaults(resource.properties, defaultsOf(name, declared));
    }
    for (const [token, type] of Object.entries(schema.types)) withDefaults(type.properties ?? {}, defaultsOf(token.slice(prefix.length), declared));
    return schema;
}

const marker = Symbol.for("azure-nat-rules.schemaRefinement");

const PROVIDER_MODULE = "@pulumi/pulumi/provider/experimental/provider";

/**
 * In the plugin: the runner loads Pulumi's component provider before it requires the package, so
 * it is already loaded. In a TypeScript program it is not, and loading it (with the analyzer and
 * the TypeScript compiler) would cost seconds for nothing.
 */
export function installSchemaRefinementIfServed(packageName: string): void {
    let loaded = false;
    try {
        loaded = require.cache[require.resolve(PROVIDER_MODULE)] !== undefined;
    } catch {
        return;
    }
    if (!loaded) return;
    installSchemaRefinement(packageName);
    // Only in the plugin process: the `schema` command and the tests infer, to check schema.json against the sources.
    if (isPluginProcess() && process.env[INFER_SCHEMA_ENV] !== "1") installCommittedSchema(packageName);
}

const committedMarker = Symbol.for("azure-nat-rules.committedSchema");

/**
 * Makes this package's ComponentProvider serve the committed schema.json, and take the components'
 * output names from it, instead of running the analyzer (see ./committed-schema). A schema.json
 * that cannot stand for the sources is not served: the provider infers, and stderr says why.
 */
export function installCommittedSchema(packageName: string): void {
    type Served = {
        name: string;
        path: string;
        version: string;
        componentConstructors: Record<string, unknown>;
        componentDefinitions?: unknown;
        committed?: string | null;
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ComponentProvider } = require(PROVIDER_MODULE) as { ComponentProvider: typeof ComponentProviderClass };
    const proto = ComponentProvider.prototype as unknown as Record<symbol, boolean> & { getSchema(this: Served): Promise<string> };
    if (proto[committedMarker]) return;
    proto[committedMarker] = true;
    const infer = proto.getSchema;
    proto.getSchema = async function (this: Served): Promise<string> {
        if (this.name === packageName && this.committed === undefined) {
            const committed = readCommittedSchema(this.path, packageName, this.version, Object.keys(this.componentConstructors));
            this.committed = committed.served ? committed.text : null;
            if (committed.served) this.componentDefinitions = committed.definitions;
            else {
                process.stderr.write(
                    `${packageName}: inferring the package schema from src/ (seconds before the first component is served): ${committed.reason}. ` +
                        `Fix: in a clone of the repository, run \`npx tsx src/cli/main.ts schema > schema.json\`.\n`,
                );
            }
        }
        return typeof this.committed === "string" ? this.committed : infer.call(this);
    };
}

/** Makes every ComponentProvider of this package serve the refined schema (once per process). */
export function installSchemaRefinement(packageName: string): void {
    type Served = { name: string; path: string; refined?: string };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ComponentProvider } = require(PROVIDER_MODULE) as { ComponentProvider: typeof ComponentProviderClass };
    const proto = ComponentProvider.prototype as unknown as Record<symbol, boolean> & { getSchema(this: Served): Promise<string> };
    if (proto[marker]) return;
    proto[marker] = true;
    const infer = proto.getSchema;
    proto.getSchema = async function (this: Served): Promise<string> {
        const text = await infer.call(this);
        if (this.name !== packageName) return text;
        this.refined ??= JSON.stringify(refineSchema(JSON.parse(text) as Schema, this.path));
        return this.refined;
    };
}
