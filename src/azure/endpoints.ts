/** Azure Resource Manager endpoints: the clouds' presets, URLs a user may give, which hosts are loopback, and the fix when one cannot be reached. */
import { PortMappingLookupError } from "./errors";

/** Azure Resource Manager endpoints of the public and sovereign clouds. */
export const ARM_ENDPOINTS = {
    public: "https://management.azure.com",
    china: "https://management.chinacloudapi.cn",
    usgovernment: "https://management.usgovcloudapi.net",
} as const;

export type ArmEndpointName = keyof typeof ARM_ENDPOINTS;

/** Sign-in authorities matching each preset, so the default credential asks the right cloud. */
export const AUTHORITY_HOSTS: Record<ArmEndpointName, string> = {
    // The values of @azure/identity's AzureAuthorityHosts, written out so the SDK loads lazily.
    public: "https://login.microsoftonline.com",
    china: "https://login.chinacloudapi.cn",
    usgovernment: "https://login.microsoftonline.us",
};

/** The endpoint URL (no trailing slash) and the preset it came from, if any. */
export function resolveArmEndpoint(endpoint: string | undefined): { url: string; preset?: ArmEndpointName } {
    const given = (endpoint ?? "public").trim();
    const presetName = given.toLowerCase();
    if (Object.prototype.hasOwnProperty.call(ARM_ENDPOINTS, presetName)) {
        const preset = presetName as ArmEndpointName;
        return { url: ARM_ENDPOINTS[preset], preset };
    }
    let parsed: URL;
    try {
        parsed = new URL(given);
    } catch {
        throw invalidEndpoint(given, "it is neither a URL nor a preset name", `pass one of ${Object.keys(ARM_ENDPOINTS).join(", ")}, or a URL such as ${ARM_ENDPOINTS.public}`);
    }
    if (parsed.protocol === "http:" && !isLoopbackHost(parsed.hostname)) {
        throw invalidEndpoint(
            given,
            "plain http would send the access token unencrypted; http is allowed only for a loopback host (a local simulator)",
            `use https://${parsed.host}${parsed.pathname.replace(/\/+$/, "")}, or for the local simulator its http://127.0.0.1:<port> URL`,
        );
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
        throw invalidEndpoint(given, `protocol ${parsed.protocol} is not http(s)`, `use https://${parsed.host || "<host>"}${parsed.pathname.replace(/\/+$/, "")}, or one of ${Object.keys(ARM_ENDPOINTS).join(", ")}`);
    }
    const url = parsed.toString().replace(/\/+$/, "");
    const preset = (Object.keys(ARM_ENDPOINTS) as ArmEndpointName[]).find((name) => ARM_ENDPOINTS[name] === url);
    return { url, preset };
}

function invalidEndpoint(value: string, why: string, fix: string): PortMappingLookupError {
    return new PortMappingLookupError(
        `lookupPortMappings: endpoint = ${JSON.stringify(value)} is invalid: ${why}. ` +
            `Allowed: an https URL, an http URL on 127.0.0.1/localhost, or one of ${Object.keys(ARM_ENDPOINTS).join(", ")}. Fix: ${fix}.`,
        { code: "InvalidEndpoint" },
    );
}

export function isLoopbackHost(hostname: string): boolean {
    const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
    return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
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
