/**
 * A program module whose resources are declared at its top level runs once per process: imported
 * again for a second deployment, it declares nothing and hands back the first run's Outputs.
 * runDeployment refuses that rather than report stale outputs as the second run's.
 */
import * as pulumi from "@pulumi/pulumi";
import { outputDependsOnResources } from "../../pulumi-sdk/pulumi-internals";

/**
 * Names of the exports that hold an Output or a Resource from outside this run, judged by the one
 * sign that needs no runtime internals: the run registered nothing, yet an export depends on a
 * resource. Empty when the exports are fine. `registeredThisRun` leaves out the stack itself.
 */
export function exportsFromEarlierRun(exports: unknown, registeredThisRun: number): string[] {
    if (registeredThisRun > 0 || exports === null || typeof exports !== "object") return [];
    return Object.entries(exports as Record<string, unknown>)
        .filter(([, value]) => dependsOnResource(value, 0))
        .map(([name]) => name);
}

function dependsOnResource(value: unknown, depth: number): boolean {
    if (depth > 8 || value === null || typeof value !== "object") return false;
    if (pulumi.Resource.isInstance(value)) return true;
    if (pulumi.Output.isInstance(value)) return outputDependsOnResources(value);
    if (Array.isArray(value)) return value.some((v) => dependsOnResource(v, depth + 1));
    return Object.values(value as Record<string, unknown>).some((v) => dependsOnResource(v, depth + 1));
}

export function staleProgramError(exportNames: readonly string[]): Error {
    return new Error(
        `runDeployment: the program registered no resources, yet its outputs ${exportNames.map((n) => `"${n}"`).join(", ")} depend on resources: ` +
            `they are left over from an earlier run. A module's top-level code runs once per process, so importing the same program module again declares nothing. ` +
            `Fix: declare the resources in a function the program calls on every run (export function declareStack() { ... }), ` +
            `or reset the module cache before importing the module again (vi.resetModules() in Vitest, jest.resetModules() in Jest).`,
    );
}
