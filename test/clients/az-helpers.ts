/**
 * The real Azure CLI (pinned, installed by az-setup.ts) and `azure-nat-rules local-arm --https`, as a
 * user runs them: az in its own config folder, trusting the CA the server printed.
 */
import { spawn } from "node:child_process";
import { inject } from "vitest";
import { startCli } from "../cli-helpers";

export interface AzResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** The az the set-up installed; throws the set-up's message (what to install) when there is none. */
export function azPath(): string {
    const az = inject("azPath");
    if (!az) throw new Error(inject("azInstallError") || "The Azure CLI was not installed by test/clients/az-setup.ts; run the tests with npm run test:clients.");
    return az;
}

/**
 * Runs `az <args>` to the end with a clean environment: its own AZURE_CONFIG_DIR, the CA to trust,
 * no telemetry, no colour, no survey, no update check.
 */
export function runAz(args: string[], env: { configDir: string; caFile: string }): Promise<AzResult> {
    const base: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("AZURE_") && key !== "REQUESTS_CA_BUNDLE") base[key] = value;
    const child = spawn(azPath(), args, {
        env: {
            ...base,
            AZURE_CONFIG_DIR: env.configDir,
            REQUESTS_CA_BUNDLE: env.caFile,
            AZURE_CORE_COLLECT_TELEMETRY: "false",
            AZURE_CORE_NO_COLOR: "true",
            AZURE_CORE_SURVEY_MESSAGE: "false",
            AZURE_CORE_CHECK_FOR_UPGRADE: "false",
            AZURE_CORE_ONLY_SHOW_ERRORS: "true",
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    return new Promise((done, fail) => {
        child.on("error", fail);
        child.on("close", (code) => done({ code, stdout, stderr }));
    });
}

export interface HttpsLocalArm {
    url: string;
    caFile: string;
    subscription: string;
    stop(): Promise<number | null>;
}

const CA_LINE = /^CA certificate: (\S+) /m;
const ENDPOINT_LINE = /^local ARM endpoint: (https:\/\/127\.0\.0\.1:\d+) \(subscription ([0-9a-f-]+)\)$/m;

/** Starts `azure-nat-rules local-arm --https <extra> --port 0 --state <file>` and reads the CA file and endpoint it prints. */
export async function startHttpsLocalArm(stateFile: string, extra: string[] = []): Promise<HttpsLocalArm> {
    const server = startCli(["local-arm", "--https", ...extra, "--port", "0", "--state", stateFile]);
    const exited = new Promise<number | null>((done) => server.on("close", (code) => done(code)));
    let output = "";
    const [caFile, url, subscription] = await new Promise<string[]>((done, fail) => {
        server.stdout.on("data", (chunk: Buffer) => {
            output += chunk.toString("utf8");
            const ca = CA_LINE.exec(output);
            const endpoint = ENDPOINT_LINE.exec(output);
            if (ca && endpoint) done([ca[1], endpoint[1], endpoint[2]]);
        });
        server.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
        server.on("error", fail);
        server.on("close", (code) => fail(new Error(`local-arm --https exited with ${code} before it was ready: ${output}`)));
    });
    return {
        url,
        caFile,
        subscription,
        stop() {
            if (server.exitCode === null && server.signalCode === null) server.kill("SIGTERM");
            return exited;
        },
    };
}
