/** The subscriptions a credential can see (`GET /subscriptions`). */
// Types only at load time: the Azure SDK's pipeline loads on the first request.
import type { TokenCredential } from "@azure/identity";
import { ArmClient } from "./client";
import { credentialFor } from "./credentials";
import { resolveArmEndpoint, transportFix } from "./endpoints";
import { PortMappingLookupError, explainArmFailure, firstLine, isAbort } from "./errors";

/** Api-version of Microsoft.Resources' subscription list. */
const SUBSCRIPTIONS_API_VERSION = "2022-12-01";

export interface SubscriptionSummary {
    subscriptionId: string;
    displayName?: string;
    state?: string;
}

/**
 * The subscriptions the credential can see (`GET /subscriptions`), following `nextLink` on the
 * endpoint's origin only, through the same client as every other read.
 */
export async function listSubscriptions(options: { credential?: TokenCredential; endpoint?: string; signal?: AbortSignal } = {}): Promise<SubscriptionSummary[]> {
    const endpoint = resolveArmEndpoint(options.endpoint);
    const credential = credentialFor(endpoint, options.credential);
    const client = new ArmClient({ endpoint: endpoint.url, credential, retry: { maxRetries: 2, retryDelayInMs: 500 } });
    let listed: SubscriptionSummary[];
    try {
        listed = await client.listAll<SubscriptionSummary>("/subscriptions", { apiVersion: SUBSCRIPTIONS_API_VERSION, signal: options.signal });
    } catch (err) {
        if (isAbort(err, options.signal)) throw err;
        const { statusCode, code, azureSaid } = explainArmFailure(err);
        if (statusCode === undefined) {
            // No answer: no token could be had, or the endpoint could not be reached.
            throw new PortMappingLookupError(`listSubscriptions: GET ${endpoint.url}/subscriptions failed: ${firstLine((err as Error)?.message ?? err)}. ${transportFix(err, options.endpoint)}`, {
                code: code ?? "CredentialUnavailable",
                cause: err,
            });
        }
        const fix = statusCode === 401 ? " Fix: sign in again (az login) or pass a valid ARM access token." : "";
        throw new PortMappingLookupError(`listSubscriptions: GET ${endpoint.url}/subscriptions failed (${azureSaid}).${fix}`, { statusCode, code, cause: err });
    }
    return listed.map((s) => ({ subscriptionId: s.subscriptionId, displayName: s.displayName, state: s.state }));
}
