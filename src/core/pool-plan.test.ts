import { describe, expect, it } from "vitest";
import { PortRangeExhaustedError } from "./errors";
import { planScaleSetPorts, planVmGroupPorts } from "./pool-plan";

const range = { start: 50000, end: 50009, capacity: 10 };
const rule = "ssh";
const ports = (plan: { instances: { instance: string; frontendPort: number }[] }) => Object.fromEntries(plan.instances.map((i) => [i.instance, i.frontendPort]));

describe("planScaleSetPorts", () => {
    it("numbers a new Uniform scale set 0..capacity-1 from the range start, marking the ids as Azure's to choose", () => {
        const plan = planScaleSetPorts({ rule, range, current: [], capacity: 3, overprovision: false });
        expect(ports(plan)).toEqual({ 0: 50000, 1: 50001, 2: 50002 });
        // "there is no guarantee on the way instance IDs are assigned" (docs virtual-machine-scale-sets-instance-ids).
        expect(plan.instances.every((i) => i.labelGuessed)).toBe(true);
        expect(plan.demand).toBe(3);
    });

    it("keeps survivors' ports after deletions and numbers new instances after the highest id, in the freed ports first", () => {
        // 0..4 deployed, then 1 and 3 deleted outside Pulumi; capacity 6 adds three.
        const current = [{ instance: "0", frontendPort: 50000 }, { instance: "2", frontendPort: 50002 }, { instance: "4", frontendPort: 50004 }];
        const plan = planScaleSetPorts({ rule, range, current, capacity: 6, overprovision: false });
        expect(ports(plan)).toEqual({ 0: 50000, 2: 50002, 4: 50004, 5: 50001, 6: 50003, 7: 50005 });
    });

    it("drops the highest ids on a scale-in, as Azure's Default scale-in policy does, and marks the survivors (zones and fault domains come first)", () => {
        const current = [0, 1, 2, 3, 4].map((i) => ({ instance: String(i), frontendPort: 50000 + i }));
        const plan = planScaleSetPorts({ rule, range, current, capacity: 2, overprovision: false });
        expect(ports(plan)).toEqual({ 0: 50000, 1: 50001 });
        expect(plan.instances.every((i) => i.labelGuessed)).toBe(true);
    });

    it("follows the scale-in policy: OldestVM keeps the newest (highest) ids, NewestVM the oldest", () => {
        const current = [0, 1, 2, 3, 4].map((i) => ({ instance: String(i), frontendPort: 50000 + i }));
        expect(ports(planScaleSetPorts({ rule, range, current, capacity: 2, overprovision: false, scaleInPolicy: "OldestVM" }))).toEqual({ 3: 50003, 4: 50004 });
        expect(ports(planScaleSetPorts({ rule, range, current, capacity: 2, overprovision: false, scaleInPolicy: "NewestVM" }))).toEqual({ 0: 50000, 1: 50001 });
    });

    it("marks new Uniform ids after the highest was deleted: Azure may reuse ids or number further on", () => {
        // 0..3 deployed, 3 deleted: Azure may give 3 again, or 4 (docs: ids "may be reused").
        const current = [0, 1, 2].map((i) => ({ instance: String(i), frontendPort: 50000 + i }));
        const plan = planScaleSetPorts({ rule, range, current, capacity: 5, overprovision: false });
        expect(plan.instances.map((i) => [i.frontendPort, i.labelGuessed])).toEqual([
            [50000, false], [50001, false], [50002, false], [50003, true], [50004, true],
        ]);
    });

    it("marks new labels as guessed while overprovisioning, and counts twice the demand", () => {
        const current = [{ instance: "0", frontendPort: 50000 }, { instance: "1", frontendPort: 50001 }];
        const plan = planScaleSetPorts({ rule, range, current, capacity: 4 });
        expect(plan.instances.map((i) => [i.instance, i.frontendPort, i.labelGuessed])).toEqual([
            ["0", 50000, false], ["1", 50001, false], ["2", 50002, true], ["3", 50003, true],
        ]);
        expect(plan.demand).toBe(8);
        expect(plan.demandNote).toBe("scale set capacity 4 × 2 while overprovisioning is on");
    });

    it("gives as candidates of k new overprovisioned instances the 2k lowest free ports, which Azure's k extra VMs share with them", () => {
        // Survivors 0 and 3 hold 50000 and 50003; scaling to 5 adds 3, so Azure runs 6 new VMs at the peak.
        const current = [{ instance: "0", frontendPort: 50000 }, { instance: "3", frontendPort: 50003 }];
        const plan = planScaleSetPorts({ rule, range, current, capacity: 5 });
        expect(plan.candidatePorts).toEqual([50001, 50002, 50004, 50005, 50006, 50007]);
        const off = planScaleSetPorts({ rule, range, current, capacity: 5, overprovision: false });
        expect(off.candidatePorts).toEqual([50001, 50002, 50004]);
        expect(planScaleSetPorts({ rule, range, current, capacity: 1 }).candidatePorts).toEqual([]);
    });

    it("labels a Flexible scale set by VM name, counts no ×2, and gives new VMs placeholder labels", () => {
        const current = [{ instance: "web_0e7d4d21", frontendPort: 50001 }, { instance: "web_9a0b1c2d", frontendPort: 50000 }];
        const plan = planScaleSetPorts({ rule, range, current, capacity: 3, orchestrationMode: "Flexible", scaleSetName: "web", overprovision: true });
        expect(plan.instances.map((i) => [i.instance, i.frontendPort, i.labelGuessed])).toEqual([
            ["web_0e7d4d21", 50001, false], ["web_9a0b1c2d", 50000, false], ["web_(new 1)", 50002, true],
        ]);
        expect(plan.demand).toBe(3);
    });

    it("fails when the largest autoscale maximum (× 2 while overprovisioning) outgrows the range, naming the profile", () => {
        const ceilings = [{ maximum: 4, source: 'autoscale profile "nights"' }, { maximum: 6, source: 'autoscale profile "business-hours"' }];
        expect(() => planScaleSetPorts({ rule, range, current: [], capacity: 2, ceilings })).toThrow(PortRangeExhaustedError);
        expect(() => planScaleSetPorts({ rule, range, current: [], capacity: 2, ceilings })).toThrow(
            /12 instances need a port \(autoscale profile "business-hours" maximum 6 × 2 while overprovisioning is on\)/,
        );
        const fits = planScaleSetPorts({ rule, range, current: [], capacity: 2, ceilings, overprovision: false });
        expect(fits.demand).toBe(6);
        expect(fits.instances).toHaveLength(2);
    });

    it("checks the peak against the survivors where they are", () => {
        // Survivors hold 50000 and 50009; a peak of 10 still fits the 10 ports around them.
        const current = [{ instance: "0", frontendPort: 50000 }, { instance: "7", frontendPort: 50009 }];
        const plan = planScaleSetPorts({ rule, range, current, capacity: 3, overprovision: false, ceilings: [{ maximum: 10, source: "autoscaleMaxCapacity" }] });
        expect(ports(plan)).toEqual({ 0: 50000, 7: 50009, 8: 50001 });
        expect(() => planScaleSetPorts({ rule, range, current, capacity: 3, overprovision: false, ceilings: [{ maximum: 11, source: "autoscaleMaxCapacity" }] }))
            .toThrow(/autoscaleMaxCapacity maximum 11/);
    });
});

describe("planVmGroupPorts", () => {
    it("keeps named VMs' ports and gives new VMs the lowest free ports in name order", () => {
        const current = [{ instance: "web-a", frontendPort: 50000 }, { instance: "web-c", frontendPort: 50002 }];
        const plan = planVmGroupPorts({ rule, range, current, vmNames: ["web-d", "web-c", "web-b"] });
        expect(ports(plan)).toEqual({ "web-b": 50000, "web-c": 50002, "web-d": 50001 });
        expect(plan.candidatePorts).toEqual([50000, 50001]);
    });
});
