/**
 * runDeployment acts as the real engine does on day 2 (pulumi/pulumi pkg/resource/deploy/step_generator.go):
 * ignoreChanges is applied before the diff, an unchanged resource is a same step that sends nothing,
 * and refresh reads Azure into the checkpoint. Here on the demo's own stack.
 */
import { describe, expect, it } from "vitest";
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
});
