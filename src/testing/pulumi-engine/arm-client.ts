/**
 * The stand-in's ARM client: GET, PUT and DELETE with Azure's long-running-operation protocol, as
 * azure-native's azcore client runs them (pulumi/pulumi-azure-native provider/pkg/azure/client_azcore.go):
 * - a PUT answered 200, 201 or 202 is polled (every azure-native PUT is long-running): through
 *   `Azure-AsyncOperation` until its `status` is terminal, else `Location` until it stops
 *   answering 202, else the resource's own `provisioningState`; then the resource is read again
 *   (azcore's pollers, learn.microsoft.com/azure/azure-resource-manager/management/async-operations);
 * - a DELETE answered 202 is polled the same way; a 404 means it is already gone;
 * - every wait honours `Retry-After`; without it, 10 s between update polls and 30 s between
 *   delete polls (`updatePollingIntervalSeconds`, `deletePollingIntervalSeconds`);
 * - 408, 429, 500, 502, 503 and 504 are retried up to 3 times (`initPipelineOpts`), after
 *   Retry-After or 20 s, 60 s, 120 s (`RetryDelay` 20 s, `MaxRetryDelay` 120 s).
 * `AZURE_NAT_RULES_STANDIN_POLL_SECONDS` replaces those default waits (not Retry-After) for fast tests.
 */

export interface ArmClientOptions {
    /** `http://127.0.0.1:PORT`, without a trailing slash. */
    endpoint: string;
    token: string;
    /** Default wait in seconds when an answer has no Retry-After; undefined: azure-native's own. */
    defaultWaitSeconds?: number;
}

/** An ARM error answer, worded as azure-native words it: `Status=404 Code="ResourceNotFound" Message="…"`. */
export class ArmResponseError extends Error {
    constructor(
        readonly status: number,
        readonly code: string,
        readonly armMessage: string,
        readonly url: string,
    ) {
        super(`Status=${status} Code="${code}" Message="${armMessage}"`);
        this.name = "ArmResponseError";
    }
}

const RETRIED = new Set([408, 429, 500, 502, 503, 504]);
const MAX_RETRIES = 3;
const TERMINAL = ["succeeded", "failed", "canceled", "cancelled"];

type Json = Record<string, unknown>;

const sleep = (seconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, seconds) * 1000));

/** Seconds of a Retry-After header (delta-seconds or HTTP date); undefined when absent or zero, as azcore treats 0. */
function retryAfterOf(response: Response): number | undefined {
    const header = response.headers.get("retry-after");
    if (header === null) return undefined;
    const seconds = Number(header);
    if (Number.isFinite(seconds)) return seconds > 0 ? seconds : undefined;
    const date = Date.parse(header);
    return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000) || undefined;
}

async function errorOf(response: Response): Promise<ArmResponseError> {
    const text = await response.text();
    let code = "Unknown";
    let message = text;
    try {
        const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
        if (body.error?.code) code = body.error.code;
        if (body.error?.message) message = body.error.message;
    } catch {
        // Not JSON: the text itself is the message.
    }
    return new ArmResponseError(response.status, code, message, response.url);
}

export class ArmClient {
    private readonly updateWait: number;
    private readonly deleteWait: number;

    constructor(private readonly options: ArmClientOptions) {
        this.updateWait = options.defaultWaitSeconds ?? 10;
        this.deleteWait = options.defaultWaitSeconds ?? 30;
    }

    private url(path: string, apiVersion: string): string {
        const sep = path.includes("?") ? "&" : "?";
        return `${this.options.endpoint}${path}${/[?&]api-version=/.test(path) ? "" : `${sep}api-version=${encodeURIComponent(apiVersion)}`}`;
    }

    /** One request, retried as azcore's retry policy does. */
    private async send(method: string, url: string, body?: unknown): Promise<Response> {
        for (let attempt = 0; ; attempt++) {
            const response = await fetch(url, {
                method,
                headers: {
                    Authorization: `Bearer ${this.options.token}`,
                    Accept: "application/json",
                    ...(body === undefined ? {} : { "Content-Type": "application/json; charset=utf-8" }),
                },
                body: body === undefined ? undefined : JSON.stringify(body),
            });
            if (!RETRIED.has(response.status) || attempt >= MAX_RETRIES) return response;
            await response.arrayBuffer();
            await sleep(retryAfterOf(response) ?? (this.options.defaultWaitSeconds ?? Math.min(20 * 3 ** attempt, 120)));
        }
    }

    private static async json(response: Response): Promise<Json> {
        const text = await response.text();
        return text.trim() === "" ? {} : (JSON.parse(text) as Json);
    }

    /** GET; an answer other than 200 is an ArmResponseError. */
    async get(path: string, apiVersion: string): Promise<Json> {
        const response = await this.send("GET", this.url(path, apiVersion));
        if (response.status !== 200) throw await errorOf(response);
        return ArmClient.json(response);
    }

    /** Whether the resource exists: a 404 says no, 200 with a body yes (client_azcore.go CanCreate). */
    async exists(path: string, apiVersion: string): Promise<boolean> {
        const response = await this.send("GET", this.url(path, apiVersion));
        if (response.status === 404) {
            await response.arrayBuffer();
            return false;
        }
        if (response.status !== 200) throw await errorOf(response);
        return Object.keys(await ArmClient.json(response)).length > 0;
    }

    /** PUT, then the long-running operation to its end, then a GET of the resource: what Azure has now. */
    async put(path: string, apiVersion: string, body: Json): Promise<Json> {
        const response = await this.send("PUT", this.url(path, apiVersion), body);
        if (![200, 201, 202].includes(response.status)) throw await errorOf(response);
        const first = await ArmClient.json(response);
        await this.poll(response, first, path, apiVersion, this.updateWait);
        return this.get(path, apiVersion);
    }

    /** DELETE and its long-running operation; a resource already gone is not an error. */
    async delete(path: string, apiVersion: string): Promise<void> {
        const response = await this.send("DELETE", this.url(path, apiVersion));
        if (response.status === 404) {
            await response.arrayBuffer();
            return;
        }
        if (![200, 202, 204].includes(response.status)) throw await errorOf(response);
        const first = await ArmClient.json(response);
        if (response.status === 202) await this.poll(response, first, undefined, apiVersion, this.deleteWait);
    }

    /** Waits for the operation a 200/201/202 started, by whichever status URL the answer gives. */
    private async poll(response: Response, body: Json, resourcePath: string | undefined, apiVersion: string, defaultWait: number): Promise<void> {
        const asyncOperation = response.headers.get("azure-asyncoperation");
        const location = response.headers.get("location");
        let wait = retryAfterOf(response) ?? defaultWait;
        if (asyncOperation) {
            for (;;) {
                await sleep(wait);
                const status = await this.send("GET", asyncOperation);
                if (status.status !== 200) throw await errorOf(status);
                const answer = await ArmClient.json(status);
                const state = String(answer.status ?? "").toLowerCase();
                if (TERMINAL.includes(state)) {
                    if (state === "succeeded") return;
                    const error = (answer.error ?? {}) as { code?: string; message?: string };
                    throw new ArmResponseError(200, error.code ?? String(answer.status), error.message ?? `The operation ended ${String(answer.status)}.`, asyncOperation);
                }
                wait = retryAfterOf(status) ?? defaultWait;
            }
        }
        if (location) {
            for (;;) {
                await sleep(wait);
                const status = await this.send("GET", location);
                if (status.status === 202) {
                    await status.arrayBuffer();
                    wait = retryAfterOf(status) ?? defaultWait;
                    continue;
                }
                if (status.status === 404 && resourcePath === undefined) return; // a delete's status URL may 404 once it is gone
                if (status.status >= 300) throw await errorOf(status);
                await status.arrayBuffer();
                return;
            }
        }
        // No status URL: the resource's provisioningState tells (azcore's body poller).
        if (resourcePath === undefined) return;
        let state = String((body.properties as Json | undefined)?.provisioningState ?? "Succeeded").toLowerCase();
        while (!TERMINAL.includes(state)) {
            await sleep(wait);
            const current = await this.get(resourcePath, apiVersion);
            state = String((current.properties as Json | undefined)?.provisioningState ?? "Succeeded").toLowerCase();
            wait = defaultWait;
        }
        if (state !== "succeeded") throw new ArmResponseError(200, "ProvisioningFailed", `The resource's provisioningState is ${state}.`, resourcePath);
    }
}
