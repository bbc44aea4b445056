/** Azure Resource Manager endpoints: the clouds' presets, URLs a user may give, and which hosts are loopback. */
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
