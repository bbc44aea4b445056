/** How the CLI's Azure commands pick their credential (--token) and subscription (--subscription). */
import type { TokenCredential } from "@azure/identity";
import { AzureNatRulesError } from "../core/errors";
// Types only: the Azure SDKs load when a command reads Azure.
import type * as Azure from "../azure";

type LookupModule = typeof Azure;

/** The ARM endpoint URL of `--endpoint` (a URL or a cloud's name); an invalid one is named by its flag. */
export function chooseEndpoint(command: string, lookup: LookupModule, value: string | undefined): string {
    try {
        return lookup.resolveArmEndpoint(value).url;
    } catch (err) {
        const reworded = inCommandWords(command, err);
        if (reworded instanceof Error) reworded.message = reworded.message.replace(/^([\w-]+: )endpoint = /, "$1--endpoint = ");
        throw reworded;
    }
}

export function chooseCredential(lookup: LookupModule, token: string | undefined): TokenCredential | undefined {
    const given = token ?? process.env.AZURE_NAT_RULES_TOKEN;
    if (given === undefined || given.trim() === "") return undefined; // lookupPortMappings falls back to DefaultAzureCredential
    return lookup.staticTokenCredential(given);
}

export async function chooseSubscription(command: string, lookup: LookupModule, flag: string | undefined, endpoint: string, credential: TokenCredential | undefined): Promise<string> {
    const given = flag ?? process.env.AZURE_SUBSCRIPTION_ID;
    if (given !== undefined && given.trim() !== "") return given.trim();
    let subscriptions: Awaited<ReturnType<LookupModule["listSubscriptions"]>>;
    try {
        subscriptions = await lookup.listSubscriptions({ endpoint, credential });
    } catch (err) {
        throw inCommandWords(command, err);
    }
    if (subscriptions.length === 1) return subscriptions[0].subscriptionId;
    if (subscriptions.length === 0) {
        throw new AzureNatRulesError(`${command}: the credential sees no subscription. Fix: pass --subscription <id> or set AZURE_SUBSCRIPTION_ID.`);
    }
    const listed = subscriptions.map((s) => `${s.subscriptionId}${s.displayName ? ` (${s.displayName})` : ""}`).join(", ");
    throw new AzureNatRulesError(
        `${command}: the credential sees ${subscriptions.length} subscriptions: ${listed}. Fix: pick one with --subscription <id> or AZURE_SUBSCRIPTION_ID.`,
    );
}

/** The library functions whose names start their errors; in the CLI the command's name does. */
const LIBRARY_PREFIX = /^(?:listSubscriptions|lookupPortMappings|resolveArmEndpoint): /;

/**
 * An Azure lookup's error as the command reports it: the command's name in front rather than the
 * library function's (`listSubscriptions: ...` → `ssh-config: ...`), and one period where a message
 * that ends with one was joined to a sentence (`authentication failed.. Fix` → `failed. Fix`).
 * Anything else is passed on as it is.
 */
export function inCommandWords(command: string, err: unknown): unknown {
    if (!(err instanceof Error) || !LIBRARY_PREFIX.test(err.message)) return err;
    err.message = `${command}: ${err.message.replace(LIBRARY_PREFIX, "").replace(/(?<!\.)\.\.(?=\s|\)|$)/g, ".")}`;
    return err;
}
