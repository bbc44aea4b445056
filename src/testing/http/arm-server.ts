/**
 * Face 2: an ARM REST endpoint on loopback over an AzureSimulator, for @azure/arm-network,
 * @azure/arm-compute, az and plain fetch: reads of every simulated resource (and the lists real
 * clients make, reads.ts), writes (PUT, PATCH, DELETE and the scale-set actions, writes.ts) through
 * the same model and checks as the Pulumi mocks, long-running operations (operations.ts), ETags
 * (etags.ts), and the `queryInboundNatRulePortMapping` operation. By default it answers as Azure does:
 * Retry-After 10 on long-running operations and Resource Manager's and Microsoft.Network's throttling
 * (see throttling.ts); options relax both for tests. Faults and latency can be injected. Every URL it
 * hands out is built on the scheme and host the client used (request-url.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { ARM_ERROR_CODES, ArmError } from "../errors";
import type { AzureSimulator } from "../simulator";
import type { PortMappingQuery } from "../simulator-reads";
import { ArmThrottle, AZURE_THROTTLING_LIMITS, systemClock, type Clock, type ThrottlingLimits } from "./throttling";
import { EtagStore, topLevelIdOf } from "./etags";
import { metadataEndpoints, tenantsList } from "./metadata";
import { OperationStore, operationUrls, parseOperationPath } from "./operations";
import { saveStateDurably } from "./persist";
import { extraRead, withAzureDefaults } from "./reads";
import { baseUrlOf, readBody } from "./request-url";
import { createSignInEndpoint, derivedObjectId, type SignInOptions } from "./sign-in";
import { createLocalTls } from "./tls";
import { handleWrite } from "./writes";

/** One injected failure: matching requests get `status` (and Retry-After) instead of an answer. */
export interface FaultRule {
    /** HTTP method to match (any when unset). */
    method?: string;
    /** Substring of the request path (with query) to match, case-insensitively (any when unset). */
    pathIncludes?: string;
    status: 429 | 500 | 503 | 403 | 404;
    /** How many matching requests fail; default 1. */
    times?: number;
    retryAfterSeconds?: number;
}

export interface ArmServerStats {
    requests: number;
    /** Requests answered 429 by the throttling (injected faults not counted). */
    throttled: number;
    /** Peak number of requests being handled at once. */
    maxConcurrent: number;
    /** Requests per route, e.g. `GET loadBalancers`, `POST queryInboundNatRulePortMapping`. */
    byRoute: Record<string, number>;
}

export interface ArmServerOptions {
    /** 0 (default) picks a free port. */
    port?: number;
    host?: "127.0.0.1";
    faults?: FaultRule[];
    /** Delay before every answer, in milliseconds. */
    latencyMs?: number;
    /**
     * Polls of a long-running operation (a write, a delete, a scale-set action, the port-mapping query)
     * that find it still running before it is done; default 1. 0: the first poll finds it done.
     */
    lroPolls?: number;
    /**
     * Retry-After (seconds) of long-running answers and of their in-progress polls; default 10,
     * as Microsoft.Network answers (recorded 202s in Azure/azure-cli's network test recordings).
     * azure-core (JS and Python) treats 0 as absent and waits its own default instead (2 s in JS,
     * 30 s for az): use 1 for fast tests with real clients.
     */
    retryAfterSeconds?: number;
    /**
     * A state file: after every write the endpoint keeps, the whole state is saved there atomically and
     * durably (temporary file, fsync, rename) before the write is answered. Unset: nothing is saved.
     */
    stateFile?: string;
    /**
     * Azure's throttling (true, the default: the documented limits), other limits, or false for none.
     * Every answer then carries the remaining-requests headers.
     */
    throttling?: boolean | ThrottlingLimits;
    /** Pool GETs embed each member's `inboundNatRulesPortMapping` (default true, as Azure's do); false leaves them out. */
    embedPortMappings?: boolean;
    /** Time source of the throttling; default the system clock. */
    clock?: Clock;
    /**
     * Serve https with a certificate made on the fly (a local CA and a server certificate for
     * 127.0.0.1/localhost, see tls.ts); the CA is written to `caFile` (default: a new temporary folder).
     */
    https?: boolean | { caFile?: string };
    /** The AD FS-style sign-in under `/adfs` (see sign-in.ts): which service principals it accepts. */
    signIn?: SignInOptions;
}

/**
 * The options that make the endpoint quick and never throttle, for tests that need speed: every
 * long-running operation is done at its first poll, and Retry-After is 1 s (not 0, which azure-core
 * clients treat as absent, waiting their default 2 s (JS) or 30 s (az) instead).
 */
export const FAST_ARM_SERVER_OPTIONS = { retryAfterSeconds: 1, lroPolls: 0, throttling: false } as const satisfies ArmServerOptions;

export interface ArmServer {
    /** `http://127.0.0.1:PORT`, or `https://127.0.0.1:PORT` with the `https` option. */
    url: string;
    /** With `https`: the file holding the CA certificate to trust (REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS). */
    caFile?: string;
    /** With `https`: the CA certificate's PEM. */
    caPem?: string;
    port: number;
    close(): Promise<void>;
    stats: ArmServerStats;
    addFault(rule: FaultRule): void;
    resetStats(): void;
}

const JSON_TYPE = "application/json; charset=utf-8";
/** Microsoft.Network's Retry-After on its long-running 202s (Azure/azure-cli network recordings: `Retry-After: 10`). */
const DEFAULT_RETRY_AFTER_SECONDS = 10;

const FAULT_CODES: Record<FaultRule["status"], string> = {
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
    403: "AuthorizationFailed",
    404: "ResourceNotFound",
};

/** The route name a request is counted under in `stats.byRoute`. */
function routeOf(method: string, path: string): string {
    const segs = path.split("/").filter(Boolean);
    if (segs.length <= 1) return `${method} subscriptions`;
    if (segs.some((s) => s.toLowerCase() === "operationresults")) return `${method} operationResults`;
    if (segs.length === 8 && segs[4].toLowerCase() === "locations" && segs[6].toLowerCase() === "operations") return `${method} operations`;
    const last = segs[segs.length - 1];
    // Collections and actions are named by their last segment, single resources by their type.
    const named = segs.length % 2 === 1 ? last : segs[segs.length - 2];
    return `${method} ${named}`;
}

/** The RBAC action a 403 names, as ARM's AuthorizationFailed message does. */
function actionOf(method: string, path: string): string {
    const provider = /\/providers\/([^/]+)\/([^/]+)/i.exec(path);
    if (/\/queryInboundNatRulePortMapping$/i.test(path)) {
        return "Microsoft.Network/loadBalancers/backendAddressPools/queryInboundNatRulePortMapping/action";
    }
    if (!provider) return method === "GET" ? "Microsoft.Resources/subscriptions/read" : "*/action";
    const segs = path.split("/").filter(Boolean);
    const i = segs.findIndex((s) => s.toLowerCase() === "providers");
    const types = segs.slice(i + 2).filter((_, n) => n % 2 === 0);
    return `${provider[1]}/${types.join("/")}/${method === "GET" ? "read" : "write"}`;
}

function scopeOf(path: string): string {
    const segs = path.split("/").filter(Boolean);
    return "/" + (segs.length % 2 === 1 ? segs.slice(0, -1) : segs).join("/");
}

/** The caller's object id: the `oid` claim of a JWT bearer token; undefined for other tokens. */
function principalOf(authorization: string): string | undefined {
    const parts = authorization.replace(/^Bearer\s+/i, "").split(".");
    if (parts.length !== 3) return undefined;
    try {
        const oid = (JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as { oid?: unknown }).oid;
        return typeof oid === "string" && oid !== "" ? oid : undefined;
    } catch {
        return undefined;
    }
}

/**
 * The region Microsoft.Network throttles a request under: the `locations/{loc}` of a status URL, a load
 * balancer's location; for its other resources the resource group stands in. Undefined outside Microsoft.Network.
 */
function networkRegionOf(sim: AzureSimulator, path: string): string | undefined {
    const location = /\/providers\/Microsoft\.Network\/locations\/([^/]+)/i.exec(path);
    if (location) return decodeURIComponent(location[1]);
    const lb = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/loadBalancers\/([^/]+)/i.exec(path);
    if (lb) {
        try {
            return sim.locationOf(decodeURIComponent(lb[1]), decodeURIComponent(lb[2]));
        } catch {
            return `resourceGroup:${decodeURIComponent(lb[1]).toLowerCase()}`;
        }
    }
    const other = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\//i.exec(path);
    return other ? `resourceGroup:${decodeURIComponent(other[1]).toLowerCase()}` : undefined;
}

/** A pool (or pool list) without the members' embedded mappings, as when Azure leaves them out. */
function withoutEmbeddedMappings(resource: unknown): unknown {
    const strip = (pool: { properties?: { loadBalancerBackendAddresses?: { properties?: Record<string, unknown> }[] } }): void => {
        for (const address of pool.properties?.loadBalancerBackendAddresses ?? []) delete address.properties?.inboundNatRulesPortMapping;
    };
    const body = resource as { value?: unknown[] };
    if (Array.isArray(body.value)) for (const pool of body.value) strip(pool as Parameters<typeof strip>[0]);
    else strip(resource as Parameters<typeof strip>[0]);
    return resource;
}

/** Starts the server on 127.0.0.1. Any api-version is accepted. */
export async function startArmServer(sim: AzureSimulator, options: ArmServerOptions = {}): Promise<ArmServer> {
    const faults: (FaultRule & { left: number })[] = [];
    const addFault = (rule: FaultRule): void => {
        faults.push({ ...rule, left: rule.times ?? 1 });
    };
    for (const rule of options.faults ?? []) addFault(rule);
    const stats: ArmServerStats = { requests: 0, throttled: 0, maxConcurrent: 0, byRoute: {} };
    const lroPolls = Math.max(0, options.lroPolls ?? 1);
    const operations = new OperationStore(lroPolls);
    const etags = new EtagStore();
    const persist = (): void => {
        if (options.stateFile !== undefined) saveStateDurably(options.stateFile, sim.toJSON());
    };
    // Writes run one at a time, in the order their bodies arrived: each sees the previous one's result.
    let writeChain: Promise<unknown> = Promise.resolve();
    const serialized = <T>(work: () => T): Promise<T> => {
        const run = writeChain.then(work);
        writeChain = run.catch(() => undefined);
        return run;
    };
    const retryAfter = String(options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS);
    const throttlingLimits = options.throttling === false ? undefined : options.throttling === true || options.throttling === undefined ? AZURE_THROTTLING_LIMITS : options.throttling;
    const throttle = throttlingLimits ? new ArmThrottle(options.clock ?? systemClock, throttlingLimits) : undefined;
    const embedPortMappings = options.embedPortMappings ?? true;
    const tls = options.https ? createLocalTls(typeof options.https === "object" ? options.https : {}) : undefined;
    const scheme = tls ? "https" : "http";
    const signIn = createSignInEndpoint({ objectIdOf: (clientId) => (clientId === sim.identity.clientId ? sim.identity.objectId : derivedObjectId(clientId)), ...options.signIn });
    let inFlight = 0;

    const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
        const text = body === undefined ? "" : JSON.stringify(body);
        res.writeHead(status, {
            "Content-Type": JSON_TYPE,
            "Content-Length": String(Buffer.byteLength(text)),
            "x-ms-request-id": randomUUID(),
            ...headers,
        });
        res.end(text);
    };
    const sendError = (res: ServerResponse, err: ArmError, headers: Record<string, string> = {}): void => send(res, err.statusCode, err.toBody(), headers);

    const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
        const method = (req.method ?? "GET").toUpperCase();
        // Repeated slashes are one, as ARM takes them: az joins an endpoint given with a trailing
        // slash and "/metadata/endpoints" into "//metadata/endpoints", which URL would read as a host.
        const raw = req.url ?? "/";
        const queryAt = raw.indexOf("?");
        const pathPart = (queryAt < 0 ? raw : raw.slice(0, queryAt)).replace(/\/{2,}/g, "/");
        const url = new URL(pathPart + (queryAt < 0 ? "" : raw.slice(queryAt)), "http://127.0.0.1");
        const path = url.pathname.replace(/\/+$/, "") || "/";
        const route = routeOf(method, path);
        stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
        if (options.latencyMs && options.latencyMs > 0) await new Promise((r) => setTimeout(r, options.latencyMs));
        // The sign-in answers without a token, as an authority does.
        if (await signIn.handle(req, res, path, baseUrlOf(req))) return;

        const target = (path + url.search).toLowerCase();
        const fault = faults.find((f) => f.left > 0 && (!f.method || f.method.toUpperCase() === method) && (!f.pathIncludes || target.includes(f.pathIncludes.toLowerCase())));
        if (fault) {
            fault.left--;
            const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { "Retry-After": String(fault.retryAfterSeconds) } : {};
            const message =
                fault.status === 403
                    ? `The client '${sim.identity.clientId}' with object id '${sim.identity.objectId}' does not have authorization to perform action '${actionOf(method, path)}' over scope '${scopeOf(path)}' or the scope is invalid. If access was recently granted, please refresh your credentials.`
                    : fault.status === 404
                      ? `The Resource at '${path}' was not found (injected fault).`
                      : `Injected fault: ${fault.status} for ${method} ${path}.`;
            return sendError(res, new ArmError(FAULT_CODES[fault.status], fault.status, message), headers);
        }

        const base = baseUrlOf(req);
        // ARM serves the cloud's metadata without authentication (`az cloud register` reads it before signing in).
        if (method === "GET" && /^\/metadata\/endpoints$/i.test(path)) return send(res, 200, metadataEndpoints(base, url.searchParams.get("api-version")));

        if (!/^Bearer\s+\S+/i.test(req.headers.authorization ?? "")) {
            return sendError(res, new ArmError(ARM_ERROR_CODES.authenticationFailed, 401, "Authentication failed. The 'Authorization' header is missing."), {
                "WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The authentication failed because of missing \'Authorization\' header."',
            });
        }

        let limitHeaders: Record<string, string> = {};
        const subscriptionOfPath = /^\/subscriptions\/([^/]+)/i.exec(path)?.[1];
        if (throttle && subscriptionOfPath !== undefined) {
            const decision = throttle.admit({
                subscriptionId: decodeURIComponent(subscriptionOfPath),
                principalId: principalOf(req.headers.authorization ?? "") ?? sim.identity.objectId,
                method,
                networkRegion: networkRegionOf(sim, path),
            });
            if (!decision.admitted) {
                stats.throttled++;
                return sendError(res, new ArmError(decision.code, decision.status, decision.message), decision.headers);
            }
            limitHeaders = decision.headers;
        }
        const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => send(res, status, body, { ...limitHeaders, ...headers });

        const apiVersion = url.searchParams.get("api-version") ?? "2024-05-01";

        // ResourceGroups_CheckExistence and Resources_CheckExistenceById (`az group exists`): 204 when it exists, else 404, no body.
        if (method === "HEAD") return answer(sim.has(path) ? 204 : 404, undefined);

        if (method === "GET") {
            // Microsoft.Network's two status URLs (learn.microsoft.com/azure/azure-resource-manager/management/async-operations):
            // Azure-AsyncOperation answers 200 with {"status": "InProgress" | "Succeeded"}; Location answers 202 until done, then 200 with the result.
            const op = parseOperationPath(path, url.searchParams);
            if (op) {
                const polled = operations.poll(op.id, op.kind);
                if (!polled) return sendError(res, new ArmError(ARM_ERROR_CODES.resourceNotFound, 404, `Operation ${op.id} was not found.`), limitHeaders);
                const again = polled.running ? { "Retry-After": retryAfter, ...(op.kind === "location" ? { Location: `${base}${path}${url.search}` } : {}) } : {};
                return answer(polled.status, polled.body, again);
            }
            if (/^\/tenants$/i.test(path)) return answer(200, tenantsList(sim.tenantId));
            const resource = extraRead(sim, path) ?? sim.get(path);
            const shown = etags.apply(withAzureDefaults(embedPortMappings || !/\/backendAddressPools(\/[^/]+)?$/i.test(path) ? resource : withoutEmbeddedMappings(resource)));
            // A single resource read while its write's operation runs shows Updating (and the read counts as a poll).
            const single = shown as { id?: unknown; etag?: unknown; properties?: { provisioningState?: unknown } };
            if (typeof single.id === "string" && typeof single.properties?.provisioningState === "string" && operations.pollResource(topLevelIdOf(single.id))) {
                single.properties.provisioningState = "Updating";
            }
            const etag = single.etag;
            return answer(200, shown, typeof etag === "string" ? { ETag: etag } : {});
        }

        const query = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/loadBalancers\/([^/]+)\/backendAddressPools\/([^/]+)\/queryInboundNatRulePortMapping$/i.exec(path);
        if (method === "POST" && query) {
            const [, subscription, resourceGroup, loadBalancer, pool] = query.map(decodeURIComponent);
            if (subscription.toLowerCase() !== sim.subscriptionId.toLowerCase()) {
                return sendError(res, new ArmError(ARM_ERROR_CODES.subscriptionNotFound, 404, `The subscription '${subscription}' could not be found.`));
            }
            let body: PortMappingQuery;
            try {
                const raw = await readBody(req);
                body = (raw.trim() === "" ? {} : JSON.parse(raw)) as PortMappingQuery;
            } catch (err) {
                return sendError(res, new ArmError(ARM_ERROR_CODES.invalidRequestContent, 400, `The request content is not valid JSON: ${(err as Error).message}`));
            }
            const result = sim.queryInboundNatRulePortMapping(resourceGroup, loadBalancer, pool, body ?? {});
            const id = operations.start("Microsoft.Network", 200, result);
            // Both status URLs and Retry-After, as Microsoft.Network's 202s carry them (Azure/azure-cli network recordings; the spec's
            // QueryInboundNatRulePortMapping is x-ms-long-running-operation with final-state-via: location).
            const urls = operationUrls(base, sim.subscriptionId, "Microsoft.Network", sim.locationOf(resourceGroup, loadBalancer), id, apiVersion);
            return answer(202, undefined, { Location: urls.location, "Azure-AsyncOperation": urls.asyncOperation as string, "Retry-After": retryAfter });
        }

        if (method === "PUT" || method === "PATCH" || method === "DELETE" || method === "POST") {
            const body = await readBody(req);
            const header = (name: string): string | undefined => {
                const v = req.headers[name];
                return Array.isArray(v) ? v.join(",") : v;
            };
            const written = await serialized(() =>
                handleWrite({ sim, etags, operations, retryAfter, persist }, { method, path, body, base, apiVersion, ifMatch: header("if-match"), ifNoneMatch: header("if-none-match") }),
            );
            if (written) return answer(written.status, written.status === 204 ? undefined : written.body, written.headers);
        }

        return sendError(res, new ArmError("MethodNotAllowed", 405, `The simulated ARM endpoint does not serve ${method} ${path}.`), limitHeaders);
    };

    const listener = (req: IncomingMessage, res: ServerResponse): void => {
        stats.requests++;
        inFlight++;
        stats.maxConcurrent = Math.max(stats.maxConcurrent, inFlight);
        let finished = false;
        const done = (): void => {
            if (!finished) inFlight--;
            finished = true;
        };
        res.on("finish", done);
        res.on("close", done);
        handle(req, res).catch((err: unknown) => {
            if (res.headersSent) return res.destroy();
            if (err instanceof ArmError) return sendError(res, err);
            sendError(res, new ArmError("InternalServerError", 500, `Simulator error: ${err instanceof Error ? err.message : String(err)}`));
        });
    };
    const server = tls ? createHttpsServer({ key: tls.keyPem, cert: tls.certPem }, listener) : createServer(listener);

    const host = options.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, host, () => {
            server.off("error", reject);
            resolve();
        });
    });
    const port = (server.address() as AddressInfo).port;

    return {
        url: `${scheme}://${host}:${port}`,
        port,
        ...(tls ? { caFile: tls.caFile, caPem: tls.caPem } : {}),
        stats,
        addFault,
        resetStats() {
            stats.requests = 0;
            stats.throttled = 0;
            stats.maxConcurrent = 0;
            for (const k of Object.keys(stats.byRoute)) delete stats.byRoute[k];
        },
        close: () =>
            new Promise<void>((resolve, reject) => {
                server.close((err) => (err ? reject(err) : resolve()));
                server.closeAllConnections();
            }),
    };
}
