/**
 * The endpoint's https mode and its AD FS-style sign-in, through node:https with only the CA the
 * server wrote: the certificate chain, the discovery documents MSAL and az read, the client-credentials
 * grant and the token it returns, and the refusals. The real az runs the same path in test/clients.
 */
import { createPublicKey, verify, type JsonWebKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { afterEach, describe, expect, it } from "vitest";
import { buildPoolState } from "../scenarios";
import { AzureSimulator } from "../simulator";
import { FAST_ARM_SERVER_OPTIONS, startArmServer, type ArmServer, type ArmServerOptions } from "./arm-server";

const servers: ArmServer[] = [];
async function serve(options: ArmServerOptions = {}): Promise<ArmServer> {
    const server = await startArmServer(new AzureSimulator(), { ...FAST_ARM_SERVER_OPTIONS, https: true, ...options });
    servers.push(server);
    return server;
}
afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface Answer {
    status: number;
    body: any;
    headers: Record<string, string | string[] | undefined>;
}

/** One https request to `url`, trusting only `ca` (not the system's CAs). */
function call(url: string, options: { ca?: string; method?: string; form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
    const body = options.form ? new URLSearchParams(options.form).toString() : options.json !== undefined ? JSON.stringify(options.json) : undefined;
    return new Promise((resolve, reject) => {
        const req = request(
            url,
            {
                method: options.method ?? (body ? "POST" : "GET"),
                ca: options.ca,
                headers: { ...(body ? { "Content-Type": "application/x-www-form-urlencoded" } : {}), ...options.headers },
            },
            (res) => {
                let text = "";
                res.on("data", (c: Buffer) => (text += c.toString("utf8")));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers: res.headers }));
            },
        );
        req.on("error", reject);
        req.end(body);
    });
}

describe("local ARM endpoint over https", () => {
    it("serves TLS with a certificate for 127.0.0.1 and localhost that the CA it wrote verifies, and only that CA", async () => {
        const server = await serve();
        expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        expect(readFileSync(server.caFile!, "utf8")).toBe(server.caPem);
        const auth = { Authorization: "Bearer t" };
        const byIp = await call(`${server.url}/subscriptions?api-version=2022-12-01`, { ca: server.caPem, headers: auth });
        expect(byIp.status).toBe(200);
        const byName = await call(`https://localhost:${server.port}/subscriptions?api-version=2022-12-01`, { ca: server.caPem, headers: auth });
        expect(byName.status).toBe(200);
        // Without the CA, the system's trust store refuses the certificate.
        await expect(call(`${server.url}/subscriptions?api-version=2022-12-01`, { headers: auth })).rejects.toThrow(/self[- ]signed|unable to (get|verify)|certificate/i);
        // A second server has its own CA: the first one's does not verify it.
        const other = await serve();
        await expect(call(`${other.url}/subscriptions?api-version=2022-12-01`, { ca: server.caPem, headers: auth })).rejects.toThrow(/certificate|signature/i);
    });

    it("hands out https URLs: the port-mapping query's Location and Azure-AsyncOperation, and the metadata's endpoints", async () => {
        const { sim } = buildPoolState({
            resourceGroupName: "rg",
            addressSpace: "10.0.0.0/16",
            subnetPrefix: "10.0.0.0/24",
            rules: [{ name: "ssh", start: 50000, size: 10, backendPort: 22, protocol: "Tcp" }],
            scaleSets: [{ name: "vmss", capacity: 1 }],
        });
        const server = await startArmServer(sim, { ...FAST_ARM_SERVER_OPTIONS, https: true });
        servers.push(server);
        const query = await call(`${server.url}/subscriptions/${sim.subscriptionId}/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb/backendAddressPools/pool/queryInboundNatRulePortMapping?api-version=2024-05-01`, {
            ca: server.caPem,
            method: "POST",
            json: { ipConfiguration: { id: `/subscriptions/${sim.subscriptionId}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss/virtualMachines/0/networkInterfaces/nic/ipConfigurations/ipc` } },
            headers: { Authorization: "Bearer t", "Content-Type": "application/json" },
        });
        expect(query.status).toBe(202);
        expect(query.headers.location).toMatch(new RegExp(`^${server.url}/subscriptions/`));
        expect(query.headers["azure-asyncoperation"]).toMatch(new RegExp(`^${server.url}/subscriptions/`));
        const metadata = await call(`${server.url}/metadata/endpoints?api-version=2022-09-01`, { ca: server.caPem });
        expect(metadata.body).toMatchObject({ resourceManager: `${server.url}/`, authentication: { loginEndpoint: `${server.url}/adfs`, audiences: [`${server.url}/`] } });
    });
});

describe("AD FS-style sign-in under /adfs", () => {
    it("answers the OpenID configuration MSAL reads for an adfs authority, and the v2.0 form az's tenant lookup reads, without a token", async () => {
        const server = await serve();
        const config = await call(`${server.url}/adfs/.well-known/openid-configuration`, { ca: server.caPem });
        expect(config.status).toBe(200);
        expect(config.body).toMatchObject({
            issuer: `${server.url}/adfs`,
            token_endpoint: `${server.url}/adfs/oauth2/token/`,
            authorization_endpoint: `${server.url}/adfs/oauth2/authorize/`,
            jwks_uri: `${server.url}/adfs/discovery/keys`,
        });
        // az login --tenant adfs: the tenant is the 4th "/"-part of this issuer.
        const v2 = await call(`${server.url}/adfs/adfs/v2.0/.well-known/openid-configuration`, { ca: server.caPem });
        expect(String(v2.body.issuer).split("/")[3]).toBe("adfs");
    });

    it("grants a service principal's client credentials a JWT for the asked resource, signed by the published key", async () => {
        const server = await serve();
        const res = await call(`${server.url}/adfs/oauth2/token`, {
            ca: server.caPem,
            form: { grant_type: "client_credentials", client_id: "my-app", client_secret: "s3cret", scope: `${server.url}//.default` },
        });
        expect(res.status).toBe(200);
        expect(res.headers["cache-control"]).toBe("no-store");
        expect(res.body).toMatchObject({ token_type: "Bearer", expires_in: 3600 });
        const [header, claims, signature] = String(res.body.access_token).split(".");
        const payload = JSON.parse(Buffer.from(claims, "base64url").toString("utf8"));
        expect(payload).toMatchObject({ aud: `${server.url}/`, iss: `${server.url}/adfs`, appid: "my-app" });
        expect(payload.exp - payload.iat).toBe(3600);
        expect(payload.oid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
        const keys = await call(`${server.url}/adfs/discovery/keys`, { ca: server.caPem });
        const { kid } = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
        const jwk = (keys.body.keys as (JsonWebKey & { kid: string })[]).find((k) => k.kid === kid)!;
        expect(jwk.d).toBeUndefined();
        const key = createPublicKey({ key: jwk, format: "jwk" });
        expect(verify("sha256", Buffer.from(`${header}.${claims}`), key, Buffer.from(signature, "base64url"))).toBe(true);
        expect(verify("sha256", Buffer.from(`${header}.${claims}x`), key, Buffer.from(signature, "base64url"))).toBe(false);
        // The token opens the ARM endpoint.
        const subscriptions = await call(`${server.url}/subscriptions?api-version=2022-12-01`, { ca: server.caPem, headers: { Authorization: `Bearer ${res.body.access_token}` } });
        expect(subscriptions.status).toBe(200);
    });

    it("refuses another grant, a missing secret, and a service principal it was not started with, with OAuth errors that say how to fix it", async () => {
        const server = await serve({ signIn: { servicePrincipals: [{ clientId: "ci-app", clientSecret: "right" }] } });
        const token = (form: Record<string, string>) => call(`${server.url}/adfs/oauth2/token`, { ca: server.caPem, form: { scope: "https://x/.default", ...form } });
        const password = await token({ grant_type: "password", username: "u", password: "p", client_id: "ci-app" });
        expect(password.status).toBe(400);
        expect(password.body.error).toBe("unsupported_grant_type");
        expect(password.body.error_description).toContain("az login --service-principal");
        const noSecret = await token({ grant_type: "client_credentials", client_id: "ci-app" });
        expect(noSecret).toMatchObject({ status: 401, body: { error: "invalid_client" } });
        const wrong = await token({ grant_type: "client_credentials", client_id: "ci-app", client_secret: "wrong" });
        expect(wrong).toMatchObject({ status: 401, body: { error: "invalid_client" } });
        expect(wrong.body.error_description).toContain('"ci-app"');
        const right = await token({ grant_type: "client_credentials", client_id: "ci-app", client_secret: "right" });
        expect(right.status).toBe(200);
        // client_secret_basic (RFC 6749 §2.3.1) as well.
        const basic = await call(`${server.url}/adfs/oauth2/token`, {
            ca: server.caPem,
            form: { grant_type: "client_credentials", scope: "https://x/.default" },
            headers: { Authorization: `Basic ${Buffer.from("ci-app:right").toString("base64")}` },
        });
        expect(basic.status).toBe(200);
        const unknown = await call(`${server.url}/adfs/oauth2/authorize`, { ca: server.caPem });
        expect(unknown.status).toBe(404);
        expect(unknown.body.error_description).toContain("POST /adfs/oauth2/token");
    });
});
