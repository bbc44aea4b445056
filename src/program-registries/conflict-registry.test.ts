import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { settledIdKey, loadBalancingRuleIssues } from "./conflict-registry";
import { settle } from "../pulumi-sdk/settle";

const lbId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
const fe = `${lbId}/frontendIPConfigurations/fe`;

describe("loadBalancingRuleIssues", () => {
    it("accepts rules of this load balancer, HA ports, and rules still unknown", () => {
        expect(loadBalancingRuleIssues([
            { name: "web", frontendIPConfigurationId: fe, frontendPort: 443, backendPort: 443 },
            { name: "ha", frontendIPConfigurationId: fe, protocol: "all", frontendPort: 0, backendPort: 0 },
            pulumi.output({ name: "later", frontendIPConfigurationId: fe, frontendPort: 1, backendPort: 1 }),
        ], lbId)).toEqual([]);
        expect(loadBalancingRuleIssues(pulumi.output([]), lbId)).toEqual([]);
    });

    it("names every bad field with its index", () => {
        const issues = loadBalancingRuleIssues([
            { name: "", frontendIPConfigurationId: `${lbId}x/frontendIPConfigurations/fe`, protocol: "icmp", frontendPort: 70000, backendPort: -1 },
            { name: "zero", frontendIPConfigurationId: fe, frontendPort: 0, backendPort: 80 },
        ], lbId);
        expect(issues.map((i) => i.field)).toEqual([
            "loadBalancingRules[0].name",
            "loadBalancingRules[0].frontendIPConfigurationId",
            "loadBalancingRules[0].protocol",
            "loadBalancingRules[0].frontendPort",
            "loadBalancingRules[0].backendPort",
            "loadBalancingRules[1].frontendPort",
        ]);
        expect(issues[5].allowed).toMatch(/0 with protocol "All" \(HA ports\)/);
    });
});

describe("settle and settledIdKey", () => {
    it("give a known value as is, and one token per unknown Output object", async () => {
        const known = await settle(pulumi.output("ID"));
        expect(settledIdKey("ignored", known)).toBe("ID");
        // Outside preview an Output of pulumi.unknown is still unknown.
        const a = pulumi.output(pulumi.unknown as unknown as string);
        const b = pulumi.output(pulumi.unknown as unknown as string);
        const [sa, sb] = await Promise.all([settle(a), settle(b)]);
        expect(sa).toEqual({ state: "unknown" });
        expect(settledIdKey(a, sa)).toBe(settledIdKey(a, sa));
        expect(settledIdKey(a, sa)).not.toBe(settledIdKey(b, sb));
    });
});
