import { NetworkManagementClient } from "@azure/arm-network";
import { afterEach, describe, expect, it } from "vitest";
import { startArmServer, type ArmServer, type ArmServerOptions } from "./arm-server";
import { AzureSimulator } from "../simulator";

const SUB = "00000000-0000-0000-0000-000000000000";
const RG_PATH = `/subscriptions/${SUB}/resourceGroups/rg/providers`;
const LB_PATH = `${RG_PATH}/Microsoft.Network/loadBalancers/lb`;
const AUTH = { Authorization: "Bearer test-token" };

interface ArmErrorBody {
    error: { code: string; message: string };
}

function scaleSetSimulator(capacity = 3): AzureSimulator {
    const sim = new AzureSimulator();
    sim.createResourceGroup({ resourceGroupName: "rg", location: "westeurope" });
    const ip = sim.upsertPublicIPAddress({ resourceGroupName: "rg", publicIpAddressName: "ip" });
    sim.upsertLoadBalancer({
        resourceGroupName: "rg",
        loadBalancerName: "lb",
        sku: { name: "Standard" },
        frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip } }],
        backendAddressPools: [{ name: "pool" }],
    });
    sim.upsertScaleSet({
        resourceGroupName: "rg",
        vmScaleSetName: "web",
        sku: { capacity },
        virtualMachineProfile: { networkProfile: { networkInterfaceConfigurations: [{
            name: "nic",
            ipConfigurations: [{ name: "ipconfig", loadBalancerBackendAddressPools: [{ id: `${LB_PATH}/backendAddressPools/pool` }] }],
        }] } },
    });
    sim.upsertInboundNatRule({
        resourceGroupName: "rg",
        loadBalancerName: "lb",
        inboundNatRuleName: "ssh",
        frontendIPConfiguration: { id: `${LB_PATH}/frontendIPConfigurations/fe` },
        backendAddressPool: { id: `${LB_PATH}/backendAddressPools/pool` },
        frontendPortRangeStart: 50000,
        frontendPortRangeEnd: 50099,
        backendPort: 22,
    });
    return sim;
}

const servers: ArmServer[] = [];
async function serve(sim: AzureSimulator, options: ArmServerOptions = {}): Promise<ArmServer> {
    const server = await startArmServer(sim, options);
    servers.push(server);
    return server;
}
afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function getJson(server: ArmServer, path: string, headers: Record<string, string> = AUTH): Promise<{ status: number; body: any; headers: Headers }> {
    const res = await fetch(`${server.url}${path}${path.includes("?") ? "&" : "?"}api-version=2024-05-01`, { headers });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

describe("ARM server", () => {
    it("listens on 127.0.0.1 and lists the subscription", async () => {
        const server = await serve(new AzureSimulator());
        expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const res = await getJson(server, "/subscriptions");
        expect(res.status).toBe(200);
        expect(res.body.value).toEqual([expect.objectContaining({ subscriptionId: SUB, id: `/subscriptions/${SUB}`, state: "Enabled" })]);
    });

    it("answers 401 AuthenticationFailed without a bearer token", async () => {
        const server = await serve(scaleSetSimulator());
        const res = await getJson(server, LB_PATH, {});
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe("AuthenticationFailed");
    });

    it("answers 404 ResourceNotFound naming the missing resource", async () => {
        const server = await serve(scaleSetSimulator());
        const lb = await getJson(server, `${RG_PATH}/Microsoft.Network/loadBalancers/nope`);
        expect(lb.status).toBe(404);
        expect(lb.body.error).toMatchObject({ code: "ResourceNotFound" });
        expect(lb.body.error.message).toContain("Microsoft.Network/loadBalancers/nope");
        const pool = await getJson(server, `${LB_PATH}/backendAddressPools/missing`);
        expect(pool.body.error.message).toContain("loadBalancers/lb/backendAddressPools/missing");
        const rg = await getJson(server, `/subscriptions/${SUB}/resourceGroups/other`);
        expect(rg.body.error.code).toBe("ResourceGroupNotFound");
    });

    it("serves the load balancer, pool, rules, public IP and scale-set instances in ARM's shape", async () => {
        const sim = scaleSetSimulator(2);
        const server = await serve(sim);
        const lb = (await getJson(server, LB_PATH)).body;
        expect(lb).toMatchObject({ name: "lb", type: "Microsoft.Network/loadBalancers", sku: { name: "Standard" } });
        expect(lb.properties.frontendIPConfigurations[0].properties.publicIPAddress.id).toBe(`${RG_PATH}/Microsoft.Network/publicIPAddresses/ip`);
        expect(lb.properties.inboundNatRules[0].properties).toMatchObject({ frontendPortRangeStart: 50000, frontendPortRangeEnd: 50099, backendPort: 22, protocol: "Tcp" });

        const pool = (await getJson(server, `${LB_PATH}/backendAddressPools/pool`)).body;
        expect(pool.properties.backendIPConfigurations).toHaveLength(2);
        expect(pool.properties.loadBalancerBackendAddresses[1].properties).toMatchObject({
            networkInterfaceIPConfiguration: { id: sim.listInstances("rg", "web")[1].ipConfigurationIds[0] },
            inboundNatRulesPortMapping: [{ inboundNatRuleName: "ssh", frontendPort: 50001, backendPort: 22 }],
        });

        const rules = (await getJson(server, `${LB_PATH}/inboundNatRules`)).body;
        expect(rules.value.map((r: { name: string }) => r.name)).toEqual(["ssh"]);
        const ip = (await getJson(server, `${RG_PATH}/Microsoft.Network/publicIPAddresses/ip`)).body;
        expect(ip.properties.ipAddress).toMatch(/^203\.0\.113\./);
        const vms = (await getJson(server, `${RG_PATH}/Microsoft.Compute/virtualMachineScaleSets/web/virtualMachines`)).body;
        // Overprovisioning is on (unset): 2 requested + 2 extras got ids 0-3 and 2 survive, with gaps (docs design-overview).
        const ids = vms.value.map((v: { instanceId: string }) => v.instanceId);
        expect(ids).toEqual(sim.listInstances("rg", "web").map((i) => i.instanceId));
        expect(ids).toHaveLength(2);
        for (const id of ids) expect(["0", "1", "2", "3"]).toContain(id);
    });

    it("runs the port-mapping query as Microsoft.Network runs a long-running POST: 202 with Location, Azure-AsyncOperation and Retry-After 10", async () => {
        const sim = scaleSetSimulator();
        const server = await serve(sim, { lroPolls: 2 });
        const ipConfiguration = { id: sim.listInstances("rg", "web")[2].ipConfigurationIds[0] };
        const post = await fetch(`${server.url}${LB_PATH}/backendAddressPools/pool/queryInboundNatRulePortMapping?api-version=2024-05-01`, {
            method: "POST",
            headers: { ...AUTH, "Content-Type": "application/json" },
            body: JSON.stringify({ ipConfiguration }),
        });
        // Recorded Network 202s (Azure/azure-cli network test recordings) carry both URLs under
        // .../providers/Microsoft.Network/locations/{location}/ and Retry-After: 10.
        expect(post.status).toBe(202);
        expect(post.headers.get("retry-after")).toBe("10");
        const locations = `${server.url}/subscriptions/${SUB}/providers/Microsoft.Network/locations/westeurope`;
        const location = post.headers.get("location") as string;
        const asyncOperation = post.headers.get("azure-asyncoperation") as string;
        expect(location).toMatch(new RegExp(`^${locations}/operationResults/[0-9a-f-]{36}\\?api-version=2024-05-01$`));
        expect(asyncOperation).toMatch(new RegExp(`^${locations}/operations/[0-9a-f-]{36}\\?api-version=2024-05-01$`));
        expect(asyncOperation.split("/operations/")[1]).toBe(location.split("/operationResults/")[1]);

        // learn.microsoft.com/azure/azure-resource-manager/management/async-operations: the Azure-AsyncOperation URL
        // answers 200 {"status": "InProgress"} until done, then "Succeeded"; the Location URL 202 until done, then 200 with the result.
        const status1 = await fetch(asyncOperation, { headers: AUTH });
        expect(status1.status).toBe(200);
        expect(status1.headers.get("retry-after")).toBe("10");
        expect(await status1.json()).toEqual({ status: "InProgress" });
        const poll = await fetch(location, { headers: AUTH });
        expect(poll.status).toBe(202);
        expect(poll.headers.get("retry-after")).toBe("10");
        const status2 = await fetch(asyncOperation, { headers: AUTH });
        expect(await status2.json()).toEqual({ status: "Succeeded" });
        const done = await fetch(location, { headers: AUTH });
        expect(done.status).toBe(200);
        expect(await done.json()).toEqual(sim.queryInboundNatRulePortMapping("rg", "lb", "pool", { ipConfiguration }));

        const fast = await serve(sim, { retryAfterSeconds: 0 });
        const quick = await fetch(`${fast.url}${LB_PATH}/backendAddressPools/pool/queryInboundNatRulePortMapping?api-version=2024-05-01`, {
            method: "POST",
            headers: AUTH,
            body: JSON.stringify({ ipConfiguration }),
        });
        expect(quick.headers.get("retry-after")).toBe("0");

        const stranger = await fetch(`${server.url}${LB_PATH}/backendAddressPools/pool/queryInboundNatRulePortMapping?api-version=2024-05-01`, {
            method: "POST",
            headers: { ...AUTH, "Content-Type": "application/json" },
            body: JSON.stringify({ ipAddress: "10.99.0.1" }),
        });
        expect(stranger.status).toBe(400);
        expect(((await stranger.json()) as ArmErrorBody).error.code).toBe("BackendAddressNotInBackendPool");
    });

    it("injects faults in order: a 429 with Retry-After, then normal answers; 403 names the RBAC action", async () => {
        const server = await serve(scaleSetSimulator(), { faults: [{ method: "GET", pathIncludes: "/loadBalancers/lb", status: 429, retryAfterSeconds: 3 }] });
        const throttled = await getJson(server, LB_PATH);
        expect(throttled.status).toBe(429);
        expect(throttled.headers.get("retry-after")).toBe("3");
        expect(throttled.body.error.code).toBe("TooManyRequests");
        expect((await getJson(server, LB_PATH)).status).toBe(200);

        server.addFault({ method: "POST", pathIncludes: "queryInboundNatRulePortMapping", status: 403, times: 2 });
        const denied = async () => fetch(`${server.url}${LB_PATH}/backendAddressPools/pool/queryInboundNatRulePortMapping?api-version=2024-05-01`, {
            method: "POST", headers: AUTH, body: JSON.stringify({ ipAddress: "1.2.3.4" }),
        });
        for (let i = 0; i < 2; i++) {
            const res = await denied();
            expect(res.status).toBe(403);
            expect(((await res.json()) as ArmErrorBody).error.message).toContain("Microsoft.Network/loadBalancers/backendAddressPools/queryInboundNatRulePortMapping/action");
        }
        expect((await denied()).status).toBe(400); // the fault is used up
    });

    it("counts requests per route and the peak concurrency", async () => {
        const server = await serve(scaleSetSimulator(), { latencyMs: 100 });
        await Promise.all(Array.from({ length: 4 }, () => getJson(server, LB_PATH)));
        expect(server.stats.requests).toBe(4);
        expect(server.stats.byRoute["GET loadBalancers"]).toBe(4);
        expect(server.stats.maxConcurrent).toBeGreaterThan(1);
        expect(server.stats.maxConcurrent).toBeLessThanOrEqual(4);

        server.resetStats();
        for (let i = 0; i < 3; i++) await getJson(server, `${LB_PATH}/backendAddressPools/pool`);
        expect(server.stats).toEqual({ requests: 3, throttled: 0, maxConcurrent: 1, byRoute: { "GET backendAddressPools": 3 } });
    });

    it("works with @azure/arm-network's client and its long-running-operation poller", async () => {
        const sim = scaleSetSimulator();
        const server = await serve(sim, { retryAfterSeconds: 0 });
        const credential = { getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 3_600_000 }) };
        const client = new NetworkManagementClient(credential, SUB, { endpoint: server.url });
        // The SDK's bearer policy refuses http; on loopback we set the header ourselves.
        client.pipeline.removePolicy({ name: "bearerTokenAuthenticationPolicy" });
        const loopbackAuth: Parameters<typeof client.pipeline.addPolicy>[0] = {
            name: "loopbackAuth",
            sendRequest: (request, next) => {
                request.allowInsecureConnection = true;
                request.headers.set("Authorization", "Bearer t");
                return next(request);
            },
        };
        client.pipeline.addPolicy(loopbackAuth);
        const lb = await client.loadBalancers.get("rg", "lb");
        expect(lb.inboundNatRules?.[0]).toMatchObject({ name: "ssh", frontendPortRangeStart: 50000, frontendPort: 0 });
        const ipConfiguration = { id: sim.listInstances("rg", "web")[1].ipConfigurationIds[0] };
        const result = await client.loadBalancers.beginListInboundNatRulePortMappingsAndWait("rg", "lb", "pool", { ipConfiguration }, { updateIntervalInMs: 1 });
        expect(result.inboundNatRulePortMappings).toEqual([{ inboundNatRuleName: "ssh", protocol: "Tcp", frontendPort: 50001, backendPort: 22 }]);
        // The poller follows Azure-AsyncOperation to "Succeeded" (InProgress once, by default), then reads the result at Location.
        expect(server.stats.byRoute["GET operations"]).toBe(2);
        expect(server.stats.byRoute["GET operationResults"]).toBe(1);
    });
});

describe("ARM server throttling (learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling)", () => {
    /** A clock the test moves by hand, so minutes of Azure's limits pass in milliseconds. */
    function manualClock(): { now(): number; advance(ms: number): void } {
        let t = 1_700_000_000_000;
        return { now: () => t, advance: (ms) => void (t += ms) };
    }

    const QUERY_PATH = `${LB_PATH}/backendAddressPools/pool/queryInboundNatRulePortMapping?api-version=2024-05-01`;
    const jwt = (oid: string): string => `e30.${Buffer.from(JSON.stringify({ oid })).toString("base64url")}.sig`;
    async function query(server: ArmServer, sim: AzureSimulator, token = "test-token"): Promise<Response> {
        const ipConfiguration = { id: sim.listInstances("rg", "web")[0].ipConfigurationIds[0] };
        return fetch(`${server.url}${QUERY_PATH}`, { method: "POST", headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify({ ipConfiguration }) });
    }

    it("reads: a bucket of 250 per subscription and principal, refilled 25 per second; every answer says what remains", async () => {
        const clock = manualClock();
        const sim = scaleSetSimulator();
        const server = await serve(sim, { clock });
        const first = await getJson(server, LB_PATH);
        expect(first.headers.get("x-ms-ratelimit-remaining-subscription-reads")).toBe("249");
        // The global subscription limit is 15 times the per-principal one: 250 × 15 = 3,750.
        expect(first.headers.get("x-ms-ratelimit-remaining-subscription-global-reads")).toBe("3749");
        expect(first.headers.get("x-ms-ratelimit-remaining-subscription-writes")).toBeNull();
        for (let i = 2; i <= 250; i++) {
            const res = await getJson(server, LB_PATH);
            expect(res.status).toBe(200);
            expect(res.headers.get("x-ms-ratelimit-remaining-subscription-reads")).toBe(String(250 - i));
        }
        const throttled = await getJson(server, LB_PATH);
        expect(throttled.status).toBe(429);
        expect(throttled.headers.get("retry-after")).toBe("1");
        // ARM's wording, as recorded: "Number of 'read' requests for subscription '…' actor '…' exceeded. Please try again after '10' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling for additional information."
        expect(throttled.body.error.code).toBe("SubscriptionRequestsThrottled");
        expect(throttled.body.error.message).toBe(
            `Number of 'read' requests for subscription '${SUB}' actor '${sim.identity.objectId}' exceeded. Please try again after '1' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling for additional information.`,
        );
        expect(server.stats.throttled).toBe(1);
        // 25 tokens a second: one token after 40 ms, the whole bucket after 10 s.
        clock.advance(40);
        expect((await getJson(server, LB_PATH)).headers.get("x-ms-ratelimit-remaining-subscription-reads")).toBe("0");
        clock.advance(10_000);
        expect((await getJson(server, LB_PATH)).headers.get("x-ms-ratelimit-remaining-subscription-reads")).toBe("249");
    });

    it("writes (a POST action is a write): a bucket of 200 refilled 10 per second, per principal", async () => {
        const clock = manualClock();
        const sim = scaleSetSimulator();
        const server = await serve(sim, { clock });
        for (let i = 1; i <= 200; i++) {
            const res = await query(server, sim);
            expect(res.status).toBe(202);
            expect(res.headers.get("x-ms-ratelimit-remaining-subscription-writes")).toBe(String(200 - i));
            expect(res.headers.get("x-ms-ratelimit-remaining-subscription-global-writes")).toBe(String(3000 - i));
        }
        const throttled = await query(server, sim);
        expect(throttled.status).toBe(429);
        expect(throttled.headers.get("retry-after")).toBe("1");
        expect(((await throttled.json()) as ArmErrorBody).error.message).toMatch(/^Number of 'write' requests for subscription '[^']+' actor '[^']+' exceeded\. Please try again after '1' seconds after additional tokens are available\./);
        // Reads have their own bucket.
        expect((await getJson(server, LB_PATH)).status).toBe(200);
        // Another principal (another token oid) has its own bucket, and the global one is shared.
        const other = await query(server, sim, jwt("11111111-2222-3333-4444-555555555555"));
        expect(other.status).toBe(202);
        expect(other.headers.get("x-ms-ratelimit-remaining-subscription-writes")).toBe("199");
        expect(other.headers.get("x-ms-ratelimit-remaining-subscription-global-writes")).toBe("2799");
        // 10 tokens a second.
        clock.advance(1000);
        for (let i = 0; i < 10; i++) expect((await query(server, sim)).status).toBe(202);
        expect((await query(server, sim)).status).toBe(429);
    });

    it("Microsoft.Network: at most 1,000 writes per 5 minutes per subscription and region", async () => {
        const clock = manualClock();
        const sim = scaleSetSimulator();
        const server = await serve(sim, { clock });
        // One write every 100 ms keeps ARM's bucket (10 per second) from running dry; Network's window fills at 1,000.
        for (let i = 0; i < 1000; i++) {
            expect((await query(server, sim)).status).toBe(202);
            clock.advance(100);
        }
        const throttled = await query(server, sim);
        expect(throttled.status).toBe(429);
        // The first write (t = 0) leaves the window at t = 300 s; it is now t = 100 s.
        expect(throttled.headers.get("retry-after")).toBe("200");
        expect(((await throttled.json()) as ArmErrorBody).error.code).toBe("ResourceRequestsThrottled");
        clock.advance(200_000);
        expect((await query(server, sim)).status).toBe(202);
    });

    it("throttling: false answers every request and sends no remaining-requests headers", async () => {
        const sim = scaleSetSimulator();
        const server = await serve(sim, { throttling: false, retryAfterSeconds: 0 });
        for (let i = 0; i < 300; i++) expect((await getJson(server, LB_PATH)).status).toBe(200);
        const res = await getJson(server, LB_PATH);
        expect(res.headers.get("x-ms-ratelimit-remaining-subscription-reads")).toBeNull();
        expect(server.stats.throttled).toBe(0);
    });

    it("embedPortMappings: false leaves the members' mappings out of the pool GET", async () => {
        const server = await serve(scaleSetSimulator(), { embedPortMappings: false });
        const pool = await getJson(server, `${LB_PATH}/backendAddressPools/pool`);
        const addresses = pool.body.properties.loadBalancerBackendAddresses as { properties: Record<string, unknown> }[];
        expect(addresses).toHaveLength(3);
        expect(addresses.every((a) => !("inboundNatRulesPortMapping" in a.properties))).toBe(true);
        const embedded = await serve(scaleSetSimulator());
        const full = await getJson(embedded, `${LB_PATH}/backendAddressPools/pool`);
        expect(full.body.properties.loadBalancerBackendAddresses[0].properties.inboundNatRulesPortMapping).toEqual([{ inboundNatRuleName: "ssh", frontendPort: 50000, backendPort: 22 }]);
    });
});
