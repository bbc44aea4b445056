import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { planScaleSetPorts } from "../src/core/pool-plan";
import { PortRangeExhaustedError } from "../src/core/errors";
import { AzureSimulator, runDeployment } from "../src/testing";
import { declareScaleSetStack } from "../examples/scale-set/program";

/**
 * The plan a preview makes (the core planner, fed Azure's current mappings as the component reads
 * them) against what the simulated Azure does on `up`, over random day-2 histories: scale-outs and
 * scale-ins through Pulumi, deletions outside Pulumi, and autoscale. Pure: one deployment builds the
 * stack, then each history runs on a copy of the simulator without Pulumi.
 */
const RG = "natdemo-rg";
const LB = "natdemo-lb";
const VMSS = "natdemo-vmss";
const RULE = "natdemo-ssh";
const RANGE = { start: 50000, end: 50009, capacity: 10 };

let deployed: AzureSimulator;
beforeAll(async () => {
    deployed = new AzureSimulator();
    await runDeployment(deployed, () => declareScaleSetStack({ instances: 3, sshPublicKey: "ssh-ed25519 AAAA test" }));
}, 30_000);

const mappingsOf = (sim: AzureSimulator) =>
    sim.portMappings(RG, LB, { rule: RULE }).map((m) => ({ instance: m.instance, frontendPort: m.frontendPort }));
const asMap = (list: { instance: string; frontendPort: number }[]) => Object.fromEntries(list.map((m) => [m.instance, m.frontendPort]));
const numeric = (list: { instance: string }[]) => list.map((m) => Number(m.instance));

type Step =
    | { kind: "up"; capacity: number }
    | { kind: "delete"; mask: boolean[] }
    | { kind: "autoscale"; capacity: number };

const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant("up" as const), capacity: fc.integer({ min: 0, max: 11 }) }),
    fc.record({ kind: fc.constant("delete" as const), mask: fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }) }),
    fc.record({ kind: fc.constant("autoscale" as const), capacity: fc.integer({ min: 0, max: 10 }) }),
);

describe("the preview's plan against the simulated Azure after up (overprovisioning off)", () => {
    it("survivors keep their ports, new instances get exactly the planned ports, and labels match while no scale-in is pending", () => {
        let ups = 0;
        let exactLabels = 0;
        fc.assert(
            fc.property(fc.array(step, { minLength: 1, maxLength: 8 }), (steps) => {
                const sim = deployed.clone();
                // The highest id Azure has ever given: Azure numbers new instances after it. Only the
                // simulator knows it; a plan sees the ids present, so it can only match while they agree.
                let highestGiven = Math.max(...numeric(mappingsOf(sim)));
                for (const s of steps) {
                    if (s.kind === "delete") {
                        const ids = sim.listInstances(RG, VMSS).map((i) => i.instanceId).filter((_, i) => s.mask[i % s.mask.length]);
                        if (ids.length > 0) sim.deleteInstances(RG, VMSS, ids);
                        continue;
                    }
                    if (s.kind === "autoscale") {
                        try {
                            sim.setCapacity(RG, VMSS, s.capacity); // outside Pulumi; Azure blocks a scale-out the range can't serve
                        } catch {
                            /* blocked: nothing changed */
                        }
                        highestGiven = Math.max(highestGiven, ...numeric(mappingsOf(sim)));
                        continue;
                    }
                    const before = mappingsOf(sim);
                    let plan;
                    try {
                        plan = planScaleSetPorts({ rule: RULE, range: RANGE, current: before, capacity: s.capacity, overprovision: false });
                    } catch (err) {
                        // The preview fails exactly when Azure would block the deployment.
                        expect(err).toBeInstanceOf(PortRangeExhaustedError);
                        expect(() => sim.setCapacity(RG, VMSS, s.capacity)).toThrow(/fewer than the \d+ backend addresses/);
                        continue;
                    }
                    const labelsKnowable = highestGiven === Math.max(-1, ...numeric(before));
                    sim.setCapacity(RG, VMSS, s.capacity);
                    const after = mappingsOf(sim);
                    ups++;
                    const survivors = plan.instances.filter((p) => before.some((b) => b.instance === p.instance));
                    // Survivors' ports exactly as planned.
                    for (const p of survivors) expect(asMap(after)[p.instance]).toBe(p.frontendPort);
                    // The set of new ports exactly as planned, and as many instances.
                    const newPlanned = plan.instances.filter((p) => !survivors.includes(p)).map((p) => p.frontendPort).sort();
                    const newActual = after.filter((a) => !before.some((b) => b.instance === a.instance)).map((a) => a.frontendPort).sort();
                    expect(newActual).toEqual(newPlanned);
                    expect(after).toHaveLength(plan.instances.length);
                    if (labelsKnowable) {
                        // Every instance, label and port, as planned.
                        expect(asMap(after)).toEqual(asMap(plan.instances));
                        exactLabels++;
                    }
                    highestGiven = Math.max(highestGiven, ...numeric(after));
                }
            }),
            { numRuns: 200 },
        );
        // The histories exercise both cases, and mostly the exact one.
        expect(ups).toBeGreaterThan(200);
        expect(exactLabels).toBeGreaterThan(ups / 2);
    });
});
