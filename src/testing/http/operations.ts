/**
 * Long-running operations of the ARM endpoint: the status URLs each resource provider hands out, and
 * how a poll of each answers. A write is applied (and checked) when it is received; its operation only
 * answers "in progress" for a number of polls (`lroPolls`), then done.
 *
 * Sources (learn.microsoft.com/azure/azure-resource-manager/management/async-operations):
 * - `Azure-AsyncOperation` answers 200 `{"status": "InProgress"}` with Retry-After until done, then 200 `{"status": "Succeeded"}`.
 * - `Location` answers 202 (with Location and Retry-After) until done, then the operation's result: 200 with
 *   a body, or 204 for a delete.
 * URL shapes as recorded in Azure/azure-cli's test recordings (network, vm): Microsoft.Network
 * `.../providers/Microsoft.Network/locations/{loc}/operations/{id}` and `.../operationResults/{id}`; Microsoft.Compute
 * `.../providers/Microsoft.Compute/locations/{loc}/operations/{id}` (Location adds `monitor=true`); a resource
 * group's delete `/subscriptions/{s}/operationresults/{id}` (Location only).
 */
import { randomUUID } from "node:crypto";

export type OperationProvider = "Microsoft.Network" | "Microsoft.Compute" | "Microsoft.Resources";

interface Operation {
    provider: OperationProvider;
    /** Polls (of either URL) still to answer "in progress". */
    pollsLeft: number;
    /** HTTP status of the Location poll once done. */
    finalStatus: 200 | 204;
    result: unknown;
    /** Lower-case id of the top-level resource a create-or-update changes (its GETs show `Updating` meanwhile). */
    resource?: string;
    startTime: string;
    endTime?: string;
}

/** What a poll answers: status, body and headers (Location / Retry-After added by the caller). */
export interface PollAnswer {
    status: number;
    body: unknown;
    running: boolean;
}

const MAX_OPERATIONS = 100_000;

/** The operations in flight (and done: clients may poll a done operation again). */
export class OperationStore {
    private readonly operations = new Map<string, Operation>();
    /** The latest create-or-update operation of each top-level resource (lower-case id → operation id). */
    private readonly byResource = new Map<string, string>();

    constructor(private readonly polls: number) {}

    /** Starts an operation; returns its id. */
    start(provider: OperationProvider, finalStatus: 200 | 204, result?: unknown, resource?: string): string {
        const id = randomUUID();
        const key = resource?.toLowerCase();
        this.operations.set(id, { provider, pollsLeft: this.polls, finalStatus, result, resource: key, startTime: new Date().toISOString() });
        if (key !== undefined) this.byResource.set(key, id);
        if (this.operations.size > MAX_OPERATIONS) {
            const oldest = this.operations.keys().next().value as string;
            const gone = this.operations.get(oldest)?.resource;
            if (gone !== undefined && this.byResource.get(gone) === oldest) this.byResource.delete(gone);
            this.operations.delete(oldest);
        }
        return id;
    }

    /**
     * A GET of a resource whose create-or-update is still running: it counts as a poll (a client that
     * only reads `provisioningState` also sees it finish) and tells whether it was still running, when
     * Azure's answer shows `provisioningState: Updating` (learn.microsoft.com async-operations: "the
     * resource's provisioningState ... until the operation completes").
     */
    pollResource(topLevelId: string): boolean {
        const id = this.byResource.get(topLevelId.toLowerCase());
        const op = id === undefined ? undefined : this.operations.get(id);
        if (!op || op.pollsLeft <= 0) return false;
        op.pollsLeft--;
        return true;
    }

    /**
     * One poll: `kind` "status" is the Azure-AsyncOperation URL, "location" the Location URL.
     * Undefined when the operation is unknown (404).
     */
    poll(id: string, kind: "status" | "location"): PollAnswer | undefined {
        const op = this.operations.get(id);
        if (!op) return undefined;
        const running = op.pollsLeft > 0;
        if (running) op.pollsLeft--;
        else op.endTime ??= new Date().toISOString();
        if (kind === "status") {
            const status = running ? "InProgress" : "Succeeded";
            // Microsoft.Compute's status body also names the operation and its times (azure-cli vm recordings).
            const body = op.provider === "Microsoft.Compute" ? { startTime: op.startTime, ...(running ? {} : { endTime: op.endTime }), status, name: id } : { status };
            return { status: 200, body, running };
        }
        if (running) return { status: 202, body: undefined, running };
        return { status: op.finalStatus, body: op.finalStatus === 204 ? undefined : op.result, running };
    }
}

/** The status URLs of one operation, built on the base URL the client used. */
export function operationUrls(base: string, subscriptionId: string, provider: OperationProvider, location: string, id: string, apiVersion: string): { location: string; asyncOperation?: string } {
    const v = `api-version=${encodeURIComponent(apiVersion)}`;
    if (provider === "Microsoft.Resources") return { location: `${base}/subscriptions/${subscriptionId}/operationresults/${id}?${v}` };
    const root = `${base}/subscriptions/${subscriptionId}/providers/${provider}/locations/${encodeURIComponent(location)}`;
    if (provider === "Microsoft.Compute") return { location: `${root}/operations/${id}?monitor=true&${v}`, asyncOperation: `${root}/operations/${id}?${v}` };
    return { location: `${root}/operationResults/${id}?${v}`, asyncOperation: `${root}/operations/${id}?${v}` };
}

/** A GET of a status URL: which operation, and which of its two URLs. Undefined for other paths. */
export function parseOperationPath(path: string, search: URLSearchParams): { id: string; kind: "status" | "location" } | undefined {
    const network = /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Network\/locations\/[^/]+\/(operationResults|operations)\/([^/]+)$/i.exec(path);
    if (network) return { id: network[2], kind: network[1].toLowerCase() === "operations" ? "status" : "location" };
    const compute = /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Compute\/locations\/[^/]+\/operations\/([^/]+)$/i.exec(path);
    if (compute) return { id: compute[1], kind: search.get("monitor") === "true" ? "location" : "status" };
    const resources = /^\/subscriptions\/[^/]+\/operationresults\/([^/]+)$/i.exec(path);
    if (resources) return { id: resources[1], kind: "location" };
    return undefined;
}
