import { AzureNatRulesError } from "./errors";
import { armIdKey, lastSegment, nicIdOf } from "./arm-ids";
import { MAX_RULES_PER_LOAD_BALANCER, MAX_RULES_PER_NIC } from "./limits";
import type { PortSpan } from "./planner";
import { rangesOverlap } from "./range";
import type { Protocol } from "./types";
import { normalizeProtocol } from "./validation";

/** An inbound NAT rule as the conflict checks see it: a single-VM rule (`frontendPort`) or a backend-pool rule (`range`). */
export interface ConflictNatRule {
    /** The component or rule name, quoted in messages. */
    name: string;
    frontendIPConfigurationId: string;
    /** Default `Tcp`. */
    protocol?: Protocol;
    /** A single-VM rule's frontend port. `0` (what a GET returns for a backend-pool rule) counts as unset. */
    frontendPort?: number;
    /** A backend-pool rule's frontend range, inclusive. */
    range?: PortSpan;
    backendPort: number;
    enableFloatingIP?: boolean;
    backendPoolId?: string;
    /** NIC ipConfiguration ids (or instance labels) the rule reaches, when known. */
    members?: readonly string[];
}

/** A load-balancing rule on the same load balancer. */
export interface ConflictLoadBalancingRule {
    name: string;
    frontendIPConfigurationId: string;
    /** Default `Tcp`. With `All` and frontend port 0 it is an HA-ports rule, which takes every port. */
    protocol?: Protocol;
    frontendPort: number;
    backendPort: number;
    enableFloatingIP?: boolean;
    backendPoolId?: string;
    /** NIC ipConfiguration ids (or instance labels) in its backend pool, when known; counted for the per-NIC limit. */
    members?: readonly string[];
}

export interface ConflictCheckInput {
    /** The load balancer's name, quoted in messages. */
    loadBalancer: string;
    natRules: readonly ConflictNatRule[];
    loadBalancingRules?: readonly ConflictLoadBalancingRule[];
    /** Rules on this load balancer that the input does not list; they count toward the 1,500-rule limit. */
    otherRulesOnLoadBalancer?: number;
    /**
     * Rules the input does not list that already reference a NIC (from another load balancer, or
     * not listed), keyed by NIC id, NIC ipConfiguration id or member label; they count toward the
     * 300-rule limit of that NIC.
     */
    ruleCountsPerNic?: Readonly<Record<string, number>>;
}

/** One side of a conflict between two rules. */
export interface RuleRef {
    type: "nat rule" | "load-balancing rule";
    name: string;
}

export interface FrontendOverlapConflict {
    kind: "frontend-overlap";
    rules: readonly [RuleRef, RuleRef];
    frontendIPConfigurationId: string;
    /** The ports both rules take. */
    ports: PortSpan;
    message: string;
}

export interface BackendPortConflict {
    kind: "backend-port";
    rules: readonly [RuleRef, RuleRef];
    backendPort: number;
    /** What both rules reach: `pool <id>` or `member <id>`. */
    sharedBackend: string;
    message: string;
}

export interface LoadBalancerRuleLimitConflict {
    kind: "load-balancer-rule-limit";
    loadBalancer: string;
    count: number;
    limit: number;
    message: string;
}

export interface NicRuleLimitConflict {
    kind: "nic-rule-limit";
    /** The NIC id (or member label) as first given. */
    nic: string;
    count: number;
    limit: number;
    /** The listed rules that reach the NIC. */
    rules: readonly RuleRef[];
    message: string;
}

export type Conflict = FrontendOverlapConflict | BackendPortConflict | LoadBalancerRuleLimitConflict | NicRuleLimitConflict;

/** Every conflict found on one load balancer, listed at once. */
export class NatRuleConflictError extends AzureNatRulesError {
    constructor(
        readonly loadBalancer: string,
        readonly conflicts: readonly Conflict[],
    ) {
        const count = conflicts.length === 1 ? "1 conflict" : `${conflicts.length} conflicts`;
        super(`load balancer "${loadBalancer}": ${count}:\n${conflicts.map((c) => `  - ${c.message}`).join("\n")}`);
    }
}

/** A rule of either kind, reduced to what the checks compare. */
interface CheckedRule {
    ref: RuleRef;
    label: string;
    frontendKey: string;
    frontendName: string;
    protocol: Protocol;
    /** Frontend ports taken, or `undefined` when not known. */
    ports?: PortSpan;
    /** How the ports read in messages: `50000-50099`, `50050`, `all ports`. */
    portsText: string;
    backendPort: number;
    floatingIP: boolean;
    poolKey?: string;
    poolId?: string;
    /** Lower-cased member id → member id as given. */
    members: Map<string, string>;
}

const ALL_PORTS: PortSpan = { start: 0, end: 65535 };


const protocolsOverlap = (a: Protocol, b: Protocol): boolean => a === b || a === "All" || b === "All";

const spanText = (s: PortSpan): string => (s.start === s.end ? String(s.start) : `${s.start}-${s.end}`);

function checkedNatRule(rule: ConflictNatRule): CheckedRule {
    const ports = rule.range ? { start: rule.range.start, end: rule.range.end }
        : rule.frontendPort ? { start: rule.frontendPort, end: rule.frontendPort } : undefined;
    return checked({ type: "nat rule", name: rule.name }, rule, ports, ports ? spanText(ports) : "frontend port unknown");
}

function checkedLoadBalancingRule(rule: ConflictLoadBalancingRule): CheckedRule {
    const protocol = normalizeProtocol(rule.protocol ?? "Tcp") ?? "Tcp";
    const haPorts = rule.frontendPort === 0 && protocol === "All";
    const ports = haPorts ? ALL_PORTS : { start: rule.frontendPort, end: rule.frontendPort };
    return checked({ type: "load-balancing rule", name: rule.name }, rule, ports, haPorts ? "all ports (HA ports)" : spanText(ports));
}

function checked(
    ref: RuleRef,
    rule: ConflictNatRule | ConflictLoadBalancingRule,
    ports: PortSpan | undefined,
    portsText: string,
): CheckedRule {
    const members = new Map<string, string>();
    for (const m of rule.members ?? []) members.set(armIdKey(m), m);
    return {
        ref,
        label: `${ref.type} "${ref.name}"`,
        frontendKey: armIdKey(rule.frontendIPConfigurationId),
        frontendName: lastSegment(rule.frontendIPConfigurationId),
        // An unrecognised protocol is compared as Tcp, our default; validation reports it elsewhere.
        protocol: normalizeProtocol(rule.protocol ?? "Tcp") ?? "Tcp",
        ports,
        portsText,
        backendPort: rule.backendPort,
        floatingIP: rule.enableFloatingIP === true,
        poolKey: rule.backendPoolId ? armIdKey(rule.backendPoolId) : undefined,
        poolId: rule.backendPoolId,
        members,
    };
}

function frontendOverlap(a: CheckedRule, b: CheckedRule): FrontendOverlapConflict | undefined {
    if (!a.ports || !b.ports || a.frontendKey !== b.frontendKey || !protocolsOverlap(a.protocol, b.protocol)) return undefined;
    if (!rangesOverlap(a.ports, b.ports)) return undefined;
    const shared = { start: Math.max(a.ports.start, b.ports.start), end: Math.min(a.ports.end, b.ports.end) };
    const fix = b.ref.type === "load-balancing rule"
        ? `move ${a.label}'s frontend port(s) off ${spanText(shared)} (planFrontendPorts or \`azure-nat-rules plan\` with --avoid ${spanText(shared)} does it), ` +
            `change the load-balancing rule's frontend port, or use another frontend IP configuration`
        : `give the two rules disjoint frontend ports (plan them together with planFrontendPorts or \`azure-nat-rules plan\`), ` +
            `or put one of them on another frontend IP configuration`;
    return {
        kind: "frontend-overlap",
        rules: [a.ref, b.ref],
        frontendIPConfigurationId: a.frontendKey,
        ports: shared,
        message: `${a.label} (frontend ${a.frontendName}, ${a.protocol} ${a.portsText}) overlaps ${b.label} (${b.protocol} ${b.portsText}): ` +
            `both take ${shared.start === shared.end ? "port" : "ports"} ${spanText(shared)} on frontend ${a.frontendName}, ` +
            `and Azure rejects rules that share a frontend port. Fix: ${fix}.`,
    };
}

/**
 * Scope of "the same backend port": Azure's documented rules ("Multiple NAT rules can't exist if
 * they ... have the same backend port"; "NAT rules and load balancing rules can't share the same
 * backend port") come from the NAT pool migration page, where every rule targets the same pool, and
 * the ARM error behind them is `RulesUseSameBackendPortProtocolAndIPConfig`: same backend port,
 * protocol and backend IP configuration. So two rules conflict only when they reach a common backend
 * (the same pool id, or a shared member), use the same backend port with overlapping protocols, and
 * not both enable floating IP. Rules whose reach is not given are not compared: two scale sets
 * each with SSH on port 22 behind one load balancer are valid and common.
 */
function backendPortClash(a: CheckedRule, b: CheckedRule): BackendPortConflict | undefined {
    if (a.backendPort !== b.backendPort || !protocolsOverlap(a.protocol, b.protocol)) return undefined;
    if (a.floatingIP && b.floatingIP) return undefined;
    let sharedBackend: string | undefined;
    if (a.poolKey && a.poolKey === b.poolKey) sharedBackend = `pool ${lastSegment(a.poolId as string)}`;
    else for (const [key, member] of a.members) {
        if (b.members.has(key)) {
            sharedBackend = `member ${member}`;
            break;
        }
    }
    if (!sharedBackend) return undefined;
    const floating = a.floatingIP || b.floatingIP
        ? `only ${a.floatingIP ? a.label : b.label} enables floating IP`
        : "neither enables floating IP";
    return {
        kind: "backend-port",
        rules: [a.ref, b.ref],
        backendPort: a.backendPort,
        sharedBackend,
        message: `${a.label} (${a.protocol} backend port ${a.backendPort}) and ${b.label} (${b.protocol} backend port ${b.backendPort}) ` +
            `both reach ${sharedBackend} on the same backend port, and ${floating}: Azure rejects this ` +
            `(RulesUseSameBackendPortProtocolAndIPConfig). Fix: use a different backend port on one of them, ` +
            `or create both with enableFloatingIP: true (it cannot be changed after creation, so the rules must be replaced).`,
    };
}

/**
 * Every conflict among the NAT rules of one load balancer and its load-balancing rules, in this
 * order: frontend overlaps, shared backend ports (both pairwise, in input order, NAT rules first),
 * then the per-load-balancer and per-NIC rule limits. Pairs of two load-balancing rules are not
 * checked: Azure validates those itself and this library does not create them.
 */
export function findConflicts(input: ConflictCheckInput): Conflict[] {
    const nat = input.natRules.map(checkedNatRule);
    const balancing = (input.loadBalancingRules ?? []).map(checkedLoadBalancingRule);
    const overlaps: Conflict[] = [];
    const backends: Conflict[] = [];
    for (let i = 0; i < nat.length; i++) {
        for (const other of [...nat.slice(i + 1), ...balancing]) {
            const overlap = frontendOverlap(nat[i], other);
            if (overlap) overlaps.push(overlap);
            const clash = backendPortClash(nat[i], other);
            if (clash) backends.push(clash);
        }
    }
    return [...overlaps, ...backends, ...ruleLimits(input, nat, balancing)];
}

function ruleLimits(input: ConflictCheckInput, nat: CheckedRule[], balancing: CheckedRule[]): Conflict[] {
    const conflicts: Conflict[] = [];
    const others = input.otherRulesOnLoadBalancer ?? 0;
    const total = nat.length + balancing.length + others;
    if (total > MAX_RULES_PER_LOAD_BALANCER) {
        conflicts.push({
            kind: "load-balancer-rule-limit",
            loadBalancer: input.loadBalancer,
            count: total,
            limit: MAX_RULES_PER_LOAD_BALANCER,
            message: `load balancer "${input.loadBalancer}" has ${total} rules (${nat.length} nat rules, ${balancing.length} load-balancing rules` +
                `${others ? `, ${others} others` : ""}), more than Azure's ${MAX_RULES_PER_LOAD_BALANCER} per Standard load balancer. ` +
                `Fix: serve a whole backend pool with one backend-pool NAT rule instead of one rule per VM, or spread the rules over a second load balancer.`,
        });
    }

    // Count each rule once per NIC, even when it reaches several ipConfigurations of that NIC.
    const nics = new Map<string, { nic: string; rules: RuleRef[] }>();
    for (const rule of [...nat, ...balancing]) {
        const seen = new Set<string>();
        for (const member of rule.members.values()) {
            const nic = nicIdOf(member);
            const key = armIdKey(nic);
            if (seen.has(key)) continue;
            seen.add(key);
            const entry = nics.get(key) ?? { nic, rules: [] };
            entry.rules.push(rule.ref);
            nics.set(key, entry);
        }
    }
    const elsewhere = new Map<string, number>();
    for (const [nic, count] of Object.entries(input.ruleCountsPerNic ?? {})) {
        const key = armIdKey(nicIdOf(nic));
        elsewhere.set(key, (elsewhere.get(key) ?? 0) + count);
        if (!nics.has(key)) nics.set(key, { nic: nicIdOf(nic), rules: [] });
    }
    for (const [key, { nic, rules }] of nics) {
        const extra = elsewhere.get(key) ?? 0;
        const count = rules.length + extra;
        if (count <= MAX_RULES_PER_NIC) continue;
        const shown = rules.slice(0, 10).map((r) => `${r.type} "${r.name}"`).join(", ") + (rules.length > 10 ? `, … (${rules.length - 10} more)` : "");
        conflicts.push({
            kind: "nic-rule-limit",
            nic,
            count,
            limit: MAX_RULES_PER_NIC,
            rules,
            message: `NIC "${nic}" is reached by ${count} rules (${rules.length} listed here${rules.length ? `: ${shown}` : ""}` +
                `${extra ? `; ${extra} others` : ""}), more than Azure's ${MAX_RULES_PER_NIC} per NIC ` +
                `(LoadBalancerRuleCountLimitReachedForNic). Fix: remove rules that reach this NIC, or move some of its workloads to another NIC.`,
        });
    }
    return conflicts;
}

/** Throws `NatRuleConflictError` listing every conflict `findConflicts` finds; returns quietly when there is none. */
export function assertNoConflicts(input: ConflictCheckInput): void {
    const conflicts = findConflicts(input);
    if (conflicts.length > 0) throw new NatRuleConflictError(input.loadBalancer, conflicts);
}
