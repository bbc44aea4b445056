/**
 * Whether one ARM resource exists, from one GET through the ARM client. A component's preview
 * asks this of its rule before it reads any mappings: a rule that is not there yet (every first
 * preview) then costs one small request, not the reads of a load balancer and pool whose answers
 * grow with their members (3.8 MB each at 5,000).
 */
import type { TokenCredential } from "@azure/identity";
import { ArmClient, NETWORK_API_VERSION } from "./client";

/** Api-version of the probe's GET: the Network reads' own. */
export const PROBE_API_VERSION = NETWORK_API_VERSION;

/** Retries of the probe (429 after Retry-After, 408 and transient 5xx with back-off), as the lookup's requests. */
const PROBE_MAX_RETRIES = 4;

export interface ResourceProbeOptions {
    /** ARM endpoint, no trailing slash (`https://management.azure.com`, or a loopback http one). */
    endpoint: string;
    credential: TokenCredential;
    signal?: AbortSignal;
    /** Retries (429 after Retry-After, 408 and transient 5xx with back-off); default 4, as the lookup's. */
    maxRetries?: number;
    /** First back-off delay; default 1000 ms. */
    retryDelayInMs?: number;
}

/**
 * `true` when `GET {id}` answers 200, `false` when it answers 404, and `undefined` for any other
 * answer or failure: the caller then reads as it would without the probe, and that read reports
 * the error with its explanation (access, sign-in, network).
 */
export async function armResourceExists(id: string, options: ResourceProbeOptions): Promise<boolean | undefined> {
    const client = new ArmClient({
        endpoint: options.endpoint,
        credential: options.credential,
        retry: { maxRetries: options.maxRetries ?? PROBE_MAX_RETRIES, retryDelayInMs: options.retryDelayInMs ?? 1000 },
    });
    try {
        const response = await client.send("GET", id, { apiVersion: PROBE_API_VERSION, signal: options.signal });
        if (response.status === 200) return true;
        if (response.status === 404) return false;
        return undefined;
    } catch {
        return undefined;
    }
}
