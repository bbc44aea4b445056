/**
 * The README's local-arm recipe, run as written by bash, on the state the demo writes: it must wait
 * for the server however long `npx` takes to start it, read the mappings, and stop the server (not
 * just npx) when the script ends. `npx azure-nat-rules` is the compiled CLI here, started after a
 * delay longer than the fixed 2 s sleep the recipe once had, as a first npx in a clone builds first.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_MAIN, ROOT, cliEnv, runCli } from "./cli-helpers";

let dir: string;
beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "azure-nat-rules-recipe-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The README's sh block that starts local-arm. */
function recipe(): string {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes("azure-nat-rules local-arm"));
    if (!block) throw new Error("README.md has no sh block running azure-nat-rules local-arm");
    return block;
}

async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const port = (server.address() as { port: number }).port;
    await new Promise((done) => server.close(done));
    return port;
}

describe("the README's local-arm recipe", () => {
    it("waits for a slow-starting server, reads the demo's mappings and stops the server when it ends", async () => {
        const deployed = await runCli(["demo", "--reset", "--instances", "2"], { cwd: dir });
        expect(deployed.code, deployed.stderr).toBe(0);
        const script = recipe();
        expect(script).toContain("--port 8080");
        // The README's port may be taken on a test machine; the recipe is otherwise run as written.
        const port = await freePort();
        const slowNpx = [
            "npx() {",
            '  [ "$1" = azure-nat-rules ] || { echo "unexpected npx $1" >&2; return 127; }',
            "  shift",
            // A first npx in a clone builds for 10 s or more before the server starts.
            '  [ "$1" = local-arm ] && sleep 3',
            `  ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_MAIN)} "$@"`,
            "}",
        ].join("\n");
        const run = spawnSync("bash", ["-c", `${slowNpx}\n${script.replaceAll("8080", String(port))}`], { cwd: dir, encoding: "utf8", env: cliEnv(), timeout: 60_000 });
        expect(run.status, run.stderr).toBe(0);
        const printed = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { mappings: { instance: string; frontendPort: number }[] };
        expect(printed.mappings.map((m) => [m.instance, m.frontendPort])).toEqual([
            ["0", 50000],
            ["1", 50001],
        ]);
        // The trap stopped the server itself: it removes its pid file once closed.
        const pidFile = join(dir, ".azure-nat-rules", "local-arm.pid");
        for (let waited = 0; existsSync(pidFile) && waited < 10_000; waited += 100) await new Promise((done) => setTimeout(done, 100));
        expect(existsSync(pidFile)).toBe(false);
    });
});
