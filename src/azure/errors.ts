/** Errors of Azure reads, the RBAC actions they need, and how a failed request is explained with a fix. */
import { AzureNatRulesError } from "../core/errors";
import { resolveArmEndpoint } from "./endpoints";

/** The RBAC action the mapping query needs. */
export const QUERY_PORT_MAPPING_ACTION = "Microsoft.Network/loadBalancers/backendAddressPools/queryInboundNatRulePortMapping/action";
/** The RBAC action that reading the load balancer and its pool needs. */
export const READ_LOAD_BALANCER_ACTION = "Microsoft.Network/loadBalancers/read";
export const READ_PUBLIC_IP_ACTION = "Microsoft.Network/publicIPAddresses/read";

/** A failed lookup: Azure's HTTP status and error code when Azure answered. */
export class PortMappingLookupError extends AzureNatRulesError {
    readonly statusCode?: number;
    readonly code?: string;

    constructor(message: string, details: { statusCode?: number; code?: string; cause?: unknown } = {}) {
        super(message);
        this.statusCode = details.statusCode;
        this.code = details.code;
        if (details.cause !== undefined) (this as { cause?: unknown }).cause = details.cause;
    }
}

/** No HTTP answer at all: either no token could be had, or the endpoint could not be reached. */
export function transportFix(err: unknown, endpoint: string | undefined): string {
    const name = String((err as { name?: unknown })?.name ?? "");
    const message = String((err as { message?: unknown })?.message ?? "");
    if (/Credential|Authentication/.test(name) || /ChainedTokenCredential|CredentialUnavailable/.test(message)) {
        return "Fix: sign in with `az login` (or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET for a service principal), or pass a token (the CLI's --token or $AZURE_NAT_RULES_TOKEN; the library's credential option).";
    }
    const url = resolveArmEndpoint(endpoint).url;
    return `Fix: make sure ${url} is reachable from here (network, proxy, firewall), or point --endpoint / AZURE_NAT_RULES_ARM_ENDPOINT at the right cloud; for the local simulator, start \`azure-nat-rules local-arm\` first and pass its URL.`;
}

export function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
    return (err as { name?: unknown })?.name === "AbortError" || signal?.aborted === true;
}

export function firstLine(message: unknown): string {
    return String(message ?? "").split("\n")[0].trim();
}

/** What Azure answered a failed request: its HTTP status and error code, and its words in one line. */
export interface ArmFailure {
    statusCode?: number;
    code?: string;
    /** `HTTP 404 ResourceNotFound: The Resource ... was not found.`; `error: ...` when no status came back. */
    azureSaid: string;
}

/** The one reading of an Azure SDK error (a RestError or what the transport threw) that the lookups quote. */
export function explainArmFailure(err: unknown): ArmFailure {
    const raw = err as { statusCode?: unknown; code?: unknown; message?: unknown };
    const statusCode = typeof raw.statusCode === "number" ? raw.statusCode : undefined;
    const code = typeof raw.code === "string" ? raw.code : undefined;
    const azureSaid = `${statusCode !== undefined ? `HTTP ${statusCode}` : "error"}${code ? ` ${code}` : ""}: ${firstLine(raw.message ?? err)}`;
    return { statusCode, code, azureSaid };
}
