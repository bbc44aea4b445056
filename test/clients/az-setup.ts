/**
 * Installs the pinned Azure CLI (test/clients/install-azure-cli.sh: a venv in .cache/azure-cli-venv,
 * reused while test/clients/requirements-azure-cli.txt is unchanged) before the client tests, and
 * hands the tests the az to run. When it cannot be installed, the tests fail with the installer's
 * message (what to install); they never skip.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
    export interface ProvidedContext {
        /** The az executable, or "" when it could not be installed. */
        azPath: string;
        /** Why az could not be installed (the installer's output), or "". */
        azInstallError: string;
    }
}

const ROOT = path.resolve(__dirname, "..", "..");

export function setup(project: TestProject): void {
    const started = Date.now();
    const result = spawnSync("bash", [path.join(ROOT, "test", "clients", "install-azure-cli.sh")], { cwd: ROOT, encoding: "utf8", timeout: 20 * 60_000 });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const lines = (result.stdout ?? "").trim().split("\n");
    const az = lines[lines.length - 1] ?? "";
    if (result.status === 0 && az !== "") {
        process.stderr.write(`${(result.stderr ?? "").trim()}\nazure-cli ready in ${seconds} s: ${az}\n`);
        project.provide("azPath", path.resolve(ROOT, az));
        project.provide("azInstallError", "");
        return;
    }
    const why = result.error ? `${result.error.message}` : `${(result.stderr ?? "").trim()} (exit ${result.status})`;
    project.provide("azPath", "");
    project.provide(
        "azInstallError",
        `The Azure CLI for the client tests could not be installed by test/clients/install-azure-cli.sh: ${why}. ` +
            `It needs Python 3.10 to 3.13 with the venv module (Debian/Ubuntu: apt-get install python3 python3-venv) and PyPI reachable.`,
    );
}
