/**
 * Sign-in without Azure AD: an AD FS-style authority at `<endpoint>/adfs`, as Azure Stack Hub's
 * disconnected clouds have, so real clients sign in to the local ARM endpoint with their documented
 * commands (`az cloud register` + `az login --service-principal --tenant adfs`) and no hand-made token cache.
 *
 * What clients request, read from their sources:
 * - azure-cli (`azure/cli/core/auth/identity.py`, `_get_authority_url`): an `active_directory` endpoint
 *   ending in `/adfs` is used as the MSAL authority as is (no tenant appended).
 * - MSAL for Python (`msal/authority.py`): tenant "adfs" skips instance discovery and reads
 *   `{authority}/.well-known/openid-configuration` (no `/v2.0`); it needs `authorization_endpoint` and
 *   `token_endpoint`, and the token endpoint must be https with a path (its first segment is the tenant).
 * - azure-cli's `az login --tenant X` with X not a GUID first reads `{active_directory}/X/v2.0/.well-known/openid-configuration`
 *   and takes the tenant from its issuer (`validate_tenant` in `command_modules/profile/_validators.py`).
 * - A service principal then POSTs the client-credentials grant (RFC 6749 §4.4) to the token endpoint,
 *   form-encoded: grant_type=client_credentials, client_id, client_secret, scope=`<resource>/.default`.
 *
 * AD FS's discovery document and token answer follow learn.microsoft.com/windows-server/identity/ad-fs/
 * development/ad-fs-openid-connect-oauth-concepts (issuer `https://<host>/adfs`, endpoints under
 * `/adfs/oauth2/`, keys at `/adfs/discovery/keys`). The access token is a JWT signed RS256 with a key
 * made per server, published at `jwks_uri`; its claims are AD FS's for an application (aud, iss, iat,
 * nbf, exp, appid, apptype, ver) plus `oid`, the caller's object id the endpoint throttles per principal by.
 * The ARM endpoint itself still accepts any bearer token; it does not verify these.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody } from "./request-url";

/** A service principal the token endpoint accepts. */
export interface ServicePrincipalCredential {
    clientId: string;
    clientSecret: string;
}

export interface SignInOptions {
    /**
     * The service principals whose client-credentials grant is accepted. Unset: any non-empty
     * client id and secret (the local endpoint accepts any bearer token anyway).
     */
    servicePrincipals?: ServicePrincipalCredential[];
    /** The object id a client id's token carries (`oid`); default: a UUID derived from the client id. */
    objectIdOf?: (clientId: string) => string;
}

/** Lifetime of an access token, as AD FS's default (3600 s, `expires_in`). */
const TOKEN_LIFETIME_SECONDS = 3600;

function base64url(value: unknown): string {
    return Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
}

/** A stable UUID-shaped object id for a client id (the same client id always gets the same one). */
export function derivedObjectId(clientId: string): string {
    const h = createHash("sha256").update(`azure-nat-rules/oid/${clientId}`).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": String(Buffer.byteLength(text)),
        // RFC 6749 §5.1: token answers must not be cached.
        "Cache-Control": "no-store",
        Pragma: "no-cache",
        ...headers,
    });
    res.end(text);
}

/** An OAuth error answer (RFC 6749 §5.2). */
function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
    sendJson(res, status, { error, error_description: description });
}

export interface SignInEndpoint {
    /**
     * Answers `req` if its path is under `/adfs` and returns true; else returns false and leaves `res`
     * alone. `base` is the endpoint's URL as the client reached it (scheme and host, no trailing slash).
     */
    handle(req: IncomingMessage, res: ServerResponse, path: string, base: string): Promise<boolean>;
    /** The public key tokens are signed with, as a JWK set (also served at `/adfs/discovery/keys`). */
    jwks(): { keys: Record<string, unknown>[] };
}

export function createSignInEndpoint(options: SignInOptions = {}): SignInEndpoint {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const key: KeyObject = createPrivateKey(privateKey.export({ type: "pkcs8", format: "pem" }));
    const publicJwk = { ...(key.export({ format: "jwk" }) as Record<string, unknown>) };
    for (const k of ["d", "p", "q", "dp", "dq", "qi"]) delete publicJwk[k];
    const kid = createHash("sha256").update(JSON.stringify(publicJwk)).digest("base64url").slice(0, 27);
    const jwks = { keys: [{ ...publicJwk, kty: "RSA", use: "sig", alg: "RS256", kid }] };
    const objectIdOf = options.objectIdOf ?? derivedObjectId;

    const token = (issuer: string, audience: string, clientId: string): string => {
        const now = Math.floor(Date.now() / 1000);
        const header = { typ: "JWT", alg: "RS256", kid };
        const claims = {
            aud: audience,
            iss: issuer,
            iat: now,
            nbf: now,
            exp: now + TOKEN_LIFETIME_SECONDS,
            appid: clientId,
            apptype: "Confidential",
            oid: objectIdOf(clientId),
            sub: objectIdOf(clientId),
            jti: randomUUID(),
            ver: "1.0",
        };
        const signed = `${base64url(header)}.${base64url(claims)}`;
        return `${signed}.${sign("sha256", Buffer.from(signed), key).toString("base64url")}`;
    };

    const discovery = (base: string): Record<string, unknown> => {
        const issuer = `${base}/adfs`;
        return {
            issuer,
            authorization_endpoint: `${issuer}/oauth2/authorize/`,
            token_endpoint: `${issuer}/oauth2/token/`,
            jwks_uri: `${issuer}/discovery/keys`,
            // Only the client-credentials grant is answered; the other AD FS flows are not modelled.
            grant_types_supported: ["client_credentials"],
            response_types_supported: ["token"],
            token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
            id_token_signing_alg_values_supported: ["RS256"],
            access_token_issuer: issuer,
            scopes_supported: ["openid"],
        };
    };

    const tokenGrant = async (req: IncomingMessage, res: ServerResponse, base: string): Promise<void> => {
        const form = new URLSearchParams(await readBody(req));
        // client_secret_basic (RFC 6749 §2.3.1) as well as client_secret_post.
        const basic = /^Basic\s+(\S+)/i.exec(req.headers.authorization ?? "");
        let clientId = form.get("client_id") ?? "";
        let clientSecret = form.get("client_secret") ?? "";
        if (basic) {
            const [id, ...secret] = Buffer.from(basic[1], "base64").toString("utf8").split(":");
            clientId = decodeURIComponent(id);
            clientSecret = decodeURIComponent(secret.join(":"));
        }
        const grant = form.get("grant_type") ?? "";
        if (grant !== "client_credentials") {
            return oauthError(
                res,
                400,
                "unsupported_grant_type",
                `grant_type = ${JSON.stringify(grant)} is not supported by the local sign-in: allowed is client_credentials (a service principal with a secret). ` +
                    `Fix: sign in with az login --service-principal -u <client id> -p <secret> --tenant adfs.`,
            );
        }
        if (clientId === "" || clientSecret === "") {
            return oauthError(res, 401, "invalid_client", "client_id and client_secret are both required. Fix: pass az login --service-principal -u <client id> -p <secret>.");
        }
        if (options.servicePrincipals && !options.servicePrincipals.some((sp) => sp.clientId === clientId && sp.clientSecret === clientSecret)) {
            return oauthError(
                res,
                401,
                "invalid_client",
                `Client authentication failed for client_id ${JSON.stringify(clientId)}: no service principal with that id and secret is configured on this endpoint. ` +
                    `Fix: use one of the service principals the endpoint was started with.`,
            );
        }
        // scope = "<resource>/.default" (MSAL) or resource = "<resource>" (AD FS's v1 form).
        const scope = (form.get("scope") ?? "").split(" ").find((s) => s.endsWith("/.default"));
        const audience = scope ? scope.slice(0, -"/.default".length) : (form.get("resource") ?? "");
        if (audience === "") {
            return oauthError(res, 400, "invalid_request", "scope is required: the resource's <resource>/.default, e.g. the ARM endpoint's URL followed by /.default.");
        }
        const accessToken = token(`${base}/adfs`, audience, clientId);
        sendJson(res, 200, {
            access_token: accessToken,
            token_type: "Bearer",
            expires_in: TOKEN_LIFETIME_SECONDS,
            resource: audience,
        });
    };

    return {
        jwks: () => jwks,
        async handle(req, res, path, base) {
            const lower = path.toLowerCase().replace(/\/+$/, "");
            if (lower !== "/adfs" && !lower.startsWith("/adfs/")) return false;
            const method = (req.method ?? "GET").toUpperCase();
            // The second form is what azure-cli (2.91) reads first for a --tenant that is not a GUID (its
            // `validate_tenant`, command_modules/profile/_validators.py: `{active_directory}/{tenant}/v2.0/.well-known/
            // openid-configuration`, then tenant = the issuer's 4th "/"-part), so `--tenant adfs` resolves to "adfs".
            if (method === "GET" && (lower === "/adfs/.well-known/openid-configuration" || /^\/adfs\/[^/]+\/v2\.0\/\.well-known\/openid-configuration$/.test(lower))) {
                sendJson(res, 200, discovery(base));
            } else if (method === "GET" && lower === "/adfs/discovery/keys") {
                sendJson(res, 200, jwks);
            } else if (method === "POST" && lower === "/adfs/oauth2/token") {
                await tokenGrant(req, res, base);
            } else {
                oauthError(
                    res,
                    404,
                    "not_found",
                    `${method} ${path} is not served by the local sign-in: it serves GET /adfs/.well-known/openid-configuration (and /adfs/<tenant>/v2.0/.well-known/openid-configuration), GET /adfs/discovery/keys and POST /adfs/oauth2/token (client credentials) only.`,
                );
            }
            return true;
        },
    };
}
