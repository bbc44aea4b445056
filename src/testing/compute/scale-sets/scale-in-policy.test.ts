/**
 * Which instances a scale-in removes, and which ids a scale-out gives, as Microsoft's docs say:
 * - scale-in policy (learn.microsoft.com/azure/virtual-machine-scale-sets/virtual-machine-scale-sets-scale-in-policy):
 *   Default deletes "the virtual machine with the highest instance ID" (Uniform) and "the oldest
 *   virtual machine as per createdTime" (Flexible); OldestVM the oldest, NewestVM the newest;
 * - instance ids (…/virtual-machine-scale-sets-instance-ids): they "may be reused for new instances
 *   once old instances are deleted", with "no guarantee on the way instance IDs are assigned".
 */
import { describe, expect, it } from "vitest";
import { buildScaleSetState, scaleSetModel, type ScaleSetStateOptions } from "../../scenarios";

const RG = "rg";
const setup = (o: ScaleSetStateOptions = {}) => buildScaleSetState({ overprovision: false, ...o }).sim;

describe("scale-in policy", () => {
    it("Default removes the highest ids of a Uniform scale set, even when a reused id makes a low id the newest", () => {
        const sim = setup({ capacity: 4, uniformInstanceIds: "reuse" });
        sim.deleteInstances(RG, "web", ["1"]);
        sim.setCapacity(RG, "web", 4); // id 1 again, now the newest
        expect(sim.listInstances(RG, "web").map((i) => i.instanceId)).toEqual(["0", "1", "2", "3"]);
        sim.setCapacity(RG, "web", 2);
        expect(sim.listInstances(RG, "web").map((i) => i.instanceId)).toEqual(["0", "1"]);
    });

    it("NewestVM removes the newest by creation, OldestVM the oldest", () => {
        const newest = setup({ capacity: 4, uniformInstanceIds: "reuse" });
        newest.upsertScaleSet({ ...scaleSetModel({ capacity: 4, overprovision: false }), scaleInPolicy: { rules: ["NewestVM"] } });
        newest.deleteInstances(RG, "web", ["1"]);
        newest.setCapacity(RG, "web", 4); // 1 is the newest now
        newest.setCapacity(RG, "web", 3);
        expect(newest.listInstances(RG, "web").map((i) => i.instanceId)).toEqual(["0", "2", "3"]);

        const oldest = setup({ capacity: 4 });
        oldest.upsertScaleSet({ ...scaleSetModel({ capacity: 4, overprovision: false }), scaleInPolicy: { rules: ["OldestVM"] } });
        oldest.setCapacity(RG, "web", 2);
        expect(oldest.listInstances(RG, "web").map((i) => i.instanceId)).toEqual(["2", "3"]);
    });

    it("refuses a rule the spec does not list", () => {
        const sim = setup({ capacity: 1 });
        expect(() => sim.upsertScaleSet({ ...scaleSetModel({ capacity: 1, overprovision: false }), scaleInPolicy: { rules: ["Youngest"] } }))
            .toThrow(/scaleInPolicy\.rules.*Allowed values are Default, OldestVM, NewestVM/);
    });
});

describe("instance ids", () => {
    it("are given after the highest ever given by default, and may reuse a freed id", () => {
        const increasing = setup({ capacity: 3 });
        increasing.deleteInstances(RG, "web", ["2"]);
        increasing.setCapacity(RG, "web", 3);
        expect(increasing.listInstances(RG, "web").map((i) => i.instanceId)).toEqual(["0", "1", "3"]);

        const reuse = setup({ capacity: 3, uniformInstanceIds: "reuse" });
        reuse.deleteInstances(RG, "web", ["2"]);
        reuse.setCapacity(RG, "web", 3);
        expect(reuse.listInstances(RG, "web").map((i) => i.instanceId)).toEqual(["0", "1", "2"]);
    });
});
