import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { NatRuleValidationError } from "./errors";
import { MAX_FRONTEND_PORT } from "./limits";
import {
    FrontendPlanError,
    frontendDemand,
    planFrontendPorts,
    type FrontendPlanRequest,
    type FrontendRuleRequest,
    type PortSpan,
} from "./planner";
import { rangesOverlap } from "./range";

function catchError(run: () => unknown): unknown {
    try {
        run();
    } catch (err) {
        return err;
    }
    throw new Error("expected an error");
}

describe("planFrontendPorts", () => {
    it("packs rules one after another from frontendStart, in request order, one port per instance", () => {
        const plan = planFrontendPorts({ frontendStart: 50000, rules: [
            { name: "ssh", backendPort: 22, maxInstances: 100 },
            { name: "rdp", backendPort: 3389, maxInstances: 50, protocol: "Tcp" },
            { name: "dns", backendPort: 53, maxInstances: 3, protocol: "Udp" },
        ] });
        expect(plan.rules.map((r) => r.name)).toEqual(["ssh", "rdp", "dns"]);
        expect(plan.rules[0]).toEqual({ name: "ssh", backendPort: 22, protocol: "Tcp", start: 50000, end: 50000 + 100 - 1, capacity: 100 });
        expect(plan.rules[1]).toMatchObject({ start: 50100, end: 50100 + 50 - 1, capacity: 50 });
        // Disjoint regardless of protocol: the Udp rule does not reuse Tcp ports.
        expect(plan.rules[2]).toMatchObject({ protocol: "Udp", start: 50150, capacity: 3 });
    });

    it("doubles the demand for overprovisioning and adds headroom rounded up, without floating-point overshoot", () => {
        expect(frontendDemand({ maxInstances: 100, overprovision: true })).toBe(200);
        expect(frontendDemand({ maxInstances: 100 }, 0.2)).toBe(120); // 100 × 0.2 is 20.000000000000004 in floating point
        expect(frontendDemand({ maxInstances: 7 }, 0.1)).toBe(8); // 0.7 rounds up to 1
        const plan = planFrontendPorts({ frontendStart: 1000, headroom: 0.5, rules: [
            { name: "a", backendPort: 22, maxInstances: 10, overprovision: true },
            { name: "b", backendPort: 22, maxInstances: 10, headroom: 0 },
        ] });
        expect(plan.rules.map((r) => r.capacity)).toEqual([30, 10]);
    });

    it("starts ranges at multiples of align, from the first multiple at or after frontendStart", () => {
        const plan = planFrontendPorts({ frontendStart: 50001, align: 100, rules: [
            { name: "a", backendPort: 22, maxInstances: 150 },
            { name: "b", backendPort: 23, maxInstances: 1 },
        ] });
        expect(plan.rules[0]).toMatchObject({ start: 50100, end: 50249 });
        expect(plan.rules[1]).toMatchObject({ start: 50300, end: 50300 });
    });

    it("skips avoided ports and lets a later small rule fill an earlier gap (first fit)", () => {
        const plan = planFrontendPorts({ frontendStart: 50000, avoid: [{ start: 50010, end: 50010 }], rules: [
            { name: "big", backendPort: 22, maxInstances: 50 },
            { name: "small", backendPort: 3389, maxInstances: 10 },
        ] });
        expect(plan.rules[0]).toMatchObject({ start: 50011, end: 50060 });
        expect(plan.rules[1]).toMatchObject({ start: 50000, end: 50009 });
    });

    it("keeps deployed ranges exactly and packs new rules around them", () => {
        const existing = [{ name: "ssh", start: 50050, end: 50149 }, { name: "other-team", start: 50000, end: 50009 }];
        const plan = planFrontendPorts({ frontendStart: 50000, existing, rules: [
            { name: "admin", backendPort: 8443, maxInstances: 60 },
            { name: "ssh", backendPort: 22, maxInstances: 80 },
        ] });
        expect(plan.rules[1]).toMatchObject({ name: "ssh", start: 50050, end: 50149, capacity: 100 });
        expect(plan.rules[0]).toMatchObject({ name: "admin", start: 50150, end: 50209 });
    });

    it("fails, naming the rule, when a deployed range no longer holds its demand", () => {
        const err = catchError(() => planFrontendPorts({ frontendStart: 50000, existing: [{ name: "ssh", start: 50000, end: 50099 }],
            rules: [{ name: "ssh", backendPort: 22, maxInstances: 100, overprovision: true }] }));
        expect(err).toBeInstanceOf(FrontendPlanError);
        expect(err).toMatchObject({ rule: "ssh", needed: 200, from: 50000 });
        expect((err as Error).message).toMatch(/"ssh" does not fit: it needs 200 ports .*deployed with 50000-50099 \(100 ports\).*Fix:/);
    });

    it("fails with FrontendPlanError naming the rule, the ports needed, where from, and the largest free run", () => {
        const err = catchError(() => planFrontendPorts({ frontendStart: 65000, avoid: [{ start: 65200, end: 65200 }], rules: [
            { name: "ssh", backendPort: 22, maxInstances: 100 },
            { name: "rdp", backendPort: 3389, maxInstances: 335 },
        ] }));
        expect(err).toBeInstanceOf(FrontendPlanError);
        expect(err).toMatchObject({ rule: "rdp", needed: 335, from: 65000 });
        // ssh takes 65000-65099; the free runs left are 65100-65199 (100) and 65201-65534 (334).
        expect((err as Error).message).toMatch(/rule "rdp" does not fit: it needs 335 ports .* from 65000 to 65534, but the largest free run there is 334 ports \(65201-65534\)/);
        const fits = planFrontendPorts({ frontendStart: 65000, avoid: [{ start: 65200, end: 65200 }], rules: [
            { name: "ssh", backendPort: 22, maxInstances: 100 },
            { name: "rdp", backendPort: 3389, maxInstances: 334 },
        ] });
        expect(fits.rules[1].end).toBeLessThanOrEqual(MAX_FRONTEND_PORT);
    });

    it("reports every invalid field at once, with field paths", () => {
        const err = catchError(() => planFrontendPorts({
            frontendStart: 0,
            align: 0,
            headroom: -1,
            avoid: [{ start: 10, end: 5 }],
            existing: [{ name: "", start: 1, end: 70000 }],
            rules: [
                { name: "ssh", backendPort: 22, maxInstances: 10 },
                { name: "ssh", backendPort: 70000, maxInstances: 0, protocol: "Icmp" as never },
                { name: " ", backendPort: 22, maxInstances: 1.5, overprovision: "yes" as never, headroom: Number.NaN },
            ],
        }, "my-lb"));
        expect(err).toBeInstanceOf(NatRuleValidationError);
        const fields = (err as NatRuleValidationError).issues.map((i) => i.field).sort();
        expect(fields).toEqual([
            "align", "avoid[0].end", "existing[0].end", "existing[0].name", "frontendStart", "headroom",
            "rules[1].backendPort", "rules[1].maxInstances", "rules[1].name", "rules[1].protocol",
            "rules[2].headroom", "rules[2].maxInstances", "rules[2].name", "rules[2].overprovision",
        ]);
        expect((err as Error).message).toMatch(/^my-lb: 14 invalid arguments:/);
    });

    it("accepts an empty rule list", () => {
        expect(planFrontendPorts({ frontendStart: 1, rules: [] })).toEqual({ rules: [] });
    });
});

// ---- properties -------------------------------------------------------------------------------

const ruleArb = (name: string): fc.Arbitrary<FrontendRuleRequest> => fc.record({
    name: fc.constant(name),
    backendPort: fc.integer({ min: 1, max: 65535 }),
    protocol: fc.constantFrom("Tcp" as const, "Udp" as const, "All" as const),
    maxInstances: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 3000 })),
    overprovision: fc.boolean(),
    headroom: fc.option(fc.constantFrom(0, 0.1, 0.2, 0.5), { nil: undefined }),
});

const spanArb: fc.Arbitrary<PortSpan> = fc.tuple(fc.integer({ min: 1, max: MAX_FRONTEND_PORT }), fc.integer({ min: 0, max: 500 }))
    .map(([start, length]) => ({ start, end: Math.min(MAX_FRONTEND_PORT, start + length) }));

const requestArb: fc.Arbitrary<FrontendPlanRequest> = fc.record({
    frontendStart: fc.oneof(fc.integer({ min: 1, max: MAX_FRONTEND_PORT }), fc.integer({ min: 40000, max: 60000 })),
    rules: fc.integer({ min: 0, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => ruleArb(`rule${i}`)))),
    align: fc.option(fc.constantFrom(1, 7, 10, 100, 1000), { nil: undefined }),
    avoid: fc.array(spanArb, { maxLength: 5 }),
    headroom: fc.option(fc.constantFrom(0, 0.2, 1), { nil: undefined }),
    existing: fc.array(spanArb, { maxLength: 3 }).map((spans) => spans.map((s, i) => ({ name: `deployed${i}`, ...s }))),
});

/** Runs the plan; a `FrontendPlanError` is an allowed outcome (random requests often cannot fit), anything else fails. */
function tryPlan(request: FrontendPlanRequest) {
    try {
        return planFrontendPorts(request);
    } catch (err) {
        expect(err).toBeInstanceOf(FrontendPlanError);
        return undefined;
    }
}

describe("planFrontendPorts properties", () => {
    it("gives disjoint, aligned, in-bounds ranges that avoid every obstacle and hold the demand, at the lowest start possible", () => {
        let planned = 0;
        fc.assert(fc.property(requestArb, (request) => {
            const plan = tryPlan(request);
            if (!plan) return;
            planned++;
            const align = request.align ?? 1;
            const obstacles: PortSpan[] = [...(request.avoid ?? []), ...(request.existing ?? [])];
            expect(plan.rules.map((r) => r.name)).toEqual(request.rules.map((r) => r.name));
            plan.rules.forEach((r, i) => {
                const rule = request.rules[i];
                expect(r.start).toBeGreaterThanOrEqual(1);
                expect(r.end).toBeLessThanOrEqual(MAX_FRONTEND_PORT);
                expect(r.capacity).toBe(r.end - r.start + 1);
                expect(r.capacity).toBeGreaterThanOrEqual(rule.maxInstances * (rule.overprovision ? 2 : 1));
                expect(r.capacity).toBeGreaterThanOrEqual(frontendDemand(rule, rule.headroom ?? request.headroom ?? 0));
                expect(r.start % align).toBe(0);
                expect(r.start).toBeGreaterThanOrEqual(request.frontendStart);
                for (const o of obstacles) expect(rangesOverlap(r, o)).toBe(false);
                for (const other of plan.rules.slice(i + 1)) expect(rangesOverlap(r, other)).toBe(false);
                // First fit: no aligned start below r.start was free when r was placed. The lowest free start
                // is always frontendStart (aligned) or just after an obstacle, so those are the candidates.
                const before = [...obstacles, ...plan.rules.slice(0, i)];
                const candidates = [request.frontendStart, ...before.map((o) => o.end + 1)]
                    .map((p) => Math.ceil(p / align) * align)
                    .filter((s) => s >= request.frontendStart && s < r.start);
                for (const s of candidates) {
                    const span = { start: s, end: s + r.capacity - 1 };
                    expect(span.end > MAX_FRONTEND_PORT || before.some((o) => rangesOverlap(o, span))).toBe(true);
                }
            });
        }));
        expect(planned).toBeGreaterThan(20); // the generator must exercise successful plans, not only failures
    });

    it("never moves an old range when a rule is added to a plan, and keeps existing ranges exactly", () => {
        fc.assert(fc.property(requestArb, ruleArb("added"), (request, added) => {
            const first = tryPlan(request);
            if (!first) return;
            const second = tryPlan({ ...request, rules: [...request.rules, added], existing: [...(request.existing ?? []), ...first.rules] });
            if (!second) return;
            expect(second.rules.slice(0, first.rules.length)).toEqual(first.rules);
            const last = second.rules[second.rules.length - 1];
            for (const old of [...first.rules, ...(request.existing ?? [])]) expect(rangesOverlap(old, last)).toBe(false);
        }));
    });
});
