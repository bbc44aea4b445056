/**
 * Finds the Pulumi CLI for the end-to-end suite before any test: builds it from the Go module proxy
 * (engine/build.mjs, cached) or takes the one that AZURE_NAT_RULES_PULUMI names, and prints which
 * one runs with its `pulumi version`; makes the Python SDK's virtualenv (pip, cached) for Python programs. Without one the suite fails here, saying what to install.
 */
import { engine } from "./pulumi-cli";

export async function setup(): Promise<void> {
    const cli = await engine();
    const how = { built: "built from source now", cached: "cached build", path: "given (AZURE_NAT_RULES_PULUMI)" }[cli.source];
    console.log(`Pulumi CLI: ${cli.pulumi} (${how}, ${cli.seconds.toFixed(1)} s)`);
    console.log(`pulumi version: ${cli.version}`);
    console.log(`Python SDK virtualenv: ${cli.pythonVenv ?? "none"}`);
}
