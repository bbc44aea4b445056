/**
 * The one way this library calls Azure Resource Manager: `ArmClient`, a thin JSON client on the
 * Azure SDK's HTTP pipeline (`@azure/core-rest-pipeline`), with the SDK's retry policy (429 and 503
 * after Retry-After, 408 and transient 5xx with back-off), its bearer-token policy, and ARM's
 * long-running operations through `@azure/core-lro`. Every read (the port-mapping lookup, the
 * rule probe, the subscriptions, the NAT-pool migration plan) goes through it.
 */
// Types only at load time: the pipeline (about 70 ms once Pulumi is loaded) loads on the first
// request, and no Network SDK at all (@azure/arm-network alone took about 0.6 s to load), so a
// Pulumi program that imports the components pays nothing for Azure in a preview without reads.
import type { TokenCredential } from "@azure/identity";
import type { Pipeline, PipelinePolicy, PipelineResponse, HttpClient } from "@azure/core-rest-pipeline";
import { AsyncLocalStorage } from "node:async_hooks";
import { ArmPacer, requestKindOf, type LookupClock } from "./arm-pacing";

/** Retries of one HTTP request (429 with Retry-After, 408, transient 5xx) before giving up. */
const DEFAULT_MAX_RETRIES = 4;

/** Api-version of Microsoft.Network reads: the one @azure/arm-network 36 sends. */
export const NETWORK_API_VERSION = "2025-05-01";

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

/** An ARM answer other than 2xx: Azure's status, error code and message, as the SDK's RestError carries them. */
export class ArmRequestError extends Error {
    override readonly name = "RestError";
    constructor(
        message: string,
        readonly statusCode: number,
        readonly code: string | undefined,
        readonly response?: { bodyAsText?: string | null },
    ) {
        super(message);
    }
}

export interface ArmClientOptions {
    /** ARM endpoint, no trailing slash (a preset's URL, or a loopback http one). */
    endpoint: string;
    credential: TokenCredential;
    retry?: LookupRetryOptions;
    /**
     * Azure's request limits, paced. Only the port-mapping lookup passes this: its queries are
     * POSTs, and ARM counts each against the subscription's write budget (1,200 an hour of the
     * global limit, Microsoft.Network's own on top); thousands of members would exhaust it
     * without the pacer, while the other callers send a handful of GETs.
     */
    pacing?: { pacer: ArmPacer; clock: LookupClock };
}

export interface RequestOptions {
    apiVersion?: string;
    body?: unknown;
    signal?: AbortSignal;
}

type CoreRestPipeline = typeof import("@azure/core-rest-pipeline");

/** ARM over the Azure SDK pipeline: JSON in and out, errors as ArmRequestError. */
export class ArmClient {
    private readonly pipeline: Pipeline;
    private readonly httpClient: HttpClient;
    private readonly core: CoreRestPipeline;
    private readonly loopbackHttp: boolean;

    constructor(private readonly options: ArmClientOptions) {
        // resolveArmEndpoint lets plain http through only for loopback hosts (a local simulator).
        this.loopbackHttp = options.endpoint.startsWith("http://");
        this.core = require("@azure/core-rest-pipeline") as CoreRestPipeline;
        const retry = options.retry;
        this.pipeline = this.core.createPipelineFromOptions({
            retryOptions: {
                maxRetries: retry?.maxRetries ?? DEFAULT_MAX_RETRIES,
                retryDelayInMs: retry?.retryDelayInMs ?? 1000,
                maxRetryDelayInMs: retry?.maxRetryDelayInMs ?? 16_000,
            },
            userAgentOptions: { userAgentPrefix: "azure-nat-rules" },
        });
        const scope = `${options.endpoint}/.default`;
        this.pipeline.addPolicy(
            this.loopbackHttp
                ? // The SDK's bearer policy refuses every non-https URL; for loopback only, sign requests ourselves.
                  loopbackBearerPolicy(options.credential, scope)
                : this.core.bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: scope }),
        );
        if (options.pacing) {
            this.pipeline.addPolicy(pacingPolicy(options.pacing.pacer, options.pacing.clock, retry?.maxRetries ?? DEFAULT_MAX_RETRIES), { afterPhase: "Retry" });
        }
        this.httpClient = this.core.createDefaultHttpClient();
    }

    get endpoint(): string {
        return this.options.endpoint;
    }

    /** A full URL on the endpoint: `target` is a path (the api-version is added) or a URL (taken as is). */
    url(target: string, apiVersion: string | undefined): string {
        if (!target.startsWith("/")) return target;
        return `${this.options.endpoint}${target}${apiVersion ? `${target.includes("?") ? "&" : "?"}api-version=${apiVersion}` : ""}`;
    }

    /** One request; the raw answer, whatever its status. */
    async send(method: "GET" | "POST" | "PUT" | "DELETE", target: string, options: RequestOptions = {}): Promise<PipelineResponse> {
        const url = this.url(target, options.apiVersion);
        // Never send the token to another host than the endpoint (a nextLink or a poll URL pointing elsewhere).
        if (new URL(url).origin !== new URL(this.options.endpoint).origin) {
            throw new ArmRequestError(`refused to send a request to ${new URL(url).origin}, which is not the ARM endpoint ${this.options.endpoint}`, 0, "ForeignHost");
        }
        const request = this.core.createPipelineRequest({
            url,
            method,
            allowInsecureConnection: this.loopbackHttp,
            abortSignal: options.signal,
            body: options.body === undefined ? undefined : JSON.stringify(options.body),
        });
        request.headers.set("Accept", "application/json");
        if (options.body !== undefined) request.headers.set("Content-Type", "application/json");
        return this.pipeline.sendRequest(this.httpClient, request);
    }

    /** The JSON body of a 2xx answer; any other answer throws ArmRequestError with Azure's code and message. */
    async json<T>(method: "GET" | "POST", target: string, options: RequestOptions = {}): Promise<T> {
        return bodyOf<T>(await this.send(method, target, options));
    }

    /** `GET` a list, following `nextLink` on the endpoint's origin. */
    async listAll<T>(target: string, options: RequestOptions = {}): Promise<T[]> {
        const items: T[] = [];
        let next: string | undefined = target;
        while (next) {
            const page: { value?: T[]; nextLink?: string } = await this.json("GET", next, options);
            items.push(...(page.value ?? []));
            next = page.nextLink ? new URL(page.nextLink, this.options.endpoint).toString() : undefined;
            if (next && new URL(next).origin !== new URL(this.options.endpoint).origin) next = undefined;
        }
        return items;
    }

    /**
     * A long-running POST (ARM's 202 with Location / Azure-AsyncOperation), driven by the Azure
     * SDK's LRO state machine (@azure/core-lro). The waits between polls are `wait(ms)`, given the
     * answer's Retry-After (or `intervalMs` without one): the lookup waits by its own clock, so a
     * simulation can run Azure's 10-second Retry-After in virtual time, and a member waiting out
     * its Retry-After holds no request slot of the pacer.
     */
    async postLongRunning<T>(
        target: string,
        options: RequestOptions & { wait: (ms: number) => Promise<void>; intervalMs: number; finalStateVia: "location" | "azure-async-operation" },
    ): Promise<T> {
        const { createHttpPoller } = require("@azure/core-lro") as typeof import("@azure/core-lro");
        let retryAfterMs: number | undefined;
        const asLro = (response: PipelineResponse) => {
            const header = response.headers.get("retry-after");
            retryAfterMs = header === undefined ? undefined : parseRetryAfterMs(header);
            const body = parseJson(response.bodyAsText);
            if (response.status >= 400) bodyOf(response);
            return { flatResponse: body, rawResponse: { statusCode: response.status, headers: response.headers.toJSON(), body } };
        };
        const poller = await createHttpPoller<T, never>(
            {
                requestMethod: "POST",
                requestPath: this.url(target, options.apiVersion),
                sendInitialRequest: async () => asLro(await this.send("POST", target, options)),
                sendPollRequest: async (path) => asLro(await this.send("GET", path, { signal: options.signal })),
            },
            { resourceLocationConfig: options.finalStateVia, intervalInMs: options.intervalMs },
        );
        while (!poller.isDone()) {
            await options.wait(retryAfterMs ?? options.intervalMs);
            await poller.poll({ abortSignal: options.signal });
        }
        return poller.getResult() as T;
    }
}

function parseJson(text: string | null | undefined): unknown {
    if (!text) return undefined;
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

function bodyOf<T>(response: PipelineResponse): T {
    const body = parseJson(response.bodyAsText) as { error?: { code?: string; message?: string } } | undefined;
    if (response.status >= 200 && response.status < 300) return body as T;
    const code = body?.error?.code;
    const message = body?.error?.message ?? (response.bodyAsText?.trim() || `HTTP ${response.status}`);
    throw new ArmRequestError(message, response.status, code, { bodyAsText: response.bodyAsText });
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
                let response: PipelineResponse;
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
                    // By the lookup's clock (virtual in a simulation), before the SDK's retry policy would wait in real time.
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
