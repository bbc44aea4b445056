/**
 * The Pulumi package schema of this library's components, as Pulumi infers it from the TypeScript
 * sources when another language adds the package (`pulumi package add`). Nothing here writes a
 * schema by hand: it is the component provider's own `getSchema()`.
 */
import type { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { AzureNatRulesError } from "./core/errors";
import { createComponentProvider, PACKAGE_NAME } from "./provider";

/** One input, output or object-type property. A property has either `type` or `$ref`. */
export interface SchemaProperty {
    type?: "string" | "integer" | "number" | "boolean" | "array" | "object";
    /** `#/types/<token>` for this package's object types, `/<package>/v<version>/schema.json#/resources/<token>` for another package's resource. */
    $ref?: string;
    /** Element type of an array. */
    items?: SchemaProperty;
    /** Value type of a map. */
    additionalProperties?: SchemaProperty;
    /** The property's JSDoc text, then "Default: ..." from its `@default` tag. */
    description?: string;
    /** The `@default` literal, where generated SDKs may send it as if it were set. */
    default?: string | number | boolean;
    /** The value is taken as is, not as an Output (TypeScript: not wrapped in `pulumi.Input`). */
    plain?: boolean;
    /** Set by the analyzer on optional properties; `requiredInputs` and `required` say the same. */
    optional?: boolean;
}

/** A component resource. */
export interface SchemaResource {
    isComponent?: boolean;
    description?: string;
    inputProperties: Record<string, SchemaProperty>;
    requiredInputs: string[];
    /** The outputs. */
    properties: Record<string, SchemaProperty>;
    required: string[];
}

/** An object type used by inputs or outputs, e.g. a port mapping. */
export interface SchemaObjectType {
    type: string;
    description?: string;
    properties?: Record<string, SchemaProperty>;
    required?: string[];
    enum?: { name: string; value: string | number; description?: string }[];
}

/** Another Pulumi package the schema refers to (azure-native, for resource references). */
export interface SchemaDependency {
    name: string;
    version?: string;
    downloadURL?: string;
}

export interface PackageSchema {
    name: string;
    version?: string;
    description?: string;
    resources: Record<string, SchemaResource>;
    types: Record<string, SchemaObjectType>;
    dependencies?: SchemaDependency[];
    language?: Record<string, unknown>;
}

/** The schema token of a component class, e.g. `azure-nat-rules:index:BackendPoolNatRule`. */
export function resourceToken(componentName: string): string {
    return `${PACKAGE_NAME}:index:${componentName}`;
}

/**
 * The package schema the component provider serves. The analyzer runs once per provider (a few
 * seconds: it builds a TypeScript program from tsconfig.json); pass a provider to share that work.
 */
export async function inferPackageSchema(provider: ComponentProvider = createComponentProvider()): Promise<PackageSchema> {
    let text: string;
    try {
        text = await provider.getSchema();
    } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new AzureNatRulesError(
            `schema: Pulumi's component analyzer could not infer the package schema: ${message} ` +
                `Fix: give the named component's args interface and public outputs types the analyzer takes: ` +
                `string, number, boolean, arrays, string-keyed maps, interfaces, enums, pulumi.Input/Output of these, ` +
                `or a resource class of a @pulumi package; no other unions and no intersections.`,
        );
    }
    return JSON.parse(text) as PackageSchema;
}
