/**
 * The one place the simulator and the library meet on purpose: the simulator assigns V2 ports with
 * its own code (Azure's documented behaviour), the library plans them with `allocatePorts`. Over
 * random scale sequences the two must agree, so a drift in either shows here.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocatePorts } from "../src/core/allocation";
import { PortRangeExhaustedError } from "../src/core/errors";
import type { PortAssignment } from "../src/core/types";
import { ARM_ERROR_CODES, ArmError, AzureSimulator, buildScaleSetState } from "../src/testing";

const RG = "diff-rg";
const START = 50000;

/** Scale set `web` of `initial` instances (overprovisioning off) in the pool, then rule `ssh` over START..end. */
function setup(initial: number, end: number): AzureSimulator {
    return buildScaleSetState({ resourceGroupName: RG, capacity: initial, overprovision: false, start: START, end, ruleAfterScaleSet: true }).sim;
}

function simulated(sim: AzureSimulator): PortAssignment[] {
    return sim.portMappings(RG, "lb", { rule: "ssh" }).map((m) => ({ instance: m.instance, frontendPort: m.frontendPort }));
}

/** What the library plans for the instances the simulator now has, from the previous mapping. */
function planned(previous: PortAssignment[], instances: string[], end: number): PortAssignment[] {
    return allocatePorts({ rule: "ssh", range: { start: START, end, capacity: end - START + 1 }, previous, instances });
}

const step = fc.oneof(
    fc.record({ kind: fc.constant("setCapacity" as const), n: fc.integer({ min: 0, max: 16 }) }),
    fc.record({ kind: fc.constant("scaleIn" as const), n: fc.integer({ min: 0, max: 5 }) }),
    fc.record({ kind: fc.constant("deleteInstances" as const), pick: fc.array(fc.nat({ max: 15 }), { maxLength: 4 }) }),
);

describe("the simulator's V2 port assignment equals the library's allocatePorts", () => {
    it("over random scale-outs, scale-ins and instance deletions, including exhaustion", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 6 }), fc.array(step, { maxLength: 10 }), (size, initial, steps) => {
                fc.pre(initial <= size);
                const end = START + size - 1;
                const sim = setup(initial, end);
                let previous = simulated(sim);
                expect(previous).toEqual(planned([], previous.map((a) => a.instance), end));
                for (const s of steps) {
                    const ids = sim.listInstances(RG, "web").map((i) => i.instanceId);
                    let change: () => string[];
                    if (s.kind === "setCapacity") change = () => sim.setCapacity(RG, "web", s.n);
                    else if (s.kind === "scaleIn") {
                        if (s.n > ids.length) continue;
                        change = () => sim.scaleIn(RG, "web", s.n);
                    } else {
                        const chosen = [...new Set(s.pick.filter((i) => i < ids.length).map((i) => ids[i]))];
                        change = () => sim.deleteInstances(RG, "web", chosen);
                    }
                    // The instances the change asks for, learnt on a clone so a refused change still tells us its target.
                    const probe = sim.clone();
                    let wanted: string[] | undefined;
                    let refused: unknown;
                    try {
                        change();
                        wanted = sim.listInstances(RG, "web").map((i) => i.instanceId);
                    } catch (err) {
                        refused = err;
                    }
                    if (refused !== undefined) {
                        expect(refused).toBeInstanceOf(ArmError);
                        expect((refused as ArmError).code).toBe(ARM_ERROR_CODES.portRangeExhausted);
                        expect(simulated(sim)).toEqual(previous);
                        // The library must refuse the same demand: more instances than the range holds.
                        const demand = s.kind === "setCapacity" ? s.n : -1;
                        expect(demand).toBeGreaterThan(size);
                        const next = probe.listInstances(RG, "web").map((i) => i.instanceId);
                        const newIds = Array.from({ length: demand - next.length }, (_, i) => `new-${i}`);
                        expect(() => planned(previous, [...next, ...newIds], end)).toThrow(PortRangeExhaustedError);
                        continue;
                    }
                    const now = simulated(sim);
                    expect(now.map((a) => a.instance)).toEqual(wanted);
                    expect(now).toEqual(planned(previous, wanted as string[], end));
                    previous = now;
                }
            }),
            { numRuns: 150 },
        );
    });
});
