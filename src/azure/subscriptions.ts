/** The subscriptions a credential can see (`GET /subscriptions`). */
// Types only at load time: the Azure SDKs (about 30 MB and 0.5 s) load on the first lookup, so a
// Pulumi program that imports the components pays nothing for them in preview.
import type { AccessToken, TokenCredential } from "@azure/identity";
import { credentialFor } from "./credentials";
import { resolveArmEndpoint, transportFix } from "./endpoints";
import { PortMappingLookupError, firstLine, isAbort } from "./errors";

export interface SubscriptionSummary {
    subscriptionId: string;
    displayName?: string;
    state?: string;
}

/**
 * The subscriptions the credential can see (`GET /subscriptions`), following `nextLink`.
 * A plain fetch: @azure/arm-network has no subscription API and this is one small request.
 */
export async function listSubscriptions(options: { credential?: TokenCredential; endpoint?: string; signal?: AbortSignal } = {}): Promise<SubscriptionSummary[]> {
    const endpoint = resolveArmEndpoint(options.endpoint);
    const credential = credentialFor(endpoint, options.credential);
    let token: AccessToken | null;
    try {
        token = await credential.getToken(`${endpoint.url}/.default`, { abortSignal: options.signal });
    } catch (err) {
        throw new PortMappingLookupError(`listSubscriptions: no access token for ${endpoint.url}: ${firstLine((err as Error)?.message ?? err)}. ${transportFix(err, options.endpoint)}`, {
            code: "CredentialUnavailable",
            cause: err,
        });
    }
    if (!token) throw new PortMappingLookupError(`listSubscriptions: the credential returned no access token for ${endpoint.url}.`, { code: "CredentialUnavailable" });
    const subscriptions: SubscriptionSummary[] = [];
    let url: string | undefined = `${endpoint.url}/subscriptions?api-version=2022-12-01`;
    while (url) {
        let response: Response;
        try {
            response = await fetch(url, { headers: { authorization: `Bearer ${token.token}`, accept: "application/json" }, signal: options.signal });
        } catch (err) {
            if (isAbort(err, options.signal)) throw err;
            throw new PortMappingLookupError(`listSubscriptions: GET ${url} failed: ${firstLine((err as Error)?.message ?? err)}. ${transportFix(err, options.endpoint)}`, { cause: err });
        }
        const body = (await response.json().catch(() => ({}))) as {
            value?: SubscriptionSummary[];
            nextLink?: string;
            error?: { code?: string; message?: string };
        };
        if (!response.ok) {
            const code = body.error?.code;
            const fix = response.status === 401 ? " Fix: sign in again (az login) or pass a valid ARM access token." : "";
            throw new PortMappingLookupError(
                `listSubscriptions: GET ${endpoint.url}/subscriptions failed (HTTP ${response.status}${code ? ` ${code}` : ""}: ${firstLine(body.error?.message)}).${fix}`,
                { statusCode: response.status, code },
            );
        }
        for (const s of body.value ?? []) subscriptions.push({ subscriptionId: s.subscriptionId, displayName: s.displayName, state: s.state });
        // Never send the token to another host than the endpoint.
        url = body.nextLink && new URL(body.nextLink, endpoint.url).origin === new URL(endpoint.url).origin ? new URL(body.nextLink, endpoint.url).toString() : undefined;
    }
    return subscriptions;
}
