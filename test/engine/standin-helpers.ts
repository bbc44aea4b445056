/**
 * What the end-to-end tests on the azure-native stand-in share: the local Azure (an AzureSimulator
 * behind startArmServer), the package as programs load it, copies of the examples, and a workspace
 * whose `pulumi` finds the stand-in plugin on PATH.
 *
 * Programs import `azure-nat-rules` by name, as a user's does. A copy of an example lives under
 * `.azure-nat-rules/engine-programs/<name>` (git-ignored) with `node_modules/azure-nat-rules`
 * linked to a fresh transpile of src/ (esbuild, as test/global-setup.ts builds the CLI), so the
 * tests run the sources of this checkout, not a stale dist/. Types come from src/ through the
 * repository's tsconfig `paths`.
 */
import { build } from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";
import { AzureSimulator, FAST_ARM_SERVER_OPTIONS, standInEnv, standInPluginDir, startArmServer, type ArmServer } from "../../src/testing";
import { createWorkspace, ROOT, type Workspace } from "./pulumi-cli";

const WORK_DIR = path.join(ROOT, ".azure-nat-rules");
const PACKAGE_DIR = path.join(WORK_DIR, "engine-package");
const PROGRAMS_DIR = path.join(WORK_DIR, "engine-programs");

let packageBuilt: Promise<void> | undefined;

/** Transpiles src/ into a package folder programs load as `azure-nat-rules` (once per test process). */
export function buildPackage(): Promise<void> {
    packageBuilt ??= (async () => {
        fs.rmSync(PACKAGE_DIR, { recursive: true, force: true });
        fs.mkdirSync(PACKAGE_DIR, { recursive: true });
        fs.copyFileSync(path.join(ROOT, "package.json"), path.join(PACKAGE_DIR, "package.json"));
        await build({
            absWorkingDir: ROOT,
            entryPoints: ["src/**/*.ts"],
            outdir: path.join(PACKAGE_DIR, "dist"),
            outbase: ".",
            format: "cjs",
            platform: "node",
            target: "node22",
            bundle: false,
            supported: { "dynamic-import": false },
            logLevel: "warning",
        });
    })();
    return packageBuilt;
}

/**
 * Copies an example into its own project folder: `files` maps a file name in the copy to its source
 * (or `{ text }`); `append` adds lines to index.ts (exports a test reads that the example computes
 * but does not export).
 */
export async function prepareProgram(name: string, files: Record<string, string | { text: string }>, append: string[] = []): Promise<string> {
    await buildPackage();
    const dir = path.join(PROGRAMS_DIR, name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, "node_modules"), { recursive: true });
    for (const [file, source] of Object.entries(files)) {
        fs.writeFileSync(path.join(dir, file), typeof source === "string" ? fs.readFileSync(path.join(ROOT, source), "utf8") : source.text);
    }
    if (append.length > 0) fs.appendFileSync(path.join(dir, "index.ts"), `\n${append.join("\n")}\n`);
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ extends: path.join(ROOT, "tsconfig.json"), include: ["*.ts"] }, null, 2));
    // Its own package scope: without a package.json here, Node resolves `azure-nat-rules` from the
    // repository's package.json by self-reference (its exports: dist/), not node_modules' fresh transpile.
    if (!("package.json" in files)) fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, private: true }, null, 2));
    fs.symlinkSync(PACKAGE_DIR, path.join(dir, "node_modules", "azure-nat-rules"), "dir");
    return dir;
}

export interface LocalAzure {
    sim: AzureSimulator;
    server: ArmServer;
    close(): Promise<void>;
}

/** The local Azure in quick mode: operations done at their first poll, Retry-After 1 s, no throttling. */
export async function startLocalAzure(): Promise<LocalAzure> {
    const sim = new AzureSimulator();
    const server = await startArmServer(sim, FAST_ARM_SERVER_OPTIONS);
    return { sim, server, close: () => server.close() };
}

/** A workspace on `projectDir` whose `pulumi` runs the stand-in against `azure`. */
export async function standInWorkspace(projectDir: string, azure: LocalAzure, stack = "dev"): Promise<Workspace> {
    const env = standInEnv({ endpoint: azure.server.url, subscriptionId: azure.sim.subscriptionId, pollSeconds: 1 });
    delete env.PATH; // the workspace builds PATH itself, with the plugin folder given as pluginPath
    return createWorkspace({ projectDir, stack, pluginPath: [standInPluginDir()], env });
}

/** A mapping without its `source` (planned in preview, azure after `up`), for comparing a plan with Azure's answer. */
export function withoutSource(mappings: unknown): unknown {
    if (!Array.isArray(mappings)) return mappings;
    return mappings.map((m) => {
        // The plan's marks (labelGuessed, portGuessed, upgradePending) say how sure it is; Azure's mappings carry none.
        // Python programs see the same marks in snake_case.
        const marks = new Set(["source", "labelGuessed", "portGuessed", "upgradePending", "label_guessed", "port_guessed", "upgrade_pending"]);
        return Object.fromEntries(Object.entries(m as Record<string, unknown>).filter(([key]) => !marks.has(key)));
    });
}

