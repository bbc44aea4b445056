/**
 * How a program runs under the real Pulumi engine against the local Azure: the folder holding the
 * `pulumi-resource-azure-native` stand-in (put it first on PATH; the engine runs a plugin it finds
 * on PATH as an ambient plugin) and the environment the engine and the program need.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ARM_ENDPOINT_ENV } from "../../azure-reads/azure-mappings";
import { POLL_SECONDS_ENV } from "./config";

export const PLUGIN_NAME = "pulumi-resource-azure-native";

/** The env variable that overrides the version the stand-in reports. */
export const VERSION_ENV = "AZURE_NAT_RULES_STANDIN_VERSION";

/**
 * The version the stand-in reports: that of the @pulumi/azure-native SDK this package resolves, so the
 * engine's and the SDK's version requests are met (an ambient plugin is used whatever it reports,
 * but the engine records this version in the state and the SDK asks for its own).
 */
export function standInVersion(): string {
    const override = process.env[VERSION_ENV];
    if (override) return override;
    const pkg = JSON.parse(fs.readFileSync(require.resolve("@pulumi/azure-native/package.json"), "utf8")) as { version: string };
    return pkg.version;
}

/**
 * The azure-native resources this package's own schema refers to (schema.json `$ref`s to
 * `/azure-native/v<version>/schema.json#/resources/<token>`): an SDK generator binding that schema
 * looks them up in azure-native's.
 */
export const REFERENCED_RESOURCES = [
    "azure-native:compute:VirtualMachineScaleSet",
    "azure-native:monitor:AutoscaleSetting",
    "azure-native:network:InboundNatRule",
    "azure-native:network:SecurityRule",
] as const;

/**
 * The schema GetSchema answers: azure-native's name, version and language package names (as its
 * published schema names them: `pulumi_azure_native`, `@pulumi/azure-native`), and the resources
 * the component schema refers to, each without its properties. Enough to resolve those
 * references; not a schema to generate azure-native's own SDK from.
 */
export function standInSchema(): string {
    const resources = Object.fromEntries(REFERENCED_RESOURCES.map((token) => [token, {
        description: `${token.split(":").pop()} (a reference only: the azure-native stand-in serves no properties in its schema).`,
        properties: {},
        inputProperties: {},
    }]));
    return JSON.stringify({
        name: "azure-native",
        version: standInVersion(),
        language: {
            nodejs: { packageName: "@pulumi/azure-native" },
            python: { packageName: "pulumi_azure_native" },
            csharp: { packageReferences: {}, rootNamespace: "Pulumi", namespaces: {} },
            go: { importBasePath: "github.com/pulumi/pulumi-azure-native-sdk/v3" },
        },
        resources,
    });
}

/**
 * A folder with an executable `pulumi-resource-azure-native`. From the sources, the committed
 * launcher (bin/); from the published package (compiled, where bin/ is not copied), one written
 * into a temporary folder that runs this package's compiled main.js.
 */
export function standInPluginDir(): string {
    const committed = path.join(__dirname, "bin");
    if (fs.existsSync(path.join(committed, PLUGIN_NAME))) return committed;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "azure-native-standin-"));
    const main = path.join(__dirname, "main.js");
    const launcher = path.join(dir, PLUGIN_NAME);
    fs.writeFileSync(launcher, `#!/bin/sh\nexec "${process.execPath}" "${main}" "$@"\n`, { mode: 0o755 });
    return dir;
}

export interface StandInEnvOptions {
    /** The local ARM endpoint, `http://127.0.0.1:PORT`. */
    endpoint: string;
    subscriptionId: string;
    /** Seconds between polls when the endpoint sends no Retry-After (azure-native's default: 10, 30 for deletes). */
    pollSeconds?: number;
    /** PATH to extend; default process.env.PATH. */
    path?: string;
}

/** The environment for `pulumi` (and so for the stand-in and the program it runs) to use the local Azure. */
export function standInEnv(options: StandInEnvOptions): Record<string, string> {
    return {
        PATH: [standInPluginDir(), options.path ?? process.env.PATH ?? ""].join(path.delimiter),
        [ARM_ENDPOINT_ENV]: options.endpoint,
        ARM_SUBSCRIPTION_ID: options.subscriptionId,
        ...(options.pollSeconds === undefined ? {} : { [POLL_SECONDS_ENV]: String(options.pollSeconds) }),
    };
}
