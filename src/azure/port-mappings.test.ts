import { afterEach, describe, expect, it } from "vitest";
import { AzureSimulator, FAST_ARM_SERVER_OPTIONS, startArmServer, virtualClock } from "../testing";
import type { ArmServer, ArmServerOptions, SimulatedPortMapping } from "../testing";
import {
    ARM_ENDPOINTS,
    PortMappingLookupError,
    QUERY_PORT_MAPPING_ACTION,
    READ_LOAD_BALANCER_ACTION,
    listSubscriptions,
    lookupPortMappings,
    resolveArmEndpoint,
    staticTokenCredential,
} from ".";
import type { LookupPortMappingsOptions, PortMappingEntry, PortMappingLookupResult } from ".";
import { AzureNatRulesError } from "../core/errors";
import { LB, POOL, buildPoolState } from "../testing/scenarios";

const RG = "rg-lookup";

/** A Standard LB with a public frontend, one pool, an ssh rule (and an http rule unless `sshOnly`), and scale sets in the pool. */
function buildFixture(scaleSets: number, capacity: number, options: { rangeSize?: number; sshOnly?: boolean } = {}): { sim: AzureSimulator; lbId: string } {
    const size = options.rangeSize ?? 100;
    return buildPoolState({
        resourceGroupName: RG,
        addressSpace: "10.0.0.0/16",
        subnetPrefix: "10.0.0.0/16",
        rules: [
            { name: "ssh", start: 50000, size, backendPort: 22, protocol: "Tcp" },
            ...(options.sshOnly ? [] : [{ name: "http", start: 60000, size, backendPort: 8080, protocol: "Tcp" as const }]),
        ],
        scaleSets: Array.from({ length: scaleSets }, (_, k) => ({ name: `vmss${k}`, capacity })),
    });
}

const servers: ArmServer[] = [];
afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
});

/**
 * Most tests here exercise the per-member query: the pool GET leaves the mappings out, and the
 * endpoint answers at once without throttling (tests of Azure's pacing pass their own options).
 */
async function serve(sim: AzureSimulator, options: Omit<ArmServerOptions, "port" | "host"> = {}): Promise<ArmServer> {
    const server = await startArmServer(sim, { port: 0, host: "127.0.0.1", ...FAST_ARM_SERVER_OPTIONS, embedPortMappings: false, ...options });
    servers.push(server);
    return server;
}

function lookup(sim: AzureSimulator, server: ArmServer, extra: Partial<LookupPortMappingsOptions> = {}): Promise<PortMappingLookupResult> {
    return lookupPortMappings({
        subscriptionId: sim.subscriptionId,
        resourceGroupName: RG,
        loadBalancerName: LB,
        backendPoolName: POOL,
        endpoint: server.url,
        credential: staticTokenCredential("test-token"),
        retry: { retryDelayInMs: 5, maxRetryDelayInMs: 20 },
        ...extra,
    });
}

/** What the simulator holds, in the lookup's shape and order. */
function expected(sim: AzureSimulator, rule?: string): PortMappingEntry[] {
    return sim
        .portMappings(RG, LB, { rule })
        .map((m: SimulatedPortMapping) => comparable(m))
        .sort((a, b) => a.rule.localeCompare(b.rule) || a.frontendPort - b.frontendPort);
}

function comparable(m: PortMappingEntry | SimulatedPortMapping): PortMappingEntry {
    return {
        instance: m.instance,
        ipConfigurationId: m.ipConfigurationId,
        rule: m.rule,
        protocol: m.protocol as PortMappingEntry["protocol"],
        frontendIp: m.frontendIp,
        frontendPort: m.frontendPort,
        backendPort: m.backendPort,
    };
}

function sortedForCompare(entries: PortMappingEntry[]): PortMappingEntry[] {
    return entries.map(comparable).sort((a, b) => a.rule.localeCompare(b.rule) || a.frontendPort - b.frontendPort);
}

async function lookupError(promise: Promise<unknown>): Promise<PortMappingLookupError> {
    const error = await promise.then(
        () => undefined,
        (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(PortMappingLookupError);
    expect(error).toBeInstanceOf(AzureNatRulesError);
    return error as PortMappingLookupError;
}

describe("lookupPortMappings against the simulated ARM endpoint", () => {
    it("reads every member's mappings through the long-running query, sorted by rule then instance", async () => {
        const { sim } = buildFixture(1, 12);
        const lroPolls = 3;
        const server = await serve(sim, { lroPolls });
        const progress: number[] = [];
        const result = await lookup(sim, server, { onProgress: (done, total) => progress.push(done, total) });
        const entries = result.mappings;

        expect(sortedForCompare(entries)).toEqual(expected(sim));
        expect(entries.length).toBe(2 * 12);
        // Sorted: rule names, then instance ids by numeric value ("2" before "10").
        const order = entries.map((e) => `${e.rule}/${e.instance}`);
        const wanted = ["http", "ssh"].flatMap((rule) => Array.from({ length: 12 }, (_, i) => `${rule}/${i}`));
        expect(order).toEqual(wanted);
        // One POST per member; the poller follows Azure-AsyncOperation (`lroPolls` times InProgress, then Succeeded), then reads Location once.
        expect(server.stats.byRoute["POST queryInboundNatRulePortMapping"]).toBe(12);
        expect(server.stats.byRoute["GET operations"]).toBe(12 * (lroPolls + 1));
        expect(server.stats.byRoute["GET operationResults"]).toBe(12);
        expect(result.membersQueried).toBe(12);
        expect(result.membersFromPool).toBe(0);
        expect(result.armWrites).toBe(12);
        expect(result.armRequests).toBe(server.stats.requests);
        expect(progress.slice(-2)).toEqual([12, 12]);
        // The public IP is read once, and its address is the frontend of every entry.
        expect(server.stats.byRoute["GET publicIPAddresses"]).toBe(1);
        expect(new Set(entries.map((e) => e.frontendIp)).size).toBe(1);
        expect(entries[0].frontendIp).toMatch(/^203\.0\.113\.\d+$/);
    });

    it("filters by rule name", async () => {
        const { sim } = buildFixture(1, 4);
        const server = await serve(sim);
        const result = await lookup(sim, server, { ruleName: "http" });
        const entries = result.mappings;
        expect(entries.every((e) => e.rule === "http" && e.backendPort === 8080)).toBe(true);
        expect(sortedForCompare(entries)).toEqual(expected(sim, "http"));
    });

    it("waits out a 429 with Retry-After, then succeeds", async () => {
        const { sim } = buildFixture(1, 3);
        const server = await serve(sim, {
            faults: [{ method: "POST", pathIncludes: "queryInboundNatRulePortMapping", status: 429, retryAfterSeconds: 1 }],
        });
        const result = await lookup(sim, server, { concurrency: 1 });
        const entries = result.mappings;
        expect(sortedForCompare(entries)).toEqual(expected(sim));
        // Three members plus the throttled attempt.
        expect(server.stats.byRoute["POST queryInboundNatRulePortMapping"]).toBe(3 + 1);
    });

    it("retries transient 500 and 503 answers, then succeeds", async () => {
        const { sim } = buildFixture(1, 3);
        const server = await serve(sim, {
            faults: [
                { method: "GET", pathIncludes: "/loadBalancers/lb?", status: 500 },
                { method: "GET", pathIncludes: "operationResults", status: 503, times: 2 },
            ],
        });
        const result = await lookup(sim, server);
        const entries = result.mappings;
        expect(sortedForCompare(entries)).toEqual(expected(sim));
        expect(server.stats.byRoute["GET loadBalancers"]).toBe(2);
    });

    it("gives up after the bounded number of retries", async () => {
        const { sim } = buildFixture(1, 2);
        const server = await serve(sim, { faults: [{ method: "GET", pathIncludes: "/backendAddressPools/pool?", status: 500, times: 100 }] });
        const error = await lookupError(lookup(sim, server, { retry: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 2 } }));
        expect(error.statusCode).toBe(500);
        expect(error.message).toContain("backend pool");
        expect(server.stats.byRoute["GET backendAddressPools"]).toBe(1 + 2);
    });

    it("403 names the RBAC actions and the scope", async () => {
        const { sim, lbId } = buildFixture(1, 2);
        const server = await serve(sim, { faults: [{ method: "POST", pathIncludes: "queryInboundNatRulePortMapping", status: 403 }] });
        const error = await lookupError(lookup(sim, server));
        expect(error.statusCode).toBe(403);
        expect(error.code).toBe("AuthorizationFailed");
        expect(error.message).toContain(QUERY_PORT_MAPPING_ACTION);
        expect(error.message).toContain(READ_LOAD_BALANCER_ACTION);
        expect(error.message).toContain(lbId);
    });

    it("401 (no token) names the RBAC action too", async () => {
        const { sim } = buildFixture(1, 1);
        const server = await serve(sim);
        const noToken = { getToken: async () => null };
        const error = await lookupError(lookup(sim, server, { credential: noToken }));
        expect(error.statusCode).toBe(401);
        expect(error.message).toContain(QUERY_PORT_MAPPING_ACTION);
    });

    it("404 names the missing load balancer, pool or rule with its resource group and subscription", async () => {
        const { sim } = buildFixture(1, 1);
        const server = await serve(sim);

        const noLb = await lookupError(lookup(sim, server, { loadBalancerName: "lb-missing" }));
        expect(noLb.statusCode).toBe(404);
        expect(noLb.message).toMatch(/load balancer lb-missing not found in resource group rg-lookup of subscription 0{8}-/);

        const noPool = await lookupError(lookup(sim, server, { backendPoolName: "pool-missing" }));
        expect(noPool.statusCode).toBe(404);
        expect(noPool.message).toContain("backend pool pool-missing not found");
        expect(noPool.message).toContain(RG);

        const noRule = await lookupError(lookup(sim, server, { ruleName: "rdp" }));
        expect(noRule.statusCode).toBe(404);
        expect(noRule.message).toContain('"rdp"');
        expect(noRule.message).toContain("ssh");
    });

    it("reads a 5,000-member pool from the pool GET alone: 3 requests, no writes", async () => {
        // Five scale sets of 1,000 (the simulator's scale-set limit) fill Azure's pool limit of 5,000.
        const { sim } = buildFixture(5, 1000, { rangeSize: 5000, sshOnly: true });
        // As Azure answers: the pool GET embeds each member's inboundNatRulesPortMapping, Retry-After 10, throttling on.
        const server = await serve(sim, { embedPortMappings: true, retryAfterSeconds: 10, throttling: true });
        const result = await lookup(sim, server);
        const entries = result.mappings;

        expect(entries.length).toBe(5000);
        expect(new Set(entries.map((e) => e.frontendPort)).size).toBe(5000);
        expect(new Set(entries.map((e) => e.ipConfigurationId)).size).toBe(5000);
        const held = new Map(sim.portMappings(RG, LB).map((m) => [m.ipConfigurationId, m]));
        expect(entries.every((e) => held.get(e.ipConfigurationId)?.frontendPort === e.frontendPort && e.protocol === "Tcp")).toBe(true);
        expect(sortedForCompare(entries)).toEqual(expected(sim));
        // The load balancer, the pool and the frontend's public IP.
        expect(server.stats.requests).toBe(3);
        expect(server.stats.byRoute["POST queryInboundNatRulePortMapping"]).toBeUndefined();
        expect({ armRequests: result.armRequests, armWrites: result.armWrites, membersFromPool: result.membersFromPool, membersQueried: result.membersQueried }).toEqual({
            armRequests: 3,
            armWrites: 0,
            membersFromPool: 5000,
            membersQueried: 0,
        });
    });

    it("queries 300 members with bounded concurrency when the pool GET lacks their mappings", async () => {
        const { sim } = buildFixture(1, 300, { rangeSize: 300, sshOnly: true });
        const concurrency = 12;
        const server = await serve(sim, { latencyMs: 1 });
        const result = await lookup(sim, server, { concurrency });
        const entries = result.mappings;
        expect(sortedForCompare(entries)).toEqual(expected(sim));
        expect(server.stats.byRoute["POST queryInboundNatRulePortMapping"]).toBe(300);
        expect(server.stats.maxConcurrent).toBeLessThanOrEqual(concurrency);
        expect(server.stats.maxConcurrent).toBeGreaterThan(1);
    });

    it("reports a member that cannot be read with Azure's reason, and keeps the others", async () => {
        const { sim } = buildFixture(1, 5, { sshOnly: true });
        const server = await serve(sim, { faults: [{ method: "POST", pathIncludes: "queryInboundNatRulePortMapping", status: 404, times: 1 }] });
        const result = await lookup(sim, server, { concurrency: 1 });
        const entries = result.mappings;
        expect(entries.length).toBe(4);
        expect(result.unreadMembers).toHaveLength(1);
        const [unread] = result.unreadMembers;
        expect(unread.statusCode).toBe(404);
        expect(unread.code).toBe("ResourceNotFound");
        expect(unread.reason).toContain("not found");
        expect(entries.map((e) => e.instance)).not.toContain(unread.instance);
        expect(new Set([...entries.map((e) => e.instance), unread.instance]).size).toBe(5);
        // A plain object: JSON keeps the mappings and the report alike.
        expect(Object.keys(result).sort()).toEqual(["armRequests", "armWrites", "durationMs", "mappings", "membersFromPool", "membersQueried", "throttled", "unreadMembers"]);
        const serialized = JSON.parse(JSON.stringify(result)) as { mappings: unknown[]; unreadMembers: unknown[]; armRequests: number };
        expect([serialized.mappings.length, serialized.unreadMembers.length, serialized.armRequests]).toEqual([4, 1, result.armRequests]);
    });

    it("takes embedded mappings where the pool GET has them and queries only the rest", async () => {
        const { sim } = buildFixture(1, 6, { sshOnly: true });
        const server = await serve(sim, { embedPortMappings: true });
        const result = await lookup(sim, server);
        const entries = result.mappings;
        expect(sortedForCompare(entries)).toEqual(expected(sim));
        expect(result.membersFromPool).toBe(6);
        expect(server.stats.byRoute["POST queryInboundNatRulePortMapping"]).toBeUndefined();
        // Embedded mappings name no protocol; the rule's is used.
        expect(entries.every((e) => e.protocol === "Tcp")).toBe(true);
    });

    it("paces the queries under Azure's throttling: no 429, Retry-After honoured (virtual time)", async () => {
        const { sim } = buildFixture(1, 260, { rangeSize: 300, sshOnly: true });
        const clock = virtualClock();
        // As Azure answers (Retry-After 10, throttling on), except that the pool GET leaves the mappings out.
        const server = await serve(sim, { retryAfterSeconds: 10, throttling: true, clock });
        const progress: number[] = [];
        const result = await lookup(sim, server, { clock, onProgress: (_done, _total, usage) => progress.push(usage.armWrites) });
        const entries = result.mappings;
        expect(sortedForCompare(entries)).toEqual(expected(sim));
        expect(server.stats.throttled).toBe(0);
        expect(result.throttled).toBe(0);
        expect(result.armWrites).toBe(260);
        expect(result.armRequests).toBe(server.stats.requests);
        expect(progress).toHaveLength(260);
        expect(progress[progress.length - 1]).toBe(260);
        console.log(`260 members queried under Azure's limits: ${result.armRequests} requests, ${result.armWrites} writes, ${(result.durationMs / 1000).toFixed(0)} s simulated`);
    });

    it("stops when aborted", async () => {
        const { sim } = buildFixture(1, 20);
        const server = await serve(sim, { latencyMs: 20 });
        const controller = new AbortController();
        const pending = lookup(sim, server, { signal: controller.signal, concurrency: 2, onProgress: () => controller.abort() });
        await expect(pending).rejects.toThrow();
        // Members waiting out their Retry-After (1 s here) hold no request slot, so every query may be
        // sent before the first finishes; once aborted, their polls are never sent.
        const polls = (): number => Object.entries(server.stats.byRoute).filter(([route]) => /^GET operation/i.test(route)).reduce((n, [, c]) => n + c, 0);
        // A request written just before the abort can still reach the server a moment later; the
        // polls would come only after the 1 s Retry-After, so counting at 200 ms separates the two.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const sentAtAbort = server.stats.requests;
        expect(polls()).toBeLessThan(20);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(server.stats.requests).toBe(sentAtAbort);
    });

    it("lists subscriptions", async () => {
        const { sim } = buildFixture(0, 0);
        const server = await serve(sim);
        const subscriptions = await listSubscriptions({ endpoint: server.url, credential: staticTokenCredential("t") });
        expect(subscriptions.map((s) => s.subscriptionId)).toEqual([sim.subscriptionId]);
    });
});

describe("endpoints, options and credentials", () => {
    it("accepts presets and URLs, and keeps plain http to loopback hosts", () => {
        expect(resolveArmEndpoint(undefined).url).toBe(ARM_ENDPOINTS.public);
        expect(resolveArmEndpoint("china")).toEqual({ url: ARM_ENDPOINTS.china, preset: "china" });
        expect(resolveArmEndpoint("USGovernment").url).toBe(ARM_ENDPOINTS.usgovernment);
        expect(resolveArmEndpoint("https://management.usgovcloudapi.net/").preset).toBe("usgovernment");
        expect(resolveArmEndpoint("http://127.0.0.1:8080/").url).toBe("http://127.0.0.1:8080");
        expect(() => resolveArmEndpoint("http://arm.example.com")).toThrow(/unencrypted/);
        expect(() => resolveArmEndpoint("germany")).toThrow(/public, china, usgovernment/);
    });

    it("rejects bad names, numbers, credentials and endpoints before any request, each with a fix", async () => {
        // Every request needs a token first: a credential that counts its calls shows none was made.
        let tokenRequests = 0;
        const counting = { getToken: async () => (tokenRequests++, { token: "t", expiresOnTimestamp: Date.now() + 3_600_000 }) };
        const base = { subscriptionId: "s", resourceGroupName: "rg", loadBalancerName: "lb", backendPoolName: "pool", credential: counting, endpoint: "http://127.0.0.1:9" };
        const refused = async (options: Partial<Parameters<typeof lookupPortMappings>[0]>) =>
            ((await lookupPortMappings({ ...base, ...options } as Parameters<typeof lookupPortMappings>[0]).catch((e: unknown) => e)) as Error).message;
        expect(await refused({ loadBalancerName: "" })).toMatch(/loadBalancerName = "" is invalid: allowed is a non-empty name without "\/"\. Fix: /);
        expect(await refused({ concurrency: 0 })).toBe("lookupPortMappings: concurrency = 0 is invalid: allowed is an integer from 1 to 256. Fix: pass e.g. 16, or leave it out for that default.");
        expect(await refused({ ruleName: "" })).toBe(
            'lookupPortMappings: ruleName = "" is invalid: allowed is the name of an inbound NAT rule, non-empty and without "/". Fix: pass the rule\'s name, or leave ruleName out for every rule\'s mappings.',
        );
        expect(await refused({ timeoutMs: -1 })).toMatch(/^lookupPortMappings: timeoutMs = -1 is invalid: allowed is an integer number of milliseconds from 1 to 2147483647 \(about 24\.8 days\)\. Fix: pass e\.g\. 600000 \(10 minutes\), or leave it out/);
        expect(await refused({ timeoutMs: "60000" as unknown as number })).toMatch(/^lookupPortMappings: timeoutMs = "60000" is invalid: .* Fix: pass the number 60000, not a string, or leave it out/);
        expect(await refused({ timeoutMs: NaN })).toMatch(/^lookupPortMappings: timeoutMs = NaN is invalid/);
        expect(await refused({ credential: {} as never })).toMatch(
            /^lookupPortMappings: credential = \{\} is invalid: allowed is a TokenCredential: an object with a getToken\(scopes, options\) method\. Fix: pass new DefaultAzureCredential\(\) from @azure\/identity, staticTokenCredential\(token\)/,
        );
        expect(await refused({ endpoint: "http://arm.example.com" })).toMatch(/unencrypted.*Fix: use https:\/\/arm\.example\.com, or for the local simulator its http:\/\/127\.0\.0\.1:<port> URL\.$/);
        expect(await refused({ endpoint: "germany" })).toMatch(/neither a URL nor a preset name.*Fix: pass one of public, china, usgovernment, or a URL such as https:\/\/management\.azure\.com\.$/);
        expect(await refused({ endpoint: "ftp://arm.example.com" })).toMatch(/protocol ftp: is not http\(s\).*Fix: use https:\/\/arm\.example\.com, or one of public, china, usgovernment\.$/);
        expect(tokenRequests).toBe(0);
    });

    it("an unreachable endpoint and a credential that has no token each say how to fix it", async () => {
        // Port 9 (discard) on loopback: nothing listens there, so the request fails before any HTTP answer.
        // Short back-offs: the SDK retries a refused connection as it would a 5xx, and the default waits ~12 s.
        const base = { subscriptionId: "s", resourceGroupName: "rg", loadBalancerName: "lb", backendPoolName: "pool", endpoint: "http://127.0.0.1:9", retry: { retryDelayInMs: 10, maxRetryDelayInMs: 20 } };
        await expect(lookupPortMappings({ ...base, credential: staticTokenCredential("t") })).rejects.toThrow(
            /failed: .*Fix: make sure http:\/\/127\.0\.0\.1:9 is reachable from here.*start `azure-nat-rules local-arm` first/,
        );
        // Shaped as @azure/identity's DefaultAzureCredential fails when no sign-in is available.
        const unavailable = {
            getToken: async () => {
                throw Object.assign(new Error("ChainedTokenCredential authentication failed."), { name: "AggregateAuthenticationError" });
            },
        };
        await expect(lookupPortMappings({ ...base, credential: unavailable })).rejects.toThrow(/ChainedTokenCredential authentication failed\.\. Fix: sign in with `az login`/);
        await expect(listSubscriptions({ endpoint: base.endpoint, credential: unavailable })).rejects.toThrow(/Fix: sign in with `az login`/);
    });

    it("static token credential returns the token, expiring at the JWT's exp when it has one", async () => {
        const exp = Math.floor(Date.now() / 1000) + 600;
        const jwt = ["e30", Buffer.from(JSON.stringify({ exp })).toString("base64url"), "sig"].join(".");
        const fromJwt = await staticTokenCredential(jwt).getToken("scope");
        expect(fromJwt).toEqual({ token: jwt, expiresOnTimestamp: exp * 1000 });
        const opaque = await staticTokenCredential(" opaque ").getToken("scope");
        expect(opaque?.token).toBe("opaque");
        expect(opaque?.expiresOnTimestamp).toBeGreaterThan(Date.now());
        expect(() => staticTokenCredential("  ")).toThrow(/token is empty/);
    });
});

describe("lookupPortMappings limits", () => {
    it("gives up with a clear error when Azure never finishes the query", async () => {
        const { sim } = buildFixture(1, 2, { sshOnly: true });
        const server = await serve(sim, { lroPolls: 1e9 });
        const err = await lookup(sim, server, { timeoutMs: 800 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PortMappingLookupError);
        expect((err as PortMappingLookupError).code).toBe("Timeout");
        expect((err as Error).message).toMatch(/no complete answer from http:\/\/127\.0\.0\.1:\d+ within 1 s .*Fix: retry later, or raise timeoutMs/);
    });

    it("asks for a token for a local endpoint instead of trying Azure's sign-in", async () => {
        const { sim } = buildFixture(1, 1, { sshOnly: true });
        const server = await serve(sim);
        const err = await lookup(sim, server, { credential: undefined }).catch((e: unknown) => e);
        expect((err as PortMappingLookupError).code).toBe("CredentialRequired");
        expect((err as Error).message).toMatch(/is a local endpoint.*Fix: pass a token \(any value, e\.g\. --token local\)/);
    });
});
