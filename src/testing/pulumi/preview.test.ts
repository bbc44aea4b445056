import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { StackCheckpoint } from "./checkpoint";
import { isUnknown, previewRegistration, type PreviewRegistration } from "./preview";
import { AzureSimulator } from "../simulator";

// Expected shapes come from pulumi/pulumi-azure-native: provider/pkg/provider/provider.go (Create and
// Update with req.GetPreview()) and provider/pkg/convert/previewOutputs.go (inputs kept, every other
// output of the response schema computed, down through typed objects and array items).

const SUB = "00000000-0000-0000-0000-000000000000";
const LB_ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb`;
const lbInputs = (publicIpId: unknown = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/ip`) => ({
    resourceGroupName: "rg",
    loadBalancerName: "lb",
    sku: { name: "Standard" },
    frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: publicIpId } }],
    backendAddressPools: [{ name: "pool" }],
});

function withGroupAndIp(): AzureSimulator {
    const sim = new AzureSimulator();
    sim.createResourceGroup({ resourceGroupName: "rg", location: "westeurope" });
    sim.upsertPublicIPAddress({ resourceGroupName: "rg", publicIpAddressName: "ip", sku: { name: "Standard" } });
    return sim;
}

/** A preview registration with an empty checkpoint unless one is given. */
const register = (r: Omit<PreviewRegistration, "checkpoint"> & { checkpoint?: StackCheckpoint }) =>
    previewRegistration({ checkpoint: new StackCheckpoint(), ...r });

/** A checkpoint holding the load balancer as deployed with `inputs`. */
function deployedCheckpoint(sim: AzureSimulator, inputs: Record<string, unknown>): StackCheckpoint {
    const checkpoint = new StackCheckpoint();
    checkpoint.record(LB_ID, inputs, sim.pulumiState(LB_ID, inputs));
    return checkpoint;
}

describe("preview outputs", () => {
    it("a create keeps its inputs and leaves the id and every other output unknown, nested ones too", () => {
        const sim = withGroupAndIp();
        const scratch = sim.clone();
        const { id, state } = register({ deployed: sim, scratch, type: "network:LoadBalancer", name: "lb", inputs: lbInputs() });
        expect(id).toBeUndefined();
        expect(isUnknown(state.name)).toBe(true); // the input is loadBalancerName; `name` is an output only
        expect(isUnknown(state.location)).toBe(true);
        expect(isUnknown(state.etag)).toBe(true);
        expect(state.sku).toMatchObject({ name: "Standard" });
        expect(isUnknown((state.sku as Record<string, unknown>).tier)).toBe(true);
        const pool = (state.backendAddressPools as Record<string, unknown>[])[0];
        expect(pool.name).toBe("pool");
        expect(isUnknown(pool.id)).toBe(true);
        const frontend = (state.frontendIPConfigurations as Record<string, unknown>[])[0];
        expect(isUnknown(frontend.id)).toBe(true);
        expect(frontend.publicIPAddress).toMatchObject({ id: lbInputs().frontendIPConfigurations[0].publicIPAddress.id });
        // The known inputs reached the scratch copy (so the preview runs Azure's checks), not the simulator.
        expect(scratch.has(LB_ID)).toBe(true);
        expect(sim.has(LB_ID)).toBe(false);
    });

    it("an update keeps its id, takes name and location from the old state, and leaves other outputs unknown", () => {
        const sim = withGroupAndIp();
        sim.upsert("network:LoadBalancer", "lb", lbInputs());
        const checkpoint = deployedCheckpoint(sim, lbInputs());
        const changed = { ...lbInputs(), backendAddressPools: [{ name: "pool" }, { name: "pool2" }] };
        const { id, state } = register({ deployed: sim, scratch: sim.clone(), type: "network:LoadBalancer", name: "lb", inputs: changed, checkpoint });
        expect(id).toBe(LB_ID);
        expect(state.name).toBe("lb");
        expect(state.location).toBe("westeurope");
        expect(isUnknown(state.etag)).toBe(true);
        const pools = state.backendAddressPools as Record<string, unknown>[];
        expect(pools.map((p) => p.name)).toEqual(["pool", "pool2"]);
        expect(pools.every((p) => isUnknown(p.id))).toBe(true);
    });

    it("an unchanged resource keeps every output of its checkpoint, known, even where Azure changed since", () => {
        const sim = withGroupAndIp();
        sim.upsert("network:LoadBalancer", "lb", lbInputs());
        const checkpoint = deployedCheckpoint(sim, lbInputs());
        const recorded = sim.pulumiState(LB_ID, lbInputs());
        // Outside Pulumi, a second pool appears: a same step does not read Azure (step_generator.go).
        sim.upsert("network:LoadBalancer", "lb", { ...lbInputs(), backendAddressPools: [{ name: "pool" }, { name: "outside" }] });
        const scratch = sim.clone();
        const { id, state } = register({ deployed: sim, scratch, type: "network:LoadBalancer", name: "lb", inputs: lbInputs(), checkpoint });
        expect(id).toBe(LB_ID);
        expect(pulumi.containsUnknowns(state)).toBe(false);
        expect(state).toEqual(recorded);
        expect((state.backendAddressPools as Record<string, unknown>[]).map((p) => p.name)).toEqual(["pool"]);
        // Nothing was applied to the scratch copy: the outside pool is still there.
        expect(scratch.toJSON()).toEqual(sim.toJSON());
    });

    it("an input changed only at an ignoreChanges path is a same step; elsewhere it is an update", () => {
        const sim = withGroupAndIp();
        sim.upsert("network:LoadBalancer", "lb", lbInputs());
        const checkpoint = deployedCheckpoint(sim, lbInputs());
        const twoPools = { ...lbInputs(), backendAddressPools: [{ name: "pool" }, { name: "pool2" }] };
        const ignored = register({ deployed: sim, scratch: sim.clone(), type: "network:LoadBalancer", name: "lb", inputs: twoPools, checkpoint, ignoreChanges: ["backendAddressPools"] });
        expect(pulumi.containsUnknowns(ignored.state)).toBe(false);
        expect((ignored.state.backendAddressPools as unknown[]).length).toBe(1);
        const other = register({ deployed: sim, scratch: sim.clone(), type: "network:LoadBalancer", name: "lb", inputs: twoPools, checkpoint, ignoreChanges: ["sku.name"] });
        expect(isUnknown(other.state.etag)).toBe(true);
    });

    it("accepts an unknown input, keeps it unknown in the outputs and applies nothing", () => {
        const sim = withGroupAndIp();
        const scratch = sim.clone();
        const before = scratch.toJSON();
        const { id, state } = register({ deployed: sim, scratch, type: "network:LoadBalancer", name: "lb", inputs: lbInputs(pulumi.unknown) });
        expect(id).toBeUndefined();
        const frontend = (state.frontendIPConfigurations as Record<string, unknown>[])[0];
        expect(isUnknown((frontend.publicIPAddress as Record<string, unknown>).id)).toBe(true);
        expect(isUnknown((state.backendAddressPools as Record<string, unknown>[])[0].id)).toBe(true);
        expect(scratch.toJSON()).toEqual(before);
        expect(scratch.has(LB_ID)).toBe(false);
    });

    it("an existing resource with an unknown input is an update: id kept, the unknown never stored", () => {
        const sim = withGroupAndIp();
        sim.upsert("network:LoadBalancer", "lb", lbInputs());
        const scratch = sim.clone();
        const { id, state } = register({ deployed: sim, scratch, type: "network:LoadBalancer", name: "lb", inputs: lbInputs(pulumi.unknown) });
        expect(id).toBe(LB_ID);
        expect(state.name).toBe("lb");
        expect(scratch.toJSON()).toEqual(sim.toJSON());
    });

    it("tells Pulumi's unknown apart from empty values", () => {
        expect(isUnknown(pulumi.unknown)).toBe(true);
        for (const value of ["", undefined, null, 0, {}, []]) expect(isUnknown(value)).toBe(false);
    });
});
