// Scaling under the journal rule: a change never alters a committed record in place (states share
// records), a rejected change puts back what it touched (the seed's draw count included), and the
// membership index follows each instance's model. Expected values follow the docs the scale-set
// tests cite: virtual-machine-scale-sets-design-overview (overprovisioning), -orchestration-modes
// (Flexible) and -upgrade-policy (Manual: "you choose when to update the scale set instances").
import { describe, expect, it } from "vitest";
import { ArmError } from "../../errors";
import { RESOURCE_MAPS, type SimulatorState } from "../../model";
import { buildScaleSetState, scaleSetModel, type ScaleSetStateOptions } from "../../scenarios";
import { AzureSimulator } from "../../simulator";

const RG = "rg";
const SUB = "00000000-0000-0000-0000-000000000000";
const LB_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/loadBalancers/lb`;

interface Options extends ScaleSetStateOptions {
    /** Flexible orchestration with one fault domain. */
    flexible?: boolean;
}

const scaleSetInputs = ({ flexible, ...o }: Options = {}) =>
    scaleSetModel({ ...o, ...(flexible ? { orchestrationMode: "Flexible", platformFaultDomainCount: 1 } : {}) });

const setup = ({ flexible, ...o }: Options = {}): AzureSimulator =>
    freeze(buildScaleSetState({ ...o, ...(flexible ? { orchestrationMode: "Flexible", platformFaultDomainCount: 1 } : {}) }).sim);

function deepFreeze(value: unknown): void {
    if (value === null || typeof value !== "object" || Object.isFrozen(value)) return;
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
}

/** Freezes every committed record (and the draw counter): a later change that edits one in place throws. */
function freeze(sim: AzureSimulator): AzureSimulator {
    const state = sim["state"] as SimulatorState;
    for (const map of RESOURCE_MAPS) for (const record of Object.values(state[map])) deepFreeze(record);
    deepFreeze(state.random);
    return sim;
}

const ids = (sim: AzureSimulator): string[] => sim.listInstances(RG, "web").map((i) => i.instanceId);
const ports = (sim: AzureSimulator): Record<string, number> => Object.fromEntries(sim.portMappings(RG, "lb").map((m) => [m.instance, m.frontendPort]));
/** What a whole-state check and port assignment make of the same state (a saved state is read that way). */
const reloaded = (sim: AzureSimulator): AzureSimulator => AzureSimulator.fromJSON(JSON.parse(JSON.stringify(sim.toJSON())));

function rejected(sim: AzureSimulator, change: () => unknown): ArmError {
    const before = sim.toJSON();
    let caught: unknown;
    try {
        change();
    } catch (err) {
        caught = err;
    }
    expect(caught).toBeInstanceOf(ArmError);
    expect(sim.toJSON()).toEqual(before);
    return caught as ArmError;
}

describe("scaling never edits a committed record in place", () => {
    it("overprovisioned scale-out and scale-in, Flexible scale-out, Manual model change and upgrade, autoscale", () => {
        const uniform = setup({ capacity: 2, seed: 2 });
        freeze(uniform).setCapacity(RG, "web", 4);
        freeze(uniform).setCapacity(RG, "web", 1);
        freeze(uniform).deleteInstances(RG, "web", ids(uniform));
        expect(ids(uniform)).toEqual([]);

        const flexible = setup({ capacity: 1, flexible: true });
        freeze(flexible).setCapacity(RG, "web", 3);
        expect(ids(flexible)).toHaveLength(3);

        const manual = setup({ capacity: 2, overprovision: false, upgradeMode: "Manual", inPool: false });
        freeze(manual).upsertScaleSet(scaleSetInputs({ capacity: 2, overprovision: false, upgradeMode: "Manual" }));
        freeze(manual).upgradeInstances(RG, "web", ["1"]);
        expect(ports(manual)).toEqual({ 1: 50000 });

        const VMSS_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/web`;
        const auto = setup({ capacity: 1, overprovision: false });
        const setting = { resourceGroupName: RG, autoscaleSettingName: "a", targetResourceUri: VMSS_ID, enabled: true, profiles: [{ name: "p", capacity: { minimum: "1", maximum: "3", default: "1" }, rules: [] }] };
        freeze(auto).upsert("monitor:AutoscaleSetting", "a", setting);
        freeze(auto).upsert("monitor:AutoscaleSetting", "a", { ...setting, enabled: false });
        freeze(auto).upsert("monitor:AutoscaleSetting", "a", setting);
        expect(freeze(auto).autoscale(RG, "web", 9)).toEqual(["0", "1", "2"]);
    });
});

describe("a rejected scale-out puts back what it touched", () => {
    it("Flexible: the VM names it drew are drawn again by the next scale-out, as if it never ran", () => {
        // Three VMs on a two-port range: the third has no port, so the scale-out is refused.
        const failed = setup({ capacity: 1, flexible: true, end: 50001, seed: 9 });
        const clean = setup({ capacity: 1, flexible: true, end: 50001, seed: 9 });
        expect(rejected(failed, () => failed.setCapacity(RG, "web", 3)).code).toBe("InboundNatRulePortRangeExhausted");
        expect(failed.setCapacity(RG, "web", 2)).toEqual(clean.setCapacity(RG, "web", 2));
    });

    it("Uniform overprovisioning on create: the peak is checked against the load balancers the new scale set joins", () => {
        // 3 requested + 3 extras at the peak on a 4-port range; overprovision: false needs only 3.
        const sim = setup({ capacity: 0, overprovision: false, end: 50003 });
        const inputs = { ...scaleSetInputs({ capacity: 3 }), vmScaleSetName: "api" };
        expect(rejected(sim, () => sim.upsertScaleSet(inputs)).message).toMatch(/scaling out by 3 creates 6 VMs \(3 extra\)/);
        sim.upsertScaleSet({ ...inputs, overprovision: false });
        expect(sim.listInstances(RG, "api").map((i) => i.instanceId)).toEqual(["0", "1", "2"]);
    });

    it("Uniform overprovisioning: a peak that does not fit leaves ids, ports and the draw count as they were", () => {
        // 2 requested + 2 extras need 5 ports at the peak (one instance holds one already); 4 are there.
        const sim = setup({ capacity: 1, overprovision: false, end: 50003, seed: 5 });
        sim.upsertScaleSet(scaleSetInputs({ capacity: 1, overprovision: true }));
        const err = rejected(sim, () => sim.setCapacity(RG, "web", 3));
        expect(err.message).toMatch(/scaling out by 2 creates 4 VMs \(2 extra\)/);
        expect(ids(sim)).toEqual(["0"]);
        expect(ports(sim)).toEqual({ 0: 50000 });
        // One more fits (1 + 1 extra at the peak): ids 1 and 2 were never kept, so the new ones are 1 and 2 again.
        expect(["1", "2"]).toContain(sim.setCapacity(RG, "web", 2)[1]);
    });
});

describe("a copy shares records with the simulator it came from", () => {
    it("a clone's scale-out (what a preview runs) leaves the original's instances, ports and draws as they were", () => {
        const sim = setup({ capacity: 2, seed: 3 });
        const before = sim.toJSON();
        const copy = freeze(sim).clone();
        const inCopy = copy.setCapacity(RG, "web", 5);
        expect(sim.toJSON()).toEqual(before);
        // The original draws what the copy drew: same seed, same draw count, same change.
        expect(sim.setCapacity(RG, "web", 5)).toEqual(inCopy);
        expect(ports(sim)).toEqual(ports(copy));
    });
});

describe("the membership index follows the model each instance runs (upgrade policy Manual)", () => {
    it("removing the pool from the model keeps running instances in it, with their ports, until each is upgraded", () => {
        const sim = setup({ capacity: 3, overprovision: false, upgradeMode: "Manual" });
        expect(ports(sim)).toEqual({ 0: 50000, 1: 50001, 2: 50002 });
        sim.upsertScaleSet(scaleSetInputs({ capacity: 3, overprovision: false, upgradeMode: "Manual", inPool: false }));
        expect(ports(sim)).toEqual({ 0: 50000, 1: 50001, 2: 50002 });
        expect(ports(reloaded(sim))).toEqual(ports(sim));

        // A new instance runs the latest model: no pool, no port.
        sim.setCapacity(RG, "web", 4);
        expect(ports(sim)).toEqual({ 0: 50000, 1: 50001, 2: 50002 });
        sim.upgradeInstances(RG, "web", ["1"]);
        expect(ports(sim)).toEqual({ 0: 50000, 2: 50002 });
        expect(ports(reloaded(sim))).toEqual(ports(sim));
        sim.upgradeInstances(RG, "web", "*");
        expect(ports(sim)).toEqual({});
    });

    it("a load balancer only an instance's older model still uses cannot be deleted", () => {
        const sim = setup({ capacity: 2, overprovision: false, upgradeMode: "Manual" });
        sim.upsertScaleSet(scaleSetInputs({ capacity: 2, overprovision: false, upgradeMode: "Manual", inPool: false }));
        expect(rejected(sim, () => sim.delete(LB_ID)).code).toBe("LoadBalancerInUseByVirtualMachineScaleSet");
        sim.upgradeInstances(RG, "web", "*");
        expect(sim.delete(LB_ID)).toBe(true);
    });
});
