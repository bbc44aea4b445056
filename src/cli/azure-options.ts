/** How the CLI's Azure commands pick their credential (--token) and subscription (--subscription). */
import type { TokenCredential } from "@azure/identity";
import { AzureNatRulesError } from "../core/errors";
// Types only: the Azure SDKs load when a command reads Azure.
import type * as Azure from "../azure";

type LookupModule = typeof Azure;

export function chooseCredential(lookup: LookupModule, token: string | undefined): TokenCredential | undefined {
    const given = token ?? process.env.AZURE_NAT_RULES_TOKEN;
    if (given === undefined || given.trim() === "") return undefined; // lookupPortMappings falls back to DefaultAzureCredential
    return lookup.staticTokenCredential(given);
}

export async function chooseSubscription(command: string, lookup: LookupModule, flag: string | undefined, endpoint: string, credential: TokenCredential | undefined): Promise<string> {
    const given = flag ?? process.env.AZURE_SUBSCRIPTION_ID;
    if (given !== undefined && given.trim() !== "") return given.trim();
    const subscriptions = await lookup.listSubscriptions({ endpoint, credential });
    if (subscriptions.length === 1) return subscriptions[0].subscriptionId;
    if (subscriptions.length === 0) {
        throw new AzureNatRulesError(`${command}: the credential sees no subscription. Fix: pass --subscription <id> or set AZURE_SUBSCRIPTION_ID.`);
    }
    const listed = subscriptions.map((s) => `${s.subscriptionId}${s.displayName ? ` (${s.displayName})` : ""}`).join(", ");
    throw new AzureNatRulesError(
        `${command}: the credential sees ${subscriptions.length} subscriptions: ${listed}. Fix: pick one with --subscription <id> or AZURE_SUBSCRIPTION_ID.`,
    );
}
