/**
 * Reads the port mappings Azure really assigned to the members of a backend pool (inbound NAT
 * rules V2): from the pool GET, which embeds each member's mappings, and through the
 * `queryInboundNatRulePortMapping` API only for members whose mappings it lacks, paced under
 * Azure's request limits.
 */
// Types only at load time: the Azure SDK's pipeline loads on the first lookup (see client.ts).
import type { TokenCredential } from "@azure/identity";
import { compareInstances } from "../core/allocation";
import { lastSegment, parseNetworkResourceId, sameArmId } from "../core/arm-ids";
import { formatValue } from "../core/errors";
import type { Protocol } from "../core/types";
import { normalizeProtocol } from "../core/validation";
import { abortError, ArmPacer, pacedQueryDurationMs, realClock, type LookupClock } from "./arm-pacing";
import { ArmClient, NETWORK_API_VERSION, memberRequests } from "./client";
import type { ArmBackendPool, ArmLoadBalancer, ArmPortMappingsResult, ArmPublicIp } from "./arm-types";
import { credentialFor } from "./credentials";
import { resolveArmEndpoint } from "./endpoints";
import { PortMappingLookupError, isAbort } from "./errors";
import { call, type LookupContext } from "./lookup-errors";
import type { LookupPortMappingsOptions, PortMappingEntry, PortMappingLookupReport, PortMappingLookupResult, UnreadMember } from "./port-mapping-types";
import { labelByVirtualMachine, poolMembers, type PoolMember, type RawMapping } from "./pool-members";

export type { LookupClock } from "./arm-pacing";
export type { LookupPortMappingsOptions, UnreadMember, PortMappingLookupReport, PortMappingLookupResult, PortMappingEntry } from "./port-mapping-types";

export const DEFAULT_LOOKUP_CONCURRENCY = 16;
/** The longest a lookup may take besides the time Azure's request limits need for its queries: 10 minutes. */
export const DEFAULT_LOOKUP_TIMEOUT_MS = 10 * 60 * 1000;
/** Microsoft.Network's Retry-After on its long-running 202s, for the timeout estimate. */
const AZURE_LRO_RETRY_AFTER_MS = 10_000;
/** Poll interval when Azure's long-running answer carries no Retry-After header. */
const DEFAULT_POLL_INTERVAL_MS = 1000;


/**
 * Azure's real mappings of a backend pool (`mappings`: one entry per member and rule, sorted by
 * rule, then instance, numeric ids by value), with what the lookup spent, in one plain object. The pool GET's embedded mappings are used where present; the
 * other members are queried, paced under Azure's request limits. A member that cannot be read is
 * listed in `unreadMembers` with its reason; the lookup fails only when nothing could be read.
 */
export async function lookupPortMappings(options: LookupPortMappingsOptions): Promise<PortMappingLookupResult> {
    checkOptions(options);
    const clock = options.clock ?? realClock;
    // A long-running query Azure never finishes must not keep the caller waiting forever.
    const deadline = new Deadline(clock, options.timeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
    try {
        return await lookupUntil({ ...options, signal }, clock, options.timeoutMs === undefined ? deadline : undefined);
    } catch (err) {
        if (deadline.signal.aborted && !options.signal?.aborted) {
            throw new PortMappingLookupError(
                `lookupPortMappings: no complete answer from ${resolveArmEndpoint(options.endpoint).url} within ${Math.round(deadline.timeoutMs / 1000)} s ` +
                    `(load balancer ${options.loadBalancerName}, pool ${options.backendPoolName}). Fix: retry later, or raise timeoutMs.`,
                { code: "Timeout", cause: err },
            );
        }
        throw err;
    } finally {
        deadline.stop();
    }
}

/** An abort after `timeoutMs` by the lookup's clock, which can be moved later once the work is known. */
class Deadline {
    private readonly controller = new AbortController();
    private timer = new AbortController();
    private readonly started: number;

    constructor(
        private readonly clock: LookupClock,
        public timeoutMs: number,
    ) {
        this.started = clock.now();
        this.arm();
    }

    get signal(): AbortSignal {
        return this.controller.signal;
    }

    private arm(): void {
        const timer = this.timer;
        const left = Math.max(0, this.started + this.timeoutMs - this.clock.now());
        this.clock.sleep(left, timer.signal).then(
            () => this.controller.abort(abortError()),
            () => undefined,
        );
    }

    extendTo(timeoutMs: number): void {
        if (timeoutMs <= this.timeoutMs || this.controller.signal.aborted) return;
        this.timer.abort();
        this.timer = new AbortController();
        this.timeoutMs = timeoutMs;
        this.arm();
    }

    stop(): void {
        this.timer.abort();
    }
}

async function lookupUntil(options: LookupPortMappingsOptions, clock: LookupClock, deadline: Deadline | undefined): Promise<PortMappingLookupResult> {
    const { subscriptionId, resourceGroupName, loadBalancerName, backendPoolName, signal } = options;
    const started = clock.now();
    const endpoint = resolveArmEndpoint(options.endpoint);
    const credential = credentialFor(endpoint, options.credential);
    const loadBalancerId = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Network/loadBalancers/${loadBalancerName}`;
    const context: LookupContext = { options, loadBalancerId, poolId: `${loadBalancerId}/backendAddressPools/${backendPoolName}` };
    const concurrency = options.concurrency ?? DEFAULT_LOOKUP_CONCURRENCY;
    const pacer = new ArmPacer(clock, concurrency);
    // One client for every request of the lookup, whatever subscription a frontend's public IP is in.
    const client = new ArmClient({ endpoint: endpoint.url, credential, retry: options.retry, pacing: { pacer, clock } });
    const read = { apiVersion: NETWORK_API_VERSION, signal };
    const readLoadBalancer = (): Promise<ArmLoadBalancer> => call(context, "load balancer", () => client.json<ArmLoadBalancer>("GET", armPath(loadBalancerId), read));
    const readPool = (): Promise<ArmBackendPool> => call(context, "backend pool", () => client.json<ArmBackendPool>("GET", armPath(context.poolId), read));
    // Both reads at once unless the caller asked for one request at a time.
    const [loadBalancer, pool] = concurrency > 1 ? await bothOrFirstError(readLoadBalancer(), readPool()) : [await readLoadBalancer(), await readPool()];

    const rules = loadBalancer.properties?.inboundNatRules ?? [];
    const wantedRule = options.ruleName === undefined ? undefined : findRule(context, loadBalancer, options.ruleName);
    const frontendOfRule = new Map<string, string | undefined>();
    const protocolOfRule = new Map<string, string | undefined>();
    for (const rule of rules) {
        if (!rule.name) continue;
        frontendOfRule.set(rule.name.toLowerCase(), rule.properties?.frontendIPConfiguration?.id);
        protocolOfRule.set(rule.name.toLowerCase(), rule.properties?.protocol);
    }
    // The rules whose mappings every member should show: the pool's (or the one asked for).
    const expectedRules = rules
        .filter((r) => r.name && sameArmId(r.properties?.backendAddressPool?.id, context.poolId))
        .map((r) => (r.name as string).toLowerCase())
        .filter((name) => wantedRule === undefined || name === wantedRule.toLowerCase());

    const members = poolMembers(pool);
    await labelByVirtualMachine(client, members, signal);
    const perMember: (RawMapping[] | undefined)[] = members.map((member) => embeddedMappings(member, expectedRules, protocolOfRule));
    const toQuery = members.map((_, i) => i).filter((i) => perMember[i] === undefined);
    deadline?.extendTo(DEFAULT_LOOKUP_TIMEOUT_MS + pacedQueryDurationMs(toQuery.length, AZURE_LRO_RETRY_AFTER_MS));

    const unreadMembers: UnreadMember[] = [];
    let done = 0;
    let fatal: { error: unknown } | undefined;
    await Promise.all(
        toQuery.map(async (index) => {
            const member = members[index];
            try {
                if (fatal) return;
                perMember[index] = await memberRequests.run({}, () => queryMember(context, client, member, clock));
            } catch (error) {
                // Access, sign-in and aborts concern every member: stop; anything else concerns this member only.
                const status = (error as PortMappingLookupError).statusCode;
                if (isAbort(error, signal) || status === 401 || status === 403 || !(error instanceof PortMappingLookupError)) {
                    fatal ??= { error };
                    return;
                }
                unreadMembers.push({
                    instance: member.instance,
                    ...(member.ipConfigurationId !== undefined ? { ipConfigurationId: member.ipConfigurationId } : {}),
                    ...(member.ipAddress !== undefined ? { ipAddress: member.ipAddress } : {}),
                    reason: error.message,
                    ...(error.statusCode !== undefined ? { statusCode: error.statusCode } : {}),
                    ...(error.code !== undefined ? { code: error.code } : {}),
                });
                if (unreadMembers.length === members.length) fatal ??= { error };
                return;
            }
            done++;
            options.onProgress?.(done, toQuery.length, { ...pacer.usage });
        }),
    );
    if (fatal) throw fatal.error;

    const frontendIps = new FrontendIpResolver(context, loadBalancer, client);
    const entries: PortMappingEntry[] = [];
    for (let i = 0; i < members.length; i++) {
        const member = members[i];
        for (const mapping of perMember[i] ?? []) {
            const rule = mapping.inboundNatRuleName ?? "";
            if (wantedRule !== undefined && rule.toLowerCase() !== wantedRule.toLowerCase()) continue;
            entries.push({
                instance: member.instance,
                ...(member.ipConfigurationId !== undefined ? { ipConfigurationId: member.ipConfigurationId } : {}),
                ...(member.ipAddress !== undefined ? { ipAddress: member.ipAddress } : {}),
                rule,
                protocol: normalizeProtocol(mapping.protocol) ?? (mapping.protocol as Protocol),
                frontendIp: await frontendIps.ipOf(frontendOfRule.get(rule.toLowerCase())),
                frontendPort: mapping.frontendPort ?? 0,
                backendPort: mapping.backendPort ?? 0,
            });
        }
    }
    entries.sort((a, b) => (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) || compareInstances(a.instance, b.instance) || a.frontendPort - b.frontendPort);
    const report: PortMappingLookupReport = {
        ...pacer.usage,
        membersFromPool: members.length - toQuery.length,
        membersQueried: toQuery.length,
        unreadMembers: unreadMembers.sort((a, b) => compareInstances(a.instance, b.instance)),
        durationMs: clock.now() - started,
    };
    return { mappings: entries, ...report };
}

/**
 * A member's mappings as the pool GET embeds them (`loadBalancerBackendAddresses[].inboundNatRulesPortMapping`,
 * which names no protocol: it is the rule's), or undefined when they are missing or lack one of the pool's rules.
 */
function embeddedMappings(member: PoolMember, expectedRules: string[], protocolOfRule: Map<string, string | undefined>): RawMapping[] | undefined {
    const embedded = member.embedded;
    if (embedded === undefined) return undefined;
    const named = new Set(embedded.map((m) => (m.inboundNatRuleName ?? "").toLowerCase()));
    if (expectedRules.some((rule) => !named.has(rule))) return undefined;
    return embedded.map((m) => ({
        inboundNatRuleName: m.inboundNatRuleName,
        protocol: protocolOfRule.get((m.inboundNatRuleName ?? "").toLowerCase()),
        frontendPort: m.frontendPort,
        backendPort: m.backendPort,
    }));
}

/** Both results; on failure the first promise's error wins, so a missing load balancer is not reported as a missing pool. */
async function bothOrFirstError<A, B>(first: Promise<A>, second: Promise<B>): Promise<[A, B]> {
    const [a, b] = await Promise.allSettled([first, second]);
    if (a.status === "rejected") throw a.reason;
    if (b.status === "rejected") throw b.reason;
    return [a.value, b.value];
}

function checkOptions(options: LookupPortMappingsOptions): void {
    const required = ["subscriptionId", "resourceGroupName", "loadBalancerName", "backendPoolName"] as const;
    for (const field of required) {
        const value = options[field];
        if (typeof value !== "string" || value.trim() === "" || value.includes("/")) {
            throw new PortMappingLookupError(
                `lookupPortMappings: ${field} = ${JSON.stringify(value)} is invalid: allowed is a non-empty name without "/". Fix: pass the ${field} of the load balancer.`,
                { code: "InvalidArgument" },
            );
        }
    }
    const invalid = (field: string, value: unknown, allowed: string, fix: string) =>
        new PortMappingLookupError(`lookupPortMappings: ${field} = ${formatValue(value)} is invalid: allowed is ${allowed}. Fix: ${fix}.`, { code: "InvalidArgument" });
    const { ruleName, concurrency, timeoutMs, pollIntervalMs, credential } = options;
    if (ruleName !== undefined && (typeof ruleName !== "string" || ruleName.trim() === "" || ruleName.includes("/"))) {
        throw invalid("ruleName", ruleName, 'the name of an inbound NAT rule, non-empty and without "/"', "pass the rule's name, or leave ruleName out for every rule's mappings");
    }
    if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)) {
        throw invalid("concurrency", concurrency, "an integer from 1 to 256", `pass e.g. ${DEFAULT_LOOKUP_CONCURRENCY}, or leave it out for that default`);
    }
    // setTimeout's longest delay is 2^31-1 ms; past it Node fires at once with a warning.
    const asNumber = (value: unknown) => (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)) ? `the number ${Number(value)}, not a string` : "e.g. 600000 (10 minutes)");
    if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMER_MS)) {
        throw invalid("timeoutMs", timeoutMs, `an integer number of milliseconds from 1 to ${MAX_TIMER_MS} (about 24.8 days)`, `pass ${asNumber(timeoutMs)}, or leave it out for the default (10 minutes plus what Azure's request limits need)`);
    }
    if (pollIntervalMs !== undefined && (typeof pollIntervalMs !== "number" || !Number.isInteger(pollIntervalMs) || pollIntervalMs < 0 || pollIntervalMs > MAX_TIMER_MS)) {
        throw invalid("pollIntervalMs", pollIntervalMs, `an integer number of milliseconds from 0 to ${MAX_TIMER_MS}`, `pass ${asNumber(pollIntervalMs)}, or leave it out for ${DEFAULT_POLL_INTERVAL_MS}`);
    }
    if (credential !== undefined && typeof (credential as Partial<TokenCredential> | null)?.getToken !== "function") {
        throw invalid(
            "credential",
            credential,
            "a TokenCredential: an object with a getToken(scopes, options) method",
            "pass new DefaultAzureCredential() from @azure/identity, staticTokenCredential(token) from this package, or leave it out for DefaultAzureCredential",
        );
    }
    // Before any request: a bad endpoint is an argument error, not a transport failure.
    resolveArmEndpoint(options.endpoint);
}

const MAX_TIMER_MS = 2 ** 31 - 1;

function findRule(context: LookupContext, loadBalancer: ArmLoadBalancer, ruleName: string): string {
    const { options } = context;
    const rules = loadBalancer.properties?.inboundNatRules ?? [];
    const rule = rules.find((r) => r.name?.toLowerCase() === ruleName.toLowerCase());
    const poolRules = rules.filter((r) => sameArmId(r.properties?.backendAddressPool?.id, context.poolId)).map((r) => r.name);
    const available = poolRules.length > 0 ? `rules on pool ${options.backendPoolName}: ${poolRules.join(", ")}` : `pool ${options.backendPoolName} has no backend-pool rules`;
    if (!rule) {
        throw new PortMappingLookupError(
            `lookupPortMappings: inbound NAT rule ${JSON.stringify(ruleName)} not found on load balancer ${options.loadBalancerName} ` +
                `(resource group ${options.resourceGroupName}, subscription ${options.subscriptionId}); ${available}. Fix: pass one of those, or omit the rule.`,
            { statusCode: 404, code: "InboundNatRuleNotFound" },
        );
    }
    const rulePool = rule.properties?.backendAddressPool?.id;
    if (!sameArmId(rulePool, context.poolId)) {
        const target = rulePool ? `pool ${lastSegment(rulePool)}` : "a single VM (no backend pool)";
        throw new PortMappingLookupError(
            `lookupPortMappings: inbound NAT rule ${rule.name} on load balancer ${options.loadBalancerName} targets ${target}, ` +
                `not pool ${options.backendPoolName}; ${available}. Fix: pass the pool the rule targets, or another rule.`,
            { statusCode: 404, code: "InboundNatRuleNotFound" },
        );
    }
    return rule.name as string;
}


/** One member's mappings: the long-running query, its polls waiting out Azure's Retry-After by the lookup's clock. */
async function queryMember(context: LookupContext, client: ArmClient, member: PoolMember, clock: LookupClock): Promise<RawMapping[]> {
    const { options } = context;
    const signal = options.signal;
    const body = member.ipConfigurationId !== undefined ? { ipConfiguration: { id: member.ipConfigurationId } } : { ipAddress: member.ipAddress };
    return call(context, "port mapping query", async () => {
        // POST .../backendAddressPools/{pool}/queryInboundNatRulePortMapping: 202, final state via Location
        // (azure-rest-api-specs, loadBalancer.json: "x-ms-long-running-operation-options": {"final-state-via": "location"}).
        const result = await client.postLongRunning<ArmPortMappingsResult>(`${armPath(context.poolId)}/queryInboundNatRulePortMapping`, {
            apiVersion: NETWORK_API_VERSION,
            body,
            signal,
            finalStateVia: "location",
            intervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
            wait: (ms) => clock.sleep(ms, signal),
        });
        return result?.inboundNatRulePortMappings ?? [];
    });
}

/** The path of an ARM id, each segment as ARM expects it in a URL. */
function armPath(id: string): string {
    return id.split("/").map((segment) => encodeURIComponent(segment)).join("/");
}

/** Frontend IP of a frontendIPConfiguration id: its public IP's address (one GET each, cached) or its private IP. */
class FrontendIpResolver {
    private readonly cache = new Map<string, Promise<string>>();

    constructor(
        private readonly context: LookupContext,
        private readonly loadBalancer: ArmLoadBalancer,
        private readonly client: ArmClient,
    ) {}

    ipOf(frontendId: string | undefined): Promise<string> {
        if (!frontendId) return Promise.resolve("");
        const key = frontendId.toLowerCase();
        let ip = this.cache.get(key);
        if (!ip) {
            ip = this.resolve(frontendId);
            this.cache.set(key, ip);
        }
        return ip;
    }

    private async resolve(frontendId: string): Promise<string> {
        const frontend = (this.loadBalancer.properties?.frontendIPConfigurations ?? []).find((f) => sameArmId(f.id, frontendId));
        if (!frontend) return "";
        const properties = frontend.properties ?? {};
        if (properties.privateIPAddress) return properties.privateIPAddress;
        const publicIp = properties.publicIPAddress;
        const publicIpId = publicIp?.id;
        if (publicIp?.properties?.ipAddress) return publicIp.properties.ipAddress;
        if (!publicIpId || !parseNetworkResourceId(publicIpId, "publicIPAddresses")) return "";
        const read = await call(this.context, "public IP", () =>
            this.client.json<ArmPublicIp>("GET", armPath(publicIpId), { apiVersion: NETWORK_API_VERSION, signal: this.context.options.signal }),
        );
        // A dynamic public IP has no address until something uses it.
        return read?.properties?.ipAddress ?? "";
    }
}
