/** The demo deploys the scale-set example's own program, not a copy of it. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as example from "../examples/scale-set/program";
import * as demo from "../src/cli/demo-stack";
import { runCli } from "./cli-helpers";

describe("the demo's stack", () => {
    it("is the scale-set example's program itself", () => {
        expect(demo.declareScaleSetStack).toBe(example.declareScaleSetStack);
        // Nothing in the demo's stack file declares a resource of its own.
        const source = readFileSync(path.join(__dirname, "..", "src", "cli", "demo-stack.ts"), "utf8");
        expect(source).not.toMatch(/new \w+\.\w+\(/);
        expect(source).toMatch(/from "\.\.\/\.\.\/examples\/scale-set\/program"/);
    });

    it("the compiled demo deploys the example's resources and mappings", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "azure-nat-rules-demo-stack-"));
        try {
            const run = await runCli(["demo", "--reset", "--instances", "2", "--json", "--state", path.join(dir, "state.json")]);
            expect(run.code, run.stderr).toBe(0);
            const out = JSON.parse(run.stdout) as { resourceGroup: string; loadBalancer: string; backendPool: string; mappings: { instance: string; frontendPort: number }[] };
            // The names the example's program gives (prefix natdemo, pool vmss-pool), and its range start.
            expect(out).toMatchObject({ resourceGroup: "natdemo-rg", loadBalancer: "natdemo-lb", backendPool: "vmss-pool" });
            expect(out.mappings.map((m) => `${m.instance}:${m.frontendPort}`)).toEqual(["0:50000", "1:50001"]);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
