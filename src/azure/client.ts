/** The Network client every Azure read uses: bounded retries, Azure's request limits paced, loopback signing. */
// Types only at load time: the Azure SDKs (about 30 MB and 0.5 s) load on the first lookup, so a
// Pulumi program that imports the components pays nothing for them in preview.
import type { NetworkManagementClient } from "@azure/arm-network";
import type { TokenCredential } from "@azure/identity";
import { AsyncLocalStorage } from "node:async_hooks";
import { ArmPacer, requestKindOf, type LookupClock } from "../internal/arm-pacing";

/** Retries of one HTTP request (429 with Retry-After, 408, transient 5xx) before giving up. */
const DEFAULT_MAX_RETRIES = 4;

export interface LookupRetryOptions {
    /** Retries of one request; default 4. */
    maxRetries?: number;
    /** First back-off delay for 5xx answers (doubles each retry, with jitter); default 1000 ms. */
    retryDelayInMs?: number;
    /** Longest back-off delay; default 16000 ms. */
    maxRetryDelayInMs?: number;
}

/** The member a request belongs to, so the pacing policy can hand it the answer's Retry-After. */
interface MemberRequestState {
    retryAfterMs?: number;
}
export const memberRequests = new AsyncLocalStorage<MemberRequestState>();

/** A NetworkManagementClient for `endpoint` (a loopback http endpoint signs requests itself), with bounded retries. */
export function createNetworkClient(
    subscriptionId: string,
    endpoint: string,
    credential: TokenCredential,
    retry: LookupRetryOptions | undefined,
    pacing?: { pacer: ArmPacer; clock: LookupClock },
): NetworkManagementClient {
    // resolveArmEndpoint lets plain http through only for loopback hosts (a local simulator).
    const loopbackHttp = endpoint.startsWith("http://");
    const { NetworkManagementClient } = require("@azure/arm-network") as typeof import("@azure/arm-network");
    const client = new NetworkManagementClient(credential, subscriptionId, {
        endpoint,
        $host: endpoint,
        allowInsecureConnection: loopbackHttp,
        // The SDK's default pipeline retries 429/503 after Retry-After and 408/5xx with back-off; bound it.
        retryOptions: {
            maxRetries: retry?.maxRetries ?? DEFAULT_MAX_RETRIES,
            retryDelayInMs: retry?.retryDelayInMs ?? 1000,
            maxRetryDelayInMs: retry?.maxRetryDelayInMs ?? 16_000,
        },
    });
    if (loopbackHttp) {
        // The SDK's bearer policy refuses every non-https URL; for loopback only, sign requests ourselves.
        client.pipeline.removePolicy({ name: BEARER_POLICY_NAME });
        client.pipeline.addPolicy(loopbackBearerPolicy(credential, `${endpoint}/.default`));
    }
    if (pacing) client.pipeline.addPolicy(pacingPolicy(pacing.pacer, pacing.clock, retry?.maxRetries ?? DEFAULT_MAX_RETRIES), { afterPhase: "Retry" });
    return client;
}

/**
 * Every attempt on the wire: waits for Azure's limits (as the pacer models them), counts it, reads the
 * remaining-requests headers, waits out a 429's Retry-After by the lookup's clock, and hands a member's
 * query its Retry-After.
 */
function pacingPolicy(pacer: ArmPacer, clock: LookupClock, maxThrottleRetries: number): PipelinePolicy {
    return {
        name: "armPacingPolicy",
        async sendRequest(request, next) {
            const networkRequest = /\/providers\/Microsoft\.Network\//i.test(new URL(request.url).pathname);
            const kind = requestKindOf(request.method);
            for (let attempt = 0; ; attempt++) {
                const release = await pacer.acquire(request.method, networkRequest, request.abortSignal as AbortSignal | undefined);
                let response: Awaited<ReturnType<typeof next>>;
                try {
                    response = await next(request);
                } finally {
                    release();
                }
                const remaining = [response.headers.get(`x-ms-ratelimit-remaining-subscription-${kind}`), response.headers.get(`x-ms-ratelimit-remaining-subscription-global-${kind}`)]
                    .filter((v): v is string => v !== undefined)
                    .map(Number)
                    .filter(Number.isFinite);
                if (remaining.length > 0) pacer.observe(request.method, String(Math.min(...remaining)));
                const header = response.headers.get("retry-after");
                const retryAfterMs = header === undefined ? undefined : parseRetryAfterMs(header);
                if (response.status === 429 && attempt < maxThrottleRetries) {
                    pacer.throttled(retryAfterMs ?? Math.min(1000 * 2 ** attempt, 16_000));
                    continue;
                }
                const member = memberRequests.getStore();
                if (member) member.retryAfterMs = retryAfterMs;
                return response;
            }
        },
    };
}

const BEARER_POLICY_NAME = "bearerTokenAuthenticationPolicy";
type PipelinePolicy = Parameters<NetworkManagementClient["pipeline"]["addPolicy"]>[0];

/** Signs each request with a token from `credential`: the SDK's bearer policy refuses non-https URLs, so loopback simulators get this one. */
export function loopbackBearerPolicy(credential: TokenCredential, scope: string): PipelinePolicy {
    return {
        name: "loopbackBearerTokenPolicy",
        async sendRequest(request, next) {
            const token = await credential.getToken(scope, { abortSignal: request.abortSignal });
            if (token) request.headers.set("Authorization", `Bearer ${token.token}`);
            return next(request);
        },
    };
}

function parseRetryAfterMs(header: string): number | undefined {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(header);
    return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
