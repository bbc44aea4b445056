/**
 * Usage errors name what is wrong, what is allowed and how to fix it: mistyped flags (named before
 * any missing required option, with commander's suggestion), missing options, and local-arm's
 * port, host and port-in-use failures. Also local-arm --pid-file and the demo's npm banner note.
 */
import { createServer, type Server } from "node:net";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AzureSimulator } from "../src/testing";
import { runCli, startCli } from "./cli-helpers";

let dir: string;
let state: string;
beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "azure-nat-rules-usage-"));
    state = join(dir, "state.json");
    new AzureSimulator().save(state);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const firstLine = (text: string) => text.split("\n")[0];

describe("mistyped and missing flags", () => {
    it("a mistyped required flag is named, with the flag it resembles, instead of reported missing", async () => {
        const [grp, rules, strat] = await Promise.all([
            runCli(["mappings", "--resource-grp", "rg", "-l", "lb", "-p", "pool"]),
            runCli(["mappings", "-g", "rg", "-l", "lb", "-p", "pool", "--rules", "ssh"]),
            runCli(["plan", "--frontend-strat", "50000", "--rule", "ssh:22:10"]),
        ]);
        expect(firstLine(grp.stderr)).toMatch(/^error: unknown option '--resource-grp' \(Did you mean --resource-group\?\)\. azure-nat-rules mappings takes: --resource-group <name>, /);
        expect(firstLine(grp.stderr)).toContain("Fix: write --resource-group");
        expect(grp.stderr).not.toContain("required option");
        expect(firstLine(rules.stderr)).toContain("error: unknown option '--rules' (Did you mean --rule?)");
        expect(firstLine(strat.stderr)).toContain("error: unknown option '--frontend-strat' (Did you mean --frontend-start?)");
        expect(firstLine(strat.stderr)).toContain("Fix: write --frontend-start");
        for (const r of [grp, rules, strat]) expect(r.code).toBe(1);
    });

    it("an unknown flag without a near match lists what the command takes", async () => {
        const r = await runCli(["schema", "--yaml"]);
        expect(r.code).toBe(1);
        expect(firstLine(r.stderr)).toMatch(/^error: unknown option '--yaml'\. azure-nat-rules schema takes: .*--json.*, --help\. Fix: remove it or use one of those/);
    });

    it("mappings --concurrency 0 says what is allowed and how to fix it, before any request", async () => {
        const r = await runCli(["mappings", "-g", "rg", "-l", "lb", "-p", "pool", "--concurrency", "0", "--endpoint", "http://127.0.0.1:9", "--token", "t", "--subscription", "00000000-0000-0000-0000-000000000000"]);
        expect(r.code).toBe(1);
        expect(r.stderr).toBe('azure-nat-rules: mappings: --concurrency = "0" is invalid: allowed is an integer from 1 to 256. Fix: leave it out for the default of 16, or pass e.g. --concurrency 32.\n');
    });

    it("missing required options are all named, with the flags to add", async () => {
        const r = await runCli(["mappings", "-l", "lb"]);
        expect(r.code).toBe(1);
        expect(r.stderr).toBe(
            [
                "error: required options '--resource-group <name>', '--pool <name>' not specified. Fix: add --resource-group <name> --pool <name>.",
                "Usage: azure-nat-rules mappings --resource-group <name> --load-balancer <name> --pool <name> [options]",
                "More: azure-nat-rules mappings --help",
                "",
            ].join("\n"),
        );
    });
});

describe("local-arm", () => {
    it("--port 70000 and --host 0.0.0.0 say what is allowed and how to fix it", async () => {
        const [port, host] = await Promise.all([runCli(["local-arm", "--port", "70000", "--state", state]), runCli(["local-arm", "--port", "0", "--host", "0.0.0.0", "--state", state])]);
        expect(port.stderr).toContain('--port = "70000" is invalid: allowed is an integer from 0 to 65535 (0 picks a free port). Fix: pass a port such as --port 8443, or --port 0');
        expect(host.stderr).toContain('--host = "0.0.0.0" is invalid: allowed is 127.0.0.1');
        expect(host.stderr).toContain("Fix: leave out --host; to use it from another machine, forward the port over ssh");
    });

    it("a port in use says so and how to fix it", async () => {
        const holder: Server = createServer();
        await new Promise<void>((done) => holder.listen(0, "127.0.0.1", done));
        const port = (holder.address() as { port: number }).port;
        try {
            const r = await runCli(["local-arm", "--port", String(port), "--state", state]);
            expect(r.code).toBe(1);
            expect(r.stderr).toContain(`local-arm: port ${port} on 127.0.0.1 is already in use (EADDRINUSE). Fix: stop what holds it`);
            expect(r.stderr).toContain("or pass another --port, or --port 0 for a free one.");
        } finally {
            await new Promise((done) => holder.close(done));
        }
    });

    // A SIGTERM sent the moment the pid file appears must reach the handler (it once came before it, ending by the signal).
    it("--pid-file holds the server's own process id while it runs and is removed when it stops", async () => {
        const pidFile = join(dir, "local-arm.pid");
        const server = startCli(["local-arm", "--port", "0", "--state", state, "--pid-file", pidFile]);
        const exited = new Promise<number | null>((done) => server.on("close", done));
        await new Promise<void>((ready) => server.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("local ARM endpoint:") && ready()));
        const pid = Number(readFileSync(pidFile, "utf8"));
        expect(pid).toBe(server.pid);
        // What `kill "$(cat local-arm.pid)"` does.
        process.kill(pid, "SIGTERM");
        expect(await exited).toBe(0);
        expect(existsSync(pidFile)).toBe(false);
    });
});

describe("local-arm --pid-file: checked before listening, never a server left behind", () => {
    it("a --pid-file in a missing directory fails before listening: the flag, the directory and a fix, exit 1, no endpoint", async () => {
        const pidFile = join(dir, "no-such-dir", "x.pid");
        // Before: it printed only ENOENT, kept listening on a port it never printed, and ignored SIGTERM; runCli would never return.
        const r = await runCli(["local-arm", "--port", "0", "--state", state, "--pid-file", pidFile]);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toBe(
            `azure-nat-rules: local-arm: --pid-file ${JSON.stringify(pidFile)} cannot be written: its directory ${join(dir, "no-such-dir")} does not exist. ` +
                `Fix: create it first (mkdir -p ${JSON.stringify(join(dir, "no-such-dir"))}), or pass a file in an existing directory. Nothing was started.\n`,
        );
    });

    it("a --pid-file that is a directory fails the same way", async () => {
        const r = await runCli(["local-arm", "--port", "0", "--state", state, "--pid-file", dir]);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain(`local-arm: --pid-file ${JSON.stringify(dir)} cannot be written: it is a directory. Fix: pass a file name`);
    });

    it("a port in use leaves another server's pid file as it was, and no file of its own", async () => {
        const holder: Server = createServer();
        await new Promise<void>((done) => holder.listen(0, "127.0.0.1", done));
        const port = (holder.address() as { port: number }).port;
        const pidFile = join(dir, "other.pid");
        writeFileSync(pidFile, "12345\n");
        try {
            const r = await runCli(["local-arm", "--port", String(port), "--state", state, "--pid-file", pidFile]);
            expect(r.code).toBe(1);
            expect(r.stderr).toContain("(EADDRINUSE)");
            expect(readFileSync(pidFile, "utf8")).toBe("12345\n");
            expect(readdirSync(dir).filter((f) => f.startsWith("other.pid."))).toEqual([]);
        } finally {
            await new Promise((done) => holder.close(done));
        }
    });

    it("the first SIGINT stops it as the first SIGTERM does: exit 0, pid file removed", async () => {
        const pidFile = join(dir, "sigint.pid");
        const server = startCli(["local-arm", "--port", "0", "--state", state, "--pid-file", pidFile]);
        const exited = new Promise<number | null>((done) => server.on("close", done));
        await new Promise<void>((ready) => server.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("local ARM endpoint:") && ready()));
        expect(Number(readFileSync(pidFile, "utf8"))).toBe(server.pid);
        server.kill("SIGINT");
        expect(await exited).toBe(0);
        expect(existsSync(pidFile)).toBe(false);
    });
});

describe("demo --json under npm", () => {
    it("notes on stderr that npm printed its banner on stdout, unless npm ran silent", async () => {
        // --reset with --delete-instances fails before any deployment, after the note.
        const args = ["demo", "--reset", "--delete-instances", "1", "--state", join(dir, "demo.json"), "--json"];
        const [loud, silent, npx] = await Promise.all([
            runCli(args, { env: { npm_lifecycle_event: "start" } }),
            runCli(args, { env: { npm_lifecycle_event: "start", npm_config_loglevel: "silent" } }),
            // What npx sets (npm_command=exec): it prints no banner.
            runCli(args, { env: { npm_lifecycle_event: "npx", npm_command: "exec" } }),
        ]);
        expect(loud.stderr).toContain('npm printed its "> azure-nat-rules start" banner on stdout before this JSON. For the JSON alone: npm start --silent -- --json');
        expect(silent.stderr).not.toContain("banner");
        expect(npx.stderr).not.toContain("banner");
        for (const r of [loud, silent, npx]) expect(r.stderr).toContain("--reset starts from an empty Azure");
    });
});
