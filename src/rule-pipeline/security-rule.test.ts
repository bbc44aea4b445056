import { describe, expect, it } from "vitest";
import { planSecurityRule } from "../core/security";
import { parseNetworkSecurityGroupId, securityArgsIssues, securityRuleNameFor } from "./security-rule";

describe("securityRuleNameFor", () => {
    it.each([
        ["ssh", "ssh-allow"],
        ["web/ssh:vm 1", "web-ssh-vm-1-allow"],
        ["--.x.", "x-allow"],
        ["***", "nat-rule-allow"],
    ])("derives a name Azure accepts from %j", (component, expected) => {
        expect(securityRuleNameFor(component)).toBe(expected);
    });

    it("keeps long names within Azure's 80 characters, and valid for the core", () => {
        const name = securityRuleNameFor(`${"a".repeat(70)}.${"b".repeat(30)}`);
        expect(name.length).toBeLessThanOrEqual(80);
        expect(() => planSecurityRule({ name, backendPort: 22, allowedSourceAddressPrefixes: ["10.0.0.0/8"] })).not.toThrow();
    });
});

describe("parseNetworkSecurityGroupId", () => {
    it("reads the resource group and name, in any casing", () => {
        expect(parseNetworkSecurityGroupId("/subscriptions/s/resourcegroups/rg/providers/microsoft.network/networkSecurityGroups/nsg"))
            .toEqual({ subscriptionId: "s", resourceGroupName: "rg", networkSecurityGroupName: "nsg" });
    });

    it.each(["nsg", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg/securityRules/r"])(
        "refuses %j", (id) => expect(parseNetworkSecurityGroupId(id)).toBeUndefined());
});

describe("securityArgsIssues", () => {
    const nsg = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg";

    it("accepts neither argument, or both", () => {
        expect(securityArgsIssues({})).toEqual([]);
        expect(securityArgsIssues({ networkSecurityGroupId: nsg, allowedSourceAddressPrefixes: ["203.0.113.0/24"] })).toEqual([]);
    });

    it("names our fields for the core's: a taken priority is securityRulePriority, with a free one to use", () => {
        const issues = securityArgsIssues({ networkSecurityGroupId: nsg, allowedSourceAddressPrefixes: ["*"], securityRulePriority: 1000, existingSecurityRulePriorities: [1000] });
        expect(issues).toEqual([expect.objectContaining({ field: "securityRulePriority", value: 1000, fix: expect.stringMatching(/use 1010/) })]);
    });

    it("asks for an NSG when only priorities are given", () => {
        expect(securityArgsIssues({ securityRulePriority: 1000 }).map((i) => i.field)).toEqual(["securityRulePriority"]);
    });
});
