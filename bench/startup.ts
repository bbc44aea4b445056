/**
 * `npm run bench:startup`: how long other languages wait for the component plugin.
 *
 * - `plugin/committed`, `plugin/inferred`: the plugin started as Pulumi's Node.js host starts it
 *   (`node <@pulumi/pulumi>/cmd/run-plugin <package dir> <engine address>`, through the tests'
 *   protocol engine), then Configure and one SingleVmNatRule Construct in preview, as the engine
 *   sends them for a Python program's first component. Timed from just before the spawn to the
 *   port line and to the Construct's answer. `committed` serves schema.json (the default);
 *   `inferred` runs Pulumi's TypeScript analyzer first (AZURE_NAT_RULES_INFER_SCHEMA=1), as every
 *   start did before.
 * - `pulumi-load`: a Node process that loads @pulumi/pulumi and its component provider module
 *   and exits: the part of the start-up that is Pulumi's own.
 * - `preview/python`, `preview/typescript`: `pulumi preview --json` of a new stack of
 *   test/engine/python-program (Python, through the generated SDK and the component plugin) and of
 *   the same program in TypeScript (test/engine/python-program/typescript, the components in the
 *   program's own process), under the real CLI with the azure-native stand-in against a local ARM
 *   endpoint; the set-up of test/engine/python-nat-rules.test.ts (virtualenv, SDK, plugin launcher)
 *   runs once first. Timed from the CLI's spawn to its exit. Needs what `npm run test:engine` needs.
 *
 * Runs are interleaved (run 1 of every case, then run 2, ...); figures are median (min–max).
 * Options: --runs N (default 5), --only <text> (repeatable), --json (one JSON line at the end).
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { standInEnv, standInPluginDir } from "../src/testing";
import { createWorkspace } from "../test/engine/pulumi-cli";
import { componentPluginDir, pythonProgram, pythonSdk, pythonVenv } from "../test/engine/python-setup";
import { prepareProgram, startLocalAzure, type LocalAzure } from "../test/engine/standin-helpers";
import { ProtocolEngine } from "../test/protocol-engine";
import { formatSpreadMs, markdownTable, spread, type Spread } from "./stats";

interface Sample {
    /** Spawn to the port line (the plugin serving gRPC). */
    portMs: number;
    /** Spawn to the first Construct's answer. */
    firstConstructMs: number;
}

interface StartupCase {
    name: string;
    label: string;
    run(): Promise<Sample>;
}

const lbId = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";

async function pluginRun(env: Record<string, string>): Promise<Sample> {
    const engine = new ProtocolEngine({ env });
    try {
        await engine.start();
        const portMs = performance.now() - engine.spawnedAt;
        await engine.configure();
        const d = await engine.deployment("startup", true);
        await d.construct({
            type: "azure-nat-rules:index:SingleVmNatRule",
            name: "vm1-ssh",
            inputs: { loadBalancerId: lbId, frontendIPConfigurationId: `${lbId}/frontendIPConfigurations/fe`, frontendPort: 50022, backendPort: 22 },
        });
        const firstConstructMs = performance.now() - engine.spawnedAt;
        if (env.AZURE_NAT_RULES_INFER_SCHEMA !== "1" && /inferring the package schema/.test(engine.stderr)) {
            throw new Error(`bench: the plugin inferred the schema instead of serving schema.json:\n${engine.stderr}`);
        }
        return { portMs, firstConstructMs };
    } finally {
        await engine.stop();
    }
}

function pulumiLoadRun(): Promise<Sample> {
    const code = "require('@pulumi/pulumi'); require('@pulumi/pulumi/provider/experimental/provider');";
    return new Promise((done, fail) => {
        const started = performance.now();
        const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", fail);
        child.on("exit", (code) => {
            const ms = performance.now() - started;
            if (code !== 0) fail(new Error(`bench: loading @pulumi/pulumi failed (${code}): ${stderr}`));
            else done({ portMs: ms, firstConstructMs: ms });
        });
    });
}

interface PreviewSetup {
    azure: LocalAzure;
    pythonDir: string;
    typescriptDir: string;
    pluginDir: string;
}

let previewSetup: Promise<PreviewSetup> | undefined;

function setUpPreviews(): Promise<PreviewSetup> {
    previewSetup ??= (async () => {
        process.stderr.write("preview set-up: virtualenv, Python SDK, plugin launcher, programs ...\n");
        const venv = await pythonVenv();
        await pythonSdk(venv);
        const pluginDir = await componentPluginDir();
        const dir = "test/engine/python-program/typescript";
        const typescriptDir = await prepareProgram("bench-typescript", { "Pulumi.yaml": `${dir}/Pulumi.yaml`, "index.ts": `${dir}/index.ts` });
        return { azure: await startLocalAzure(), pythonDir: pythonProgram("bench-python", venv), typescriptDir, pluginDir };
    })();
    return previewSetup;
}

async function previewRun(language: "python" | "typescript"): Promise<Sample> {
    const setup = await setUpPreviews();
    const env = standInEnv({ endpoint: setup.azure.server.url, subscriptionId: setup.azure.sim.subscriptionId, pollSeconds: 1 });
    delete env.PATH;
    const projectDir = language === "python" ? setup.pythonDir : setup.typescriptDir;
    const pluginPath = language === "python" ? [standInPluginDir(), setup.pluginDir] : [standInPluginDir()];
    const ws = await createWorkspace({ projectDir, stack: "bench", pluginPath, env });
    try {
        await ws.initStack();
        const started = performance.now();
        const { json } = await ws.preview();
        const ms = performance.now() - started;
        const creates = (json.steps ?? []).filter((s) => s.op === "create").length;
        if (creates < 9) throw new Error(`bench: the ${language} preview planned ${creates} creates, expected at least 9`);
        return { portMs: ms, firstConstructMs: ms };
    } finally {
        ws.dispose();
    }
}

export const STARTUP_CASES: StartupCase[] = [
    { name: "startup/plugin/committed", label: "plugin serving the committed schema.json (default)", run: () => pluginRun({}) },
    { name: "startup/plugin/inferred", label: "plugin inferring the schema first (AZURE_NAT_RULES_INFER_SCHEMA=1, as before)", run: () => pluginRun({ AZURE_NAT_RULES_INFER_SCHEMA: "1" }) },
    { name: "startup/pulumi-load", label: "node loading @pulumi/pulumi and its component provider, then exiting", run: pulumiLoadRun },
    { name: "preview/python", label: "`pulumi preview` of the Python program (generated SDK, component plugin)", run: () => previewRun("python") },
    { name: "preview/typescript", label: "`pulumi preview` of the same program in TypeScript", run: () => previewRun("typescript") },
];

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: { runs: { type: "string", default: "5" }, only: { type: "string", multiple: true, default: [] }, json: { type: "boolean", default: false }, help: { type: "boolean", default: false } },
    });
    if (values.help) {
        process.stdout.write("usage: npm run bench:startup -- [--runs N] [--only <text>]... [--json]\n\nCases:\n" + STARTUP_CASES.map((c) => `  ${c.name}  ${c.label}\n`).join(""));
        return;
    }
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`bench:startup: --runs ${values.runs} is not a whole number of runs >= 1. Fix: e.g. --runs 5.`);
    const cases = STARTUP_CASES.filter((c) => values.only.length === 0 || values.only.some((o) => c.name.includes(o)));
    if (cases.length === 0) throw new Error(`bench:startup: --only ${values.only.join(", ")} matches no case. Fix: see --help.`);
    const samples = new Map<string, Sample[]>(cases.map((c) => [c.name, []]));
    for (let i = 1; i <= runs; i++) {
        for (const c of cases) {
            process.stderr.write(`run ${i}/${runs} ${c.name} ... `);
            const s = await c.run();
            samples.get(c.name)?.push(s);
            process.stderr.write(`${Math.round(s.firstConstructMs)} ms\n`);
        }
    }
    const summary = cases.map((c) => {
        const list = samples.get(c.name) ?? [];
        return { c, port: spread(list.map((s) => s.portMs)), first: spread(list.map((s) => s.firstConstructMs)) };
    });
    const row = (c: StartupCase, port: Spread, first: Spread): string[] =>
        c.name === "startup/pulumi-load" ? [c.label, "–", formatSpreadMs(first, runs) + " (process)"] : [c.label, formatSpreadMs(port, runs), formatSpreadMs(first, runs)];
    const plugin = summary.filter((s) => s.c.name.startsWith("startup/"));
    const previews = summary.filter((s) => s.c.name.startsWith("preview/"));
    if (plugin.length > 0) {
        process.stdout.write(`Component plugin start-up (${runs} run${runs === 1 ? "" : "s"} per case, median (min–max)):\n\n`);
        process.stdout.write(`${markdownTable(["Case", "Spawn to port", "Spawn to first Construct"], plugin.map((s) => row(s.c, s.port, s.first)))}\n\n`);
    }
    if (previews.length > 0) {
        process.stdout.write(`\`pulumi preview\` under the real CLI (${runs} run${runs === 1 ? "" : "s"} per case, median (min–max)):\n\n`);
        process.stdout.write(`${markdownTable(["Case", "Wall"], previews.map((s) => [s.c.label, formatSpreadMs(s.first, runs)]))}\n`);
        const py = previews.find((s) => s.c.name === "preview/python");
        const ts = previews.find((s) => s.c.name === "preview/typescript");
        if (py && ts) process.stdout.write(`\nPython vs TypeScript preview: ${(py.first.median / ts.first.median).toFixed(2)}×\n`);
    }
    if (values.json) {
        process.stdout.write(`${JSON.stringify({ runs, cases: summary.map((s) => ({ name: s.c.name, portMs: s.port, firstConstructMs: s.first })) })}\n`);
    }
    if (previewSetup) await (await previewSetup).azure.close();
}

main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
});
