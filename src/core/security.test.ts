import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { NatRuleValidationError } from "./errors";
import {
    AUTOMATIC_PRIORITY_STEP,
    FIRST_AUTOMATIC_PRIORITY,
    managementPortWarnings,
    MAX_SECURITY_RULE_PRIORITY,
    MIN_SECURITY_RULE_PRIORITY,
    planSecurityRule,
    type SecurityRuleRequest,
} from "./security";

const base: SecurityRuleRequest = { name: "allow-ssh", backendPort: 22, allowedSourceAddressPrefixes: ["203.0.113.7/32"] };

function issuesOf(request: SecurityRuleRequest): { field: string; value: unknown; fix: string }[] {
    try {
        planSecurityRule(request);
    } catch (err) {
        expect(err).toBeInstanceOf(NatRuleValidationError);
        return [...(err as NatRuleValidationError).issues];
    }
    throw new Error("expected a NatRuleValidationError");
}

describe("planSecurityRule", () => {
    it("builds an inbound allow rule on the backend port in ARM's shape", () => {
        expect(planSecurityRule({ ...base, protocol: "All", allowedSourceAddressPrefixes: ["203.0.113.7", "internet"] })).toEqual({
            name: "allow-ssh", priority: FIRST_AUTOMATIC_PRIORITY, direction: "Inbound", access: "Allow", protocol: "*",
            sourceAddressPrefixes: ["203.0.113.7", "Internet"], sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22",
        });
        expect(planSecurityRule({ ...base, protocol: "Udp" }).protocol).toBe("Udp");
        expect(planSecurityRule(base).protocol).toBe("Tcp");
    });

    it("takes the lowest free priority from 1000 in steps of 10, then below 1000, and honours a free preferred one", () => {
        expect(planSecurityRule({ ...base, existingPriorities: [1000, 1010, 1015, 65000] }).priority).toBe(1020);
        const upper = Array.from({ length: (MAX_SECURITY_RULE_PRIORITY - FIRST_AUTOMATIC_PRIORITY) / AUTOMATIC_PRIORITY_STEP + 1 },
            (_, i) => FIRST_AUTOMATIC_PRIORITY + i * AUTOMATIC_PRIORITY_STEP);
        expect(planSecurityRule({ ...base, existingPriorities: upper }).priority).toBe(MIN_SECURITY_RULE_PRIORITY);
        expect(planSecurityRule({ ...base, existingPriorities: [1000], preferredPriority: 150 }).priority).toBe(150);
    });

    it("never picks a taken priority and stays within 100-4096", () => {
        fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 90, max: 4100 }), { maxLength: 400 }), (taken) => {
            const { priority } = planSecurityRule({ ...base, existingPriorities: taken });
            expect(taken).not.toContain(priority);
            expect(priority).toBeGreaterThanOrEqual(MIN_SECURITY_RULE_PRIORITY);
            expect(priority).toBeLessThanOrEqual(MAX_SECURITY_RULE_PRIORITY);
            expect(planSecurityRule({ ...base, existingPriorities: [...taken].reverse() }).priority).toBe(priority); // order does not matter
        }));
    });

    it("accepts CIDRs, single IPs (v4 and v6), service tags and *, dropping repeats", () => {
        const prefixes = ["10.0.0.0/8", "10.0.0.5/24", "2001:db8::/32", "2001:db8::1", "VirtualNetwork", "azureloadbalancer", "Storage.WestEurope", "*", "10.0.0.0/8"];
        expect(planSecurityRule({ ...base, allowedSourceAddressPrefixes: prefixes }).sourceAddressPrefixes).toEqual(
            ["10.0.0.0/8", "10.0.0.5/24", "2001:db8::/32", "2001:db8::1", "VirtualNetwork", "AzureLoadBalancer", "Storage.WestEurope", "*"]);
    });

    it("rejects bad prefixes, an empty list, a taken preferred priority and a bad name, all at once", () => {
        const fields = issuesOf({ name: "-bad", backendPort: 0, protocol: "Icmp" as never, allowedSourceAddressPrefixes: ["10.0.0.0/33", "300.1.1.1", "Any", "", "2001:db8::/129", "10.0.0.1-10.0.0.9"],
            existingPriorities: [1000], preferredPriority: 1000 }).map((i) => i.field);
        expect(fields.sort()).toEqual(["allowedSourceAddressPrefixes[0]", "allowedSourceAddressPrefixes[1]", "allowedSourceAddressPrefixes[2]",
            "allowedSourceAddressPrefixes[3]", "allowedSourceAddressPrefixes[4]", "allowedSourceAddressPrefixes[5]", "backendPort", "name", "preferredPriority", "protocol"]);
        const empty = issuesOf({ ...base, allowedSourceAddressPrefixes: [] });
        expect(empty).toHaveLength(1);
        expect(empty[0].field).toBe("allowedSourceAddressPrefixes");
        expect(empty[0].fix).toMatch(/203\.0\.113\.7\/32/);
        const taken = issuesOf({ ...base, existingPriorities: [1000, 1010], preferredPriority: 1010 });
        expect(taken[0].fix).toMatch(/use 1020/);
        expect(issuesOf({ ...base, preferredPriority: 99 })[0].field).toBe("preferredPriority");
    });
});

describe("managementPortWarnings", () => {
    it("warns once per open prefix on SSH, RDP and WinRM ports, and stays quiet otherwise", () => {
        for (const port of [22, 3389, 5985, 5986]) {
            const warnings = managementPortWarnings(port, ["*", "Internet", "any", "0.0.0.0/0", "::/0", "203.0.113.7/32", "VirtualNetwork"]);
            expect(warnings).toHaveLength(5);
            expect(warnings[0]).toMatch(new RegExp(`^port ${port} \\(.+\\) is open to "\\*".*Fix:`));
        }
        expect(managementPortWarnings(22, ["203.0.113.0/24", "VirtualNetwork"])).toEqual([]);
        expect(managementPortWarnings(443, ["*", "Internet"])).toEqual([]);
    });
});
