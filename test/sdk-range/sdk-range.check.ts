/**
 * The packed package in consumers made from Pulumi's TypeScript template (test/fixtures/consumer),
 * with the lowest and with the newest Pulumi SDKs of its peer ranges: one copy of each SDK, the
 * template's type-check, and the consumer's simulator test. `npm run test:sdk-range` builds the
 * package, packs it and resolves each consumer into a lockfile with npm's cache filled (fetch.mjs),
 * then runs this: the installs here are `npm ci --offline`.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURE = path.join(ROOT, "test", "fixtures", "consumer");
const VERSIONS = path.join(ROOT, "node_modules", ".cache", "azure-nat-rules-sdk-range", "versions.json");
const CACHE = path.dirname(VERSIONS);
const SDKS = ["@pulumi/pulumi", "@pulumi/azure-native"] as const;
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

type Versions = Record<(typeof SDKS)[number], string>;

let work: string;

beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "azure-nat-rules-sdk-range-"));
});

afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
});

/** What fetch.mjs prepared: the versions, the packed package, and each consumer's package.json and lockfile. */
function prepared(): { lowest: Versions; newest: Versions; tarball: string } {
    if (!existsSync(VERSIONS)) throw new Error(`${path.relative(ROOT, VERSIONS)} is missing: the consumers were not prepared. Fix: run \`npm run test:sdk-range\`, which builds, packs and caches them first.`);
    return JSON.parse(readFileSync(VERSIONS, "utf8")) as { lowest: Versions; newest: Versions; tarball: string };
}

/** Every version of `name` anywhere in the consumer's tree, as `npm ls` reports it. */
function versionsInTree(dir: string, name: string): string[] {
    const run = spawnSync(npm, ["ls", name, "--all", "--json"], { cwd: dir, encoding: "utf8" });
    const found = new Set<string>();
    const walk = (deps: Record<string, { version?: string; dependencies?: Record<string, unknown> }> | undefined): void => {
        for (const [dep, node] of Object.entries(deps ?? {})) {
            if (dep === name && node.version) found.add(node.version);
            walk(node.dependencies as never);
        }
    };
    walk((JSON.parse(run.stdout) as { dependencies?: never }).dependencies);
    return [...found].sort();
}

describe("the packed package with the lowest and the newest supported Pulumi SDKs", () => {
    for (const which of ["lowest", "newest"] as const) {
        it(`${which}: installs with one copy of each SDK, type-checks with the template's tsconfig, and runs its simulator test`, () => {
            const versions = prepared()[which];
            const dir = path.join(work, which);
            cpSync(FIXTURE, dir, { recursive: true });
            for (const file of ["package.json", "package-lock.json"]) cpSync(path.join(CACHE, which, file), path.join(dir, file));
            const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { dependencies: Record<string, string> };
            expect(manifest.dependencies).toMatchObject(versions);
            const install = spawnSync(npm, ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, encoding: "utf8" });
            expect(install.status, `npm ci --offline failed (run \`npm run test:sdk-range\`, which caches the packages first):\n${install.stderr}`).toBe(0);

            for (const name of SDKS) expect(versionsInTree(dir, name), name).toEqual([versions[name]]);

            // The template's tsconfig as it is (no skipLibCheck): the SDKs' own declarations are checked too.
            const config = ts.getParsedCommandLineOfConfigFile(path.join(dir, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
            const program = ts.createProgram(config.fileNames, config.options);
            const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? path.relative(dir, d.file.fileName) : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
            expect(diagnostics).toEqual([]);
            expect(program.emit().diagnostics).toEqual([]);

            const run = spawnSync(process.execPath, [path.join(dir, "bin", "sim-test.js")], { cwd: dir, encoding: "utf8", env: { ...process.env, AZURE_NAT_RULES_ARM_ENDPOINT: "" } });
            expect(run.stderr).toBe("");
            expect(run.status).toBe(0);
            expect(JSON.parse(run.stdout)).toMatchObject({ bastionPorts: [60000], jump: { instance: "jump", frontendPort: 50100 } });
        });
    }
});
