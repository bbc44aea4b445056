/** Errors of Azure reads, the RBAC actions they need, and how Azure's answer to a failed request is read. */
import { AzureNatRulesError } from "../core/errors";

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
