import { beforeEach, describe, expect, it } from "vitest";
import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import { echoMocks, registrationErrors } from "../src/testing/pulumi/component-test-helpers";
import { BackendPoolNatRule, NatRuleConflictError, SingleVmNatRule, type NatLoadBalancingRuleInfo } from "../src";
import type { Conflict } from "../src/core";
import { MAX_RULES_PER_LOAD_BALANCER, MAX_RULES_PER_NIC } from "../src/core/limits";

// Preview: every check must fail `pulumi preview`, before any rule is sent anywhere. Each test is
// a program run of its own (new mocks, so a new resource monitor): no registry reset is needed.
let mocks = echoMocks(true);
beforeEach(async () => {
    mocks = echoMocks(true);
    await mocks.ready;
});

const lbId = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
const fe = `${lbId}/frontendIPConfigurations/fe`;
const pool = `${lbId}/backendAddressPools/pool`;
const base = { loadBalancerId: lbId, frontendIPConfigurationId: fe };
// These checks need no read of Azure's mappings, and echo mocks have no Azure to read (the read would only warn).
const poolBase = { ...base, readAzureMappings: false };
const registered = (name: string) => mocks.registered.some((r) => r.name === name);

/**
 * The conflicts of every NatRuleConflictError among `errors`, each once, and the error messages.
 * Pulumi reports one failed Output through several of its promises, so errors repeat.
 */
function conflictsIn(errors: Error[]): { conflicts: Conflict[]; text: string } {
    const unique = [...new Map(errors.map((e) => [e.message, e])).values()];
    const conflicts = [...new Map(unique
        .filter((e): e is NatRuleConflictError => e instanceof NatRuleConflictError)
        .flatMap((e) => [...e.conflicts])
        .map((c) => [c.message, c])).values()];
    return { conflicts, text: unique.map((e) => e.message).join("\n") };
}

describe("conflict checks in preview", () => {
    it("fail on overlapping frontends of a single-VM and a backend-pool rule, naming both, and create neither", async () => {
        const errors = await registrationErrors(() => {
            new SingleVmNatRule("vm-admin", { ...base, frontendPort: 50005, backendPort: 2222 });
            new BackendPoolNatRule("pool-ssh", { ...poolBase, backendAddressPoolId: pool, frontendPortRangeStart: 50000, maxInstances: 10, backendPort: 22, virtualMachineNames: ["a", "b"] });
        });
        const { conflicts, text } = conflictsIn(errors);
        expect(conflicts.map((c) => c.kind)).toContain("frontend-overlap");
        expect(text).toMatch(/nat rule "vm-admin" .*overlaps nat rule "pool-ssh"|nat rule "pool-ssh" .*overlaps nat rule "vm-admin"/);
        expect(text).toMatch(/port 50005 on frontend fe/);
        expect(registered("vm-admin-rule")).toBe(false);
        expect(registered("pool-ssh-rule")).toBe(false);
    });

    it("fail on a NAT range over a load-balancing rule's frontend port", async () => {
        const web: NatLoadBalancingRuleInfo = { name: "web", frontendIPConfigurationId: fe, frontendPort: 50003, backendPort: 80, backendAddressPoolId: pool };
        const errors = await registrationErrors(() => {
            new BackendPoolNatRule("ssh", { ...poolBase, backendAddressPoolId: pool, frontendPortRangeStart: 50000, maxInstances: 10, backendPort: 22,
                virtualMachineNames: ["a"], loadBalancingRules: [web] });
        });
        const { conflicts, text } = conflictsIn(errors);
        expect(conflicts.map((c) => c.kind)).toEqual(["frontend-overlap"]);
        expect(text).toMatch(/nat rule "ssh" .* overlaps load-balancing rule "web" .*port 50003/);
        expect(registered("ssh-rule")).toBe(false);
    });

    it("fail on two NAT rules with one backend port on the same pool, and on the same VM", async () => {
        const errors = await registrationErrors(() => {
            new BackendPoolNatRule("ssh-a", { ...poolBase, backendAddressPoolId: pool, frontendPortRangeStart: 50000, maxInstances: 10, backendPort: 22, virtualMachineNames: ["web-a", "web-b"] });
            new BackendPoolNatRule("ssh-b", { ...poolBase, backendAddressPoolId: pool, frontendPortRangeStart: 51000, maxInstances: 10, backendPort: 22, virtualMachineNames: ["web-a", "web-b"] });
            new SingleVmNatRule("ssh-web-a", { ...base, frontendPort: 52000, backendPort: 22, vmName: "web-a" });
        });
        const { conflicts, text } = conflictsIn(errors);
        expect(conflicts.every((c) => c.kind === "backend-port")).toBe(true);
        expect(text).toMatch(/nat rule "ssh-a" \(Tcp backend port 22\) and nat rule "ssh-b" \(Tcp backend port 22\) both reach pool pool/);
        expect(text).toMatch(/nat rule "ssh-web-a" .* and nat rule "ssh-a" .* both reach member VM web-a|nat rule "ssh-a" .* and nat rule "ssh-web-a" .* both reach member VM web-a/);
        for (const name of ["ssh-a-rule", "ssh-b-rule", "ssh-web-a-rule"]) expect(registered(name)).toBe(false);
    });

    it("fail on a NAT rule and a load-balancing rule sharing a backend port without floating IP", async () => {
        const lbRule = (enableFloatingIP: boolean): NatLoadBalancingRuleInfo =>
            ({ name: "ssh-lb", frontendIPConfigurationId: fe, frontendPort: 22, backendPort: 22, backendAddressPoolId: pool, enableFloatingIP });
        const errors = await registrationErrors(() => {
            new BackendPoolNatRule("ssh", { ...poolBase, backendAddressPoolId: pool, frontendPortRangeStart: 50000, maxInstances: 10, backendPort: 22,
                virtualMachineNames: ["a"], loadBalancingRules: [lbRule(false)] });
        });
        const { conflicts, text } = conflictsIn(errors);
        expect(conflicts.map((c) => c.kind)).toEqual(["backend-port"]);
        expect(text).toMatch(/nat rule "ssh" .* and load-balancing rule "ssh-lb" .* neither enables floating IP/);
        expect(registered("ssh-rule")).toBe(false);
    });

    it("pass a NAT rule and a load-balancing rule sharing a backend port when both enable floating IP", async () => {
        const lbRule = (enableFloatingIP: boolean): NatLoadBalancingRuleInfo =>
            ({ name: "ssh-lb", frontendIPConfigurationId: fe, frontendPort: 22, backendPort: 22, backendAddressPoolId: pool, enableFloatingIP });
        const floating = await registrationErrors(() => {
            new BackendPoolNatRule("ssh-floating", { ...poolBase, backendAddressPoolId: pool, frontendPortRangeStart: 50000, maxInstances: 10, backendPort: 22,
                enableFloatingIP: true, virtualMachineNames: ["a"], loadBalancingRules: [lbRule(true)] });
        });
        expect(floating).toEqual([]);
        expect(registered("ssh-floating-rule")).toBe(true);
    });

    it(`fail when the load balancer would hold more than ${MAX_RULES_PER_LOAD_BALANCER} rules`, async () => {
        // Load-balancing rules without a pool on ports 1..1500: they only count.
        const lbRules = Array.from({ length: MAX_RULES_PER_LOAD_BALANCER }, (_, i): NatLoadBalancingRuleInfo =>
            ({ name: `lb-${i + 1}`, frontendIPConfigurationId: fe, frontendPort: i + 1, backendPort: i + 1 }));
        const errors = await registrationErrors(() => {
            new SingleVmNatRule("one-too-many", { ...base, frontendPort: 60000, backendPort: 60000, loadBalancingRules: lbRules });
        });
        const { conflicts, text } = conflictsIn(errors);
        expect(conflicts).toEqual([expect.objectContaining({ kind: "load-balancer-rule-limit", count: MAX_RULES_PER_LOAD_BALANCER + 1 })]);
        expect(text).toMatch(/load balancer "lb" has 1501 rules \(1 nat rules, 1500 load-balancing rules\)/);
        expect(registered("one-too-many-rule")).toBe(false);
    });

    it(`fail when a scale-set instance would be reached by more than ${MAX_RULES_PER_NIC} rules`, async () => {
        // 300 load-balancing rules on the pool reach each instance, and the NAT rule makes 301. The
        // scale set is one member standing for each instance: every instance gets the same rules,
        // and the check must not wait for the plan (which waits for the read of Azure's mappings).
        const lbRules = Array.from({ length: MAX_RULES_PER_NIC }, (_, i): NatLoadBalancingRuleInfo =>
            ({ name: `app-${i}`, frontendIPConfigurationId: fe, frontendPort: 1000 + i, backendPort: 1000 + i, backendAddressPoolId: pool }));
        const errors = await registrationErrors(() => {
            const vmss = new compute.VirtualMachineScaleSet("vmss", { resourceGroupName: "rg", sku: { capacity: 2 }, overprovision: false });
            new BackendPoolNatRule("ssh", { ...poolBase, backendAddressPoolId: pool, frontendPortRangeStart: 50000, maxInstances: 10, backendPort: 22, scaleSet: vmss, loadBalancingRules: lbRules });
        });
        const { conflicts, text } = conflictsIn(errors);
        expect(conflicts.map((c) => [c.kind, "nic" in c ? c.nic : ""])).toEqual([
            ["nic-rule-limit", 'scale set "vmss" (each instance)'],
        ]);
        expect(text).toMatch(/is reached by 301 rules .*nat rule "ssh"/);
        expect(registered("ssh-rule")).toBe(false);
    });

    it("compare ids not known yet by their Output: two rules on one new load balancer still fail", async () => {
        const errors = await registrationErrors(() => {
            // In preview a new load balancer's ids are unknown; both rules get the same Outputs.
            const lb = new network.LoadBalancer("new-lb", { resourceGroupName: "rg", frontendIPConfigurations: [{ name: "fe" }] });
            const frontendId = lb.frontendIPConfigurations.apply((f) => f![0].id!);
            new SingleVmNatRule("new-a", { loadBalancerId: lb.id, frontendIPConfigurationId: frontendId, frontendPort: 50001, backendPort: 22 });
            new SingleVmNatRule("new-b", { loadBalancerId: lb.id, frontendIPConfigurationId: frontendId, frontendPort: 50001, backendPort: 2222 });
        });
        expect(conflictsIn(errors).text).toMatch(/nat rule "new-a" .* overlaps nat rule "new-b"/);
        expect(registered("new-a-rule") || registered("new-b-rule")).toBe(false);
    });

    it("pass rules that share nothing Azure forbids: other protocol, other frontend, other load balancer", async () => {
        const otherLb = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb2";
        const errors = await registrationErrors(() => {
            new SingleVmNatRule("tcp", { ...base, frontendPort: 50001, backendPort: 22 });
            new SingleVmNatRule("udp", { ...base, frontendPort: 50001, backendPort: 22, protocol: "Udp" });
            new SingleVmNatRule("other-fe", { ...base, frontendIPConfigurationId: `${lbId}/frontendIPConfigurations/fe2`, frontendPort: 50001, backendPort: 22 });
            new SingleVmNatRule("other-lb", { loadBalancerId: otherLb, frontendIPConfigurationId: `${otherLb}/frontendIPConfigurations/fe`, frontendPort: 50001, backendPort: 22 });
        });
        expect(errors).toEqual([]);
        for (const name of ["tcp", "udp", "other-fe", "other-lb"]) expect(registered(`${name}-rule`)).toBe(true);
    });

    it("reject a load-balancing rule of another load balancer before registering anything", () => {
        const before = mocks.registered.length;
        expect(() => new SingleVmNatRule("stray", { ...base, frontendPort: 50001, backendPort: 22,
            loadBalancingRules: [{ name: "x", frontendIPConfigurationId: `${lbId}2/frontendIPConfigurations/fe`, frontendPort: 80, backendPort: 80 }] }))
            .toThrow(/loadBalancingRules\[0\]\.frontendIPConfigurationId = .*allowed is an id under .*loadBalancers\/lb\/frontendIPConfigurations\//);
        expect(mocks.registered.length).toBe(before);
    });

    it("keep each program run's rules apart: a new deployment does not see the last one's", async () => {
        const first = await registrationErrors(() => new SingleVmNatRule("run1", { ...base, frontendPort: 50001, backendPort: 22 }));
        expect(first).toEqual([]);
        // A new set of mocks is a new program run (a new resource monitor), with no reset in between.
        mocks = echoMocks(true);
        await mocks.ready;
        const second = await registrationErrors(() => new SingleVmNatRule("run2", { ...base, frontendPort: 50001, backendPort: 22 }));
        expect(second).toEqual([]);
        expect(registered("run2-rule")).toBe(true);
    });
});
