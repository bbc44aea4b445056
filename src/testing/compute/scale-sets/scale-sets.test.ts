import { describe, expect, it } from "vitest";
import { ArmError } from "../../errors";
import { buildScaleSetState, scaleSetModel, type ScaleSetStateOptions } from "../../scenarios";
import { AzureSimulator } from "../../simulator";

const RG = "rg";
const SUB = "00000000-0000-0000-0000-000000000000";
const LB_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/loadBalancers/lb`;
const POOL = { id: `${LB_ID}/backendAddressPools/pool` };

/** A Standard LB with pool `pool` and backend-pool NAT rule `ssh` over `start..end`, then scale set `web`. */
const setup = (o: ScaleSetStateOptions = {}): AzureSimulator => buildScaleSetState(o).sim;

const ids = (sim: AzureSimulator): string[] => sim.listInstances(RG, "web").map((i) => i.instanceId);
const ports = (sim: AzureSimulator): Record<string, number> => Object.fromEntries(sim.portMappings(RG, "lb").map((m) => [m.instance, m.frontendPort]));

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

// Docs virtual-machine-scale-sets-design-overview, "Overprovisioning": on by default; Azure "spins up
// more VMs than you asked for, then deletes the extra VMs", so instance ids have gaps. The number of
// extras is the simulator's choice (one per requested VM, scale-sets/scaling.ts extraVmsFor).
describe("overprovisioning (Uniform, on unless overprovision: false)", () => {
    it("keeps the requested count, drawn from ids 0..2n-1, so ids after the scale-out start at 2n", () => {
        const sim = setup({ capacity: 0 });
        const first = sim.setCapacity(RG, "web", 3);
        expect(first).toHaveLength(3);
        for (const id of first) expect(["0", "1", "2", "3", "4", "5"]).toContain(id);
        expect(ids(sim)).toEqual(first);
        // One more VM: 1 requested + 1 extra get ids 6 and 7 (ids are never reused).
        const second = sim.setCapacity(RG, "web", 4);
        expect(second.slice(0, 3)).toEqual(first);
        expect(["6", "7"]).toContain(second[3]);
    });

    it("is seeded: the same seed gives the same ids, and some seed leaves a gap", () => {
        const run = (seed: number) => {
            const sim = setup({ seed });
            return sim.setCapacity(RG, "web", 4);
        };
        expect(run(7)).toEqual(run(7));
        const outcomes = [0, 1, 2, 3, 4, 5, 6, 7].map((seed) => run(seed).join(","));
        expect(outcomes.some((o) => o !== "0,1,2,3")).toBe(true);
        expect(new Set(outcomes).size).toBeGreaterThan(1);
    });

    it("also applies on create when capacity is given, and is off with overprovision: false", () => {
        const on = setup({ capacity: 5, seed: 3 });
        expect(ids(on)).toHaveLength(5);
        expect(Math.max(...ids(on).map(Number))).toBeLessThan(10);
        const off = setup({ capacity: 5, overprovision: false });
        expect(ids(off)).toEqual(["0", "1", "2", "3", "4"]);
        expect(ports(off)).toEqual({ 0: 50000, 1: 50001, 2: 50002, 3: 50003, 4: 50004 });
    });

    it("needs ports for the extras during the scale-out: 3 VMs fail a 3-port range (peak 6), fit a 6-port one", () => {
        // Docs inbound-nat-rules: not enough ports blocks the scale-out; azure-cli sizes the range at 2 × capacity while overprovisioning (PR #23638).
        const tight = setup({ start: 50000, end: 50002 });
        const err = rejected(tight, () => tight.setCapacity(RG, "web", 3));
        expect(err.code).toBe("InboundNatRulePortRangeExhausted");
        expect(err.message).toMatch(/scaling out by 3 creates 6 VMs \(3 extra\)/);
        expect(ids(tight)).toEqual([]);

        const fits = setup({ start: 50000, end: 50005 });
        const kept = fits.setCapacity(RG, "web", 3);
        const p = ports(fits);
        expect(Object.keys(p).sort()).toEqual([...kept].sort());
        // The survivors keep the ports they got at the peak: each instance id n took port 50000 + n.
        for (const id of kept) expect(p[id]).toBe(50000 + Number(id));

        const off = setup({ start: 50000, end: 50002, overprovision: false });
        expect(off.setCapacity(RG, "web", 3)).toEqual(["0", "1", "2"]);
    });

    it("frees the extras' ports: a later scale-out takes the lowest free ports again", () => {
        const sim = setup({ start: 50000, end: 50005, seed: 1 });
        sim.setCapacity(RG, "web", 3);
        const before = ports(sim);
        const taken = new Set(Object.values(before));
        const free = [50000, 50001, 50002, 50003, 50004, 50005].filter((port) => !taken.has(port));
        expect(free).toHaveLength(3);
        // One more VM needs 2 ports at the peak (1 + 1 extra): the two lowest free ones.
        sim.setCapacity(RG, "web", 4);
        const after = ports(sim);
        for (const [id, port] of Object.entries(before)) expect(after[id]).toBe(port);
        const added = Object.keys(after).find((id) => !(id in before)) as string;
        expect(free.slice(0, 2)).toContain(after[added]);
    });
});

// Flexible instances are standard VMs named `<scale set>_<8 hex>` (e.g. `myScaleSet_0e7d4d21`) with NICs of
// their own (tutorial "Connect to Virtual Machine Scale Set instances using the Azure CLI"); no
// overprovisioning (docs virtual-machine-scale-sets-orchestration-modes); platformFaultDomainCount
// required (Azure/azure-rest-api-specs#27029).
describe("Flexible orchestration", () => {
    const flexible = (o: ScaleSetStateOptions = {}) =>
        setup({ orchestrationMode: "Flexible", platformFaultDomainCount: 1, ...o });

    it("names VMs <scale set>_<8 hex>, each with a NIC <nic config>-<8 hex>, one port each (no overprovisioning)", () => {
        const sim = flexible({ capacity: 3, end: 50002 });
        const vms = sim.listInstances(RG, "web");
        expect(vms).toHaveLength(3);
        expect(new Set(vms.map((v) => v.instanceId)).size).toBe(3);
        for (const vm of vms) {
            expect(vm.instanceId).toMatch(/^web_[0-9a-f]{8}$/);
            expect(vm.ipConfigurationIds).toHaveLength(1);
            expect(vm.ipConfigurationIds[0]).toMatch(
                new RegExp(`^/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft\\.Network/networkInterfaces/nic-[0-9a-f]{8}/ipConfigurations/ipconfig$`),
            );
        }
        // Three VMs fit three ports: Flexible creates exactly the VMs asked for.
        expect(sim.portMappings(RG, "lb").map((m) => [m.instance, m.frontendPort, m.ipConfigurationId])).toEqual(
            vms.map((v, i) => [v.instanceId, 50000 + i, v.ipConfigurationIds[0]]),
        );
        expect((sim.get(`/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/web`) as { properties: { overprovision: boolean } }).properties.overprovision).toBe(false);
    });

    it("is seeded: the same seed gives the same names, another seed others", () => {
        const names = (seed: number) => flexible({ capacity: 2, seed }).listInstances(RG, "web").map((v) => v.instanceId);
        expect(names(5)).toEqual(names(5));
        expect(names(5)).not.toEqual(names(6));
    });

    it("serves each VM and NIC as top-level resources; the pool's members and the query API use the NIC ipconfig", () => {
        const sim = flexible({ capacity: 2 });
        const [vm] = sim.listInstances(RG, "web");
        const nicId = vm.ipConfigurationIds[0].replace(/\/ipConfigurations\/ipconfig$/, "");
        const vmJson = sim.get(`/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/${vm.instanceId}`) as Record<string, any>;
        expect(vmJson.name).toBe(vm.instanceId);
        expect(vmJson.properties.virtualMachineScaleSet.id).toMatch(/virtualMachineScaleSets\/web$/);
        expect(vmJson.properties.networkProfile.networkInterfaces[0].id).toBe(nicId);
        const nic = sim.get(nicId) as Record<string, any>;
        expect(nic.properties.virtualMachine.id).toBe(vmJson.id);
        expect(nic.properties.ipConfigurations[0].id).toBe(vm.ipConfigurationIds[0]);
        const pool = sim.get(POOL.id) as Record<string, any>;
        const member = pool.properties.loadBalancerBackendAddresses[0];
        expect(member.properties.networkInterfaceIPConfiguration.id).toBe(vm.ipConfigurationIds[0]);
        // A NIC member is named `<resource group>_<nic name><ipconfig name>` (hashicorp/terraform-provider-azurerm#29775).
        expect(member.name).toBe(`${RG}_${nic.name}ipconfig`);
        expect(sim.queryInboundNatRulePortMapping(RG, "lb", "pool", { ipConfiguration: { id: vm.ipConfigurationIds[0] } }).inboundNatRulePortMappings)
            .toEqual([{ inboundNatRuleName: "ssh", protocol: "Tcp", frontendPort: 50000, backendPort: 22 }]);
    });

    it("scales out with new names and keeps the others' ports; scale in removes the oldest VM", () => {
        const sim = flexible({ capacity: 2 });
        const before = ports(sim);
        const after = sim.setCapacity(RG, "web", 3);
        expect(after.slice(0, 2)).toEqual(Object.keys(before));
        expect(ports(sim)[after[2]]).toBe(50002);
        // Docs virtual-machine-scale-sets-scale-in-policy, Default policy, Flexible orchestration:
        // "the oldest virtual machine as per createdTime is scaled-in first". The survivors keep their ports.
        expect(sim.setCapacity(RG, "web", 2)).toEqual(after.slice(1));
        expect(ports(sim)).toEqual({ [after[1]]: before[after[1]], [after[2]]: 50002 });
    });

    it("refuses overprovision: true and a missing platformFaultDomainCount, and accepts overprovision: false", () => {
        const sim = setup({ capacity: 0, overprovision: false });
        const over = rejected(sim, () => sim.upsertScaleSet({ ...scaleSetModel({ orchestrationMode: "Flexible", platformFaultDomainCount: 1, overprovision: true }), vmScaleSetName: "flex" }));
        expect(over.code).toBe("InvalidParameter");
        expect(over.message).toMatch(/'overprovision' is not supported .* orchestrationMode Flexible/);
        const noFd = rejected(sim, () => sim.upsertScaleSet({ ...scaleSetModel({ orchestrationMode: "Flexible" }), vmScaleSetName: "flex" }));
        expect(noFd.code).toBe("InvalidParameter");
        expect(noFd.message).toMatch(/platformFaultDomainCount/);
        sim.upsertScaleSet({ ...scaleSetModel({ orchestrationMode: "Flexible", platformFaultDomainCount: 1, overprovision: false, capacity: 1 }), vmScaleSetName: "flex" });
        expect(sim.listInstances(RG, "flex").map((v) => v.instanceId)).toEqual([expect.stringMatching(/^flex_[0-9a-f]{8}$/)]);
    });
});

// Docs virtual-machine-scale-sets-upgrade-policy: Manual, "you choose when to update the scale set
// instances" (az vmss update-instances); Automatic applies the model to all instances at once;
// Rolling upgrades in batches (applied at once here: no time passes in the simulator).
describe("upgrade policy", () => {
    const vmPath = (id: string) => `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/web/virtualMachines/${id}`;
    const latest = (sim: AzureSimulator, id: string) => (sim.get(vmPath(id)) as { properties: { latestModelApplied: boolean } }).properties.latestModelApplied;

    it("Manual: adding the backend pool reaches no existing instance until update-instances; new instances get it at once", () => {
        const sim = setup({ capacity: 2, overprovision: false, upgradeMode: "Manual", inPool: false });
        sim.upsertScaleSet(scaleSetModel({ capacity: 2, overprovision: false, upgradeMode: "Manual" }));
        expect(sim.portMappings(RG, "lb")).toEqual([]);
        expect([latest(sim, "0"), latest(sim, "1")]).toEqual([false, false]);
        // The instance's own NIC still shows the model it runs: no pool yet.
        const nic = sim.get(`${vmPath("0")}/networkInterfaces/nic`) as { properties: { ipConfigurations: { properties: { loadBalancerBackendAddressPools: unknown[] } }[] } };
        expect(nic.properties.ipConfigurations[0].properties.loadBalancerBackendAddressPools).toEqual([]);

        sim.setCapacity(RG, "web", 3);
        expect(ports(sim)).toEqual({ 2: 50000 });
        expect(latest(sim, "2")).toBe(true);

        expect(sim.upgradeInstances(RG, "web", ["0"])).toEqual(["0"]);
        // Instance 0 joins the pool and takes the lowest free port; 1 still runs the old model.
        expect(ports(sim)).toEqual({ 0: 50001, 2: 50000 });
        expect([latest(sim, "0"), latest(sim, "1")]).toEqual([true, false]);

        sim.upgradeInstances(RG, "web", "*");
        expect(ports(sim)).toEqual({ 0: 50001, 1: 50002, 2: 50000 });
        expect(latest(sim, "1")).toBe(true);
    });

    it("Manual: an unknown instance id is refused and changes nothing", () => {
        const sim = setup({ capacity: 2, overprovision: false, upgradeMode: "Manual", inPool: false });
        sim.upsertScaleSet(scaleSetModel({ capacity: 2, overprovision: false, upgradeMode: "Manual" }));
        expect(rejected(sim, () => sim.upgradeInstances(RG, "web", ["7"])).code).toBe("InvalidParameter");
    });

    it("the default (upgradePolicy unset) is Manual", () => {
        // The simulator's choice: the spec's UpgradePolicy.mode names no default; Manual is the first value it lists.
        const sim = setup({ capacity: 2, overprovision: false, inPool: false });
        sim.upsertScaleSet(scaleSetModel({ capacity: 2, overprovision: false }));
        expect(sim.portMappings(RG, "lb")).toEqual([]);
    });

    for (const mode of ["Automatic", "Rolling"]) {
        it(`${mode}: the new model reaches every instance at once`, () => {
            const sim = setup({ capacity: 2, overprovision: false, upgradeMode: mode, inPool: false });
            sim.upsertScaleSet(scaleSetModel({ capacity: 2, overprovision: false, upgradeMode: mode }));
            expect(ports(sim)).toEqual({ 0: 50000, 1: 50001 });
            expect([latest(sim, "0"), latest(sim, "1")]).toEqual([true, true]);
        });
    }
});

// Autoscale settings: Microsoft.Insights/autoscalesettings, shaped as azure-rest-api-specs' monitor example
// createOrUpdateAutoscaleSetting.json (id `.../providers/microsoft.insights/autoscalesettings/MySetting`,
// capacities as strings); `enabled` defaults to false (spec AutoscaleSetting.enabled).
describe("autoscale outside Pulumi", () => {
    const VMSS_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/web`;
    const SETTING_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/microsoft.insights/autoscalesettings/web-autoscale`;
    const setting = (enabled: boolean | undefined, capacity = { minimum: "2", maximum: "5", default: "2" }) => ({
        resourceGroupName: RG,
        autoscaleSettingName: "web-autoscale",
        targetResourceUri: VMSS_ID,
        ...(enabled !== undefined ? { enabled } : {}),
        profiles: [{ name: "default", capacity, rules: [] }, { name: "nights", capacity: { minimum: "0", maximum: "9", default: "0" }, rules: [] }],
    });

    it("stores a setting and serves it at the spec example's path, capacities as strings", () => {
        const sim = setup({ capacity: 2, overprovision: false });
        const { id, state } = sim.upsert("azure-native:monitor:AutoscaleSetting", "scale", setting(true));
        expect(id).toBe(SETTING_ID);
        const json = sim.get(SETTING_ID) as Record<string, any>;
        expect(json).toMatchObject({
            id: SETTING_ID,
            name: "web-autoscale",
            type: "Microsoft.Insights/autoscaleSettings",
            location: "westeurope",
            properties: { enabled: true, targetResourceUri: VMSS_ID, profiles: [{ name: "default", capacity: { minimum: "2", maximum: "5", default: "2" } }, { name: "nights" }] },
        });
        expect((sim.get(SETTING_ID.replace(/\/web-autoscale$/, "")) as { value: unknown[] }).value).toHaveLength(1);
        // azure-native outputs the setting's `properties` nested, where programs read `setting.properties.profiles`.
        expect((state.properties as { profiles: unknown[] }).profiles).toHaveLength(2);
        expect(() => sim.get(SETTING_ID.replace(/web-autoscale$/, "other"))).toThrow(expect.objectContaining({ statusCode: 404 }));
    });

    it("routes azure-native:monitor:AutoscaleSetting registrations from the mocks", () => {
        const sim = setup({ capacity: 2, overprovision: false });
        const result = sim.mocks().newResource({ type: "azure-native:monitor:AutoscaleSetting", name: "web-autoscale", inputs: setting(true), custom: true } as never) as { id: string };
        expect(result.id).toBe(SETTING_ID);
        expect(sim.has(SETTING_ID)).toBe(true);
    });

    it("clamps to the first profile's minimum and maximum and scales, returning the instance ids", () => {
        const sim = setup({ capacity: 2, overprovision: false });
        sim.upsert("monitor:AutoscaleSetting", "scale", setting(true));
        expect(sim.autoscale(RG, "web", 4)).toEqual(["0", "1", "2", "3"]);
        expect(sim.autoscale(RG, "web", 50)).toEqual(["0", "1", "2", "3", "4"]);
        expect(sim.autoscale(RG, "web", 0)).toEqual(["0", "1"]);
        expect(ports(sim)).toEqual({ 0: 50000, 1: 50001 });
    });

    it("overprovisions as any scale-out does (seeded ids with gaps, the peak must fit the range)", () => {
        const sim = setup({ capacity: 0, seed: 2, start: 50000, end: 50003 });
        sim.upsert("monitor:AutoscaleSetting", "scale", setting(true));
        const got = sim.autoscale(RG, "web", 2);
        expect(got).toHaveLength(2);
        for (const id of got) expect(["0", "1", "2", "3"]).toContain(id);
        // 2 → 5 asks for 3 more: 6 new VMs at the peak next to the 2 there are, past the 4-port range.
        expect(rejected(sim, () => sim.autoscale(RG, "web", 9)).code).toBe("InboundNatRulePortRangeExhausted");
    });

    it("answers 404 when no enabled setting targets the scale set (none, or enabled unset, which is false)", () => {
        const sim = setup({ capacity: 2, overprovision: false });
        const none = rejected(sim, () => sim.autoscale(RG, "web", 3));
        expect([none.code, none.statusCode]).toEqual(["ResourceNotFound", 404]);
        sim.upsert("monitor:AutoscaleSetting", "scale", setting(undefined));
        expect(rejected(sim, () => sim.autoscale(RG, "web", 3)).statusCode).toBe(404);
        sim.upsert("monitor:AutoscaleSetting", "scale", setting(true));
        expect(sim.autoscale(RG, "web", 3)).toEqual(["0", "1", "2"]);
    });

    it("survives save and load, and a loaded state goes on drawing from the same seed", () => {
        const a = setup({ capacity: 0, seed: 4 });
        const b = AzureSimulator.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
        expect(b.setCapacity(RG, "web", 3)).toEqual(a.setCapacity(RG, "web", 3));
    });

    it("survives save and load", () => {
        const sim = setup({ capacity: 2, overprovision: false });
        sim.upsert("monitor:AutoscaleSetting", "scale", setting(true));
        const loaded = AzureSimulator.fromJSON(JSON.parse(JSON.stringify(sim.toJSON())));
        expect(loaded.autoscale(RG, "web", 3)).toEqual(["0", "1", "2"]);
    });

    it("deletes a setting; autoscale then answers 404", () => {
        const sim = setup({ capacity: 2, overprovision: false });
        sim.upsert("monitor:AutoscaleSetting", "scale", setting(true));
        expect(sim.delete(SETTING_ID)).toBe(true);
        expect(sim.delete(SETTING_ID)).toBe(false);
        expect(sim.has(SETTING_ID)).toBe(false);
        expect(rejected(sim, () => sim.autoscale(RG, "web", 3)).statusCode).toBe(404);
    });
});
