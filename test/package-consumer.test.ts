/**
 * The package as a consumer gets it: `npm pack`, unpacked into a project shaped like Pulumi's
 * TypeScript template (test/fixtures/consumer), type-checked under moduleResolution node, node16,
 * nodenext and bundler, and its simulator test run. The consumer's other dependencies are this
 * repository's own, linked in: nothing is downloaded.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "..");
const FIXTURE = path.join(__dirname, "fixtures", "consumer");
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string; version: string };

let dir: string;
let files: string[];

beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "azure-nat-rules-consumer-"));
    // What `npm pack` packs is dist/, which `npm ci` builds (the `prepare` script). Rebuild it here
    // when a source is newer than it; --ignore-scripts below skips `prepare`'s second build.
    if (distIsStale()) {
        // A clean dist: tsc never removes outputs (source maps of an earlier build, a deleted module).
        rmSync(path.join(ROOT, "dist"), { recursive: true, force: true });
        const build = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, "tsconfig.build.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
        const emitted = ts.createProgram(build.fileNames, build.options, cachingHost(build.options)).emit();
        if (emitted.emitSkipped) throw new Error("the package build emitted nothing");
        // As the build script does: tsc writes the bin without its executable bit.
        fs.chmodSync(path.join(ROOT, "dist", "src", "cli", "main.js"), 0o755);
    }
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const packed = JSON.parse(execFileSync(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8" })) as { filename: string; files: { path: string }[] }[];
    files = packed[0].files.map((f) => f.path);
    cpSync(FIXTURE, dir, { recursive: true });
    const installed = path.join(dir, "node_modules", pkg.name);
    mkdirSync(installed, { recursive: true });
    execFileSync("tar", ["-xzf", path.join(dir, packed[0].filename), "-C", installed, "--strip-components=1"]);
    for (const entry of readdirSync(path.join(ROOT, "node_modules"))) {
        if (entry !== pkg.name && !existsSync(path.join(dir, "node_modules", entry))) symlinkSync(path.join(ROOT, "node_modules", entry), path.join(dir, "node_modules", entry));
    }
}, 120_000);

afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Whether any file the build reads is newer than the build's output (tsc rewrites every output file). */
function distIsStale(): boolean {
    const built = path.join(ROOT, "dist", "src", "index.d.ts");
    if (!existsSync(built)) return true;
    const builtAt = fs.statSync(built).mtimeMs;
    const sources = fs.readdirSync(path.join(ROOT, "src"), { recursive: true, encoding: "utf8" }).map((f) => path.join(ROOT, "src", f));
    const inputs = [...sources, path.join(ROOT, "tsconfig.json"), path.join(ROOT, "tsconfig.build.json"), path.join(ROOT, "package.json")];
    return inputs.some((f) => f.endsWith(".ts") || f.endsWith(".json") ? fs.statSync(f).mtimeMs > builtAt : false);
}

// One parse per file across the four checks: the azure-native declarations dominate the time.
const parsed = new Map<string, ts.SourceFile | undefined>();
function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
    const host = ts.createCompilerHost(options);
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersion, onError) => {
        // Declarations of dependencies only: the package's own files change with the build.
        if (!fileName.includes(`${path.sep}node_modules${path.sep}`) || fileName.includes(`${path.sep}${pkg.name}${path.sep}`)) return read(fileName, languageVersion, onError);
        const key = `${fs.realpathSync(fileName)}|${typeof languageVersion === "object" ? `${languageVersion.languageVersion}/${languageVersion.impliedNodeFormat}` : languageVersion}`;
        if (!parsed.has(key)) parsed.set(key, read(fileName, languageVersion, onError));
        return parsed.get(key);
    };
    return host;
}

function typeCheck(options: ts.CompilerOptions, roots: string[]): string[] {
    const program = ts.createProgram(roots.map((f) => path.join(dir, f)), { ...options, noEmit: true }, cachingHost(options));
    return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? path.relative(dir, d.file.fileName) : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}

describe("the packed package in a fresh Pulumi TypeScript project", () => {
    it("ships a LICENSE, no source maps, and no docs links that only work in the repository", () => {
        expect(files).toContain("LICENSE");
        expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
        const readme = readFileSync(path.join(dir, "node_modules", pkg.name, "README.md"), "utf8");
        const relativeLinks = [...readme.matchAll(/\]\(([^)#][^)]*)\)/g)].map((m) => m[1]).filter((href) => !/^https?:\/\//.test(href));
        expect(relativeLinks).toEqual([]);
    });

    it("ships what a TypeScript program installs and nothing a plugin or the repository needs", () => {
        // A user installs dist/ (the library, the CLI, and the scale-set program the demo deploys),
        // README, LICENSE, package.json and schema.json (what `azure-nat-rules schema` prints when
        // installed). PulumiPlugin.yaml, src/ and tsconfig.json serve
        // `pulumi package add` on a clone or git URL, never the tarball (docs/multi-language.md).
        const allowed = /^(package\.json|README\.md|LICENSE|schema\.json|dist\/src\/.+\.(js|d\.ts)|dist\/examples\/scale-set\/program\.(js|d\.ts))$/;
        expect(files.filter((f) => !allowed.test(f))).toEqual([]);
        for (const required of ["package.json", "dist/src/index.js", "dist/src/core/index.js", "dist/src/testing/index.js", "dist/src/cli/main.js", "dist/examples/scale-set/program.js"]) {
            expect(files, required).toContain(required);
        }
        expect(files.filter((f) => /PulumiPlugin\.yaml|Pulumi\.yaml|tsconfig|\.test\./.test(f))).toEqual([]);
    });

    it("its installed demo deploys the scale-set example's program, reaching the package by its name", () => {
        const main = path.join(dir, "node_modules", pkg.name, "dist", "src", "cli", "main.js");
        const state = path.join(dir, "demo-state.json");
        const run = spawnSync(process.execPath, [main, "demo", "--reset", "--instances", "2", "--json", "--state", state], { cwd: dir, encoding: "utf8", env: { ...process.env, AZURE_NAT_RULES_ARM_ENDPOINT: "" } });
        expect(run.status, run.stderr).toBe(0);
        expect(JSON.parse(run.stdout)).toMatchObject({ resourceGroup: "natdemo-rg", loadBalancer: "natdemo-lb", backendPool: "vmss-pool" });
        const demoStack = readFileSync(path.join(dir, "node_modules", pkg.name, "dist", "src", "cli", "demo-stack.js"), "utf8");
        expect(demoStack).toMatch(/require\("\.\.\/\.\.\/examples\/scale-set\/program"\)/);
    });

    it("type-checks with the template's tsconfig (moduleResolution node) and runs its simulator test", () => {
        const config = ts.getParsedCommandLineOfConfigFile(path.join(dir, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
        expect(config.options.moduleResolution).toBe(ts.ModuleResolutionKind.Node10);
        // skipLibCheck only to keep this test fast: the consumer's own files are checked in full,
        // imports of the package included; checking azure-native's declarations would add ~20 s.
        const options = { ...config.options, skipLibCheck: true };
        const program = ts.createProgram(config.fileNames, options, cachingHost(options));
        const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        expect(diagnostics).toEqual([]);
        expect(program.emit().diagnostics).toEqual([]);
        const run = spawnSync(process.execPath, [path.join(dir, "bin", "sim-test.js")], { cwd: dir, encoding: "utf8", env: { ...process.env, AZURE_NAT_RULES_ARM_ENDPOINT: "" } });
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        expect(JSON.parse(run.stdout)).toMatchObject({ bastionPorts: [60000], jump: { instance: "jump", frontendPort: 50100 } });
    });

    it("runs its bin as installed: azure-nat-rules schema prints the shipped schema.json, the committed one", () => {
        const bin = path.join(dir, "node_modules", pkg.name, "dist", "src", "cli", "main.js");
        expect(fs.statSync(bin).mode & 0o111, "the bin is executable").not.toBe(0);
        // Run as a shell runs a bin: by its #! line, with the Node that runs the tests first on PATH.
        const run = spawnSync(bin, ["schema", "--json"], { cwd: dir, encoding: "utf8", env: { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}` } });
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        expect(JSON.parse(run.stdout)).toEqual(JSON.parse(readFileSync(path.join(ROOT, "schema.json"), "utf8")));
    });

    for (const [label, module, moduleResolution] of [
        ["node16", ts.ModuleKind.Node16, ts.ModuleResolutionKind.Node16],
        ["nodenext", ts.ModuleKind.NodeNext, ts.ModuleResolutionKind.NodeNext],
        ["bundler", ts.ModuleKind.ESNext, ts.ModuleResolutionKind.Bundler],
    ] as const) {
        it(`the three entry points type-check under moduleResolution ${label}`, () => {
            writeFileSync(
                path.join(dir, `entry-${label}.ts`),
                [
                    `import { BackendPoolNatRule, readNatMappings, type NatPortMapping } from "${pkg.name}";`,
                    `import { frontendPortRange, type PortRange } from "${pkg.name}/core";`,
                    `import { AzureSimulator, runDeployment, type DeploymentResult } from "${pkg.name}/testing";`,
                    `const range: PortRange = frontendPortRange({ start: 50000, maxInstances: 2 });`,
                    `export const uses = [BackendPoolNatRule, readNatMappings, AzureSimulator, runDeployment, range];`,
                    `export type Result = DeploymentResult<{ m: NatPortMapping[] }>;`,
                ].join("\n"),
            );
            expect(typeCheck({ strict: true, module, moduleResolution, target: ts.ScriptTarget.ES2022, skipLibCheck: true }, [`entry-${label}.ts`])).toEqual([]);
        });
    }
});
