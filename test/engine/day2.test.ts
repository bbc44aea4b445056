/**
 * Day 2 of examples/scale-set under the real Pulumi CLI on the azure-native stand-in: scale-out,
 * scale-in, instances deleted outside Pulumi (over REST, as `az vmss delete-instances` sends it)
 * followed by `up` without and with `--refresh`, a range change, a model change under upgrade
 * policy Manual, and a Flexible scale set. Each step previews (its plannedPortMappings logged by the
 * program) and runs `up`; the plan is then checked against Azure's mappings (the simulator behind
 * the local ARM endpoint): every unmarked mapping exact, the marked ones as docs/planning.md says.
 * Autoscale (ignoreChanges, a raised maximum, a maximum past the range) runs in differential.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { azureMappings, deleteInstancesOverRest, expectPlanMatches, plannedInPreview, removeScaleSetFromPoolsOverRest, RG, scaleSetStack, stripped, upgradeInstancesOverRest, VMSS, writtenByEngine, type ScaleSetStack } from "./scale-set-stack";

const VMSS_TYPE = "azure-native:compute:VirtualMachineScaleSet";

describe("examples/scale-set day 2 under the real CLI (Uniform, upgrade policy Manual)", () => {
    let stack: ScaleSetStack;
    const ids = () => stack.azure.sim.listInstances(RG, VMSS).map((i) => i.instanceId).sort((a, b) => Number(a) - Number(b));

    /** Preview, then `up`; checks the plan against Azure after `up`, and returns the stack's outputs. */
    async function step(name: string, options: { refresh?: boolean } = {}) {
        const { json: preview } = await stack.ws.preview({ refresh: options.refresh });
        const plan = plannedInPreview(preview);
        const { json: up } = await stack.ws.up({ refresh: options.refresh });
        const actual = azureMappings(stack.azure);
        const check = expectPlanMatches(plan, actual, name);
        const outputs = await stack.ws.stackOutput();
        return { plan: plan!, actual, check, written: writtenByEngine(up), outputs, preview };
    }

    beforeAll(async () => {
        stack = await scaleSetStack("day2-uniform");
    });
    afterAll(async () => {
        await stack?.dispose();
    });

    it("first up: the plan's ports are Azure's 50000-50002; the new instances' ids are marked labelGuessed", async () => {
        const { plan, actual, outputs } = await step("first up");
        // New Uniform ids are Azure's to choose (docs/planning.md): marked, and here Azure's 0, 1, 2.
        expect(plan.every((m) => m.labelGuessed && !m.portGuessed && !m.upgradePending)).toBe(true);
        expect(plan.map((m) => [m.instance, m.frontendPort])).toEqual(actual.map((m) => [m.instance, m.frontendPort]));
        expect(actual.map((m) => [m.instance, m.frontendPort])).toEqual([["0", 50000], ["1", 50001], ["2", 50002]]);
        expect(stripped(outputs.portMappings)).toEqual(actual);
    });

    it("scales out to 5 and back in to 3: survivors keep their ports; the scale-in's survivors are marked labelGuessed", async () => {
        await stack.ws.setConfig("instances", "5");
        const out = await step("scale-out to 5");
        expect(out.written).toEqual([`${VMSS_TYPE} natdemo-vmss`]);
        expect(out.actual).toHaveLength(5);
        // Existing instances keep their ports, unmarked; the two new ones' ids are Azure's to choose.
        expect(out.check.exact).toBeGreaterThanOrEqual(3);

        await stack.ws.setConfig("instances", "3");
        const back = await step("scale-in to 3");
        expect(back.actual).toHaveLength(3);
        expect(back.plan.every((m) => m.labelGuessed)).toBe(true);
        expect(stripped(back.outputs.portMappings)).toEqual(back.actual);
    });

    it("instances deleted outside Pulumi: `up` without --refresh sends nothing and leaves Azure short; `up --refresh` restores the capacity", async () => {
        const before = ids();
        await deleteInstancesOverRest(stack.azure, [before[1]]);
        expect(ids()).toEqual([before[0], before[2]]);

        // Without refresh the scale set's inputs equal the checkpoint's: a "same" step, no PUT, Azure keeps 2.
        const stale = await step("deleted, up without --refresh");
        expect(stale.written).toEqual([]);
        expect(ids()).toEqual([before[0], before[2]]);
        expect(stripped(stale.outputs.portMappings)).toEqual(stale.actual);
        // The plan follows Azure (2), and the preview names `pulumi up --refresh` as the way back to 3.
        expect(stale.plan).toHaveLength(2);
        expect(stale.preview.diagnostics?.some((d) => d.severity === "warning" && /has 2 instance\(s\) in Azure.*pulumi up --refresh/s.test(d.message))).toBe(true);

        // With refresh the checkpoint learns capacity 2, the program declares 3: the scale set is updated.
        const refreshed = await step("deleted, up --refresh", { refresh: true });
        expect(refreshed.written).toContain(`${VMSS_TYPE} natdemo-vmss`);
        expect(ids()).toHaveLength(3);
        expect(stripped(refreshed.outputs.portMappings)).toEqual(refreshed.actual);
    });

    it("a range change (frontendPortRangeStart 50001, maxInstances 4) moves the port that leaves the range, as planned", async () => {
        const before = azureMappings(stack.azure);
        await stack.ws.setConfig("frontendPortRangeStart", "50001");
        await stack.ws.setConfig("maxInstances", "4");
        const moved = await step("range change");
        expect(moved.actual.every((m) => m.frontendPort >= 50001 && m.frontendPort <= 50004)).toBe(true);
        // Instances whose port stays in the range keep it.
        for (const m of before.filter((b) => b.frontendPort >= 50001)) expect(moved.actual.find((a) => a.instance === m.instance)?.frontendPort).toBe(m.frontendPort);
        expect(moved.preview.diagnostics?.some((d) => /moves the port of 1 live instance/.test(d.message))).toBe(true);
    });

    it("upgrade policy Manual: a model change with a scale-out leaves existing instances' mappings alone", async () => {
        const before = azureMappings(stack.azure);
        await stack.ws.setConfig("adminUsername", "ops");
        await stack.ws.setConfig("instances", "4");
        const changed = await step("model change + scale-out under Manual");
        expect(changed.actual).toHaveLength(4);
        for (const m of before) expect(changed.actual).toContainEqual(m);
        // Nothing in the plan waits for an upgrade: every instance's model has the pool.
        expect(changed.plan.some((m) => m.upgradePending)).toBe(false);
    });
});

describe("examples/scale-set day 2 under the real CLI (Manual: the scale set taken out of the pool outside Pulumi)", () => {
    let stack: ScaleSetStack;

    beforeAll(async () => {
        stack = await scaleSetStack("day2-manual", { instances: "2" });
    });
    afterAll(async () => {
        await stack?.dispose();
    });

    it("up --refresh puts the pool back in the model, the plan marks both instances upgradePending with the ports they get once upgraded, and az's update-instances gives them those ports", async () => {
        await stack.ws.up();
        expect(azureMappings(stack.azure)).toHaveLength(2);
        const ids = stack.azure.sim.listInstances(RG, VMSS).map((i) => i.instanceId).sort();
        await removeScaleSetFromPoolsOverRest(stack.azure, ids);
        expect(azureMappings(stack.azure)).toEqual([]);

        // Refresh finds the model without the pool, so the update puts it back; under Manual the
        // instances keep the model they run, and get no port until they are upgraded.
        const { json: preview } = await stack.ws.preview({ refresh: true });
        const plan = plannedInPreview(preview)!;
        expect(plan.map((m) => [m.instance, !!m.upgradePending]).sort()).toEqual(ids.map((id) => [id, true]));
        expect(preview.diagnostics?.some((d) => /upgrade policy Manual/.test(d.message) && /az vmss update-instances/.test(d.message))).toBe(true);
        const { json: up } = await stack.ws.up({ refresh: true });
        expect(writtenByEngine(up)).toContain(`azure-native:compute:VirtualMachineScaleSet ${VMSS}`);
        const after = azureMappings(stack.azure);
        expectPlanMatches(plan, after, "pool back in the model, instances not upgraded");
        expect(after).toEqual([]);

        // `az vmss update-instances`: each takes the port the plan gave it.
        await upgradeInstancesOverRest(stack.azure, ids);
        const upgraded = azureMappings(stack.azure);
        expect(upgraded.map((m) => [m.instance, m.frontendPort]).sort()).toEqual(plan.map((m) => [m.instance, m.frontendPort]).sort());
    });
});

describe("examples/scale-set day 2 under the real CLI (Flexible)", () => {
    let stack: ScaleSetStack;

    beforeAll(async () => {
        stack = await scaleSetStack("day2-flexible", { flexible: "true", instances: "2" });
    });
    afterAll(async () => {
        await stack?.dispose();
    });

    it("first up, scale-out to 4, scale-in to 3: new VMs' names are placeholders marked labelGuessed, their ports Azure's", async () => {
        const first = async (name: string) => {
            const plan = plannedInPreview((await stack.ws.preview()).json);
            await stack.ws.up();
            return { plan: plan!, actual: azureMappings(stack.azure) };
        };
        const one = await first("flexible first up");
        expectPlanMatches(one.plan, one.actual, "flexible first up");
        expect(one.actual.every((m) => /^natdemo-vmss_[0-9a-f]{8}$/.test(m.instance))).toBe(true);
        expect(one.plan.every((m) => m.labelGuessed && /^natdemo-vmss_\(new \d+\)$/.test(m.instance))).toBe(true);

        await stack.ws.setConfig("instances", "4");
        const out = await first("flexible scale-out");
        const check = expectPlanMatches(out.plan, out.actual, "flexible scale-out");
        expect(check).toEqual({ exact: 2, marked: 2 });

        await stack.ws.setConfig("instances", "3");
        const back = await first("flexible scale-in");
        expectPlanMatches(back.plan, back.actual, "flexible scale-in");
        expect(back.actual).toHaveLength(3);
    });
});
