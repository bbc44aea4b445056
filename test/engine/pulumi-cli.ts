/**
 * The real Pulumi CLI, offline, for the end-to-end tests (`npm run test:engine`).
 *
 * - {@link engine} finds the CLI: built from source by engine/build.mjs (cached), or the one named
 *   by AZURE_NAT_RULES_PULUMI ("path": the `pulumi` on PATH; or an absolute path).
 * - {@link createWorkspace} gives one project a private Pulumi: a `file://` backend and a
 *   PULUMI_HOME in a temporary directory, a passphrase, update checks, plugin downloads and registry
 *   resolution off, and this test process's Node (22, from the `node` devDependency) first on PATH.
 * - Its methods run `pulumi stack init`, `config set`, `preview --json`, `up`, `refresh`,
 *   `destroy`, `stack output --json` and `stack export`, and throw a {@link PulumiCliError} that
 *   shows the command, its exit code, its output and the program's output when one fails.
 *
 * Programs run through the CLI's `--client` language runtime (engine/language-runtime.mjs), which
 * starts Pulumi's own `@pulumi/pulumi/cmd/run` as pulumi-language-nodejs does: the language host
 * plugin itself cannot be built here (see engine/build.mjs). A program's directory must be inside
 * this repository (or have its own node_modules) so that it resolves @pulumi/pulumi, and not under
 * node_modules. The stack's config file (Pulumi.<stack>.yaml) is kept in the workspace's temporary
 * directory (`--config-file`), so a committed project directory is used in place and left as it was
 * (two workspaces must not init the same stack name in one directory at the same moment).
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { type EngineEvent, type OperationJson, parseEvents, parsePreview } from "./pulumi-json";

export type { EngineEvent, OperationJson, PreviewJson } from "./pulumi-json";

export const ROOT = path.resolve(__dirname, "..", "..");
const BUILD_SCRIPT = path.join(ROOT, "engine", "build.mjs");
const LANGUAGE_RUNTIME = path.join(ROOT, "engine", "language-runtime.mjs");
/**
 * Generated programs go here: inside the repository, so they resolve its node_modules and the package
 * itself by name, but not under node_modules (Node 22 refuses to strip TypeScript types there); git-ignored.
 */
export const PROGRAMS_DIR = path.join(ROOT, "test", "engine", ".programs");

export interface Engine {
    /** "built": compiled by this run; "cached": an earlier build reused; "path": a given binary. */
    source: "built" | "cached" | "path";
    /** The `pulumi` binary. */
    pulumi: string;
    binDir: string;
    /** What `pulumi version` printed, e.g. "v3.248.0". */
    version: string;
    /** Seconds spent finding or building it. */
    seconds: number;
    /** A virtualenv with the Python SDK at the same version (engine/requirements-python.txt): Python programs run with its python. */
    pythonVenv?: string;
}

let resolved: Engine | undefined;

/**
 * The CLI, built or reused by `node engine/build.mjs --json --python` once per process, with the
 * Python SDK's virtualenv. Throws with the script's message (what to install) when there is none.
 */
export async function engine(): Promise<Engine> {
    if (resolved) return resolved;
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
        const child = spawn(process.execPath, [BUILD_SCRIPT, "--json", "--python"], { cwd: ROOT, env: process.env });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        child.on("error", fail);
        child.on("close", (code) => done({ code, stdout, stderr }));
    });
    if (result.code !== 0) {
        throw new Error(`The Pulumi CLI for the end-to-end tests is not available.\n${result.stderr.trim()}`);
    }
    resolved = JSON.parse(result.stdout.trim().split("\n").pop()!) as Engine;
    return resolved;
}

/** This process's Node, which must be 22 or later (the package's `engines`): npm scripts run the `node` devDependency. */
function nodeDir(): string {
    const major = Number(process.versions.node.split(".")[0]);
    if (major < 22) {
        throw new Error(
            `The end-to-end tests run programs with this process's Node, ${process.version}, but the package needs Node >= 22. ` +
                "Run them through `npm run test:engine`, which puts the `node` devDependency (Node 22) first on PATH.",
        );
    }
    return path.dirname(process.execPath);
}

export interface CliResult {
    /** The command line, for messages: `pulumi preview --json ...`. */
    command: string;
    code: number | null;
    stdout: string;
    stderr: string;
    /** What the program (through the language runtime) printed; empty for commands that run no program. */
    programOutput: string;
}

/** A failed `pulumi` command: its message shows the command, exit code, output and the program's output. */
export class PulumiCliError extends Error {
    constructor(readonly result: CliResult) {
        const tail = (text: string) => (text.length > 6000 ? `...${text.slice(-6000)}` : text).trim();
        const parts = [`\`${result.command}\` exited with ${result.code}`];
        if (result.stderr.trim()) parts.push(`stderr:\n${tail(result.stderr)}`);
        if (result.stdout.trim()) parts.push(`stdout:\n${tail(result.stdout)}`);
        if (result.programOutput.trim()) parts.push(`program output:\n${tail(result.programOutput)}`);
        super(parts.join("\n"));
        this.name = "PulumiCliError";
    }
}

export interface WorkspaceOptions {
    /** The directory holding Pulumi.yaml and the program. */
    projectDir: string;
    /** The stack every command works on; created by {@link Workspace.initStack}. Default "test". */
    stack?: string;
    /** Directories put on PATH before the CLI's: resource plugins (`pulumi-resource-<name>`) found there are used. */
    pluginPath?: string[];
    /** Variables added to the CLI's (and so the program's and plugins') environment. */
    env?: Record<string, string>;
    /** Limit for one command, in ms (default 10 minutes); the command is killed past it. */
    timeoutMs?: number;
}

export interface RunOptions {
    /** Return the result of a non-zero exit instead of throwing. */
    allowFailure?: boolean;
    /** Start the `--client` language runtime and pass its address (preview, up, refresh, destroy). */
    client?: boolean;
    /** Written to the command's stdin. */
    input?: string;
}

export interface OperationOptions extends Pick<RunOptions, "allowFailure"> {
    /** Arguments added to the command. */
    args?: string[];
}

/**
 * An operation's result: the process's (code, stdout, stderr, program output) and what it printed.
 * `preview --json` prints one JSON object, kept as `json`. `up`, `refresh` and `destroy --json`
 * print the engine's events, one JSON object a line, kept as `events`; `json` is drawn from them
 * in the preview's shape: `steps` from each resOutputsEvent (or resOpFailedEvent) `metadata`,
 * `changeSummary` from the summaryEvent's `resourceChanges`, and `diagnostics` from the
 * diagnosticEvents that are not debug. `json` is {} when the CLI printed no JSON (it failed first).
 */
export interface OperationResult extends CliResult {
    json: OperationJson;
    /** The engine's events (up, refresh, destroy); [] for a preview. */
    events: EngineEvent[];
    /** The same result, as {@link Workspace.preview} returned it before: `const { json, result } = await ws.preview()`. */
    result: CliResult;
}

/** The commands that take `--config-file` (the others read no stack config). */
const USE_CONFIG_FILE = new Set(["config", "preview", "up", "refresh", "destroy", "import", "watch", "logs"]);

/** Variables of the caller that would point the CLI or a provider elsewhere: dropped (our own AZURE_NAT_RULES_* stay). */
const DROPPED = /^(PULUMI_|AZURE_(?!NAT_RULES_)|ARM_)/;

export class Workspace {
    readonly stack: string;
    /** The temporary directory holding the backend (`state/`) and PULUMI_HOME (`home/`). */
    readonly dir: string;
    readonly backendUrl: string;
    /** The stack's config file, Pulumi.<stack>.yaml, in {@link dir}: passed to every command as `--config-file`. */
    readonly configFile: string;
    private readonly options: WorkspaceOptions;

    constructor(
        readonly engine: Engine,
        options: WorkspaceOptions,
    ) {
        this.options = options;
        this.stack = options.stack ?? "test";
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "azure-nat-rules-engine-"));
        fs.mkdirSync(path.join(this.dir, "state"));
        fs.mkdirSync(path.join(this.dir, "home"));
        this.backendUrl = `file://${path.join(this.dir, "state")}`;
        this.configFile = path.join(this.dir, `Pulumi.${this.stack}.yaml`);
    }

    get projectDir(): string {
        return this.options.projectDir;
    }

    /** The environment every command gets. */
    env(): NodeJS.ProcessEnv {
        const env: NodeJS.ProcessEnv = {};
        for (const [key, value] of Object.entries(process.env)) {
            if (!DROPPED.test(key)) env[key] = value;
        }
        const pathDirs = [nodeDir(), ...(this.options.pluginPath ?? []), this.engine.binDir, process.env.PATH ?? ""];
        return {
            ...env,
            PATH: pathDirs.filter(Boolean).join(path.delimiter),
            PULUMI_BACKEND_URL: this.backendUrl,
            PULUMI_HOME: path.join(this.dir, "home"),
            PULUMI_CONFIG_PASSPHRASE: "azure-nat-rules-engine-tests",
            PULUMI_SKIP_UPDATE_CHECK: "1",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
            PULUMI_SUPPRESS_NEO_LINK: "true",
            NO_COLOR: "1",
            // A Python program (with no `virtualenv` option) runs with the SDK's virtualenv, as the Python host honours PULUMI_PYTHON_CMD.
            ...(this.engine.pythonVenv ? { PULUMI_PYTHON_CMD: path.join(this.engine.pythonVenv, "bin", "python") } : {}),
            ...this.options.env,
        };
    }

    /** Runs `pulumi <args>` in the project directory; throws a {@link PulumiCliError} on a non-zero exit unless allowed. */
    async run(args: string[], options: RunOptions = {}): Promise<CliResult> {
        const env = this.env();
        const runtime = options.client ? await startLanguageRuntime(env, this.projectDir) : undefined;
        // Flags go before a `--` (after it, everything is a value).
        const extra = ["--non-interactive", "--color=never"];
        if (USE_CONFIG_FILE.has(args[0])) extra.push(`--config-file=${this.configFile}`);
        if (runtime) extra.push(`--client=127.0.0.1:${runtime.port}`);
        const dashes = args.indexOf("--");
        const fullArgs = dashes < 0 ? [...args, ...extra] : [...args.slice(0, dashes), ...extra, ...args.slice(dashes)];
        const command = `pulumi ${fullArgs.join(" ")}`;
        let result: CliResult;
        try {
            const outcome = await runProcess(this.engine.pulumi, fullArgs, {
                cwd: this.projectDir,
                env,
                input: options.input,
                timeoutMs: this.options.timeoutMs ?? 600_000,
            });
            result = { command, ...outcome, programOutput: "" };
        } finally {
            if (runtime) {
                await runtime.stop();
            }
        }
        result.programOutput = runtime?.output() ?? "";
        if (result.code !== 0 && !options.allowFailure) throw new PulumiCliError(result);
        return result;
    }

    /**
     * `pulumi stack init <stack>` in this workspace's backend. The CLI writes the stack's config file
     * (with the passphrase's salt) beside Pulumi.yaml; it is moved at once to {@link configFile}.
     * A Pulumi.<stack>.yaml already in the project directory is refused, so none is overwritten.
     */
    async initStack(): Promise<void> {
        const written = path.join(this.projectDir, `Pulumi.${this.stack}.yaml`);
        if (fs.existsSync(written)) {
            throw new Error(`${written} exists: the harness keeps each stack's config in its temporary directory; remove the file or use another stack name`);
        }
        try {
            await this.run(["stack", "init", this.stack]);
        } finally {
            if (fs.existsSync(written)) {
                fs.copyFileSync(written, this.configFile);
                fs.rmSync(written);
            }
        }
    }

    /** `pulumi config set [--secret] [--path] <key> <value>`. */
    async setConfig(key: string, value: string, options: { secret?: boolean; path?: boolean } = {}): Promise<void> {
        const flags = [...(options.secret ? ["--secret"] : []), ...(options.path ? ["--path"] : [])];
        await this.run(["config", "set", "--stack", this.stack, ...flags, key, "--", value]);
    }

    /** Each key of `config` through {@link setConfig} (plain values). */
    async setAllConfig(config: Record<string, string>): Promise<void> {
        for (const [key, value] of Object.entries(config)) await this.setConfig(key, value);
    }

    /**
     * `pulumi preview --json`, parsed. A failed preview throws unless `allowFailure`; its JSON (with
     * the diagnostics) is still parsed when the CLI printed it.
     */
    async preview(options: OperationOptions & { expectNoChanges?: boolean; refresh?: boolean } = {}): Promise<OperationResult> {
        const args = ["preview", "--stack", this.stack];
        if (options.expectNoChanges) args.push("--expect-no-changes");
        if (options.refresh) args.push("--refresh");
        return this.operation(args, options);
    }

    /** `pulumi up --yes --skip-preview --json [--refresh] [--expect-no-changes]`, its JSON parsed. */
    async up(options: OperationOptions & { refresh?: boolean; expectNoChanges?: boolean } = {}): Promise<OperationResult> {
        const args = ["up", "--stack", this.stack, "--yes", "--skip-preview"];
        if (options.refresh) args.push("--refresh");
        if (options.expectNoChanges) args.push("--expect-no-changes");
        return this.operation(args, options);
    }

    /** `pulumi refresh --yes --skip-preview --json [--expect-no-changes]`, its JSON parsed. */
    async refresh(options: OperationOptions & { expectNoChanges?: boolean } = {}): Promise<OperationResult> {
        const args = ["refresh", "--stack", this.stack, "--yes", "--skip-preview"];
        if (options.expectNoChanges) args.push("--expect-no-changes");
        return this.operation(args, options);
    }

    /** `pulumi destroy --yes --skip-preview --json`, its JSON parsed. */
    async destroy(options: OperationOptions = {}): Promise<OperationResult> {
        return this.operation(["destroy", "--stack", this.stack, "--yes", "--skip-preview"], options);
    }

    /**
     * Runs an operation with `--json` and the `--client` language runtime, and parses what it prints
     * (see {@link OperationResult}). A non-zero exit throws a {@link PulumiCliError} (its message
     * shows the output, with the diagnostics) unless `allowFailure`.
     */
    private async operation(args: string[], options: OperationOptions): Promise<OperationResult> {
        const result = await this.run([...args, "--json", ...(options.args ?? [])], { client: true, allowFailure: true });
        const parsed = args[0] === "preview" ? parsePreview(result.stdout) : parseEvents(result.stdout);
        if (result.code !== 0 && !options.allowFailure) throw new PulumiCliError(result);
        return { ...result, ...parsed, result };
    }

    /** `pulumi stack output --json [--show-secrets]`, parsed. */
    async stackOutput(options: { showSecrets?: boolean } = {}): Promise<Record<string, unknown>> {
        const args = ["stack", "output", "--stack", this.stack, "--json"];
        if (options.showSecrets) args.push("--show-secrets");
        const result = await this.run(args);
        return JSON.parse(result.stdout) as Record<string, unknown>;
    }

    /** `pulumi stack export`, parsed: the checkpoint's `deployment` (resources with their inputs and outputs). */
    async exportStack(): Promise<{ version: number; deployment: { resources?: Array<{ urn: string; type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }> } }> {
        const result = await this.run(["stack", "export", "--stack", this.stack]);
        return JSON.parse(result.stdout);
    }

    /** Removes the temporary backend, PULUMI_HOME and config file (the project directory is the caller's). */
    dispose(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** A workspace for the project in `options.projectDir`, with the CLI from {@link engine}. */
export async function createWorkspace(options: WorkspaceOptions): Promise<Workspace> {
    return new Workspace(await engine(), options);
}

/**
 * Writes a Node.js project (Pulumi.yaml with `runtime: nodejs`, and the given files) under
 * {@link PROGRAMS_DIR}/<name> and returns its directory. `files` maps paths to contents, e.g.
 * `{ "index.ts": "..." }`; the entry point is `main` (default index.ts).
 */
export function writeProgram(name: string, files: Record<string, string>, options: { main?: string; description?: string } = {}): string {
    const dir = path.join(PROGRAMS_DIR, name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const project = [
        `name: ${name}`,
        `description: ${options.description ?? "An end-to-end test program of azure-nat-rules"}`,
        "runtime:",
        "  name: nodejs",
        "  options:",
        "    typescript: true",
        `main: ${options.main ?? "index.ts"}`,
        "",
    ].join("\n");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), project);
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    }
    return dir;
}

interface LanguageRuntime {
    port: number;
    output(): string;
    stop(): Promise<void>;
}

/** Starts engine/language-runtime.mjs in this Node and waits for the port it prints. */
async function startLanguageRuntime(env: NodeJS.ProcessEnv, cwd: string): Promise<LanguageRuntime> {
    const child = spawn(process.execPath, [LANGUAGE_RUNTIME], { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    let portLine: string | undefined;
    const exited = new Promise<void>((done) => child.on("close", () => done()));
    const port = await new Promise<number>((done, fail) => {
        child.stdout.on("data", (chunk: Buffer) => {
            const text = chunk.toString("utf8");
            if (portLine === undefined) {
                const newline = text.indexOf("\n");
                if (newline < 0) return void (output += text);
                portLine = output + text.slice(0, newline);
                output = text.slice(newline + 1);
                const value = Number(portLine.trim());
                if (Number.isInteger(value) && value > 0) done(value);
                else fail(new Error(`the language runtime printed ${JSON.stringify(portLine)} instead of its port`));
            } else {
                output += text;
            }
        });
        child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
        child.on("error", fail);
        child.on("close", (code) => fail(new Error(`the language runtime (engine/language-runtime.mjs) exited with ${code} before it listened: ${output}`)));
    });
    return {
        port,
        output: () => output,
        async stop() {
            child.stdin.end();
            const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
            await exited;
            clearTimeout(timer);
        },
    };
}

async function runProcess(
    file: string,
    args: string[],
    options: { cwd: string; env: NodeJS.ProcessEnv; input?: string; timeoutMs: number },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((done, fail) => {
        const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        let timedOut = false;
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        const timer = setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
        }, options.timeoutMs);
        child.on("error", (error) => {
            clearTimeout(timer);
            fail(error);
        });
        child.on("close", (code) => {
            clearTimeout(timer);
            if (timedOut) stderr += `\n(killed after ${options.timeoutMs} ms)`;
            done({ code, stdout, stderr });
        });
        child.stdin.end(options.input ?? "");
    });
}

/** `pulumi version` of the engine, as the CLI prints it. */
export async function pulumiVersion(engine: Engine): Promise<string> {
    const { stdout } = await promisify(execFile)(engine.pulumi, ["version"], { env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "1" } });
    return stdout.trim();
}
