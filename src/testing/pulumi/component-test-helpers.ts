/**
 * Helpers for the components' own tests under Pulumi's mocks: echo mocks, an Output's value or
 * "<unknown>", and registration errors. Used by the unit tests beside the components and by test/;
 * not part of the package's exports.
 */
import * as pulumi from "@pulumi/pulumi";
import { readOutputSettlingAll, waitForRPCs } from "../../pulumi-sdk/pulumi-internals";

/** A load balancer id for component tests under the echo mocks (nothing is looked up behind it). */
export const mockLbId = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";

/**
 * The args BackendPoolNatRule tests share: that load balancer's frontend "fe" and pool "pool",
 * backend port 22, and no read of Azure's mappings: echo mocks have no Azure behind them, so the
 * read would only warn that there is none. Tests of the read set it back on.
 */
export const poolRuleBase = {
    loadBalancerId: mockLbId,
    frontendIPConfigurationId: `${mockLbId}/frontendIPConfigurations/fe`,
    backendAddressPoolId: `${mockLbId}/backendAddressPools/pool`,
    backendPort: 22,
    readAzureMappings: false,
};

/** What a mocked deployment registered. */
export interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

/**
 * Minimal echo mocks for component tests that need no Azure behaviour: every resource gets an
 * ARM-like id and echoes its inputs; an invoke returns `invokes[token]`, else its inputs.
 * `registered` collects what the program declared.
 */
export function echoMocks(preview: boolean, invokes: Record<string, Record<string, unknown>> = {}): { registered: Registered[]; ready: Promise<void> } {
    const registered: Registered[] = [];
    const ready = pulumi.runtime.setMocks(
        {
            newResource(args) {
                registered.push({ type: args.type, name: args.name, inputs: args.inputs });
                const id = preview
                    ? undefined
                    : `/subscriptions/sub/resourceGroups/${args.inputs.resourceGroupName ?? "rg"}/providers/${args.type}/${args.name}`;
                return { id: id ?? "", state: args.inputs };
            },
            call(args) {
                return invokes[args.token] ?? args.inputs;
            },
        },
        "project",
        "stack",
        preview,
    );
    return { registered, ready };
}

/** The value of an Output, or "<unknown>" when Pulumi does not know it (preview). */
export async function valueOf<T>(output: pulumi.Output<T>): Promise<T | "<unknown>"> {
    // A failed Output rejects each of its promises; await them all so none goes unhandled.
    const { isKnown, value } = await readOutputSettlingAll(output);
    return isKnown ? value : "<unknown>";
}

/** A plain value of an Output that must be known. */
export async function known<T>(output: pulumi.Output<T>): Promise<T> {
    const v = await valueOf(output);
    if (v === "<unknown>") throw new Error("output is unknown");
    return v as T;
}

/**
 * Runs `declare` and collects the errors Pulumi raises while registering what it declared.
 * Pulumi reports a failed registration as an unhandled rejection (that is how `pulumi up`
 * fails), so this swaps the process's handlers for a collector until the registrations settle.
 */
export async function registrationErrors(declare: () => void, settleMs = 200): Promise<Error[]> {
    const errors: Error[] = [];
    const saved = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    let failed: () => void = () => undefined;
    const firstError = new Promise<void>((resolve) => (failed = resolve));
    const collect = (reason: unknown) => {
        errors.push(reason instanceof Error ? reason : new Error(String(reason)));
        failed();
    };
    process.on("unhandledRejection", collect);
    try {
        declare();
        // A failed registration never settles Pulumi's RPC counter, so stop at the first error.
        await Promise.race([waitForRPCs(), firstError]);
        await new Promise((r) => setTimeout(r, settleMs));
    } finally {
        process.removeListener("unhandledRejection", collect);
        for (const l of saved) process.on("unhandledRejection", l);
    }
    return errors;
}
