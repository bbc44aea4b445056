import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { echoMocks, known, registrationErrors } from "../src/testing/pulumi/component-test-helpers";
import { BackendPoolNatRule, NatRuleValidationError, SingleVmNatRule } from "../src";

// Each test is a program run of its own (new mocks, so a new resource monitor and registry).
let mocks = echoMocks(false);
beforeEach(async () => {
    mocks = echoMocks(false);
    await mocks.ready;
});
afterEach(() => vi.restoreAllMocks());

const lbId = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
const fe = `${lbId}/frontendIPConfigurations/fe`;
const pool = `${lbId}/backendAddressPools/pool`;
const nsgId = "/subscriptions/sub/resourceGroups/net-rg/providers/Microsoft.Network/networkSecurityGroups/app-nsg";
const vm = { loadBalancerId: lbId, frontendIPConfigurationId: fe, networkSecurityGroupId: nsgId };
const inputsOf = (name: string) => mocks.registered.find((r) => r.name === name)?.inputs;

describe("NSG rule of a NAT-rule component", () => {
    it("allows exactly the backend port and protocol from exactly the given prefixes, in the NSG's group, as a child", async () => {
        const r = new SingleVmNatRule("admin", { ...vm, frontendPort: 50022, backendPort: 22, allowedSourceAddressPrefixes: ["203.0.113.0/24"],
            existingSecurityRulePriorities: [1000, 1010] });
        await known(r.securityRule!.id);
        expect(await known(r.securityRuleName)).toBe("admin-allow");
        expect(await known(r.securityRulePriority)).toBe(1020);
        expect(await known(r.securityRule!.urn)).toMatch(/azure-nat-rules:index:SingleVmNatRule\$azure-native:network:SecurityRule::admin-allow$/);
        expect(inputsOf("admin-allow")).toEqual({
            resourceGroupName: "net-rg",
            networkSecurityGroupName: "app-nsg",
            securityRuleName: "admin-allow",
            priority: 1020,
            direction: "Inbound",
            access: "Allow",
            protocol: "Tcp",
            sourceAddressPrefix: "203.0.113.0/24",
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRange: "22",
        });
        expect(await known(r.securityWarnings)).toEqual([]);
    });

    it("lists several prefixes, and spells protocol All as *", async () => {
        const r = new BackendPoolNatRule("game", { ...vm, backendAddressPoolId: pool, frontendPortRangeStart: 40000, maxInstances: 4, backendPort: 7777,
            protocol: "all", virtualMachineNames: ["a"], readAzureMappings: false,
            allowedSourceAddressPrefixes: [pulumi.output("198.51.100.7"), "2001:db8::/48", "198.51.100.7"] });
        await known(r.securityRule!.id); // registered
        expect(inputsOf("game-allow")).toMatchObject({ protocol: "*", destinationPortRange: "7777", sourceAddressPrefixes: ["198.51.100.7", "2001:db8::/48"] });
        expect(inputsOf("game-allow")?.sourceAddressPrefix).toBeUndefined();
    });

    it("keeps an explicit priority for its component even when an automatic one resolves first", async () => {
        // b asks for 1000 but its backend port resolves late; a, automatic, resolves at once and must not take 1000.
        const late = pulumi.output(new Promise<number>((resolve) => setTimeout(() => resolve(8443), 300)));
        const b = new SingleVmNatRule("b", { ...vm, frontendPort: 50002, backendPort: late, allowedSourceAddressPrefixes: ["203.0.113.2"], securityRulePriority: 1000 });
        const a = new SingleVmNatRule("a", { ...vm, frontendPort: 50001, backendPort: 22, allowedSourceAddressPrefixes: ["203.0.113.1"] });
        expect(await known(a.securityRulePriority)).toBe(1010);
        expect(await known(b.securityRulePriority)).toBe(1000);
        // Let both programs' registrations finish before the next test replaces the mocks.
        await Promise.all([a, b].flatMap((r) => [known(r.ruleId), known(r.securityRule!.id)]));
    });

    it("gives two components on one NSG different priorities, clear of the existing ones and of explicit ones", async () => {
        const a = new SingleVmNatRule("a", { ...vm, frontendPort: 50001, backendPort: 22, allowedSourceAddressPrefixes: ["203.0.113.1"], existingSecurityRulePriorities: [1000] });
        const b = new BackendPoolNatRule("b", { ...vm, backendAddressPoolId: pool, frontendPortRangeStart: 51000, maxInstances: 4, backendPort: 3389,
            virtualMachineNames: ["w"], readAzureMappings: false, allowedSourceAddressPrefixes: ["203.0.113.2"] });
        const c = new SingleVmNatRule("c", { ...vm, frontendPort: 50003, backendPort: 8080, allowedSourceAddressPrefixes: ["203.0.113.3"], securityRulePriority: 1020 });
        const elsewhere = new SingleVmNatRule("d", { ...vm, networkSecurityGroupId: `${nsgId}-2`, frontendPort: 50004, backendPort: 8081, allowedSourceAddressPrefixes: ["203.0.113.4"] });
        const priorities = await Promise.all([a, b, c, elsewhere].map((r) => known(r.securityRulePriority)));
        await Promise.all([a, b, c, elsewhere].map((r) => known(r.securityRule!.id)));
        // a and b take the first free automatic ones, in declaration order, around 1000 (existing) and 1020 (c's).
        expect(priorities).toEqual([1010, 1030, 1020, 1000]);
        expect(inputsOf("b-allow")).toMatchObject({ priority: 1030, destinationPortRange: "3389", sourceAddressPrefix: "203.0.113.2" });
    });

    it("warns when a management port is opened to everyone, and only then", async () => {
        const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
        const open = new SingleVmNatRule("open", { ...vm, frontendPort: 50001, backendPort: 22, allowedSourceAddressPrefixes: ["*"] });
        const narrow = new SingleVmNatRule("narrow", { ...vm, frontendPort: 50002, backendPort: 3389, allowedSourceAddressPrefixes: ["203.0.113.0/24"] });
        const web = new SingleVmNatRule("web", { ...vm, frontendPort: 50003, backendPort: 443, allowedSourceAddressPrefixes: ["Internet"] });
        const warnings = await known(open.securityWarnings);
        expect(warnings).toEqual([expect.stringMatching(/^SingleVmNatRule "open": port 22 \(SSH\) is open to "\*"/)]);
        expect(await known(narrow.securityWarnings)).toEqual([]);
        expect(await known(web.securityWarnings)).toEqual([]);
        expect(warn.mock.calls.map((c) => c[0])).toEqual(warnings);
        await Promise.all([open.securityRule!.id, open.ruleId].map(known));
        // A warning, not an error: the rules are still created.
        expect(inputsOf("open-allow")).toMatchObject({ sourceAddressPrefix: "*", destinationPortRange: "22" });
        expect(inputsOf("open-rule")).toBeDefined();
    });

    it.each([
        ["empty prefixes", { allowedSourceAddressPrefixes: [] }, ["allowedSourceAddressPrefixes"]],
        ["an NSG id that does not parse", { networkSecurityGroupId: "app-nsg", allowedSourceAddressPrefixes: ["203.0.113.0/24"] }, ["networkSecurityGroupId"]],
        ["prefixes without an NSG", { networkSecurityGroupId: undefined, allowedSourceAddressPrefixes: ["203.0.113.0/24"] }, ["networkSecurityGroupId"]],
        ["an NSG without prefixes", {}, ["allowedSourceAddressPrefixes"]],
        ["a bad prefix and a taken priority", { allowedSourceAddressPrefixes: ["203.0.113.0/33"], securityRulePriority: 1000, existingSecurityRulePriorities: [1000] },
            ["allowedSourceAddressPrefixes[0]", "securityRulePriority"]],
    ])("rejects %s before registering anything", (_, extra, fields) => {
        const before = mocks.registered.length;
        let error: unknown;
        try {
            new SingleVmNatRule("bad", { ...vm, frontendPort: 50001, backendPort: 22, ...extra });
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(NatRuleValidationError);
        expect((error as NatRuleValidationError).issues.map((i) => i.field)).toEqual(fields);
        expect((error as Error).message).toMatch(/^SingleVmNatRule "bad": /);
        expect(mocks.registered.length).toBe(before);
    });

    it("rejects a bad prefix known only later, and then creates neither the NSG rule nor the NAT rule", async () => {
        const errors = await registrationErrors(() => {
            new SingleVmNatRule("late", { ...vm, frontendPort: 50001, backendPort: 22, allowedSourceAddressPrefixes: pulumi.output(["not-an-address!"]) });
        });
        expect(errors.map((e) => e.message).join("\n")).toMatch(/SingleVmNatRule "late": 1 invalid argument:\n {2}- allowedSourceAddressPrefixes\[0\] = "not-an-address!"/);
        expect(inputsOf("late-rule")).toBeUndefined();
        expect(inputsOf("late-allow")).toBeUndefined();
    });

    it("opens nothing for a NAT rule that conflicts", async () => {
        const errors = await registrationErrors(() => {
            new SingleVmNatRule("first", { ...vm, frontendPort: 50001, backendPort: 22, allowedSourceAddressPrefixes: ["203.0.113.0/24"] });
            new SingleVmNatRule("second", { ...vm, frontendPort: 50001, backendPort: 2222, allowedSourceAddressPrefixes: ["203.0.113.0/24"] });
        });
        expect(errors.map((e) => e.name)).toContain("NatRuleConflictError");
        for (const name of ["first-rule", "first-allow", "second-rule", "second-allow"]) expect(inputsOf(name)).toBeUndefined();
    });
});
