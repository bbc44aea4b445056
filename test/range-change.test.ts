/**
 * Changing a rule's frontend range on a deployed scale set (issue 25, items 3 and 4), with the
 * scale-set example's program (Uniform, overprovisioning off, upgrade policy Manual).
 *
 * The rule depends on the scale set, so in one `pulumi up` Pulumi sends the scale set's change
 * first: a scale-out runs under the rule's current range, then the rule's new range applies.
 */
import { describe, expect, it, vi } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { AzureSimulator, runDeployment } from "../src/testing";
import { declareScaleSetStack } from "../examples/scale-set/program";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyForTests test";
type Settings = { instances: number; maxInstances: number; frontendPortRangeStart?: number };
type Mapping = { instance: string; frontendPort: number; labelGuessed?: boolean };
const deploy = async (sim: AzureSimulator, settings: Settings, preview = false) => {
    const { outputs } = await runDeployment(sim, () => declareScaleSetStack({ sshPublicKey: KEY, ...settings }), { preview });
    return outputs as unknown as { portMappings: Mapping[]; plannedPortMappings: Mapping[] };
};
const ports = (m: Mapping[]) => m.map((x) => [x.instance, x.frontendPort]);
/** What Azure holds for the rule now, read from the simulator (not from our plan). */
const azurePorts = (sim: AzureSimulator) =>
    sim.portMappings("natdemo-rg", "natdemo-lb", { rule: "natdemo-ssh" })
        .map((m) => [m.instance, m.frontendPort] as [string, number])
        .sort((a, b) => Number(a[0]) - Number(b[0]));

describe("a larger range and a scale-out in one up", () => {
    it("is refused in preview, with the fix; an up without it is refused by Azure", async () => {
        const sim = new AzureSimulator();
        await deploy(sim, { instances: 4, maxInstances: 4 });
        const before = azurePorts(sim);
        const preview = await deploy(sim, { instances: 6, maxInstances: 8 }, true).then(() => undefined, (e: Error) => e);
        expect(preview?.message).toMatch(/BackendPoolNatRule "natdemo-ssh".*scale set natdemo-vmss grows from 4 to 6 instances.*current range 50000-50003 \(4 ports\)/);
        expect(preview?.message).toMatch(/Fix: change the range first: run `pulumi up` with the new range and 4 instances, then scale out to 6/);
        // An `up` without its preview sends the scale set first: Azure (the simulator) refuses the scale-out under the current range.
        await expect(deploy(sim, { instances: 6, maxInstances: 8 })).rejects.toThrow(/Inbound NAT rule/);
        expect(azurePorts(sim)).toEqual(before);
    });

    it("passes when the range grows first, then the scale set: every port as planned", async () => {
        const sim = new AzureSimulator();
        await deploy(sim, { instances: 4, maxInstances: 4 });
        const grown = await deploy(sim, { instances: 4, maxInstances: 8 });
        expect(ports(grown.portMappings)).toEqual(azurePorts(sim));
        const planned = await deploy(sim, { instances: 6, maxInstances: 8 }, true);
        const out = await deploy(sim, { instances: 6, maxInstances: 8 });
        expect(ports(out.portMappings)).toEqual(azurePorts(sim));
        expect(ports(planned.plannedPortMappings)).toEqual(azurePorts(sim));
        expect(azurePorts(sim)).toHaveLength(6);
    });

    it("the other order, scale-out first under the old range, is refused in preview as the range is too small", async () => {
        const sim = new AzureSimulator();
        await deploy(sim, { instances: 4, maxInstances: 4 });
        await expect(deploy(sim, { instances: 6, maxInstances: 4 }, true)).rejects.toThrow(/50000-50003 \(capacity 4\) is exhausted/);
    });
});

describe("a range change moves live ports", () => {
    it("warns in preview, listing every instance whose port moves, and plans the ports Azure gives", async () => {
        const sim = new AzureSimulator();
        await deploy(sim, { instances: 3, maxInstances: 10 });
        const before = new Map(azurePorts(sim));
        const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
        let planned: Mapping[];
        try {
            planned = (await deploy(sim, { instances: 3, maxInstances: 10, frontendPortRangeStart: 50003 }, true)).plannedPortMappings;
            const said = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes("moves the port"));
            expect(said).toHaveLength(1);
            // Which instances move is what Azure then does (the simulated Azure, read after the update, below).
            await deploy(sim, { instances: 3, maxInstances: 10, frontendPortRangeStart: 50003 });
            const after = azurePorts(sim);
            const moved = after.filter(([instance, port]) => before.get(instance) !== port);
            expect(moved.length).toBeGreaterThan(0);
            for (const [instance, port] of moved) expect(said[0]).toContain(`${instance} ${before.get(instance)}→${port}`);
            expect(said[0]).toMatch(new RegExp(`port of ${moved.length} live instance\\(s\\)`));
            expect(ports(planned)).toEqual(after);
        } finally {
            warn.mockRestore();
        }
    });

    it("says nothing when no port moves", async () => {
        const sim = new AzureSimulator();
        await deploy(sim, { instances: 3, maxInstances: 10 });
        const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
        try {
            await deploy(sim, { instances: 3, maxInstances: 12 }, true);
            expect(warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes("moves the port"))).toEqual([]);
        } finally {
            warn.mockRestore();
        }
    });

    it("a scale-out that fits the current range, with a moved range, in one up: planned as Azure runs it (scale-out first, then the range)", async () => {
        const sim = new AzureSimulator();
        await deploy(sim, { instances: 3, maxInstances: 10 });
        const planned = await deploy(sim, { instances: 5, maxInstances: 10, frontendPortRangeStart: 50003 }, true);
        await deploy(sim, { instances: 5, maxInstances: 10, frontendPortRangeStart: 50003 });
        expect(ports(planned.plannedPortMappings)).toEqual(azurePorts(sim));
        // The survivors are Azure's; the new instances' ids are Azure's to choose, and marked.
        expect(planned.plannedPortMappings.map((m) => [m.instance, m.labelGuessed === true])).toEqual([["0", false], ["1", false], ["2", false], ["3", true], ["4", true]]);
    });
});
