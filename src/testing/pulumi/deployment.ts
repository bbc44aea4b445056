/**
 * `runDeployment`: runs a Pulumi program against an AzureSimulator as `pulumi up` (or `pulumi
 * preview`) would, in this process, and returns its stack outputs as plain values.
 */
import * as pulumi from "@pulumi/pulumi";
import { AzureNatRulesError } from "../../core/errors";
import { ArmError } from "../errors";
import { startArmServer } from "../http/arm-server";
import { ARM_ENDPOINT_ENV } from "../../azure-reads/azure-mappings";
import { observeMockRegistrations, readOutput, waitForRPCs } from "../../pulumi-sdk/pulumi-internals";
import type { AzureSimulator } from "../simulator";
import { withStackReferences, type StackReferenceOutputs } from "./stack-references";
import { exportsFromEarlierRun, staleProgramError } from "./stale-program";
import { checkpointOf, StackCheckpoint } from "./checkpoint";

export interface DeploymentOptions {
    /** Run as `pulumi preview`: the same checks, but the simulator is left unchanged. */
    preview?: boolean;
    project?: string;
    stack?: string;
    /**
     * Serve this simulator as the ARM endpoint on loopback for the run, and point the components
     * at it (`AZURE_NAT_RULES_ARM_ENDPOINT`), so they read Azure's mappings from the simulator
     * and never from the network. Default true; false keeps the caller's own endpoint setting.
     */
    serveArm?: boolean;
    /**
     * Other stacks' outputs, by fully qualified name, for the program's `pulumi.StackReference`s:
     * `{ "acme/network/dev": { portMappings: [...] } }`. A reference to a stack not named here fails the run.
     * @default {} (no stack can be referenced)
     */
    stackReferences?: StackReferenceOutputs;
    /**
     * The stack's checkpoint (Pulumi's state): what each resource was last deployed with. A
     * resource whose inputs are unchanged (after `ignoreChanges`) is sent nowhere and keeps its
     * checkpoint outputs, as under `pulumi up`. Save it with `checkpoint.save(file)` to carry it
     * across processes, as the demo does.
     * @default the simulator's own checkpoint, so runs over one simulator are one stack's `up`s
     */
    checkpoint?: StackCheckpoint;
    /**
     * Refresh first, as `pulumi up --refresh` (or `preview --refresh`) does: the checkpoint's
     * outputs become what Azure has now, and resources Azure no longer has leave it. A preview
     * refreshes a copy, as the CLI keeps a preview's refresh out of the stack's state.
     * @default false
     */
    refresh?: boolean;
    /** Called for each create or update sent to the simulated Azure, as it is sent (also in a run that then fails). */
    onSent?: (resource: { type: string; name: string; id: string }) => void;
}

/**
 * What a program's exports become once resolved: each Output or promise by its value, each
 * Resource by `{ urn, id }`. Values unknown in a preview are Pulumi's unknown marker at run time:
 * test them with `isUnknown` (azure-nat-rules/testing).
 */
export type DeploymentOutputs<T> = T extends pulumi.Resource
    ? { urn: string; id?: string }
    : T extends pulumi.OutputInstance<infer U>
      ? DeploymentOutputs<U>
      : T extends Promise<infer U>
        ? DeploymentOutputs<U>
        : T extends readonly (infer E)[]
          ? DeploymentOutputs<E>[]
          : T extends (...args: never[]) => unknown
            ? T
            : T extends object
              ? { [K in keyof T]: DeploymentOutputs<T[K]> }
              : T;

export interface DeploymentResult<TOutputs extends Record<string, unknown> = Record<string, unknown>> {
    /** The program's exports with every Output resolved; values unknown in a preview satisfy `isUnknown`. */
    outputs: DeploymentOutputs<TOutputs>;
    /** Every resource the program declared (components included), in registration order. */
    resources: { type: string; name: string }[];
    /** The creates and updates sent to the simulated Azure (none in a preview; same steps are not sent), in order. */
    sent: { type: string; name: string; id: string }[];
}

/**
 * A Pulumi program: a function that declares resources each time it is called and returns its
 * stack exports (which may hold Outputs), or nothing.
 */
export type DeploymentProgram<TOutputs extends Record<string, unknown> = Record<string, unknown>> = () => TOutputs | void | Promise<TOutputs | void>;

// Pulumi's runtime state is process-global, so deployments run one at a time.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `program` inside a Pulumi stack with the simulator's mocks, waits until every registration
 * and output has settled, and returns the exports. As the real engine does, a resource whose inputs
 * (after `ignoreChanges`) equal the checkpoint's is not sent and keeps its checkpoint outputs. If
 * the program or any registration fails it rejects with that error (the simulator's own ArmError
 * where there is one); in an update, what was sent before the failure stays in the simulated
 * Azure and in the checkpoint, as under `pulumi up` (`sent` lists what was sent; `onSent` tells it
 * as it happens, also in a run that fails). Runs
 * queue one after another; each one resets Pulumi's global runtime state through `setMocks`.
 * Resources a later run no longer declares are not deleted: mocks see registrations only (use
 * `sim.delete(id)` for that).
 */
export function runDeployment<TOutputs extends Record<string, unknown> = Record<string, unknown>>(
    sim: AzureSimulator,
    program: DeploymentProgram<TOutputs>,
    options: DeploymentOptions = {},
): Promise<DeploymentResult<TOutputs>> {
    const run = queue.then(() => (options.serveArm === false ? deploy(sim, program, options) : withArmEndpoint(sim, () => deploy(sim, program, options))));
    queue = run.catch(() => undefined);
    return run as Promise<DeploymentResult<TOutputs>>;
}

async function deploy(sim: AzureSimulator, program: DeploymentProgram, options: DeploymentOptions): Promise<DeploymentResult> {
    const preview = options.preview ?? false;
    let checkpoint = options.checkpoint ?? checkpointOf(sim);
    if (options.refresh) {
        // A preview's refresh is not kept (the CLI saves no state from a preview).
        if (preview) checkpoint = StackCheckpoint.fromJSON(checkpoint.toJSON());
        checkpoint.refresh(sim);
    }
    const sent: { type: string; name: string; id: string }[] = [];
    const ignoreChanges = new Map<string, readonly string[]>();
    const failures: unknown[] = [];
    let signalFailure: () => void = () => undefined;
    // Resources that depend on a failed one never resolve their outputs (under `pulumi up` the
    // process would exit), so waiting stops at the first failure.
    const failed = new Promise<"failed">((resolve) => {
        signalFailure = () => resolve("failed");
    });
    const fail = (err: unknown): void => {
        failures.push(err);
        signalFailure();
    };
    let active = true;
    const resources: { type: string; name: string }[] = [];
    const mocks = withStackReferences(
        sim.mocks({
            onError: fail,
            checkpoint,
            ignoreChangesOf: (type, name) => ignoreChanges.get(`${type}::${name}`) ?? [],
            onSent: (resource) => {
                sent.push(resource);
                options.onSent?.(resource);
            },
        }),
        options.stackReferences,
        fail,
    );
    const guardedMocks: pulumi.runtime.Mocks = {
        newResource: (args) => {
            if (!active) throw new Error(`runDeployment: ${args.type} ${args.name} registered after its deployment ended.`);
            resources.push({ type: args.type, name: args.name });
            return mocks.newResource(args);
        },
        call: (args) => {
            if (!active) throw new Error(`runDeployment: ${args.token} called after its deployment ended.`);
            return mocks.call(args);
        },
    };
    // Under `pulumi up` the language host owns unhandled rejections (a failed registration raises
    // one); we do the same for the duration of the run and report them as the run's failure.
    const saved = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", fail);
    try {
        await pulumi.runtime.setMocks(guardedMocks, options.project ?? "project", options.stack ?? "stack", preview);
        // Pulumi's mocks drop resource options; the engine applies ignoreChanges before its diff.
        observeMockRegistrations((r) => ignoreChanges.set(`${r.type}::${r.name}`, r.ignoreChanges));
        let programExports: unknown;
        let outputs: Record<string, unknown> = {};
        try {
            const stack = pulumi.runtime.runInPulumiStack(async () => {
                programExports = await program();
                return programExports as pulumi.Inputs | undefined;
            });
            stack.catch(() => undefined);
            if ((await Promise.race([stack, failed])) !== "failed") {
                const resolved = resolveDeep(programExports);
                resolved.catch(() => undefined);
                const value = await Promise.race([resolved, failed]);
                if (value !== "failed") outputs = (value ?? {}) as Record<string, unknown>;
            }
        } catch (err) {
            fail(err);
        }
        // A registration whose inputs failed never settles Pulumi's RPC counter, so stop at the first failure.
        await Promise.race([waitForRPCs(), failed]);
        await settle();
        const stale = failures.length === 0 ? exportsFromEarlierRun(programExports, resources.filter((r) => r.type !== "pulumi:pulumi:Stack").length) : [];
        if (stale.length > 0) fail(staleProgramError(stale));
        active = false;
        // A real preview never asks Azure, so there the program's own checks speak first; in an
        // update, the simulator's error (Pulumi rewraps registration errors in its own message).
        const ownCheck = failures.find((f) => f instanceof AzureNatRulesError);
        const failure = (preview ? ownCheck : undefined) ?? failures.find((f) => f instanceof ArmError) ?? failures[0];
        // Nothing is rolled back: what Azure accepted before the failure stays, as under `pulumi up`.
        if (failure !== undefined) throw failure;
        return { outputs, resources, sent };
    } finally {
        active = false;
        process.removeListener("unhandledRejection", fail);
        for (const listener of saved) process.on("unhandledRejection", listener as NodeJS.UnhandledRejectionListener);
    }
}

/** Lets pending promise rejections surface as `unhandledRejection` events. */
async function settle(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Replaces every Output (and promise) by its value; unknowns stay unknown (see `isUnknown`). */
async function resolveDeep(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const { isKnown, value: inner } = await readOutput(value, true);
        // An unknown Output holds no value at all; one with unknowns inside keeps them where they are.
        return !isKnown && inner === undefined ? pulumi.unknown : resolveDeep(inner);
    }
    if (pulumi.isUnknown(value)) return value;
    if (value instanceof Promise) return resolveDeep(await value);
    if (pulumi.Resource.isInstance(value)) {
        const resource = value as pulumi.Resource & { id?: pulumi.Output<string> };
        return { urn: await resolveDeep(resource.urn), id: resource.id ? await resolveDeep(resource.id) : undefined };
    }
    if (Array.isArray(value)) return Promise.all(value.map(resolveDeep));
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = await resolveDeep(v);
        return out;
    }
    return value;
}

/** Runs `work` with this simulator served on loopback as the components' ARM endpoint. */
async function withArmEndpoint<T>(sim: AzureSimulator, work: () => Promise<T>): Promise<T> {
    const server = await startArmServer(sim, { port: 0 });
    const saved = process.env[ARM_ENDPOINT_ENV];
    process.env[ARM_ENDPOINT_ENV] = server.url;
    try {
        return await work();
    } finally {
        if (saved === undefined) delete process.env[ARM_ENDPOINT_ENV];
        else process.env[ARM_ENDPOINT_ENV] = saved;
        await server.close();
    }
}
