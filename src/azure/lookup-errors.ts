/** A lookup's failed requests, explained with the stage they were in and a fix. */
import type { LookupPortMappingsOptions } from "./port-mapping-types";
import { explainArmFailure, PortMappingLookupError, QUERY_PORT_MAPPING_ACTION, READ_LOAD_BALANCER_ACTION, READ_PUBLIC_IP_ACTION, firstLine, isAbort } from "./errors";
import { transportFix } from "./endpoints";

/** The stage a request belongs to, for error messages. */
export type Stage = "load balancer" | "backend pool" | "public IP" | "port mapping query";

/** What the request was doing, in words: "reading the backend pool of ...". */
export const STAGE_ACTIVITY: Record<Stage, string> = {
    "load balancer": "reading",
    "backend pool": "reading the backend pool of",
    "public IP": "reading the frontend public IP of",
    "port mapping query": "querying the port mappings of the backend pool of",
};

export interface LookupContext {
    options: LookupPortMappingsOptions;
    loadBalancerId: string;
    poolId: string;
}

/** Runs `request`, turning Azure's and the transport's errors into PortMappingLookupError. */
export async function call<T>(context: LookupContext, stage: Stage, request: () => Promise<T>): Promise<T> {
    try {
        return await request();
    } catch (err) {
        throw toLookupError(context, stage, err);
    }
}

function toLookupError(context: LookupContext, stage: Stage, err: unknown): unknown {
    if (err instanceof PortMappingLookupError) return err;
    if (isAbort(err, context.options.signal)) return err;
    const { options, loadBalancerId } = context;
    const raw = err as { message?: unknown; name?: unknown };
    const { statusCode, code, azureSaid } = explainArmFailure(err);
    const where = `load balancer ${options.loadBalancerName} (resource group ${options.resourceGroupName}, subscription ${options.subscriptionId})`;
    if (statusCode === 401 || statusCode === 403) {
        const actions = stage === "public IP" ? [READ_PUBLIC_IP_ACTION] : [READ_LOAD_BALANCER_ACTION, QUERY_PORT_MAPPING_ACTION];
        const denied = statusCode === 401 ? "authentication failed" : "access denied";
        const fix =
            statusCode === 401
                ? "Fix: sign in again (az login) or pass a valid ARM access token for this cloud, then make sure the identity holds"
                : "Fix: grant the identity";
        return new PortMappingLookupError(
            `lookupPortMappings: ${denied} ${STAGE_ACTIVITY[stage]} ${where} (${azureSaid}). ` +
                `${fix} ${actions.join(" and ")} on scope ${stage === "public IP" ? "the frontend's public IP (or its resource group)" : loadBalancerId} ` +
                "(the built-in Network Contributor role has them).",
            { statusCode, code, cause: err },
        );
    }
    if (statusCode === 404) {
        const missing =
            stage === "load balancer"
                ? `load balancer ${options.loadBalancerName} not found in resource group ${options.resourceGroupName} of subscription ${options.subscriptionId}`
                : stage === "backend pool"
                  ? `backend pool ${options.backendPoolName} not found on ${where}`
                  : stage === "public IP"
                    ? `the public IP of a frontend of ${where} not found`
                    : `backend pool ${options.backendPoolName} or one of its members not found on ${where} (did it change during the lookup?)`;
        return new PortMappingLookupError(`lookupPortMappings: ${missing} (${azureSaid}). Fix: check the names and the subscription.`, {
            statusCode,
            code,
            cause: err,
        });
    }
    if (statusCode !== undefined) {
        return new PortMappingLookupError(`lookupPortMappings: ${STAGE_ACTIVITY[stage]} ${where} failed (${azureSaid}).`, { statusCode, code, cause: err });
    }
    return new PortMappingLookupError(`lookupPortMappings: ${STAGE_ACTIVITY[stage]} ${where} failed: ${firstLine(raw.message ?? err)}. ${transportFix(err, options.endpoint)}`, {
        code: code ?? (typeof raw.name === "string" ? raw.name : undefined),
        cause: err,
    });
}
