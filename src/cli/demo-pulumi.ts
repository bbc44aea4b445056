/**
 * `azure-nat-rules demo --engine pulumi`: one deployment of the demo's stack through the real
 * Pulumi CLI against the local Azure. The simulator (loaded by demo.ts from its state file) is served
 * on loopback with startArmServer (quick options); the azure-native stand-in plugin is on PATH;
 * the stack `demo` lives in a `file://` backend kept beside the state file (`<state>.pulumi/`).
 * As `pulumi up` is run by hand: `pulumi preview --json`, then `pulumi up`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { NatPortMapping } from "../mapping";
import type { AzureSimulator } from "../testing";
import { packageRoot } from "../package-schema/package-root";
import { PLAN_LOG_PREFIX } from "./demo-program";
import { findPulumiCli, PulumiCommandError, PulumiProject, type PulumiRun } from "./pulumi-engine";

/** The stack's name in the demo's backend. */
export const DEMO_PULUMI_STACK = "demo";
/** The demo's stack is not secret: this passphrase only opens its (empty) secrets provider. */
export const DEMO_PULUMI_PASSPHRASE = "azure-nat-rules-demo";
const PROJECT = "azure-nat-rules-example";

/** Where the demo keeps the real CLI's backend, project and PULUMI_HOME: beside the state file, as `<state>.pulumi/`. */
export function pulumiDirOf(stateFile: string): string {
    return stateFile.replace(/(\.json)?$/i, ".pulumi");
}

export interface PulumiDemoSettings {
    stateFile: string;
    instances: number;
    adminUsername: string;
    prefix: string;
    sshPublicKey: string;
    autoscaleMaximum?: number;
    /** Each resource Azure accepted a change to, `<type> <name>`, as the update goes. */
    onSent: (resource: string) => void;
    progress: (line: string) => void;
}

export interface DemoDeployment {
    outputs: Record<string, unknown>;
    /** What the preview planned. */
    planned: NatPortMapping[];
    /** The stack's resources after the update (no stack, no providers). */
    resources: { type: string; name: string }[];
}

/** The project the CLI runs: Pulumi.yaml and index.js, which loads ./demo-program (from source through tsx, or compiled). */
function writeProject(projectDir: string): void {
    fs.mkdirSync(projectDir, { recursive: true });
    fs.writeFileSync(
        path.join(projectDir, "Pulumi.yaml"),
        [`name: ${PROJECT}`, "description: The azure-nat-rules demo's stack (the scale-set example), written by `azure-nat-rules demo --engine pulumi`.",
            "runtime:", "  name: nodejs", "  options:", "    typescript: false", "main: index.js", ""].join("\n"),
    );
    const program = require.resolve("./demo-program");
    const lines = ["// Written by `azure-nat-rules demo --engine pulumi` on each run: the demo's stack under the real Pulumi CLI."];
    if (program.endsWith(".ts")) lines.push(`require(${JSON.stringify(require.resolve("tsx/cjs/api"))}).register();`);
    lines.push(`module.exports = require(${JSON.stringify(program)}).demoProgram();`, "");
    fs.writeFileSync(path.join(projectDir, "index.js"), lines.join("\n"));
}

/**
 * The stack's config file with this run's settings: the `encryptionsalt` line that `stack init`
 * wrote is kept, the config is replaced (so a setting left out this run is gone, as the embedded
 * engine's program would not see it either).
 */
function writeConfig(configFile: string, settings: PulumiDemoSettings): void {
    const salt = fs.existsSync(configFile) ? fs.readFileSync(configFile, "utf8").split("\n").find((l) => l.startsWith("encryptionsalt:")) : undefined;
    const config: Record<string, string> = {
        "azure-native:location": "westeurope",
        [`${PROJECT}:instances`]: String(settings.instances),
        [`${PROJECT}:adminUsername`]: settings.adminUsername,
        [`${PROJECT}:prefix`]: settings.prefix,
        [`${PROJECT}:sshPublicKey`]: settings.sshPublicKey,
        ...(settings.autoscaleMaximum === undefined ? {} : { [`${PROJECT}:autoscaleMaximum`]: String(settings.autoscaleMaximum) }),
    };
    const lines = [...(salt ? [salt] : []), "config:", ...Object.entries(config).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`), ""];
    fs.writeFileSync(configFile, lines.join("\n"));
}

interface Event {
    diagnosticEvent?: { message: string; severity: string };
    resOutputsEvent?: { metadata: { op: string; urn: string; type: string } };
}

function parseLines(stdout: string): Event[] {
    return stdout.split("\n").filter((l) => l.trim().startsWith("{")).flatMap((l) => {
        try {
            return [JSON.parse(l) as Event];
        } catch {
            return [];
        }
    });
}

/** The errors the engine reported (diagnostics), else the command's own output. */
function failureOf(run: PulumiRun, diagnostics: { message: string; severity: string }[]): Error {
    // The engine's error diagnostics start with "error: ", which the demo's own error line already says.
    const errors = diagnostics.filter((d) => d.severity === "error").map((d) => d.message.trim().replace(/^error: /, "")).filter((m) => m !== "");
    return errors.length > 0 ? new Error(errors.join("\n")) : new PulumiCommandError(run);
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** Runs the demo's stack through the real CLI against `sim`, served on loopback for the length of the run. */
export async function deployWithPulumi(sim: AzureSimulator, settings: PulumiDemoSettings): Promise<DemoDeployment> {
    const cli = await findPulumiCli("demo");
    settings.progress(`Pulumi CLI ${cli.version} (${cli.pulumi}${cli.source === "path" ? ", given by AZURE_NAT_RULES_PULUMI" : ", built by engine/build.mjs"}).`);
    const { FAST_ARM_SERVER_OPTIONS, standInEnv, standInPluginDir, startArmServer } = await import("../testing");
    const dir = pulumiDirOf(settings.stateFile);
    const projectDir = path.join(dir, "project");
    writeProject(projectDir);
    const configFile = path.join(dir, `Pulumi.${DEMO_PULUMI_STACK}.yaml`);
    const server = await startArmServer(sim, FAST_ARM_SERVER_OPTIONS);
    try {
        const env = standInEnv({ endpoint: server.url, subscriptionId: sim.subscriptionId, pollSeconds: 1 });
        delete (env as { PATH?: string }).PATH; // the plugin folder goes on PATH through pluginPath
        const tsconfig = path.join(packageRoot(), "tsconfig.json");
        const project = new PulumiProject({
            cli,
            projectDir,
            backendDir: path.join(dir, "backend"),
            homeDir: path.join(dir, "home"),
            configFile,
            stack: DEMO_PULUMI_STACK,
            passphrase: DEMO_PULUMI_PASSPHRASE,
            pluginPath: [standInPluginDir()],
            // From source, tsx resolves `azure-nat-rules` in the example through the repository's tsconfig paths.
            env: { ...env, ...(fs.existsSync(tsconfig) ? { TSX_TSCONFIG_PATH: tsconfig } : {}) },
        });
        await project.ensureStack();
        writeConfig(configFile, settings);

        const preview = await project.run(["preview", "--stack", DEMO_PULUMI_STACK, "--json"], { client: true });
        let previewJson: { diagnostics?: { message: string; severity: string }[] } = {};
        try {
            previewJson = JSON.parse(preview.stdout) as typeof previewJson;
        } catch {
            // no JSON: the CLI failed before the engine ran
        }
        if (preview.code !== 0) throw failureOf(preview, previewJson.diagnostics ?? []);
        const planLine = (previewJson.diagnostics ?? []).map((d) => d.message.trim()).find((m) => m.startsWith(PLAN_LOG_PREFIX));
        const planned = planLine === undefined ? [] : (JSON.parse(planLine.slice(PLAN_LOG_PREFIX.length)) as NatPortMapping[]);

        const up = await project.run(["up", "--stack", DEMO_PULUMI_STACK, "--yes", "--skip-preview", "--json"], { client: true });
        const events = parseLines(up.stdout);
        for (const event of events) {
            const meta = event.resOutputsEvent?.metadata;
            if (meta && ["create", "update", "delete", "replace", "create-replacement", "delete-replaced"].includes(meta.op) &&
                meta.type !== "pulumi:pulumi:Stack" && !meta.type.startsWith("pulumi:providers:") && meta.type.startsWith("azure-native:")) {
                settings.onSent(`${meta.type} ${nameOf(meta.urn)}`);
            }
        }
        if (up.code !== 0) throw failureOf(up, events.flatMap((e) => (e.diagnosticEvent ? [e.diagnosticEvent] : [])));

        const output = await project.run(["stack", "output", "--stack", DEMO_PULUMI_STACK, "--json"]);
        if (output.code !== 0) throw new PulumiCommandError(output);
        const exported = await project.run(["stack", "export", "--stack", DEMO_PULUMI_STACK]);
        if (exported.code !== 0) throw new PulumiCommandError(exported);
        const resources = ((JSON.parse(exported.stdout) as { deployment: { resources?: { urn: string; type: string }[] } }).deployment.resources ?? [])
            .filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"))
            .map((r) => ({ type: r.type, name: nameOf(r.urn) }));
        return { outputs: JSON.parse(output.stdout) as Record<string, unknown>, planned, resources };
    } finally {
        await server.close();
    }
}
