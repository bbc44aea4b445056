/**
 * The real Pulumi CLI for `azure-nat-rules demo --engine pulumi`, from a clone of the repository:
 *
 * - {@link findPulumiCli} finds the CLI as the end-to-end tests do (engine/build.mjs), but never
 *   builds it: the cached build of `node engine/build.mjs`, or the binary AZURE_NAT_RULES_PULUMI
 *   names ("path": the `pulumi` on PATH). Without one it throws, saying how to get one.
 * - {@link PulumiProject} runs `pulumi <command>` offline on one project and one stack: a `file://`
 *   backend and the stack's config file in a directory the caller keeps, a passphrase, update checks,
 *   plugin downloads and registry resolution off. Programs run through the CLI's `--client` language
 *   runtime (engine/language-runtime.mjs), as in the end-to-end tests: the Node.js language host is
 *   not built from the module proxy.
 *
 * engine/ is not in the published package (package.json "files"): from an installed package the
 * demo says so instead of looking for it.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { AzureNatRulesError } from "../core/errors";
import { packageRoot } from "../package-schema/package-root";

export interface PulumiCli {
    /** "cached": built earlier by engine/build.mjs; "path": the binary AZURE_NAT_RULES_PULUMI names. */
    source: "cached" | "path";
    pulumi: string;
    binDir: string;
    /** What `pulumi version` printed, e.g. "v3.248.0". */
    version: string;
}

/** The repository's engine/ folder: build.mjs and language-runtime.mjs (a clone only). */
export function engineDir(): string {
    return path.join(packageRoot(), "engine");
}

const HOW_TO_GET_IT = "Or leave out --engine pulumi: the embedded engine (--engine embedded, the default) needs nothing.";

/** The CLI (cached build or the given one); throws an AzureNatRulesError saying how to get one. */
export async function findPulumiCli(command: string): Promise<PulumiCli> {
    const dir = engineDir();
    const script = path.join(dir, "build.mjs");
    if (!fs.existsSync(script) || !fs.existsSync(path.join(dir, "language-runtime.mjs"))) {
        throw new AzureNatRulesError(
            `${command}: --engine pulumi runs the real Pulumi CLI through the repository's engine/ folder, which the installed package does not ship (looked for ${script}). ` +
                "Fix: run it from a clone of the repository (git clone, npm ci, then `npm start -- --engine pulumi`), or leave out --engine pulumi.",
        );
    }
    const result = await runProcess(process.execPath, [script, "--no-build", "--json"], { cwd: path.dirname(dir), env: process.env, timeoutMs: 120_000 });
    if (result.code !== 0) {
        throw new AzureNatRulesError(`${command}: --engine pulumi: the real Pulumi CLI is not available.\n${result.stderr.trim()}\n${HOW_TO_GET_IT}`);
    }
    const found = JSON.parse(result.stdout.trim().split("\n").pop()!) as PulumiCli;
    return found;
}

export interface ProcessResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

export function runProcess(
    file: string,
    args: string[],
    options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; input?: string },
): Promise<ProcessResult> {
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

/** Variables of the caller that would point the CLI or a provider elsewhere: dropped (our own AZURE_NAT_RULES_* stay). */
const DROPPED = /^(PULUMI_|AZURE_(?!NAT_RULES_)|ARM_)/;

export interface PulumiProjectOptions {
    cli: PulumiCli;
    /** Holds Pulumi.yaml and the program. */
    projectDir: string;
    /** The `file://` backend's directory. */
    backendDir: string;
    /** PULUMI_HOME (plugins come from PATH; nothing is downloaded). */
    homeDir: string;
    /** The stack's config file (Pulumi.<stack>.yaml), passed as --config-file. */
    configFile: string;
    stack: string;
    passphrase: string;
    /** Directories before the CLI's on PATH: resource plugins found there are used. */
    pluginPath: string[];
    /** Added to the environment of the CLI, the program and the plugins. */
    env: Record<string, string>;
    timeoutMs?: number;
}

export interface PulumiRun extends ProcessResult {
    /** The command line, for messages. */
    command: string;
    /** What the program printed (its console, through the language runtime). */
    programOutput: string;
}

const USE_CONFIG_FILE = new Set(["config", "preview", "up", "refresh", "destroy", "import"]);

/** One project and stack under the real CLI, offline. */
export class PulumiProject {
    constructor(readonly options: PulumiProjectOptions) {
        for (const dir of [options.backendDir, options.homeDir]) fs.mkdirSync(dir, { recursive: true });
    }

    env(): NodeJS.ProcessEnv {
        const env: NodeJS.ProcessEnv = {};
        for (const [key, value] of Object.entries(process.env)) if (!DROPPED.test(key)) env[key] = value;
        const o = this.options;
        // This process's Node first: the program and the stand-in plugin need Node 22 (npm start runs the `node` devDependency).
        const pathDirs = [path.dirname(process.execPath), ...o.pluginPath, o.cli.binDir, process.env.PATH ?? ""];
        return {
            ...env,
            PATH: pathDirs.filter(Boolean).join(path.delimiter),
            PULUMI_BACKEND_URL: `file://${o.backendDir}`,
            PULUMI_HOME: o.homeDir,
            PULUMI_CONFIG_PASSPHRASE: o.passphrase,
            PULUMI_SKIP_UPDATE_CHECK: "1",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
            PULUMI_SUPPRESS_NEO_LINK: "true",
            NO_COLOR: "1",
            ...o.env,
        };
    }

    /** `pulumi <args>`; `client` starts the language runtime for commands that run the program. */
    async run(args: string[], options: { client?: boolean } = {}): Promise<PulumiRun> {
        const env = this.env();
        const runtime = options.client ? await startLanguageRuntime(env, this.options.projectDir) : undefined;
        const fullArgs = [...args, "--non-interactive", "--color=never"];
        if (USE_CONFIG_FILE.has(args[0])) fullArgs.push(`--config-file=${this.options.configFile}`);
        if (runtime) fullArgs.push(`--client=127.0.0.1:${runtime.port}`);
        try {
            const result = await runProcess(this.options.cli.pulumi, fullArgs, { cwd: this.options.projectDir, env, timeoutMs: this.options.timeoutMs ?? 600_000 });
            return { command: `pulumi ${fullArgs.join(" ")}`, ...result, programOutput: "" };
        } finally {
            await runtime?.stop();
        }
    }

    /** Creates the stack unless the backend has it (`pulumi stack select --create`). */
    async ensureStack(): Promise<void> {
        const result = await this.run(["stack", "select", "--create", this.options.stack]);
        if (result.code !== 0) throw new PulumiCommandError(result);
        // `stack init` writes Pulumi.<stack>.yaml (with the passphrase's salt) beside Pulumi.yaml: keep it where --config-file points.
        const written = path.join(this.options.projectDir, `Pulumi.${this.options.stack}.yaml`);
        if (fs.existsSync(written) && written !== this.options.configFile) {
            fs.renameSync(written, this.options.configFile);
        }
    }
}

/** A failed `pulumi` command: the command, its exit code and its output. */
export class PulumiCommandError extends AzureNatRulesError {
    constructor(readonly result: PulumiRun) {
        const tail = (text: string) => (text.length > 4000 ? `...${text.slice(-4000)}` : text).trim();
        const parts = [`\`${result.command}\` exited with ${result.code}`];
        if (result.stderr.trim()) parts.push(tail(result.stderr));
        if (result.stdout.trim() && !result.stdout.trimStart().startsWith("{")) parts.push(tail(result.stdout));
        super(parts.join("\n"));
    }
}

interface LanguageRuntime {
    port: number;
    stop(): Promise<void>;
}

/** Starts engine/language-runtime.mjs in this Node and waits for the port it prints on its first line. */
async function startLanguageRuntime(env: NodeJS.ProcessEnv, cwd: string): Promise<LanguageRuntime> {
    const child = spawn(process.execPath, [path.join(engineDir(), "language-runtime.mjs")], { cwd, env, stdio: ["pipe", "pipe", "inherit"] });
    const exited = new Promise<void>((done) => child.on("close", () => done()));
    let buffered = "";
    let ready = false;
    const port = await new Promise<number>((done, fail) => {
        child.stdout.on("data", (chunk: Buffer) => {
            if (ready) return void process.stderr.write(chunk);
            buffered += chunk.toString("utf8");
            const newline = buffered.indexOf("\n");
            if (newline < 0) return;
            ready = true;
            const value = Number(buffered.slice(0, newline).trim());
            if (buffered.length > newline + 1) process.stderr.write(buffered.slice(newline + 1));
            if (Number.isInteger(value) && value > 0) done(value);
            else fail(new Error(`engine/language-runtime.mjs printed ${JSON.stringify(buffered.slice(0, newline))} instead of its port`));
        });
        child.on("error", fail);
        child.on("close", (code) => fail(new Error(`engine/language-runtime.mjs exited with ${code} before it listened`)));
    });
    return {
        port,
        async stop() {
            child.stdin.end();
            const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
            await exited;
            clearTimeout(timer);
        },
    };
}
