import * as pulumi from "@pulumi/pulumi";
import {
    findConflicts,
    NatRuleConflictError,
    type Conflict,
    type ConflictLoadBalancingRule,
    type ConflictNatRule,
} from "../core/conflicts";
import { NatRuleValidationError, type ValidationIssue } from "../core/errors";
import { MAX_BACKEND_PORT, MAX_FRONTEND_PORT } from "../core/limits";
import type { PortSpan } from "../core/planner";
import { normalizeProtocol } from "../core/validation";
import { loadBalancerIdIssues, parseLoadBalancerId } from "../rule-pipeline/inputs";
import type { NatLoadBalancingRuleInfo } from "../nat-rule-args";
import { currentMonitor, monitorEndpoint } from "../pulumi-sdk/pulumi-internals";
import { settle, type Settled } from "../pulumi-sdk/settle";


/** What one NAT-rule component tells the registry about its rule. Inputs, resolved by the registry. */
export interface NatRuleDescription {
    /** `SingleVmNatRule "name"`, for error messages. */
    component: string;
    /** The component's name, quoted in conflict messages. */
    name: string;
    loadBalancerId: pulumi.Input<string>;
    frontendIPConfigurationId: pulumi.Input<string>;
    protocol: pulumi.Input<string>;
    backendPort: pulumi.Input<number>;
    enableFloatingIP?: pulumi.Input<boolean>;
    /** A single-VM rule's frontend port. */
    frontendPort?: pulumi.Input<number>;
    /** A backend-pool rule's frontend range. */
    frontendRange?: pulumi.Input<PortSpan>;
    backendPoolId?: pulumi.Input<string>;
    /**
     * Labels of the VMs the rule reaches (`VM web-a`, `scale set "vmss" instance 0`); the same VM must
     * get the same label from every component. Must not depend on this component's own outputs.
     */
    members?: pulumi.Input<string[]>;
    loadBalancingRules?: pulumi.Input<pulumi.Input<NatLoadBalancingRuleInfo>[]>;
}

/** A NAT rule whose values have resolved, as the registry holds it. */
interface ResolvedNatRule {
    /** Compared case-insensitively: the id, or a token standing for an Output not known yet. */
    loadBalancerKey: string;
    loadBalancerName: string;
    rule: ConflictNatRule;
    loadBalancingRules: ConflictLoadBalancingRule[];
}

/** What the NAT rules of one Pulumi program run have told each other (NSG rules: ./security-rule.ts, names: ./name-registry.ts). */
export interface RunRegistry {
    natRules: ResolvedNatRule[];
    /** When a NAT rule was last declared or resolved here (ms since the epoch). */
    lastChange: number;
}

/**
 * One registry per deployment. Every Construct call of a Python, Go or YAML program gets a new
 * resource monitor client from the SDK, so the key is what all of them share: the project, the
 * stack, preview or update, and the monitor's endpoint (a new one for each `pulumi preview` or
 * `up`). Under Pulumi mocks there is no endpoint; each `setMocks` makes a new monitor object, and
 * that object is the key. A module-wide list would leak between such runs and need every caller
 * to remember a reset.
 */
const registries = new WeakMap<object, RunRegistry>();
/** One key object per deployment, so the WeakMaps above and in the name registry take strings too. */
const deploymentKeys = new Map<string, object>();
/** Used only when Pulumi has no monitor (a component built outside any program run). */
const NO_MONITOR = {};

/** The key of the current deployment, shared by every program-wide registry (conflicts, names). */
export function runRegistryKey(): object {
    const monitor = currentMonitor();
    if (!monitor) return NO_MONITOR;
    const endpoint = monitorEndpoint(monitor);
    if (endpoint === undefined) return monitor;
    const key = JSON.stringify([pulumi.getProject(), pulumi.getStack(), pulumi.runtime.isDryRun(), endpoint]);
    let token = deploymentKeys.get(key);
    if (!token) {
        token = {};
        deploymentKeys.set(key, token);
    }
    return token;
}

/** Whether the current deployment talks to a real engine, where components may arrive in separate Construct calls. */
function servedByEngine(): boolean {
    return monitorEndpoint(currentMonitor()) !== undefined;
}

export function currentRun(): RunRegistry {
    const key = runRegistryKey();
    let run = registries.get(key);
    if (!run) {
        run = { natRules: [], lastChange: 0 };
        registries.set(key, run);
    }
    return run;
}

const resetListeners: (() => void)[] = [];
/** Lets another program-wide registry (the names) forget the current run's entries with this one. */
export function onNatRuleRegistryReset(listener: () => void): void {
    resetListeners.push(listener);
}

/**
 * Forgets every rule registered in the current program run. For tests that declare several
 * independent programs under one set of mocks; a new `setMocks` (or a new deployment) starts
 * with an empty registry by itself.
 */
export function resetNatRuleRegistry(): void {
    for (const listener of resetListeners) listener();
    const run = currentRun();
    run.natRules = [];
}

const tokens = new WeakMap<object, string>();
let nextToken = 0;

/**
 * How an id compares while it may be unknown: its value when known; otherwise a token for the
 * Output object itself, since one Output object always resolves to one value (two components
 * given the same `lb.id` are on the same load balancer even before it exists); `undefined` when
 * neither is possible.
 */
export function settledIdKey(input: unknown, settled: Settled<string | undefined>): string | undefined {
    if (settled.state === "known") return typeof settled.value === "string" ? settled.value : undefined;
    if (typeof input !== "object" || input === null) return undefined;
    let token = tokens.get(input);
    if (!token) {
        token = `(an id not known yet #${++nextToken})`;
        tokens.set(input, token);
    }
    return token;
}

/** Lets other rules that resolved at the same moment register before this one checks, so both sides of a conflict see it. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * How long no NAT rule of a deployment may be declared or resolve before its rules are compared.
 * The engine sends each component of a Python or YAML program in its own Construct call, moments
 * apart; without the wait the first of two conflicting rules would pass and be created.
 */
export const CONFLICT_SETTLE_MS = 250;

/** Resolves once the deployment's NAT rules have been still for {@link CONFLICT_SETTLE_MS}. */
async function quiet(run: RunRegistry): Promise<void> {
    for (;;) {
        const left = run.lastChange + CONFLICT_SETTLE_MS - Date.now();
        if (left <= 0) return;
        await new Promise((resolve) => setTimeout(resolve, left));
    }
}

/** Checks of the load-balancing rules a user passes in; returned as issues to join the component's others. */
export function loadBalancingRuleIssues(rules: unknown, loadBalancerId: unknown): ValidationIssue[] {
    if (rules === undefined || pulumi.Output.isInstance(rules) || rules instanceof Promise) return [];
    if (!Array.isArray(rules)) {
        return [{ field: "loadBalancingRules", value: rules, allowed: "a list of { name, frontendIPConfigurationId, frontendPort, backendPort, ... }",
            fix: "pass the load balancer's load-balancing rules as a list" }];
    }
    const issues: ValidationIssue[] = [];
    rules.forEach((rule: unknown, index) => {
        if (rule === undefined || pulumi.Output.isInstance(rule) || rule instanceof Promise) return;
        const field = (name: string) => `loadBalancingRules[${index}].${name}`;
        if (typeof rule !== "object" || rule === null) {
            issues.push({ field: `loadBalancingRules[${index}]`, value: rule, allowed: "an object { name, frontendIPConfigurationId, frontendPort, backendPort, ... }",
                fix: "describe the load-balancing rule with its name, frontend and ports" });
            return;
        }
        const r = rule as Record<string, unknown>;
        const known = (v: unknown) => v !== undefined && !pulumi.Output.isInstance(v) && !(v instanceof Promise);
        if (known(r.name) || r.name === undefined) {
            if (typeof r.name !== "string" || r.name.trim() === "") {
                issues.push({ field: field("name"), value: r.name, allowed: "a non-empty string", fix: "give the rule's name, as Azure shows it" });
            }
        }
        if (r.frontendIPConfigurationId === undefined) {
            issues.push({ field: field("frontendIPConfigurationId"), value: undefined, allowed: "the ARM id of a frontend IP configuration of this load balancer",
                fix: "pass the rule's frontendIPConfiguration id" });
        } else if (known(r.frontendIPConfigurationId)) {
            if (typeof r.frontendIPConfigurationId !== "string") {
                issues.push({ field: field("frontendIPConfigurationId"), value: r.frontendIPConfigurationId, allowed: "an ARM id string",
                    fix: "pass the rule's frontendIPConfiguration id" });
            } else if (typeof loadBalancerId === "string" && parseLoadBalancerId(loadBalancerId)) {
                // A rule of another load balancer can't conflict with ours; passing one is a mistake.
                issues.push(...loadBalancerIdIssues(loadBalancerId, [
                    { field: field("frontendIPConfigurationId"), id: r.frontendIPConfigurationId, collection: "frontendIPConfigurations" },
                ]));
            }
        }
        // `undefined` while the protocol is an Output, checked once it resolves.
        const protocol = r.protocol === undefined ? "Tcp" : known(r.protocol) ? normalizeProtocol(r.protocol) : undefined;
        if (known(r.protocol) && !protocol) {
            issues.push({ field: field("protocol"), value: r.protocol, allowed: '"Tcp", "Udp" or "All" (any casing)', fix: "use the rule's transport protocol" });
        }
        for (const [name, max] of [["frontendPort", MAX_FRONTEND_PORT], ["backendPort", MAX_BACKEND_PORT]] as const) {
            const v = r[name];
            if (v !== undefined && !known(v)) continue;
            if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) {
                issues.push({ field: field(name), value: v, allowed: `an integer from 0 to ${max} (0 only for an HA-ports rule)`, fix: `give the rule's ${name}` });
            }
        }
        if (r.frontendPort === 0 && protocol && protocol !== "All") {
            issues.push({ field: field("frontendPort"), value: 0, allowed: 'a port from 1, or 0 with protocol "All" (HA ports)',
                fix: 'give the rule\'s frontend port, or set protocol "All" for an HA-ports rule' });
        }
        if (r.enableFloatingIP !== undefined && known(r.enableFloatingIP) && typeof r.enableFloatingIP !== "boolean") {
            issues.push({ field: field("enableFloatingIP"), value: r.enableFloatingIP, allowed: "true or false", fix: "give the rule's floating IP setting" });
        }
    });
    return issues;
}

/** Reduces a settled input to its value, or `undefined` when unknown or failed. */
const valueOf = <T>(s: Settled<T>): T | undefined => (s.state === "known" ? s.value : undefined);

/**
 * Registers a NAT rule of this program and checks it, once its values resolve, against every
 * other NAT rule of the program on the same load balancer and every load-balancing rule any of
 * them was given. Resolves to `true`, or fails with `NatRuleConflictError` (or a
 * `NatRuleValidationError` for bad load-balancing rules); chain it into the rule's inputs so a
 * conflicting rule is never created.
 *
 * Each rule checks against those that have resolved before it (after letting the ones resolving
 * at the same moment register), so of any conflicting pair at least the later one fails, and in
 * the usual case, where both resolve together, both do. Nothing here waits for another
 * component, so rules that depend on each other's outputs (a VM's NIC on a single-VM rule, and
 * that VM in a backend-pool rule) can't deadlock. What is unknown in preview is compared where it
 * can be (an unknown id by its Output object) and otherwise checked at `pulumi up`, still before
 * the rule is created.
 */
export function checkNatRuleConflicts(description: NatRuleDescription): pulumi.Output<boolean> {
    const run = currentRun();
    run.lastChange = Date.now();
    return pulumi.output(checkWhenResolved(run, description));
}

async function checkWhenResolved(run: RunRegistry, d: NatRuleDescription): Promise<boolean> {
    const [lbId, frontendId, protocol, backendPort, floating, frontendPort, range, poolId, members, lbRules] = await Promise.all([
        settle<string>(d.loadBalancerId),
        settle<string>(d.frontendIPConfigurationId),
        settle<string>(d.protocol),
        settle<number>(d.backendPort),
        settle<boolean>(d.enableFloatingIP),
        settle<number>(d.frontendPort),
        settle<PortSpan>(d.frontendRange),
        settle<string>(d.backendPoolId),
        settle<string[]>(d.members),
        settle(d.loadBalancingRules === undefined ? undefined : pulumi.output(d.loadBalancingRules)),
    ]);
    // A failed input fails the rule by itself; without the load balancer, protocol, backend port
    // and floating IP nothing can be compared soundly.
    const loadBalancerKey = settledIdKey(d.loadBalancerId, lbId);
    const normalized = normalizeProtocol(valueOf(protocol));
    const port = valueOf(backendPort);
    if (!loadBalancerKey || !normalized || typeof port !== "number" || floating.state !== "known") return true;

    const lbIdValue = valueOf(lbId);
    const lbRuleList = (valueOf(lbRules) ?? []) as NatLoadBalancingRuleInfo[];
    const late = loadBalancingRuleIssues(lbRuleList, lbIdValue);
    if (late.length > 0) throw new NatRuleValidationError(d.component, late);

    const span = valueOf(range);
    const self: ResolvedNatRule = {
        loadBalancerKey: loadBalancerKey.toLowerCase(),
        loadBalancerName: (typeof lbIdValue === "string" ? parseLoadBalancerId(lbIdValue)?.loadBalancerName : undefined) ?? "(not created yet)",
        rule: {
            name: d.name,
            frontendIPConfigurationId: settledIdKey(d.frontendIPConfigurationId, frontendId) ?? "(unknown frontend)",
            protocol: normalized,
            frontendPort: valueOf(frontendPort) ?? undefined,
            range: span ? { start: span.start, end: span.end } : undefined,
            backendPort: port,
            enableFloatingIP: valueOf(floating) === true,
            backendPoolId: settledIdKey(d.backendPoolId, poolId),
            members: valueOf(members) ?? [],
        },
        loadBalancingRules: lbRuleList.map((r) => ({
            name: r.name,
            frontendIPConfigurationId: r.frontendIPConfigurationId,
            protocol: normalizeProtocol(r.protocol ?? "Tcp"),
            frontendPort: r.frontendPort,
            backendPort: r.backendPort,
            enableFloatingIP: r.enableFloatingIP === true,
            backendPoolId: r.backendAddressPoolId,
        })),
    };
    run.natRules.push(self);
    run.lastChange = Date.now();
    await nextTurn();
    if (servedByEngine()) await quiet(run);

    const conflicts = conflictsOf(run, self);
    if (conflicts.length > 0) throw new NatRuleConflictError(self.loadBalancerName, conflicts);
    return true;
}

/** The conflicts on `self`'s load balancer that involve `self` (pairs it is part of, and the limits it helps exceed). */
function conflictsOf(run: RunRegistry, self: ResolvedNatRule): Conflict[] {
    const byLoadBalancer = new Map<string, ResolvedNatRule[]>();
    for (const r of run.natRules) byLoadBalancer.set(r.loadBalancerKey, [...(byLoadBalancer.get(r.loadBalancerKey) ?? []), r]);
    const here = byLoadBalancer.get(self.loadBalancerKey) ?? [self];

    // Names must be unique in one check; a single-VM and a backend-pool component may share one.
    const counts = new Map<string, number>();
    for (const r of here) counts.set(r.rule.name, (counts.get(r.rule.name) ?? 0) + 1);
    const names = new Map<ResolvedNatRule, string>();
    here.forEach((r, i) => names.set(r, (counts.get(r.rule.name) ?? 0) > 1 ? `${r.rule.name} #${i + 1}` : r.rule.name));

    // Rules reaching each member on the other load balancers count toward the same per-NIC limit.
    const ruleCountsPerNic: Record<string, number> = {};
    for (const [key, rules] of byLoadBalancer) {
        if (key === self.loadBalancerKey) continue;
        for (const rule of [...rules.map((r) => r.rule), ...loadBalancingRulesOf(rules)]) {
            for (const member of new Set((rule.members ?? []).map((m) => m.toLowerCase()))) ruleCountsPerNic[member] = (ruleCountsPerNic[member] ?? 0) + 1;
        }
    }

    const selfName = names.get(self) as string;
    const all = findConflicts({
        loadBalancer: self.loadBalancerName,
        natRules: here.map((r) => ({ ...r.rule, name: names.get(r) as string })),
        loadBalancingRules: loadBalancingRulesOf(here),
        ruleCountsPerNic,
    });
    const isSelf = (ref: { type: string; name: string }) => ref.type === "nat rule" && ref.name === selfName;
    return all.filter((c) => {
        switch (c.kind) {
            case "frontend-overlap":
            case "backend-port":
                return c.rules.some(isSelf);
            case "nic-rule-limit":
                return c.rules.some(isSelf);
            case "load-balancer-rule-limit":
                return true;
        }
    });
}

/**
 * The load-balancing rules given by any component on one load balancer, each once (by name), with
 * the members of their pool as far as the NAT rules on that pool know them.
 */
function loadBalancingRulesOf(rules: readonly ResolvedNatRule[]): ConflictLoadBalancingRule[] {
    const membersByPool = new Map<string, Set<string>>();
    for (const r of rules) {
        if (!r.rule.backendPoolId) continue;
        const key = r.rule.backendPoolId.toLowerCase();
        const set = membersByPool.get(key) ?? new Set<string>();
        for (const m of r.rule.members ?? []) set.add(m);
        membersByPool.set(key, set);
    }
    const byName = new Map<string, ConflictLoadBalancingRule>();
    for (const r of rules) {
        for (const lbRule of r.loadBalancingRules) {
            const key = lbRule.name.toLowerCase();
            if (byName.has(key)) continue;
            const members = lbRule.backendPoolId ? [...(membersByPool.get(lbRule.backendPoolId.toLowerCase()) ?? [])] : [];
            byName.set(key, { ...lbRule, members });
        }
    }
    return [...byName.values()];
}
