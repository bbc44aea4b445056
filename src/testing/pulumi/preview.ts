/**
 * What a resource outputs in `pulumi preview`, shaped as azure-native shapes it
 * (pulumi/pulumi-azure-native provider/pkg/provider/provider.go Create/Update with
 * `req.GetPreview()`, and provider/pkg/convert/previewOutputs.go):
 * - a create returns its inputs in the outputs' shape and marks every other output unknown, the
 *   id too (the engine has no id before Azure answers);
 * - an update returns the same from its new inputs, plus `name` and `location` from the old state
 *   ("universally immutable" outputs), and keeps its id;
 * - a resource whose inputs did not change is a "same" step: the engine keeps the old outputs.
 * Inputs that are unknown are accepted and never applied to the simulated state.
 */
import * as pulumi from "@pulumi/pulumi";
import { flattenArm } from "../arm-json";
import { ArmError } from "../errors";
import { computeId, networkId, resourceGroupId } from "../ids";
import { autoscaleSettingId } from "../insights/autoscale";
import type { SimulatedResourceType } from "../resource-types";
import { applyIgnoreChanges, type StackCheckpoint } from "./checkpoint";
import type { SimulatedAzure } from "../simulated-azure";

type Json = Record<string, unknown>;

/**
 * Whether a value is unknown, as a preview leaves an output Azure has not computed yet (a new
 * resource's id, a new public IP's address). `runDeployment` keeps these markers in its outputs.
 */
export function isUnknown(value: unknown): boolean {
    return pulumi.isUnknown(value);
}

/** Whether a value is or holds an unknown anywhere. */
export function containsUnknown(value: unknown): boolean {
    return pulumi.containsUnknowns(value);
}

// Pulumi's marker of a secret inside a property value (sdk/nodejs/runtime/rpc.ts specialSigKey).
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";

const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v) && !pulumi.isUnknown(v);

/**
 * The inputs of one resource as its preview outputs: every input as given, and every output in
 * `computed` (what Azure returns for the resource) that the inputs do not set, unknown, down
 * through objects and arrays (previewOutputs.go recurses into typed objects and array items).
 * Without `computed` (a create whose inputs could not be applied), the SDK marks the missing
 * top-level outputs unknown by itself; array items get an unknown `id`, since every ARM
 * sub-resource in an array carries one Azure assigns.
 */
export function previewOutputs(inputs: Json, computed?: Json): Json {
    const out = previewValue(inputs, computed) as Json;
    delete out.id; // Pulumi carries the id separately.
    return out;
}

function previewValue(input: unknown, computed: unknown, inArray = false): unknown {
    if (pulumi.isUnknown(input)) return pulumi.unknown;
    if (Array.isArray(input)) {
        const items = Array.isArray(computed) ? computed : [];
        return input.map((item, i) => previewValue(item, matchingItem(item, items, i), true));
    }
    if (!isObject(input) || SECRET_SIG_KEY in input) return input;
    const out: Json = {};
    if (isObject(computed)) {
        for (const key of Object.keys(computed)) if (!(key in input)) out[key] = pulumi.unknown;
    } else if (inArray && !("id" in input)) {
        out.id = pulumi.unknown;
    }
    for (const [key, value] of Object.entries(input)) out[key] = previewValue(value, isObject(computed) ? computed[key] : undefined);
    return out;
}

/** Azure's item for an input item: the one of the same name (sub-resources), else the one at its index. */
function matchingItem(item: unknown, computed: unknown[], index: number): unknown {
    const name = isObject(item) && typeof item.name === "string" ? item.name : undefined;
    if (name !== undefined) {
        const byName = computed.find((c) => isObject(c) && typeof c.name === "string" && c.name.toLowerCase() === name.toLowerCase());
        if (byName !== undefined) return byName;
    }
    return computed[index];
}

/** Outputs an update keeps from the old state in preview (azure-native provider.go Update: `stableOutputs`). */
const STABLE_OUTPUTS = ["name", "location"] as const;

/**
 * The ARM id a resource's inputs name, or undefined while a part of it is unknown (a parent being
 * created has an unknown `name` in preview, so a child of it is being created too).
 */
export function armIdOf(subscriptionId: string, type: SimulatedResourceType, pulumiName: string, inputs: Json): string | undefined {
    const text = (key: string): string | undefined => (typeof inputs[key] === "string" ? (inputs[key] as string) : undefined);
    const named = (key: string, orName = false): string | undefined => {
        if (key in inputs) return text(key);
        if (orName && "name" in inputs) return text("name");
        return pulumiName;
    };
    const rg = text("resourceGroupName");
    const under = (parentType: string, parentKey: string, collection: string, nameKey: string): string | undefined => {
        const parent = text(parentKey);
        const name = named(nameKey, true);
        return rg && parent && name ? `${networkId(subscriptionId, rg, parentType, parent)}/${collection}/${name}` : undefined;
    };
    const network = (collection: string, nameKey: string): string | undefined => {
        const name = named(nameKey);
        return rg && name ? networkId(subscriptionId, rg, collection, name) : undefined;
    };
    const compute = (collection: string, nameKey: string): string | undefined => {
        const name = named(nameKey);
        return rg && name ? computeId(subscriptionId, rg, collection, name) : undefined;
    };
    switch (type) {
        case "resources:ResourceGroup": {
            const name = named("resourceGroupName");
            return name ? resourceGroupId(subscriptionId, name) : undefined;
        }
        case "network:PublicIPAddress": return network("publicIPAddresses", "publicIpAddressName");
        case "network:VirtualNetwork": return network("virtualNetworks", "virtualNetworkName");
        case "network:NetworkSecurityGroup": return network("networkSecurityGroups", "networkSecurityGroupName");
        case "network:LoadBalancer": return network("loadBalancers", "loadBalancerName");
        case "network:NetworkInterface": return network("networkInterfaces", "networkInterfaceName");
        case "network:Subnet": return under("virtualNetworks", "virtualNetworkName", "subnets", "subnetName");
        case "network:SecurityRule": return under("networkSecurityGroups", "networkSecurityGroupName", "securityRules", "securityRuleName");
        case "network:LoadBalancerBackendAddressPool": return under("loadBalancers", "loadBalancerName", "backendAddressPools", "backendAddressPoolName");
        case "network:InboundNatRule": return under("loadBalancers", "loadBalancerName", "inboundNatRules", "inboundNatRuleName");
        case "compute:VirtualMachine": return compute("virtualMachines", "vmName");
        case "compute:VirtualMachineScaleSet": return compute("virtualMachineScaleSets", "vmScaleSetName");
        case "monitor:AutoscaleSetting": {
            const name = named("autoscaleSettingName", true);
            return rg && name ? autoscaleSettingId(subscriptionId, rg, name) : undefined;
        }
    }
}

export interface PreviewRegistration {
    /** The simulator as it was before the preview: what the stack's state holds. */
    deployed: SimulatedAzure;
    /** The preview's scratch copy, where known inputs are applied so later registrations see the planned resources. */
    scratch: SimulatedAzure;
    type: SimulatedResourceType;
    name: string;
    inputs: Json;
    /** The stack's checkpoint: what the engine diffs against and a "same" step outputs. */
    checkpoint: StackCheckpoint;
    /** The registration's `ignoreChanges` paths. */
    ignoreChanges?: readonly string[];
}

/**
 * The change applied to the preview's scratch copy, or undefined when Azure would refuse it. A
 * preview sends nothing to Azure (azure-native's Create and Update return before any request when
 * `req.GetPreview()`), so Azure's refusals show at `pulumi up`, never in a preview: there only the
 * program's own checks can fail. The refused change leaves the scratch copy as it was.
 */
function applyToScratch(r: PreviewRegistration): { id: string; changed: boolean } | undefined {
    try {
        return r.scratch.apply(r.type, r.name, r.inputs);
    } catch (err) {
        if (err instanceof ArmError) return undefined;
        throw err;
    }
}

/**
 * One resource registration in a preview: applies known inputs to the scratch copy (so later
 * registrations see the planned Azure), never unknown ones, and returns what azure-native's
 * preview returns for it. It never fails on what Azure would answer.
 */
export function previewRegistration(registration: PreviewRegistration): { id: string | undefined; state: Json } {
    const id = armIdOf(registration.deployed.subscriptionId, registration.type, registration.name, registration.inputs);
    const entry = id !== undefined ? registration.checkpoint.get(id) : undefined;
    // The engine diffs the inputs after putting back the old values at ignored paths.
    const r = { ...registration, inputs: applyIgnoreChanges(registration.inputs, entry?.inputs, registration.ignoreChanges ?? []) };
    const unknownInputs = containsUnknown(r.inputs);
    const existing = id !== undefined && r.deployed.has(id) ? id : undefined;
    // A "same" step: the engine's Diff finds no change and calls no Create or Update, so Azure (the
    // scratch copy) is not asked; the checkpoint's outputs stand, even where Azure changed since.
    if (id !== undefined && entry !== undefined && !unknownInputs && r.checkpoint.unchanged(id, r.inputs)) return { id, state: entry.outputs };
    // The resource as Azure has it before this preview, where it exists.
    const deployedNow = (): Json | undefined => (existing !== undefined ? (flattenArm(r.deployed.get(existing)) as Json) : undefined);
    let computed: Json | undefined;
    if (!unknownInputs) {
        const applied = applyToScratch(r);
        if (applied === undefined) {
            // Azure would refuse this change at `pulumi up`; a real preview never asks it.
            computed = deployedNow();
        } else {
            // Not in the checkpoint (a state built outside Pulumi): unchanged means the inputs leave
            // the resource as Azure has it. A real engine would create it, and azure-native's Create
            // would refuse a resource that exists; this keeps scenarios built with buildPoolState usable.
            if (existing !== undefined && entry === undefined && !applied.changed) return { id: existing, state: r.deployed.pulumiState(existing, r.inputs) as Json };
            computed = flattenArm(r.scratch.get(applied.id)) as Json;
        }
    } else {
        computed = deployedNow();
    }
    const state = previewOutputs(r.inputs, computed);
    if (existing === undefined) return { id: undefined, state };
    const old = entry?.outputs ?? (r.deployed.pulumiState(existing) as Json);
    for (const key of STABLE_OUTPUTS) if (old[key] !== undefined) state[key] = old[key];
    return { id: existing, state };
}
