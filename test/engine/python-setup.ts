/**
 * What a Python program using this package needs under the real CLI, made by the tests' set-up:
 *
 * - a virtualenv (git-ignored, `.azure-nat-rules/python-venv`) with test/engine/python-program's
 *   pinned requirements.txt (Pulumi's Python SDK at our @pulumi/pulumi version, azure-native's);
 * - the package's Python SDK, generated from the schema the component plugin serves (GetSchema, as
 *   `pulumi package add` asks it) by test/engine/python-sdkgen: what pulumi-language-python's
 *   GeneratePackage does, with Pulumi's own Python code generator at the CLI's version. The
 *   language host cannot be built here (its Go module is not on the module proxy), so
 *   `pulumi package add` itself cannot run; the CLI's own codegen and plugin loader do;
 * - the component plugin on PATH as `pulumi-resource-azure-nat-rules`: a launcher that starts it
 *   exactly as pulumi-language-nodejs's RunPlugin does (`node <@pulumi/pulumi>/cmd/run-plugin
 *   <package dir> <engine address>`), since that host cannot be built either.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { standInPluginDir } from "../../src/testing";
import { ProtocolEngine } from "../protocol-engine";
import { engine, ROOT } from "./pulumi-cli";
import { buildPackage } from "./standin-helpers";

const run = promisify(execFile);
const WORK_DIR = path.join(ROOT, ".azure-nat-rules");
export const VENV = path.join(WORK_DIR, "python-venv");
const PROGRAM_SOURCE = path.join(ROOT, "test", "engine", "python-program");
const REQUIREMENTS = path.join(PROGRAM_SOURCE, "requirements.txt");
const SDKGEN_SOURCE = path.join(ROOT, "test", "engine", "python-sdkgen");

async function tool(command: string, args: string[], what: string, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
    try {
        const { stdout } = await run(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024, timeout: 900_000 });
        return stdout;
    } catch (err) {
        const e = err as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
        if (e.code === "ENOENT") throw new Error(`${what}: \`${command}\` is not installed. ${installHint(command)}`);
        throw new Error(`${what}: \`${command} ${args.join(" ")}\` failed: ${e.message}\n${e.stderr ?? ""}${e.stdout ?? ""}`);
    }
}

function installHint(command: string): string {
    if (command === "go") return "Install Go 1.25 or newer (Debian/Ubuntu: `apt-get install golang-go`): it builds the Python SDK generator.";
    return "Install Python 3.9 or newer with venv and pip (Debian/Ubuntu: `apt-get install python3 python3-venv python3-pip`).";
}

/** The virtualenv with requirements.txt installed; reinstalled only when requirements.txt changes. */
export async function pythonVenv(): Promise<string> {
    const stamp = path.join(VENV, ".requirements-sha256");
    const wanted = createHash("sha256").update(fs.readFileSync(REQUIREMENTS)).digest("hex");
    if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === wanted) return VENV;
    fs.rmSync(VENV, { recursive: true, force: true });
    await tool("python3", ["-m", "venv", VENV], "Python virtualenv");
    await tool(path.join(VENV, "bin", "python"), ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-r", REQUIREMENTS], "Python requirements");
    fs.writeFileSync(stamp, wanted);
    return VENV;
}

/** The schema the component plugin serves over GetSchema, as `pulumi package add` asks it. */
async function servedSchema(): Promise<string> {
    const plugin = new ProtocolEngine();
    try {
        await plugin.start();
        return JSON.stringify(await plugin.getSchema());
    } finally {
        await plugin.stop();
    }
}

/** Generates the package's Python SDK and installs it into the virtualenv; returns the SDK folder. */
export async function pythonSdk(venv: string): Promise<string> {
    const cli = await engine();
    const out = path.join(WORK_DIR, "python-sdk");
    const bin = path.join(WORK_DIR, "bin", "python-sdkgen");
    await tool("go", ["build", "-o", bin, "."], "Python SDK generator", { cwd: SDKGEN_SOURCE });
    const schemaFile = path.join(WORK_DIR, "python-sdk-schema.json");
    fs.mkdirSync(WORK_DIR, { recursive: true });
    fs.writeFileSync(schemaFile, await servedSchema());
    fs.rmSync(out, { recursive: true, force: true });
    const home = fs.mkdtempSync(path.join(WORK_DIR, "sdkgen-home-"));
    try {
        // azure-native's schema (for the scaleSet and autoscaleSetting references) comes from the stand-in on PATH.
        const env = { ...process.env, PATH: [standInPluginDir(), cli.binDir, process.env.PATH].join(path.delimiter), PULUMI_HOME: home,
            PULUMI_SKIP_UPDATE_CHECK: "1", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" };
        await tool(bin, [schemaFile, out], "Python SDK generation", { env });
    } finally {
        fs.rmSync(home, { recursive: true, force: true });
    }
    await tool(path.join(venv, "bin", "python"), ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--no-deps", "--force-reinstall", out], "Python SDK install");
    return out;
}

/**
 * A folder holding `pulumi-resource-azure-nat-rules`, the component plugin as the Node.js language
 * host starts it, over a package folder with package.json, schema.json, tsconfig.json, src/ and a
 * fresh transpile of src/ as dist/.
 */
export async function componentPluginDir(): Promise<string> {
    await buildPackage();
    const pkg = path.join(WORK_DIR, "python-plugin-package");
    fs.rmSync(pkg, { recursive: true, force: true });
    fs.mkdirSync(pkg, { recursive: true });
    for (const entry of ["package.json", "schema.json", "tsconfig.json", "src"]) fs.symlinkSync(path.join(ROOT, entry), path.join(pkg, entry));
    fs.symlinkSync(path.join(WORK_DIR, "engine-package", "dist"), path.join(pkg, "dist"), "dir");
    const bin = path.join(WORK_DIR, "python-plugin-bin");
    fs.mkdirSync(bin, { recursive: true });
    const runPlugin = path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "cmd", "run-plugin");
    fs.writeFileSync(path.join(bin, "pulumi-resource-azure-nat-rules"), `#!/bin/sh\nexec "${process.execPath}" "${runPlugin}" "${pkg}" "$@"\n`, { mode: 0o755 });
    return bin;
}

/** A copy of test/engine/python-program whose `venv` is the set-up's virtualenv. */
export function pythonProgram(name: string, venv: string): string {
    const dir = path.join(WORK_DIR, "engine-programs", name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    for (const file of ["Pulumi.yaml", "__main__.py"]) fs.copyFileSync(path.join(PROGRAM_SOURCE, file), path.join(dir, file));
    fs.symlinkSync(venv, path.join(dir, "venv"), "dir");
    return dir;
}
