/**
 * Face 1: Pulumi runtime mocks over an AzureSimulator (through the SimulatedAzure shape). `newResource` creates or updates the
 * simulated resource (keyed by ARM id, so a second run of a program updates in place) and returns
 * what azure-native would output; `call` answers the azure-native functions the library uses.
 */
import * as pulumi from "@pulumi/pulumi";
import { flattenArm } from "../arm-json";
import { ARM_ERROR_CODES, ArmError } from "../errors";
import { networkId, computeId, resourceGroupId } from "../ids";
import { resourceGroupNameOf, requiredText, type Bag } from "../resource-inputs";
import { simulatedTypeOf } from "../resource-types";
import type { SimulatedAzure } from "../simulated-azure";
import { armIdOf, previewRegistration } from "./preview";
import { applyIgnoreChanges, checkpointOf, type StackCheckpoint } from "./checkpoint";

export interface SimulatorMocksOptions {
    /**
     * Called with every error a registration throws, before Pulumi wraps it in its own message
     * (runDeployment uses this to reject with the original ArmError). A failed function call is not
     * reported here: it fails only the call, as under the engine.
     */
    onError?: (error: unknown) => void;
    /**
     * The stack's checkpoint: a resource whose inputs equal its recorded ones is a "same" step,
     * sent nowhere, with the recorded outputs, as under the real engine.
     * @default the simulator's own checkpoint (one per simulator)
     */
    checkpoint?: StackCheckpoint;
    /** The `ignoreChanges` paths of a registration (runDeployment reads them off the mock monitor). @default none */
    ignoreChangesOf?: (type: string, name: string) => readonly string[];
    /** Called for every create or update sent to the simulated Azure in an update (not for same steps). */
    onSent?: (resource: { type: string; name: string; id: string }) => void;
}

/** Token of a Pulumi function, without any API-version module: `network:getLoadBalancer`. */
function functionOf(token: string): string {
    const m = /^azure-native:([a-z0-9]+)(?:\/v[0-9a-z]+)?:([A-Za-z0-9]+)$/.exec(token);
    return m ? `${m[1]}:${m[2]}` : token;
}

const SIMULATED_FUNCTIONS = [
    "authorization:getClientToken",
    "authorization:getClientConfig",
    "resources:getResourceGroup",
    "network:getLoadBalancer",
    "network:getLoadBalancerBackendAddressPool",
    "network:getInboundNatRule",
    "network:getPublicIPAddress",
    "network:getNetworkInterface",
    "network:getVirtualNetwork",
    "network:getSubnet",
    "compute:getVirtualMachineScaleSet",
    "compute:getVirtualMachine",
] as const;

/**
 * Builds the mocks. During a preview (`pulumi.runtime.isDryRun()`), every change with known inputs
 * goes to a scratch copy taken at the first preview registration, so later registrations see the
 * planned resources without the simulator changing; a change Azure would refuse is left out and
 * does not fail the preview, which sends nothing to Azure (./preview.ts); the outputs are what
 * azure-native's preview returns (see ./preview.ts), and functions read the simulator as it is.
 */
export function createSimulatorMocks(sim: SimulatedAzure, options: SimulatorMocksOptions = {}): pulumi.runtime.Mocks {
    let scratch: SimulatedAzure | undefined;
    const checkpoint = options.checkpoint ?? checkpointOf(sim);
    const target = (): SimulatedAzure => {
        if (!pulumi.runtime.isDryRun()) return sim;
        scratch ??= sim.clone();
        return scratch;
    };
    const reportErrors = <T>(work: () => T): T => {
        try {
            return work();
        } catch (err) {
            options.onError?.(err);
            throw err;
        }
    };

    return {
        newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
            return reportErrors(() => {
                if (!args.custom) return { id: undefined, state: args.inputs };
                if (args.type.startsWith("pulumi:providers:")) return { id: `${args.name}_id`, state: args.inputs };
                const type = simulatedTypeOf(args.type);
                const simulator = target();
                if (args.id) {
                    // A read (`Resource.get`) or an import: answer with the existing resource.
                    if (!simulator.has(args.id)) {
                        throw new ArmError(ARM_ERROR_CODES.resourceNotFound, 404, `The Resource '${args.id}' was not found (read of ${args.type} ${args.name}).`);
                    }
                    return { id: args.id, state: simulator.pulumiState(args.id, args.inputs as Bag) };
                }
                // Types the simulator does not model (random, tls, other providers) just echo.
                if (!type) return { id: `${args.name}_id`, state: args.inputs };
                const ignoreChanges = options.ignoreChangesOf?.(args.type, args.name) ?? [];
                // A preview answers as azure-native's preview does: unknowns where Azure has not computed yet.
                if (pulumi.runtime.isDryRun()) {
                    return previewRegistration({ deployed: sim, scratch: simulator, type, name: args.name, inputs: args.inputs as Bag, checkpoint, ignoreChanges });
                }
                const id = armIdOf(sim.subscriptionId, type, args.name, args.inputs as Bag);
                const entry = id !== undefined ? checkpoint.get(id) : undefined;
                const inputs = applyIgnoreChanges(args.inputs as Bag, entry?.inputs, ignoreChanges);
                // A "same" step: the engine sends nothing and keeps the checkpoint's outputs (step_generator.go).
                if (id !== undefined && entry !== undefined && checkpoint.unchanged(id, inputs)) return { id, state: entry.outputs };
                const applied = simulator.upsert(type, args.name, inputs);
                checkpoint.record(applied.id, inputs, applied.state);
                options.onSent?.({ type: args.type, name: args.name, id: applied.id });
                return applied;
            });
        },

        call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
            // azure-native's Invoke has no preview branch (provider.go Invoke): it reads Azure as it is, never the preview's changes.
            // Not reported as the run's failure: as under the engine, a failed invoke fails only the
            // call, and a program that catches it goes on (one that does not fails with it).
            try {
                return answerCall(sim, args.token, args.inputs as Bag);
            } catch (err) {
                throw invokeFailure(args.token, err);
            }
        },
    };
}

/**
 * A failed invoke as the program sees it under the engine: the monitor's gRPC error, whose details
 * the SDK turns into the rejection's message, worded as the engine words it ("invocation of %v
 * returned an error: %w", pkg/resource/deploy/source_eval.go Invoke).
 */
function invokeFailure(token: string, err: unknown): Error & { details: string } {
    const details = `invocation of ${token} returned an error: ${err instanceof Error ? err.message : String(err)}`;
    return Object.assign(new Error(details), { details });
}

function answerCall(sim: SimulatedAzure, token: string, inputs: Bag): Record<string, unknown> {
    const fn = functionOf(token);
    const owner = `function ${token}`;
    const sub = sim.subscriptionId;
    const rg = (): string => resourceGroupNameOf(owner, inputs.resourceGroupName);
    const field = (name: string): string => requiredText(owner, name, inputs[name]);
    const read = (id: string): Record<string, unknown> => flattenArm(sim.get(id)) as Record<string, unknown>;
    switch (fn) {
        case "authorization:getClientToken":
            return { token: "sim-token" };
        case "authorization:getClientConfig": {
            const id = sim.identity;
            return { clientId: id.clientId, objectId: id.objectId, subscriptionId: id.subscriptionId, tenantId: id.tenantId };
        }
        case "resources:getResourceGroup":
            return read(resourceGroupId(sub, rg()));
        case "network:getLoadBalancer":
            return read(networkId(sub, rg(), "loadBalancers", field("loadBalancerName")));
        case "network:getLoadBalancerBackendAddressPool":
            return read(`${networkId(sub, rg(), "loadBalancers", field("loadBalancerName"))}/backendAddressPools/${field("backendAddressPoolName")}`);
        case "network:getInboundNatRule":
            return read(`${networkId(sub, rg(), "loadBalancers", field("loadBalancerName"))}/inboundNatRules/${field("inboundNatRuleName")}`);
        case "network:getPublicIPAddress":
            return read(networkId(sub, rg(), "publicIPAddresses", field("publicIpAddressName")));
        case "network:getNetworkInterface":
            return read(networkId(sub, rg(), "networkInterfaces", field("networkInterfaceName")));
        case "network:getVirtualNetwork":
            return read(networkId(sub, rg(), "virtualNetworks", field("virtualNetworkName")));
        case "network:getSubnet":
            return read(`${networkId(sub, rg(), "virtualNetworks", field("virtualNetworkName"))}/subnets/${field("subnetName")}`);
        case "compute:getVirtualMachineScaleSet":
            return read(computeId(sub, rg(), "virtualMachineScaleSets", field("vmScaleSetName")));
        case "compute:getVirtualMachine":
            return read(computeId(sub, rg(), "virtualMachines", field("vmName")));
        default:
            throw new Error(
                `AzureSimulator mocks: no simulated answer for function ${JSON.stringify(token)}. ` +
                    `Simulated functions: ${SIMULATED_FUNCTIONS.map((f) => `azure-native:${f}`).join(", ")}.`,
            );
    }
}
