/**
 * `azure-nat-rules demo --engine pulumi` as a user runs it from a clone (`npm start -- --engine pulumi`
 * runs the same, through tsx): the demo's sequence through the real Pulumi CLI, the stand-in plugin
 * and the local ARM endpoint, its backend kept beside the state file.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { AzureSimulator } from "../../src/testing";
import { ROOT } from "./pulumi-cli";

const DIR = path.join(ROOT, ".azure-nat-rules", "engine-demo-test");
const STATE = path.join(DIR, "state.json");

function demo(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
    const started = Date.now();
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "demo", "--engine", "pulumi", "--state", STATE, ...args], {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    return new Promise((done, fail) => {
        child.on("error", fail);
        child.on("close", (code) => done({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
    });
}

/** The table's rows: instance → frontend port. */
function tableRows(stdout: string): Record<string, number> {
    return Object.fromEntries([...stdout.matchAll(/^(\d+)\s+Tcp\s+[\d.]+:(\d+)\s+22\s+azure$/gm)].map((m) => [m[1], Number(m[2])]));
}

/** What Azure (the simulator, saved by the demo) holds for the demo's rule. */
function azureRows(): Record<string, number> {
    const sim = AzureSimulator.load(STATE);
    return Object.fromEntries(sim.portMappings("natdemo-rg", "natdemo-lb", { rule: "natdemo-ssh" }).map((m) => [m.instance, m.frontendPort]));
}

describe("demo --engine pulumi (the real CLI against the local Azure)", () => {
    beforeAll(() => {
        fs.rmSync(DIR, { recursive: true, force: true });
        fs.mkdirSync(DIR, { recursive: true });
    });

    it("--reset --instances 3 deploys through `pulumi preview --json` and `pulumi up`, into a backend beside the state file", async () => {
        const run = await demo("--reset", "--instances", "3");
        console.log(`demo --engine pulumi --reset --instances 3: ${run.seconds.toFixed(1)} s`);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stderr).toMatch(/Pulumi CLI v3\.\d+\.\d+ /);
        expect(run.stdout).toMatch(/Through the real Pulumi CLI: `pulumi preview --json`, then `pulumi up` on stack demo/);
        const rows = tableRows(run.stdout);
        expect(Object.keys(rows)).toHaveLength(3);
        expect(rows).toEqual(azureRows());
        expect(run.stdout).toMatch(/First deployment: 3 instance\(s\) mapped\./);
        expect(run.stdout).toMatch(/The preview planned exactly this: 3 instance\(s\), every label and port\./);
        // The stack lives in the file:// backend beside the state file.
        expect(fs.existsSync(path.join(DIR, "state.pulumi", "backend", ".pulumi", "stacks", "azure-nat-rules-example", "demo.json"))).toBe(true);
    });

    it("--instances 5 scales out under the same stack: the first three keep their ports and the preview planned the new ones", async () => {
        const before = azureRows();
        const run = await demo("--instances", "5");
        console.log(`demo --engine pulumi --instances 5: ${run.seconds.toFixed(1)} s`);
        expect(run.code, run.stderr).toBe(0);
        const rows = tableRows(run.stdout);
        expect(Object.keys(rows)).toHaveLength(5);
        expect(rows).toEqual(azureRows());
        for (const [instance, port] of Object.entries(before)) expect(rows[instance]).toBe(port);
        expect(run.stdout).toMatch(/added:\s+2 \(/);
        expect(run.stdout).toMatch(/kept their ports: 3 \(/);
        expect(run.stdout).toMatch(/The preview planned exactly this: 5 instance\(s\), every label and port\./);
    });

    it("--instances 11 (past the range) fails in `pulumi preview` with the component's message, and Azure and the stack stay as they were", async () => {
        const before = azureRows();
        const stack = path.join(DIR, "state.pulumi", "backend", ".pulumi", "stacks", "azure-nat-rules-example", "demo.json");
        const checkpoint = fs.readFileSync(stack, "utf8");
        const run = await demo("--instances", "11");
        console.log(`demo --engine pulumi --instances 11 (fails): ${run.seconds.toFixed(1)} s`);
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/frontend port range 50000-50009 \(capacity 10\) is exhausted: 11 instances need a port/);
        expect(run.stderr).toMatch(/Nothing was deployed; .*state\.json is unchanged\./);
        expect(azureRows()).toEqual(before);
        expect(fs.readFileSync(stack, "utf8")).toBe(checkpoint);
    });
});
