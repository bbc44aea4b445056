/**
 * Autoscale is checked in every preview, an update of the autoscale setting included (issue 25,
 * item 2): the profiles' maxima come from what the program declares, not from the setting's
 * outputs, which azure-native's preview of an update does not know (they live under `properties`).
 * The program is the scale-set example's (a Uniform scale set without overprovisioning, range
 * 50000-50009, an autoscale setting whose one profile "default" has capacity.default = instances).
 */
import { describe, expect, it, vi } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { AzureSimulator, runDeployment } from "../src/testing";
import { declareScaleSetStack } from "../examples/scale-set/program";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyForTests test";
const deploy = (sim: AzureSimulator, settings: { instances: number; autoscaleMaximum: number; maxInstances?: number }, preview = false) =>
    runDeployment(sim, () => declareScaleSetStack({ sshPublicKey: KEY, ...settings }), { preview });

describe("autoscale checked on every change", () => {
    it("a preview that raises the profile maximum past the range fails, naming the profile, with a fix that lowers it or raises maxInstances", async () => {
        const sim = new AzureSimulator();
        await deploy(sim, { instances: 3, autoscaleMaximum: 8 });
        const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
        try {
            // The setting is updated (its maximum and, as in the demo, capacity.default change): its outputs are unknown in this preview.
            const failure = await deploy(sim, { instances: 4, autoscaleMaximum: 11 }, true).then(() => undefined, (e: Error) => e);
            expect(failure?.message).toMatch(/BackendPoolNatRule "natdemo-ssh".*frontend port range 50000-50009 \(capacity 10\)/);
            expect(failure?.message).toMatch(/autoscale profile "default" maximum 11/);
            // No placeholder label of a VM that does not exist, and the fix names what to change.
            expect(failure?.message).not.toMatch(/at peak/);
            expect(failure?.message).toMatch(/lower autoscale profile "default"'s capacity\.maximum to at most 10, or raise maxInstances to at least 11/);
            // Nothing says the setting "is being created": it is not.
            expect(warn.mock.calls.map((c) => String(c[0])).filter((m) => /being created/.test(m))).toEqual([]);
        } finally {
            warn.mockRestore();
        }
        // And `up` refuses it too, leaving Azure's setting as it was.
        await expect(deploy(sim, { instances: 4, autoscaleMaximum: 11 })).rejects.toThrow(/autoscale profile "default" maximum 11/);
    });

    it("a preview of an update that keeps the maximum within the range passes", async () => {
        const sim = new AzureSimulator();
        await deploy(sim, { instances: 3, autoscaleMaximum: 8 });
        await expect(deploy(sim, { instances: 4, autoscaleMaximum: 10 }, true)).resolves.toBeDefined();
    });

    it("the first preview checks the profile too", async () => {
        const sim = new AzureSimulator();
        await expect(deploy(sim, { instances: 3, autoscaleMaximum: 12 }, true)).rejects.toThrow(/autoscale profile "default" maximum 12/);
    });
});
