/**
 * Successive deployments of the scale-set example through the real components, against one
 * simulator: the component's portMappings are Azure's (read over loopback HTTP with the real SDK),
 * survivors keep their ports, and the mappings CLI reads back exactly what the component output.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { AzureSimulator, runDeployment } from "../src/testing";
import { declareScaleSetStack } from "../examples/scale-set/program";
import type { NatPortMapping } from "../src/mapping";
import { runCli, startLocalArm } from "./cli-helpers";

// runDeployment serves the simulator as the ARM endpoint the components read their mappings from.
const sim = new AzureSimulator();

async function deploy(instances: number, preview = false): Promise<NatPortMapping[]> {
    const result = await runDeployment(sim, () => declareScaleSetStack({ instances, sshPublicKey: "ssh-ed25519 AAAA test", prefix: "multi" }), { preview });
    return result.outputs.portMappings as NatPortMapping[];
}

const byInstance = (m: { instance: string; frontendPort: number }[]) => Object.fromEntries(m.map((x) => [x.instance, x.frontendPort]));
const simulated = () => byInstance(sim.portMappings("multi-rg", "multi-lb", { rule: "multi-ssh" }));

function expectSurvivorsKept(before: Record<string, number>, after: Record<string, number>): void {
    for (const [instance, port] of Object.entries(after)) if (instance in before) expect(port, `instance ${instance}`).toBe(before[instance]);
    expect(new Set(Object.values(after)).size).toBe(Object.keys(after).length);
}

describe("successive deployments of the scale-set example", () => {
    it("follow Azure through scale-out, deletions outside Pulumi, the maximum and a blocked scale-out", async () => {
        const s1 = await deploy(3);
        expect(s1.every((m) => m.source === "azure")).toBe(true);
        expect(byInstance(s1)).toEqual({ 0: 50000, 1: 50001, 2: 50002 });
        expect(byInstance(s1)).toEqual(simulated());

        const s2 = byInstance(await deploy(5));
        expectSurvivorsKept(byInstance(s1), s2);
        expect(s2).toEqual(simulated());

        sim.deleteInstances("multi-rg", "multi-vmss", ["1", "3"]);
        // The preview plans from what Azure has now (0, 2, 4), so it shows what the update does, without a warning.
        const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
        const planned3 = byInstance(await deploy(3, true));
        const s3 = byInstance(await deploy(3));
        expect(warn.mock.calls.map((c) => String(c[0])).join("\n")).not.toMatch(/differs from the plan/);
        warn.mockRestore();
        expect(s3).toEqual({ 0: 50000, 2: 50002, 4: 50004 });
        expect(planned3).toEqual(s3);
        expect(s3).toEqual(simulated());

        // A scale-out after the deletions: new ids after the highest, in the freed ports first, as planned.
        const planned10 = byInstance(await deploy(10, true));
        const s4 = byInstance(await deploy(10));
        expectSurvivorsKept(s3, s4);
        expect(Object.keys(s4)).toHaveLength(10);
        expect(Object.values(s4).sort()).toEqual(Array.from({ length: 10 }, (_, i) => 50000 + i));
        expect(s4).toEqual(simulated());
        expect(planned10).toEqual(s4);

        // One more than the range holds: the preview already fails, and so does the update, leaving Azure as it was.
        const snapshot = JSON.stringify(sim.toJSON());
        // A preview sends nothing to Azure, so there the component's own check fails it; in the update
        // the scale set's new capacity reaches the simulated Azure first, which refuses it (docs inbound-nat-rules).
        await expect(deploy(11, true)).rejects.toThrow(/frontend port range 50000-50009 \(capacity 10\) is exhausted: 11 instances need a port/);
        await expect(deploy(11)).rejects.toThrow(/frontend port range 50000-50009 \(10 ports\), fewer than the 11 backend addresses/);
        expect(JSON.stringify(sim.toJSON())).toBe(snapshot);
        expect(simulated()).toEqual(s4);
    });

    it("print exactly the component's mappings from `mappings --json` against `local-arm` serving the saved state", async () => {
        const output = await deploy(4);
        const state = path.join(mkdtempSync(path.join(tmpdir(), "nat-multi-")), "state.json");
        sim.save(state);

        const arm = await startLocalArm(state);
        try {
            const cli = await runCli(["mappings", "--resource-group", "multi-rg", "--load-balancer", "multi-lb", "--pool", "vmss-pool",
                "--rule", "multi-ssh", "--endpoint", arm.url, "--token", "local", "--json"]);
            if (cli.code !== 0) throw new Error(`mappings exited ${cli.code}: ${cli.stderr}`);
            const fromCli = (JSON.parse(cli.stdout) as { mappings: { instance: string; rule: string; protocol: string; frontendIp: string; frontendPort: number; backendPort: number }[] }).mappings;
            expect(fromCli).toEqual(output.map((m) => ({ instance: m.instance, rule: "multi-ssh", protocol: m.protocol, frontendIp: m.frontendIp, frontendPort: m.frontendPort, backendPort: m.backendPort })));
        } finally {
            await arm.stop();
        }
    });
});
