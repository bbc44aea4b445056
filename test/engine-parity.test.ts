/**
 * runDeployment acts as the real engine does on day 2 (pulumi/pulumi pkg/resource/deploy/step_generator.go):
 * ignoreChanges is applied before the diff, an unchanged resource is a same step that sends nothing,
 * and refresh reads Azure into the checkpoint. Here on the demo's own stack.
 */
import { describe, expect, it, vi } from "vitest";
import { declareDemoStack } from "../src/cli/demo-stack";
import type { NatPortMapping } from "../src";
import { AzureSimulator, runDeployment, StackCheckpoint } from "../src/testing";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDemoKeyForTheLocalSimulatorOnly demo@azure-nat-rules";
const demo = (instances: number, autoscaleMaximum?: number) => () =>
    declareDemoStack({ instances, sshPublicKey: KEY, adminUsername: "azureuser", prefix: "natdemo", autoscaleMaximum });
const ports = (mappings: unknown): string[] => (mappings as NatPortMapping[]).map((m) => `${m.instance}:${m.frontendPort}`);

describe("runDeployment as the real engine", () => {
    it("under autoscale the declared capacity is ignored (ignoreChanges: sku.capacity), so the preview's plan is exact", async () => {
        const sim = new AzureSimulator();
        await runDeployment(sim, demo(3));
        await runDeployment(sim, demo(3, 10));
        const preview = await runDeployment(sim, demo(10, 10), { preview: true });
        const update = await runDeployment(sim, demo(10, 10));
        // Only the autoscale setting's capacity.default follows the count; the scale set is not sent.
        expect(update.sent.map((r) => r.type)).toEqual(["azure-native:monitor:AutoscaleSetting"]);
        expect(sim.listInstances("natdemo-rg", "natdemo-vmss")).toHaveLength(3);
        expect(ports((update.outputs as { portMappings: unknown }).portMappings)).toEqual(["0:50000", "1:50001", "2:50002"]);
        expect(ports((preview.outputs as { plannedPortMappings: unknown }).plannedPortMappings)).toEqual(ports((update.outputs as { portMappings: unknown }).portMappings));
    });

    it("a re-run of the same program sends nothing; a checkpoint saved to a file carries that across processes", async () => {
        const sim = new AzureSimulator();
        const checkpoint = new StackCheckpoint();
        const first = await runDeployment(sim, demo(2), { checkpoint });
        expect(first.sent.length).toBeGreaterThan(5);
        const again = await runDeployment(sim, demo(2), { checkpoint: StackCheckpoint.fromJSON(JSON.parse(JSON.stringify(checkpoint))) });
        expect(again.sent).toEqual([]);
        expect(ports((again.outputs as { portMappings: unknown }).portMappings)).toEqual(ports((first.outputs as { portMappings: unknown }).portMappings));
        // Without a checkpoint (a new stack over the same Azure) every resource is sent again.
        const fresh = await runDeployment(sim, demo(2), { checkpoint: new StackCheckpoint() });
        expect(fresh.sent.length).toBe(first.sent.length);
    });

    it("after deletions outside Pulumi, a plain up sends nothing and the plan says so, naming the refresh; up --refresh restores the program's capacity", async () => {
        const sim = new AzureSimulator();
        await runDeployment(sim, demo(5));
        sim.deleteInstances("natdemo-rg", "natdemo-vmss", ["1", "3"]);
        const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
        const warnings = (): string => warn.mock.calls.map((c) => String(c[0])).join("\n");
        try {
            // Same step: the scale set's inputs match the checkpoint, so nothing is sent and Azure keeps 3.
            const preview = await runDeployment(sim, demo(5), { preview: true });
            expect(warnings()).toMatch(/has 3 instance\(s\) in Azure, but Pulumi's state says 5 .* Fix: run `pulumi up --refresh`/);
            const update = await runDeployment(sim, demo(5));
            expect(update.sent.map((r) => r.type)).not.toContain("azure-native:compute:VirtualMachineScaleSet");
            const mapped = ports((update.outputs as { portMappings: unknown }).portMappings);
            expect(mapped).toEqual(["0:50000", "2:50002", "4:50004"]);
            expect(ports((preview.outputs as { plannedPortMappings: unknown }).plannedPortMappings)).toEqual(mapped);

            // With a refresh the scale set is an update again: the program's 5 are sent, as planned, and no warning.
            warn.mockClear();
            const refreshed = await runDeployment(sim, demo(5), { preview: true, refresh: true });
            expect(warnings()).not.toMatch(/Pulumi's state says/);
            const up = await runDeployment(sim, demo(5), { refresh: true });
            expect(up.sent.map((r) => r.type)).toContain("azure-native:compute:VirtualMachineScaleSet");
            const after = ports((up.outputs as { portMappings: unknown }).portMappings);
            expect(after).toHaveLength(5);
            expect(after).toEqual(expect.arrayContaining(["0:50000", "2:50002", "4:50004"]));
            expect(ports((refreshed.outputs as { plannedPortMappings: unknown }).plannedPortMappings).map((p) => p.split(":")[1]).sort())
                .toEqual(after.map((p) => p.split(":")[1]).sort());
        } finally {
            warn.mockRestore();
        }
    });
});
