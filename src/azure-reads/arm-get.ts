/**
 * One GET of an ARM resource's JSON, with the same pipeline as the Azure reads (retries on 429
 * after Retry-After, 408 and transient 5xx; a bearer token, also to a loopback simulator).
 */
import type { TokenCredential } from "@azure/identity";
import { loopbackBearerPolicy } from "../azure/client";
import { PROBE_API_VERSION } from "../azure/resource-probe";

export interface ArmGetOptions {
    /** ARM endpoint, no trailing slash. */
    endpoint: string;
    credential: TokenCredential;
    maxRetries?: number;
    /** @default the Network api-version of the probe (Microsoft.Network resources) */
    apiVersion?: string;
}

/** The resource's JSON on 200, "missing" on 404, undefined for any other answer or failure. */
export async function readArmResource(id: string, options: ArmGetOptions): Promise<unknown> {
    const pipelineModule = require("@azure/core-rest-pipeline") as typeof import("@azure/core-rest-pipeline");
    const { createPipelineFromOptions, createDefaultHttpClient, createPipelineRequest, bearerTokenAuthenticationPolicy } = pipelineModule;
    const loopbackHttp = options.endpoint.startsWith("http://");
    const scope = `${options.endpoint}/.default`;
    const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: options.maxRetries ?? 4, retryDelayInMs: 1000 } });
    pipeline.addPolicy(loopbackHttp ? loopbackBearerPolicy(options.credential, scope) : bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: scope }));
    const request = createPipelineRequest({ url: `${options.endpoint}${id}?api-version=${options.apiVersion ?? PROBE_API_VERSION}`, method: "GET", allowInsecureConnection: loopbackHttp });
    try {
        const response = await pipeline.sendRequest(createDefaultHttpClient(), request);
        if (response.status === 404) return "missing";
        if (response.status !== 200 || !response.bodyAsText) return undefined;
        return JSON.parse(response.bodyAsText) as unknown;
    } catch {
        return undefined;
    }
}
