import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { NatRuleValidationError } from "./errors";
import { frontendPortRange, rangesOverlap, scaleSetDemand } from "./range";

describe("frontendPortRange", () => {
    it("gives one port per machine from start and maxInstances", () => {
        expect(frontendPortRange({ start: 50000, maxInstances: 100 })).toEqual({ start: 50000, end: 50099, capacity: 100 });
        expect(frontendPortRange({ start: 221, maxInstances: 1 })).toEqual({ start: 221, end: 221, capacity: 1 });
    });

    it("takes an explicit end as inclusive", () => {
        expect(frontendPortRange({ start: 500, end: 1000 })).toEqual({ start: 500, end: 1000, capacity: 501 });
    });

    it("accepts both forms when they agree and rejects them when they do not", () => {
        expect(frontendPortRange({ start: 500, end: 999, maxInstances: 500 }).capacity).toBe(500);
        expect(() => frontendPortRange({ start: 500, end: 1000, maxInstances: 500 })).toThrow(/frontendPortRangeEnd = 1000.*999/);
    });

    it("rejects a range that runs past 65534 and names the fix", () => {
        const err = (() => {
            try {
                frontendPortRange({ start: 65500, maxInstances: 100 }, "ssh");
            } catch (e) {
                return e as NatRuleValidationError;
            }
        })();
        expect(err).toBeInstanceOf(NatRuleValidationError);
        expect(err!.component).toBe("ssh");
        expect(err!.issues.map((i) => i.field)).toEqual(["maxInstances"]);
        expect(err!.message).toMatch(/maxInstances = 100: allowed is at most 35 .*Fix: lower maxInstances/);
    });

    it("rejects an end before the start, and no size at all", () => {
        expect(() => frontendPortRange({ start: 600, end: 500 })).toThrow(/frontendPortRangeEnd = 500: allowed is at least frontendPortRangeStart \(600\)/);
        expect(() => frontendPortRange({ start: 600 })).toThrow(/maxInstances = undefined/);
    });

    it("capacity always equals end - start + 1 and stays inside the port space", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 65534 }), fc.integer({ min: 1, max: 65534 }), (start, max) => {
                if (start + max - 1 > 65534) {
                    expect(() => frontendPortRange({ start, maxInstances: max })).toThrow(NatRuleValidationError);
                    return;
                }
                const r = frontendPortRange({ start, maxInstances: max });
                expect(r.capacity).toBe(max);
                expect(r.end - r.start + 1).toBe(r.capacity);
                expect(r.end).toBeLessThanOrEqual(65534);
            }),
        );
    });
});

describe("rangesOverlap", () => {
    it("treats ranges as inclusive", () => {
        expect(rangesOverlap({ start: 1, end: 10 }, { start: 10, end: 20 })).toBe(true);
        expect(rangesOverlap({ start: 1, end: 9 }, { start: 10, end: 20 })).toBe(false);
        expect(rangesOverlap({ start: 15, end: 15 }, { start: 10, end: 20 })).toBe(true);
    });
});

describe("scaleSetDemand", () => {
    it("doubles the capacity unless overprovisioning is off (Azure's default is on)", () => {
        expect(scaleSetDemand(10, false)).toBe(10);
        expect(scaleSetDemand(10, true)).toBe(20);
        expect(scaleSetDemand(10, undefined)).toBe(20);
    });
});
