/** Credentials for ARM: a static token, or DefaultAzureCredential for the endpoint's cloud. */
// Types only at load time: the Azure SDKs (about 30 MB and 0.5 s) load on the first lookup, so a
// Pulumi program that imports the components pays nothing for them in preview.
import type { AccessToken, TokenCredential } from "@azure/identity";
import { AUTHORITY_HOSTS, ArmEndpointName, isLoopbackHost } from "./endpoints";
import { PortMappingLookupError } from "./errors";

/**
 * A credential that always returns `token`, e.g. from Pulumi's `authorization.getClientToken`
 * or `--token`. The expiry comes from the token's `exp` claim when it is a JWT, else one hour.
 */
export function staticTokenCredential(token: string): TokenCredential {
    const trimmed = token.trim();
    if (trimmed === "") {
        throw new PortMappingLookupError("staticTokenCredential: token is empty. Fix: pass an ARM access token (e.g. `az account get-access-token --query accessToken -o tsv`).");
    }
    const expiresOnTimestamp = jwtExpiry(trimmed) ?? Date.now() + 60 * 60 * 1000;
    return {
        async getToken(): Promise<AccessToken> {
            return { token: trimmed, expiresOnTimestamp };
        },
    };
}

function jwtExpiry(token: string): number | undefined {
    const parts = token.split(".");
    if (parts.length !== 3) return undefined;
    try {
        const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as { exp?: unknown };
        return typeof claims.exp === "number" ? claims.exp * 1000 : undefined;
    } catch {
        return undefined;
    }
}

/** The credential to use: the given one, else DefaultAzureCredential for the endpoint's cloud. */
export function credentialFor(endpoint: { url?: string; preset?: ArmEndpointName }, credential?: TokenCredential): TokenCredential {
    if (credential) return credential;
    if (endpoint.url && !endpoint.preset && isLoopbackHost(new URL(endpoint.url).hostname)) {
        // Azure's sign-in cannot issue a token for a local endpoint; saying so beats its generic failure.
        throw new PortMappingLookupError(
            `endpoint ${endpoint.url} is a local endpoint, and Azure's credentials cannot sign in to it. Fix: pass a token (any value, e.g. --token local).`,
            { code: "CredentialRequired" },
        );
    }
    const { DefaultAzureCredential } = require("@azure/identity") as typeof import("@azure/identity");
    return new DefaultAzureCredential(endpoint.preset ? { authorityHost: AUTHORITY_HOSTS[endpoint.preset] } : {});
}
