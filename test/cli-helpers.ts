/**
 * The `azure-nat-rules` CLI as a child process: the Node that runs the tests, starting the CLI as
 * compiled from this checkout's sources by the tests' global setup (test/global-setup.ts).
 */
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import * as path from "node:path";

/** The repository root: the CLI runs from here, so relative paths in its arguments are the repository's. */
export const ROOT = path.resolve(__dirname, "..");
/** Inside node_modules, so Node resolves the project's dependencies from there and nothing is committed. */
export const CLI_BUILD_DIR = path.join(ROOT, "node_modules", ".cache", "azure-nat-rules-test-cli");
/** The compiled CLI's entry point, run with the Node that runs the tests. */
export const CLI_MAIN = path.join(CLI_BUILD_DIR, "src", "cli", "main.js");

export interface CliResult {
    /** The exit code; null when a signal ended the process. */
    code: number | null;
    stdout: string;
    stderr: string;
}

export interface CliOptions {
    /** Variables added to the clean environment (see {@link cliEnv}). */
    env?: Record<string, string>;
    /** The working directory; the repository root unless given. */
    cwd?: string;
}

/** The test process's environment without the caller's Azure settings (every AZURE_* variable), with NO_COLOR=1, plus `extra`. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
        if (!key.startsWith("AZURE_")) env[key] = value;
    }
    return { ...env, NO_COLOR: "1", ...extra };
}

/** Starts `azure-nat-rules <args>` and returns the running process. */
export function startCli(args: string[], options: CliOptions = {}): ChildProcessWithoutNullStreams {
    return spawn(process.execPath, [CLI_MAIN, ...args], { cwd: options.cwd ?? ROOT, env: cliEnv(options.env) });
}

/** Runs `azure-nat-rules <args>` to the end and returns its exit code and output. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
    const child = startCli(args, options);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    return new Promise((done, fail) => {
        child.on("error", fail);
        child.on("close", (code) => done({ code, stdout, stderr }));
    });
}

export interface LocalArm {
    /** The endpoint it serves, http://127.0.0.1:PORT. */
    url: string;
    /** The subscription of the state it serves, as it announced it. */
    subscription: string;
    /** Sends SIGTERM unless it has already exited, and resolves with its exit code. */
    stop(): Promise<number | null>;
}

const ENDPOINT_LINE = /^local ARM endpoint: (http:\/\/127\.0\.0\.1:\d+) \(subscription ([0-9a-f-]+)\)$/m;

/** Starts `azure-nat-rules local-arm --port 0 --state <stateFile>` and resolves once it announces its endpoint. */
export async function startLocalArm(stateFile: string): Promise<LocalArm> {
    const server = startCli(["local-arm", "--port", "0", "--state", stateFile]);
    const exited = new Promise<number | null>((done) => server.on("close", (code) => done(code)));
    let output = "";
    const [, url, subscription] = await new Promise<RegExpExecArray>((done, fail) => {
        server.stdout.on("data", (chunk: Buffer) => {
            output += chunk.toString("utf8");
            const found = ENDPOINT_LINE.exec(output);
            if (found) done(found);
        });
        server.on("error", fail);
        server.on("close", (code) => fail(new Error(`local-arm exited with ${code} before it was ready: ${output}`)));
    });
    return {
        url,
        subscription,
        stop() {
            if (server.exitCode === null && server.signalCode === null) server.kill("SIGTERM");
            return exited;
        },
    };
}
