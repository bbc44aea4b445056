import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { ROOT, cliEnv, runCli } from "./cli-helpers";

/** The demo as a user runs it (`npm start -- ...` runs exactly this, minus npm), as a child process. */
const demo = (...args: string[]) => runCli(["demo", ...args]);

interface Report {
    range: { start: number; end: number; capacity: number };
    planned: { instance: string; frontendPort: number; source: string }[];
    mappings: { instance: string; frontendIp: string; frontendPort: number; backendPort: number; protocol: string; source: string }[];
}

const ports = (r: Report) => Object.fromEntries(r.mappings.map((m) => [m.instance, m.frontendPort]));

describe("npm start (the demo)", () => {
    it("starts from source as `npm start` runs it (tsx), where the other tests start the compiled CLI", () => {
        const scripts = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } }).scripts;
        expect(scripts.start).toBe("tsx src/cli/main.ts demo");
        const run = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "demo", "--help"], { cwd: ROOT, env: cliEnv(), encoding: "utf8" });
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        expect(run.stdout).toMatch(/^Usage: azure-nat-rules demo \[options\]/);
    });

    it("scales 3 → 5 → delete 1,3 → 6 keeping survivors' ports, then fails past the range and leaves the state as it was", async () => {
        const state = path.join(mkdtempSync(path.join(tmpdir(), "nat-demo-")), "state.json");

        const first = await demo("--reset", "--instances", "3", "--state", state, "--json");
        expect(first.code).toBe(0);
        const r1 = JSON.parse(first.stdout) as Report;
        expect(r1.range).toEqual({ start: 50000, end: 50009, capacity: 10 });
        expect(ports(r1)).toEqual({ 0: 50000, 1: 50001, 2: 50002 });
        expect(r1.mappings.every((m) => m.source === "azure" && m.backendPort === 22 && m.protocol === "Tcp" && /^203\.0\.113\.\d+$/.test(m.frontendIp))).toBe(true);

        const r2 = JSON.parse((await demo("--instances", "5", "--state", state, "--json")).stdout) as Report;
        expect(ports(r2)).toEqual({ ...ports(r1), 3: 50003, 4: 50004 });
        // The preview planned the scale-out exactly, before Azure made it.
        expect(Object.fromEntries(r2.planned.map((m) => [m.instance, m.frontendPort]))).toEqual(ports(r2));
        expect(r2.planned.every((m) => m.source === "planned")).toBe(true);

        // Human output this time: the table, the ssh lines and what changed.
        const third = await demo("--delete-instances", "1,3", "--state", state);
        expect(third.code).toBe(0);
        expect(third.stdout).toMatch(/Outside Pulumi: deleted instance\(s\) 1, 3 of natdemo-vmss over the local ARM endpoint, as `az vmss delete-instances` does; 3 left\./);
        expect(third.stdout).toMatch(/^4\s+Tcp\s+203\.0\.113\.\d+:50004\s+22\s+azure$/m);
        expect(third.stdout).toMatch(/4: ssh -p 50004 azureuser@203\.0\.113\.\d+/);
        expect(third.stdout).toMatch(/removed: 2 \(1, port 50001 freed; 3, port 50003 freed\)/);
        expect(third.stdout).toMatch(/kept their ports: 3 \(0, 2, 4\)/);
        expect(third.stdout).toMatch(/\[#\.#\.#\.\.\.\.\.\] 3\/10 in use \(30%\)/);
        expect(third.stdout).not.toMatch(/^1\s+Tcp/m);

        expect(third.stdout).toMatch(/The preview planned exactly this: 3 instance\(s\), every label and port\./);

        // Autoscale acts only through a deployed, enabled setting: until then Azure has none to act on.
        const noSetting = await demo("--autoscale-max", "8", "--autoscale-to", "6", "--state", state, "--json");
        expect(noSetting.code).toBe(1);
        expect(noSetting.stderr).toMatch(/demo: --autoscale-to 6: natdemo-vmss has no enabled autoscale setting in the simulated Azure yet \(the example declares one with --autoscale-max\)\. Fix: deploy the example's autoscale setting first \(e\.g\. `azure-nat-rules demo --autoscale-max 8`\), then autoscale\./);
        expect(noSetting.stderr).toMatch(/Nothing was deployed; .* is unchanged\./);
        expect(JSON.parse((await demo("--autoscale-max", "8", "--state", state, "--json")).stdout).mappings).toHaveLength(3);
        // Autoscale (up to 8) grows it to 6 outside Pulumi before the deployment, and the program keeps that.
        const r4 = JSON.parse((await demo("--autoscale-max", "8", "--autoscale-to", "6", "--state", state, "--json")).stdout) as Report;
        // Survivors keep theirs; new instances 5, 6, 7 take the lowest free ports, the freed ones first.
        expect(ports(r4)).toEqual({ 0: 50000, 2: 50002, 4: 50004, 5: 50001, 6: 50003, 7: 50005 });
        expect(Object.fromEntries(r4.planned.map((m) => [m.instance, m.frontendPort]))).toEqual(ports(r4));

        const saved = readFileSync(state, "utf8");
        const tooMany = await demo("--instances", "11", "--state", state, "--json");
        expect(tooMany.code).not.toBe(0);
        expect(tooMany.stdout).toBe("");
        // The preview stops it: a real preview sends nothing to Azure, so the component's own check speaks, with its fix.
        expect(tooMany.stderr).toMatch(/BackendPoolNatRule "natdemo-ssh" \(rule "natdemo-ssh"\): frontend port range 50000-50009 \(capacity 10\) is exhausted: 11 instances need a port/);
        expect(tooMany.stderr).toMatch(/Fix: raise maxInstances to at least 11/);
        // Nothing else follows: no read of Azure is left in flight when the demo stops.
        expect(tooMany.stderr).not.toMatch(/warning/i);
        expect(readFileSync(state, "utf8")).toBe(saved);

        // The state still serves the last good deployment.
        const again = JSON.parse((await demo("--state", state, "--json")).stdout) as Report;
        expect(ports(again)).toEqual(ports(r4));
        // Seven deployments in a row, each a child process: a safety net, not a timing target.
    }, 240_000);

    it("rejects bad flags and a corrupt state file with a clear message, changing nothing", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "nat-demo-"));
        const state = path.join(dir, "state.json");
        writeFileSync(state, "{ not json");
        const [badCount, badIds, corrupt, noScaleSet, resetAndDelete] = await Promise.all([
            demo("--instances", "many", "--state", state),
            demo("--delete-instances", "one", "--state", state),
            demo("--state", state),
            demo("--delete-instances", "1", "--state", path.join(dir, "missing.json")),
            demo("--reset", "--delete-instances", "1", "--state", state),
        ]);
        expect(badCount.code).not.toBe(0);
        expect(badCount.stderr).toMatch(/--instances.*"many": allowed is an integer from 0 to 1000 \(a scale set's capacity\)\. Fix: pass a count such as 5\./);
        expect(badIds.stderr).toMatch(/--delete-instances.*"one": allowed is a comma-separated list of instance ids\. Fix: pass ids as the table shows them, e\.g\. 1,3\./);
        expect(corrupt.code).toBe(1);
        expect(corrupt.stderr).toMatch(/simulator state ".*state\.json": is not valid JSON/);
        expect(noScaleSet.code).toBe(1);
        expect(noScaleSet.stderr).toMatch(/there is no scale set natdemo-vmss .* yet/);
        expect(resetAndDelete.code).toBe(1);
        expect(resetAndDelete.stderr).toMatch(/--reset starts from an empty Azure, so --delete-instances has nothing to delete/);
        expect(readFileSync(state, "utf8")).toBe("{ not json");
    });
});
