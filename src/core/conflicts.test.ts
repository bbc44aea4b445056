import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
    assertNoConflicts,
    findConflicts,
    NatRuleConflictError,
    type ConflictLoadBalancingRule,
    type ConflictNatRule,
} from "./conflicts";
import { AzureNatRulesError } from "./errors";
import { MAX_RULES_PER_LOAD_BALANCER, MAX_RULES_PER_NIC } from "./limits";
import { FrontendPlanError, planFrontendPorts } from "./planner";

const LB = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
const FE = `${LB}/frontendIPConfigurations/fe`;
const FE2 = `${LB}/frontendIPConfigurations/fe2`;
const POOL = `${LB}/backendAddressPools/linux`;
const OTHER_POOL = `${LB}/backendAddressPools/windows`;
const nicConfig = (nic: string, config = "ipconfig1") =>
    `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/${nic}/ipConfigurations/${config}`;

const nat = (name: string, extra: Partial<ConflictNatRule>): ConflictNatRule =>
    ({ name, frontendIPConfigurationId: FE, protocol: "Tcp", backendPort: 22, ...extra });
const balancing = (name: string, extra: Partial<ConflictLoadBalancingRule>): ConflictLoadBalancingRule =>
    ({ name, frontendIPConfigurationId: FE, protocol: "Tcp", frontendPort: 80, backendPort: 80, ...extra });

describe("findConflicts: frontend ports", () => {
    it("finds a port of one rule inside another's range on the same frontend and protocol, naming both sides", () => {
        const conflicts = findConflicts({ loadBalancer: "lb", natRules: [
            nat("ssh", { range: { start: 50000, end: 50099 } }),
            nat("admin", { frontendPort: 50050, backendPort: 8443 }),
        ] });
        expect(conflicts).toHaveLength(1);
        expect(conflicts[0]).toMatchObject({ kind: "frontend-overlap", ports: { start: 50050, end: 50050 },
            rules: [{ type: "nat rule", name: "ssh" }, { type: "nat rule", name: "admin" }] });
        expect(conflicts[0].message).toMatch(/^nat rule "ssh" \(frontend fe, Tcp 50000-50099\) overlaps nat rule "admin" \(Tcp 50050\): .* Fix: /);
    });

    it("separates frontends and protocols, treats All as both, and compares ARM ids case-insensitively", () => {
        const check = (a: Partial<ConflictNatRule>, b: Partial<ConflictNatRule>) =>
            findConflicts({ loadBalancer: "lb", natRules: [nat("a", { range: { start: 100, end: 199 }, ...a }), nat("b", { frontendPort: 150, backendPort: 23, ...b })] })
                .filter((c) => c.kind === "frontend-overlap").length;
        expect(check({}, {})).toBe(1);
        expect(check({}, { frontendIPConfigurationId: FE2 })).toBe(0);
        expect(check({}, { frontendIPConfigurationId: FE.toUpperCase() })).toBe(1);
        expect(check({ protocol: "Tcp" }, { protocol: "Udp" })).toBe(0);
        expect(check({ protocol: "All" }, { protocol: "Udp" })).toBe(1);
        expect(check({}, { frontendPort: 200 })).toBe(0);
        expect(check({}, { frontendPort: 0, range: { start: 199, end: 300 } })).toBe(1); // a GET's frontendPort 0 means "unset"
    });

    it("finds a load-balancing rule's frontend port inside a NAT range, and an HA-ports rule overlapping everything", () => {
        const conflicts = findConflicts({ loadBalancer: "lb",
            natRules: [nat("ssh", { range: { start: 1, end: 100 } })],
            loadBalancingRules: [balancing("http", { frontendPort: 80, backendPort: 80 }), balancing("ha", { protocol: "All", frontendPort: 0, backendPort: 0 })],
        });
        expect(conflicts.map((c) => c.kind === "frontend-overlap" && c.rules[1].name)).toEqual(["http", "ha"]);
        expect(conflicts[0].message).toMatch(/^nat rule "ssh" .* overlaps load-balancing rule "http" \(Tcp 80\): .*--avoid 80/);
    });

    it("agrees with the planner: ranges it plans around load-balancing ports never overlap anything", () => {
        fc.assert(fc.property(
            fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 6 }),
            fc.uniqueArray(fc.integer({ min: 40000, max: 41000 }), { maxLength: 5 }),
            (sizes, lbPorts) => {
                let plan;
                try {
                    plan = planFrontendPorts({ frontendStart: 40000, rules: sizes.map((n, i) => ({ name: `r${i}`, backendPort: 1000 + i, maxInstances: n })),
                        avoid: lbPorts.map((p) => ({ start: p, end: p })) });
                } catch (err) {
                    expect(err).toBeInstanceOf(FrontendPlanError);
                    return;
                }
                const natRules = plan.rules.map((r) => nat(r.name, { range: r, backendPort: r.backendPort }));
                const overlapsIfShifted = findConflicts({ loadBalancer: "lb", natRules: natRules.map((r) => ({ ...r, range: { start: r.range!.start, end: r.range!.end + 1 } })) });
                const loadBalancingRules = lbPorts.map((p, i) => balancing(`lb${i}`, { frontendPort: p, backendPort: 2000 + i }));
                expect(findConflicts({ loadBalancer: "lb", natRules, loadBalancingRules })).toEqual([]);
                // The check is tight: growing every range by one port collides with the next packed range or LB port, if any.
                if (natRules.length > 1 && plan.rules.some((a) => plan.rules.some((b) => b.start === a.end + 1))) {
                    expect(overlapsIfShifted.length).toBeGreaterThan(0);
                }
            },
        ));
    });
});

describe("findConflicts: backend ports", () => {
    it("flags two rules reaching the same pool on the same backend port and protocol", () => {
        const conflicts = findConflicts({ loadBalancer: "lb",
            natRules: [nat("ssh", { range: { start: 50000, end: 50099 }, backendPoolId: POOL })],
            loadBalancingRules: [balancing("sftp", { frontendPort: 22, backendPort: 22, backendPoolId: POOL.toLowerCase() })],
        });
        expect(conflicts).toHaveLength(1);
        expect(conflicts[0]).toMatchObject({ kind: "backend-port", backendPort: 22, sharedBackend: "pool linux" });
        expect(conflicts[0].message).toMatch(/^nat rule "ssh" \(Tcp backend port 22\) and load-balancing rule "sftp" \(Tcp backend port 22\) both reach pool linux.*Fix: .*enableFloatingIP/);
    });

    it("scopes the check to a shared backend: different pools or unknown reach do not clash, a shared member does", () => {
        const pair = (a: Partial<ConflictNatRule>, b: Partial<ConflictNatRule>) =>
            findConflicts({ loadBalancer: "lb", natRules: [nat("a", { range: { start: 1000, end: 1099 }, ...a }), nat("b", { range: { start: 2000, end: 2099 }, ...b })] })
                .filter((c) => c.kind === "backend-port").length;
        expect(pair({ backendPoolId: POOL }, { backendPoolId: POOL })).toBe(1);
        expect(pair({ backendPoolId: POOL }, { backendPoolId: OTHER_POOL })).toBe(0);
        expect(pair({}, {})).toBe(0);
        expect(pair({ backendPoolId: POOL }, { members: [nicConfig("vm1")] })).toBe(0);
        expect(pair({ members: [nicConfig("vm0"), nicConfig("vm1")] }, { members: [nicConfig("VM1")] })).toBe(1);
        expect(pair({ backendPoolId: POOL }, { backendPoolId: POOL, backendPort: 23 })).toBe(0);
        expect(pair({ backendPoolId: POOL, protocol: "Udp" }, { backendPoolId: POOL })).toBe(0);
        expect(pair({ backendPoolId: POOL, protocol: "All" }, { backendPoolId: POOL })).toBe(1);
    });

    it("lets floating IP on both rules share a backend port, but not on one only", () => {
        const pair = (a: boolean, b: boolean) => findConflicts({ loadBalancer: "lb", natRules: [
            nat("a", { frontendPort: 1, backendPoolId: POOL, enableFloatingIP: a }),
            nat("b", { frontendPort: 2, backendPoolId: POOL, enableFloatingIP: b }),
        ] });
        expect(pair(true, true)).toEqual([]);
        expect(pair(true, false)[0].message).toMatch(/only nat rule "a" enables floating IP/);
        expect(pair(false, false)[0].message).toMatch(/neither enables floating IP/);
    });
});

describe("findConflicts: limits", () => {
    const manyRules = (n: number, extra: (i: number) => Partial<ConflictNatRule> = () => ({})) =>
        Array.from({ length: n }, (_, i) => nat(`r${i}`, { frontendPort: i + 1, backendPort: i + 1, ...extra(i) }));

    it("flags more than 1,500 rules on one load balancer, counting load-balancing and unlisted rules", () => {
        const limit = (n: number, others?: number) => findConflicts({ loadBalancer: "lb", natRules: manyRules(n), otherRulesOnLoadBalancer: others,
            loadBalancingRules: [balancing("http", { frontendIPConfigurationId: FE2 })] }).filter((c) => c.kind === "load-balancer-rule-limit");
        expect(limit(MAX_RULES_PER_LOAD_BALANCER - 1)).toEqual([]);
        expect(limit(MAX_RULES_PER_LOAD_BALANCER)).toMatchObject([{ count: MAX_RULES_PER_LOAD_BALANCER + 1, limit: MAX_RULES_PER_LOAD_BALANCER }]);
        expect(limit(10, MAX_RULES_PER_LOAD_BALANCER - 11)).toEqual([]);
        expect(limit(10, MAX_RULES_PER_LOAD_BALANCER - 10)[0].message).toMatch(/^load balancer "lb" has 1501 rules \(10 nat rules, 1 load-balancing rules, 1490 others\), more than Azure's 1500/);
    });

    it("flags more than 300 rules on one NIC, counting a rule once per NIC across its ipConfigurations", () => {
        const reachBoth = () => ({ members: [nicConfig("vm0", "a"), nicConfig("vm0", "b"), nicConfig("vm1")] });
        const nicLimits = (n: number, counts?: Record<string, number>) => findConflicts({ loadBalancer: "lb", natRules: manyRules(n, reachBoth), ruleCountsPerNic: counts })
            .filter((c) => c.kind === "nic-rule-limit");
        expect(nicLimits(MAX_RULES_PER_NIC)).toEqual([]);
        const over = nicLimits(MAX_RULES_PER_NIC + 1);
        expect(over.map((c) => c.kind === "nic-rule-limit" && [c.nic.split("/").pop(), c.count, c.rules.length])).toEqual([
            ["vm0", MAX_RULES_PER_NIC + 1, MAX_RULES_PER_NIC + 1],
            ["vm1", MAX_RULES_PER_NIC + 1, MAX_RULES_PER_NIC + 1],
        ]);
        expect(over[0].message).toMatch(/^NIC ".*\/vm0" is reached by 301 rules \(301 listed here: nat rule "r0", .*… \(291 more\)\), more than Azure's 300 per NIC/);
        const withOthers = nicLimits(10, { [nicConfig("vm1", "other")]: MAX_RULES_PER_NIC - 9 });
        expect(withOthers.map((c) => c.kind === "nic-rule-limit" && c.nic.split("/").pop())).toEqual(["vm1"]);
        expect(withOthers[0].message).toMatch(/; 291 others\)/);
    });
});

describe("assertNoConflicts", () => {
    it("returns quietly without conflicts and otherwise throws one error listing every conflict", () => {
        expect(() => assertNoConflicts({ loadBalancer: "lb", natRules: [nat("a", { frontendPort: 1 }), nat("b", { frontendPort: 2, backendPort: 23 })] })).not.toThrow();
        let err: unknown;
        try {
            assertNoConflicts({ loadBalancer: "lb", natRules: [
                nat("a", { range: { start: 1, end: 10 }, backendPoolId: POOL }),
                nat("b", { range: { start: 5, end: 20 }, backendPoolId: POOL }),
            ] });
        } catch (e) {
            err = e;
        }
        expect(err).toBeInstanceOf(NatRuleConflictError);
        expect(err).toBeInstanceOf(AzureNatRulesError);
        const e = err as NatRuleConflictError;
        expect(e.conflicts.map((c) => c.kind)).toEqual(["frontend-overlap", "backend-port"]);
        expect(e.message.split("\n")[0]).toBe('load balancer "lb": 2 conflicts:');
        for (const line of e.message.split("\n").slice(1)) expect(line).toMatch(/nat rule "a".*nat rule "b"/);
    });
});
