/**
 * The component provider that serves SingleVmNatRule and BackendPoolNatRule to Python, Go, C#,
 * Java and YAML programs, built exactly as Pulumi's Node.js plugin host builds it.
 *
 * Pulumi runs this package as a plugin (PulumiPlugin.yaml, `runtime: nodejs`) by requiring the
 * package directory, i.e. package.json's `main` (dist/index.js). It collects every
 * ComponentResource class the module exports, names the provider after package.json's `name`, and
 * serves a schema that its analyzer infers from the TypeScript sources (tsconfig.json, then
 * src/index.ts and the files it imports). `createComponentProvider` repeats those steps so the
 * `schema` command and the tests see what Pulumi serves.
 *
 * In the plugin process itself the package serves the committed schema.json instead of running the
 * analyzer at every start (src/internal/committed-schema.ts); src/schema.test.ts keeps that file
 * equal to what `createComponentProvider().getSchema()` infers here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ComponentProvider, getPulumiComponents, type ComponentResourceConstructor } from "@pulumi/pulumi/provider/experimental";
import { AzureNatRulesError } from "./core/errors";
import * as library from "./index";
import { packageRoot } from "./package-schema/package-root";
import { installSchemaRefinement } from "./package-schema/schema-refinement";

/** The Pulumi package name: the first part of every type token, e.g. `azure-nat-rules:index:SingleVmNatRule`. */
export const PACKAGE_NAME = "azure-nat-rules";

/** The provider name Pulumi's plugin host derives from an npm package name: scope dropped, other characters as "-". */
export function providerNameOf(npmName: string): string {
    const match = /^(@.*?\/)?(.+)$/.exec(npmName);
    return (match?.[2] ?? npmName).replace(/[^-a-zA-Z0-9_]/g, "-");
}

/** The component classes the plugin host discovers in the package's main module. */
export function packageComponents(): ComponentResourceConstructor[] {
    return getPulumiComponents(library);
}

/**
 * The provider Pulumi serves for this package, rooted at `root` (default: this package). Its
 * `getSchema()` runs Pulumi's analyzer over the TypeScript sources (a few seconds, then cached);
 * its `construct()` builds a component from inputs as the engine sends them.
 */
export function createComponentProvider(root: string = packageRoot()): ComponentProvider {
    const missing = ["package.json", "tsconfig.json", path.join("src", "index.ts")].filter((file) => !fs.existsSync(path.join(root, file)));
    if (missing.length > 0) {
        throw new AzureNatRulesError(
            `component provider: ${root} has no ${missing.join(", ")}. Pulumi infers the package schema from the ` +
                `TypeScript sources, which the npm package does not ship. Fix: use a clone of the repository ` +
                `(git clone, then npm install), or point "pulumi package add" at its path or git URL.`,
        );
    }
    const npmName = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { name?: unknown }).name;
    const derived = typeof npmName === "string" ? providerNameOf(npmName) : undefined;
    if (derived !== PACKAGE_NAME) {
        // The components' type tokens start with PACKAGE_NAME; the host would reject them under another name.
        throw new AzureNatRulesError(
            `component provider: package.json "name" is ${JSON.stringify(npmName)}, which Pulumi turns into the provider name ` +
                `${JSON.stringify(derived)}; the components register as "${PACKAGE_NAME}:index:...". ` +
                `Fix: name the package "${PACKAGE_NAME}".`,
        );
    }
    installSchemaRefinement(PACKAGE_NAME);
    return new ComponentProvider({ name: PACKAGE_NAME, dirname: root, components: packageComponents() });
}
