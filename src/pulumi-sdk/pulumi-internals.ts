/**
 * Every use of the Pulumi Node SDK's undocumented internals, in one file, so an SDK upgrade has
 * one place to check (written against @pulumi/pulumi 3.x). What each function relies on:
 *
 * - `Output#isKnown`, `Output#isSecret` (promises), `Output#promise(withUnknowns?)`,
 *   `Output#allResources()` and `Output#resources()`: set on every Output by its constructor
 *   (output.ts), left out of the typings. `promise()` resolves to the value (undefined when the
 *   Output is unknown); `promise(true)` keeps unknowns nested inside the value. A failed Output
 *   rejects each of these promises.
 * - `pulumi.runtime.getMonitor()`: typed but undocumented. Against a real engine it is a gRPC
 *   client whose `getChannel().getTarget()` is the monitor's address (one per `pulumi preview` or
 *   `up`, shared by every Construct call of the run, each of which gets a new client object).
 *   Under `setMocks` it is a mock monitor without `getChannel`, a new object for each `setMocks`.
 * - `@pulumi/pulumi/runtime/state` `getLocalStore()`: defined inside a provider's Construct call
 *   (each call runs in its own async-local store), undefined in a TypeScript program.
 * - Under `setMocks`, the mock monitor's `registerResource(req, callback)` is called once per
 *   registration with the engine's RegisterResourceRequest (`getType()`, `getName()`,
 *   `getIgnorechangesList()`), and calls `mocks.newResource` synchronously before its first
 *   await (runtime/mocks.js), which drops every resource option. `observeMockRegistrations`
 *   wraps that method on the monitor instance to hand the options to the mocks.
 * - `Resource#__name`: the logical name the resource was declared with, set by the Resource
 *   constructor (resource.ts) before anything is registered; typed only as an internal.
 * - A custom resource's Output per input key: the SDK puts one on the resource for every key of
 *   the inputs it registers (runtime/rpc.ts `transferProperties`), typed or not; it resolves to
 *   what the engine returns for that key (in a preview, azure-native returns the inputs as given,
 *   the simulator too: testing/preview.ts), or in an update to the input when the engine returns
 *   nothing for it (runtime/resource.ts `resolveOutputs`).
 * - `@pulumi/pulumi/runtime/settings` `waitForRPCs()` (also reachable as `pulumi.runtime.waitForRPCs`):
 *   resolves once the outstanding registrations have settled; one whose inputs failed never does.
 *
 * Relied on elsewhere, where this file cannot reach: `core/errors.ts` marks our errors with
 * `__pulumiRunError` / `__pulumiInputPropertiesError` (the engine then prints the message without
 * a stack trace), since the core imports nothing; `schema.test.ts` reads the wire format through
 * `runtime/rpc` and `provider/server` to test the provider as the plugin process runs it.
 */
import * as pulumi from "@pulumi/pulumi";

/** An Output as the SDK builds it at runtime. */
interface OutputInternals<T> {
    isKnown: Promise<boolean>;
    isSecret: Promise<boolean>;
    promise(withUnknowns?: boolean): Promise<T>;
    allResources(): Promise<unknown>;
    resources?: () => Set<unknown>;
}

const internalsOf = <T>(output: pulumi.OutputInstance<T>): OutputInternals<T> => output as unknown as OutputInternals<T>;

/**
 * Whether an Output is known, and its value. Pulumi's public API has no such read: `apply` skips
 * its callback on unknown values, so a check built on it would wait forever in preview.
 * `withUnknowns` keeps unknowns nested in a known value where they are.
 */
export async function readOutput<T>(output: pulumi.OutputInstance<T>, withUnknowns = false): Promise<{ isKnown: boolean; value: T }> {
    const internal = internalsOf(output);
    const [isKnown, value] = await Promise.all([internal.isKnown, internal.promise(withUnknowns)]);
    return { isKnown, value };
}

/** As `readOutput`, awaiting every promise of the Output too, so that a failed one leaves none unhandled. */
export async function readOutputSettlingAll<T>(output: pulumi.OutputInstance<T>): Promise<{ isKnown: boolean; value: T }> {
    const internal = internalsOf(output);
    const [isKnown, value] = await Promise.all([internal.isKnown, internal.promise(), internal.isSecret, internal.allResources()]);
    return { isKnown, value };
}

/**
 * Marks a failure of the Output as handled now, for an Output read only later (inside another
 * apply). Its error still reaches every reader; without this, Node reports the rejection as
 * unhandled and then warns "Promise rejection was handled asynchronously" once it is read.
 */
export function handleFailureLater<T>(output: pulumi.OutputInstance<T>): pulumi.OutputInstance<T> {
    const internal = internalsOf(output);
    const ignore = (): void => undefined;
    internal.isKnown.catch(ignore);
    internal.isSecret.catch(ignore);
    internal.promise(true).catch(ignore);
    internal.allResources().catch(ignore);
    return output;
}

/** The logical name a resource was declared with (undefined when the SDK no longer sets `__name`). */
export function declaredName(resource: pulumi.Resource): string | undefined {
    const name = (resource as unknown as { __name?: unknown }).__name;
    return typeof name === "string" ? name : undefined;
}

/** The Output the SDK keeps on a resource for one of its input keys (e.g. an AutoscaleSetting's `profiles`), or undefined. */
export function inputOutputOf(resource: pulumi.Resource, key: string): pulumi.Output<unknown> | undefined {
    const value = (resource as unknown as Record<string, unknown>)[key];
    return pulumi.Output.isInstance(value) ? (value as pulumi.Output<unknown>) : undefined;
}

/** Whether an Output was derived from any resource (false when the SDK's Output has no `resources()`). */
export function outputDependsOnResources(output: pulumi.OutputInstance<unknown>): boolean {
    const resources = internalsOf(output).resources;
    return typeof resources === "function" && resources.call(output).size > 0;
}

/** The current resource monitor: an engine's gRPC client, a mock monitor, or undefined outside any program run. */
export function currentMonitor(): object | undefined {
    return pulumi.runtime.getMonitor() as object | undefined;
}

/** The monitor's gRPC endpoint, e.g. `127.0.0.1:41337`; undefined for a mock monitor. */
export function monitorEndpoint(monitor: unknown): string | undefined {
    const channel = (monitor as { getChannel?: () => { getTarget(): string } } | undefined)?.getChannel?.();
    return channel ? channel.getTarget() : undefined;
}

/* eslint-disable-next-line @typescript-eslint/no-require-imports */
const state = require("@pulumi/pulumi/runtime/state") as { getLocalStore(): unknown };

/** Whether the code runs inside a provider's Construct call (Pulumi gives each its own local store). */
export function inConstructCall(): boolean {
    return state.getLocalStore() !== undefined;
}

/** Waits for Pulumi's outstanding RPCs; returns at once on an SDK without `waitForRPCs`. */
export async function waitForRPCs(): Promise<void> {
    const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
    if (typeof runtime.waitForRPCs === "function") await runtime.waitForRPCs();
}

/** The resource options of one registration that Pulumi's mocks drop before `newResource`. */
export interface MockRegistrationOptions {
    type: string;
    name: string;
    /** `ignoreChanges` property paths, as the program gave them. */
    ignoreChanges: string[];
}

interface RegisterResourceRequestLike {
    getType(): string;
    getName(): string;
    getIgnorechangesList?: () => string[];
}

/**
 * Calls `observe` with the options of every registration the current mock monitor receives, just
 * before the mocks' `newResource` runs for it. Call it right after `setMocks`; false when the
 * monitor is not a mock monitor of the expected shape (the options then stay unseen).
 */
export function observeMockRegistrations(observe: (options: MockRegistrationOptions) => void): boolean {
    const monitor = pulumi.runtime.getMonitor() as { registerResource?: (req: RegisterResourceRequestLike, callback: unknown) => unknown } | undefined;
    if (!monitor || typeof monitor.registerResource !== "function" || monitorEndpoint(monitor) !== undefined) return false;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        observe({ type: req.getType(), name: req.getName(), ignoreChanges: req.getIgnorechangesList?.() ?? [] });
        return register(req, callback);
    };
    return true;
}
