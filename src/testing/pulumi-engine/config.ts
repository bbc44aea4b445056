/**
 * The stand-in's configuration, from the provider's config (`azure-native:<key>`) or, as azure-native
 * falls back (provider.go getConfig), from the environment:
 * - the endpoint: azure-native points at another cloud with `metadataHost` / ARM_METADATA_HOSTNAME,
 *   whose `/metadata/endpoints` document names the Resource Manager URL (provider/pkg/azure/cloud
 *   FromMetadataEndpoint; plain http for `localhost`/`127.` hosts, as go-azure-sdk's does). The stand-in
 *   does the same, and also takes the URL itself from AZURE_NAT_RULES_ARM_ENDPOINT, the variable the
 *   components read Azure's mappings with, so one setting points both at the local Azure;
 * - `subscriptionId` / ARM_SUBSCRIPTION_ID (required), `tenantId` / ARM_TENANT_ID, `clientId` /
 *   ARM_CLIENT_ID, `location` (the default location, as azure-native's Check uses it).
 * The stand-in only ever talks to a loopback endpoint: it is the local Azure's client, and its token is no secret.
 */
import { ARM_ENDPOINT_ENV } from "../../azure-reads/azure-mappings";

export interface StandInConfig {
    /** `http://127.0.0.1:PORT` */
    endpoint: string;
    subscriptionId: string;
    tenantId: string;
    clientId: string;
    objectId: string;
    location?: string;
    /** The bearer token sent to the endpoint and answered by getClientToken. */
    token: string;
    /** Default wait between polls without Retry-After (AZURE_NAT_RULES_STANDIN_POLL_SECONDS); undefined: azure-native's. */
    waitSeconds?: number;
}

/** What the stand-in answers for getClientConfig when nothing is configured (a fixed, obviously local identity). */
const DEFAULT_IDENTITY = {
    tenantId: "00000000-0000-0000-0000-0000000000aa",
    clientId: "00000000-0000-0000-0000-0000000000bb",
    objectId: "00000000-0000-0000-0000-0000000000cc",
};

/** The env variable that sets the stand-in's default poll wait, in seconds. */
export const POLL_SECONDS_ENV = "AZURE_NAT_RULES_STANDIN_POLL_SECONDS";

type Getter = (key: string, env: string) => string | undefined;

function isLoopback(url: URL): boolean {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || host === "::1" || /^127\./.test(host);
}

/** An unsigned JWT-shaped token whose `oid`, `tid` and `appid` claims name the configured identity (the local endpoint reads `oid`). */
function tokenFor(identity: { tenantId: string; clientId: string; objectId: string }): string {
    const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString("base64url");
    return `${part({ alg: "none", typ: "JWT" })}.${part({ oid: identity.objectId, tid: identity.tenantId, appid: identity.clientId, aud: "local-arm" })}.local`;
}

/** The Resource Manager URL of a custom cloud's metadata host (`/metadata/endpoints`, as azure-native reads it). */
async function endpointFromMetadataHost(host: string): Promise<string> {
    const base = host.includes("://") ? host : `${/^(localhost|127\.)/.test(host) ? "http" : "https"}://${host}`;
    const url = `${base.replace(/\/+$/, "")}/metadata/endpoints?api-version=2022-09-01`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`azure-native stand-in: metadataHost ${host}: GET ${url} answered ${response.status}. Fix: point metadataHost at a host that serves Azure's /metadata/endpoints, or set ${ARM_ENDPOINT_ENV} to the ARM URL.`);
    // azure-native's client (go-azure-sdk's metadata client) reads one object at 2022-09-01; az reads a list of clouds.
    // Take either: the object, or the list's cloud whose resourceManager is on the metadata host.
    const body = (await response.json()) as { resourceManager?: string } | { resourceManager?: string }[];
    const clouds = Array.isArray(body) ? body : [body];
    const onHost = clouds.find((c) => typeof c.resourceManager === "string" && new URL(c.resourceManager).host === new URL(base).host) ?? clouds[0];
    if (!onHost?.resourceManager) throw new Error(`azure-native stand-in: metadataHost ${host}: ${url} names no resourceManager endpoint.`);
    return onHost.resourceManager;
}

/** Reads and checks the configuration; every problem is an error saying what to set. */
export async function resolveConfig(config: Record<string, string>, env: NodeJS.ProcessEnv = process.env): Promise<StandInConfig> {
    const get: Getter = (key, name) => {
        const value = config[key] ?? env[name];
        return value === undefined || value === "" ? undefined : value;
    };
    const metadataHost = get("metadataHost", "ARM_METADATA_HOSTNAME");
    const direct = env[ARM_ENDPOINT_ENV];
    const raw = metadataHost ? await endpointFromMetadataHost(metadataHost) : direct;
    if (!raw) {
        throw new Error(
            `azure-native stand-in: no ARM endpoint. It talks only to a local ARM endpoint (startArmServer or \`azure-nat-rules local-arm\`). ` +
                `Fix: set ${ARM_ENDPOINT_ENV}=http://127.0.0.1:PORT (or azure-native:metadataHost / ARM_METADATA_HOSTNAME to a host serving /metadata/endpoints).`,
        );
    }
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        throw new Error(`azure-native stand-in: the ARM endpoint ${JSON.stringify(raw)} is not a URL. Fix: give http://127.0.0.1:PORT.`);
    }
    if (!isLoopback(url)) {
        throw new Error(`azure-native stand-in: the ARM endpoint ${raw} is not on loopback; the stand-in serves only the local Azure. Fix: use the real azure-native provider for a real cloud.`);
    }
    const subscriptionId = get("subscriptionId", "ARM_SUBSCRIPTION_ID");
    if (!subscriptionId) {
        throw new Error("azure-native stand-in: no subscription. Fix: set ARM_SUBSCRIPTION_ID (or `pulumi config set azure-native:subscriptionId <id>`) to the local Azure's subscription.");
    }
    const identity = {
        tenantId: get("tenantId", "ARM_TENANT_ID") ?? DEFAULT_IDENTITY.tenantId,
        clientId: get("clientId", "ARM_CLIENT_ID") ?? DEFAULT_IDENTITY.clientId,
        objectId: env.AZURE_NAT_RULES_STANDIN_OBJECT_ID || DEFAULT_IDENTITY.objectId,
    };
    const wait = env[POLL_SECONDS_ENV];
    const waitSeconds = wait === undefined || wait === "" ? undefined : Number(wait);
    if (waitSeconds !== undefined && (!Number.isFinite(waitSeconds) || waitSeconds < 0)) {
        throw new Error(`azure-native stand-in: ${POLL_SECONDS_ENV}=${JSON.stringify(wait)}: allowed is a number of seconds, 0 or more.`);
    }
    return {
        endpoint: url.origin,
        subscriptionId,
        ...identity,
        location: config.location || undefined,
        token: tokenFor(identity),
        waitSeconds,
    };
}
