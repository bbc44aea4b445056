import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { AzureNatRulesError, PortRangeExhaustedError } from "./errors";
import { allocatePorts, compareInstances, diffAssignments, sortInstances } from "./allocation";
import type { PortAssignment, PortRange } from "./types";

const range = (start: number, capacity: number): PortRange => ({ start, end: start + capacity - 1, capacity });
const ids = (n: number) => Array.from({ length: n }, (_, i) => String(i));
const asMap = (a: PortAssignment[]) => Object.fromEntries(a.map((x) => [x.instance, x.frontendPort]));

describe("allocatePorts", () => {
    it("numbers a new rule's ports sequentially from the start, as Azure's tutorial shows (221, 222)", () => {
        expect(allocatePorts({ rule: "r", range: range(221, 10), instances: ["vm1", "vm2"] })).toEqual([
            { instance: "vm1", frontendPort: 221 },
            { instance: "vm2", frontendPort: 222 },
        ]);
    });

    it("keeps survivors' ports on scale-in and gives new instances the lowest free ports", () => {
        const first = allocatePorts({ rule: "r", range: range(50000, 10), instances: ids(5) });
        const afterDelete = allocatePorts({ rule: "r", range: range(50000, 10), previous: first, instances: ["0", "2", "4"] });
        expect(asMap(afterDelete)).toEqual({ 0: 50000, 2: 50002, 4: 50004 });
        const afterScaleOut = allocatePorts({ rule: "r", range: range(50000, 10), previous: afterDelete, instances: ["0", "2", "4", "5", "6", "7"] });
        expect(asMap(afterScaleOut)).toEqual({ 0: 50000, 2: 50002, 4: 50004, 5: 50001, 6: 50003, 7: 50005 });
    });

    it("frees ports that fall outside a changed range and reassigns their instances", () => {
        const prev = [{ instance: "0", frontendPort: 40000 }, { instance: "1", frontendPort: 50001 }];
        expect(asMap(allocatePorts({ rule: "r", range: range(50000, 3), previous: prev, instances: ["0", "1"] }))).toEqual({ 0: 50000, 1: 50001 });
    });

    it("throws PortRangeExhaustedError naming the rule, range, capacity, demand and the instances left out", () => {
        const prev = allocatePorts({ rule: "ssh", range: range(50000, 3), instances: ids(3) });
        let err: unknown;
        try {
            allocatePorts({ rule: "ssh", range: range(50000, 3), previous: prev, instances: ids(5) });
        } catch (e) {
            err = e;
        }
        expect(err).toBeInstanceOf(PortRangeExhaustedError);
        const e = err as PortRangeExhaustedError;
        expect(e.rule).toBe("ssh");
        expect(e.requested).toBe(5);
        expect(e.unassigned).toEqual(["3", "4"]);
        expect(e.message).toMatch(/^ssh: frontend port range 50000-50002 \(capacity 3\) is exhausted: 5 instances need a port, 2 would be left without one: 3, 4\. Fix: raise maxInstances to at least 5 \(or frontendPortRangeEnd to at least 50004\), or lower the instance count\.$/);
    });

    it("rejects an instance listed twice", () => {
        expect(() => allocatePorts({ rule: "r", range: range(1, 5), instances: ["a", "a"] })).toThrow(AzureNatRulesError);
    });

    it("fills the whole 65,534-port space", () => {
        const all = allocatePorts({ rule: "r", range: range(1, 65534), instances: ids(65534) });
        expect(all[0].frontendPort).toBe(1);
        expect(all[65533].frontendPort).toBe(65534);
        expect(new Set(all.map((a) => a.frontendPort)).size).toBe(65534);
    });

    it("keeps its invariants over random scale events", () => {
        // A scale event: scale out by n, or delete a random subset of current instances.
        const event = fc.oneof(
            fc.record({ kind: fc.constant("out" as const), n: fc.integer({ min: 1, max: 12 }) }),
            fc.record({ kind: fc.constant("delete" as const), mask: fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }) }),
        );
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 60000 }), fc.array(event, { maxLength: 25 }), (capacity, start, events) => {
                const r = range(start, capacity);
                let current: PortAssignment[] = [];
                let nextId = 0;
                for (const ev of events) {
                    let instances: string[];
                    if (ev.kind === "out") {
                        instances = [...current.map((a) => a.instance), ...Array.from({ length: ev.n }, (_, i) => String(nextId + i))];
                    } else {
                        instances = current.filter((_, i) => !ev.mask[i % ev.mask.length]).map((a) => a.instance);
                    }
                    const demandExceeds = instances.length > capacity;
                    let next: PortAssignment[];
                    try {
                        next = allocatePorts({ rule: "r", range: r, previous: current, instances });
                    } catch (e) {
                        expect(e).toBeInstanceOf(PortRangeExhaustedError);
                        expect(demandExceeds).toBe(true);
                        continue; // blocked: the previous mapping stays
                    }
                    expect(demandExceeds).toBe(false);
                    if (ev.kind === "out") nextId += ev.n;
                    const before = new Map(current.map((a) => [a.instance, a.frontendPort]));
                    for (const a of next) {
                        if (before.has(a.instance)) expect(a.frontendPort).toBe(before.get(a.instance));
                        expect(a.frontendPort).toBeGreaterThanOrEqual(r.start);
                        expect(a.frontendPort).toBeLessThanOrEqual(r.end);
                    }
                    expect(new Set(next.map((a) => a.frontendPort)).size).toBe(next.length);
                    // New instances took the lowest free ports.
                    const kept = new Set(next.filter((a) => before.has(a.instance)).map((a) => a.frontendPort));
                    const added = next.filter((a) => !before.has(a.instance)).map((a) => a.frontendPort);
                    const lowestFree: number[] = [];
                    for (let p = r.start; p <= r.end && lowestFree.length < added.length; p++) if (!kept.has(p)) lowestFree.push(p);
                    expect(added).toEqual(lowestFree);
                    current = next;
                }
            }),
            { numRuns: 1000 },
        );
    });
});

describe("instance order and diffs", () => {
    it("orders numeric ids by value, then names", () => {
        expect(sortInstances(["10", "2", "vm-b", "1", "vm-a"])).toEqual(["1", "2", "10", "vm-a", "vm-b"]);
        expect(compareInstances("3", "3")).toBe(0);
    });

    it("reports added, removed, kept and moved instances", () => {
        const d = diffAssignments(
            [{ instance: "0", frontendPort: 1 }, { instance: "1", frontendPort: 2 }, { instance: "2", frontendPort: 3 }],
            [{ instance: "0", frontendPort: 1 }, { instance: "2", frontendPort: 9 }, { instance: "3", frontendPort: 2 }],
        );
        expect(d.kept.map((a) => a.instance)).toEqual(["0"]);
        expect(d.moved).toEqual([{ instance: "2", from: 3, to: 9 }]);
        expect(d.added.map((a) => a.instance)).toEqual(["3"]);
        expect(d.removed.map((a) => a.instance)).toEqual(["1"]);
    });
});
