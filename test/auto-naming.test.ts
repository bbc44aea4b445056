/**
 * azure-native gives a resource declared without an explicit name a random suffix (auto-naming);
 * the simulator uses the bare logical name (docs/simulator.md, "Not modelled"). So the components
 * must never depend on it: every resource they create carries its Azure name explicitly, and the
 * names they read come from ARM ids, never from logical names.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { echoMocks, known, poolRuleBase, registrationErrors } from "../src/testing/pulumi/component-test-helpers";
import { BackendPoolNatRule, SingleVmNatRule } from "../src";

let mocks = echoMocks(false);
beforeEach(async () => {
    mocks = echoMocks(false);
    await mocks.ready;
});

const nsgId = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg";

describe("the components never rely on azure-native's auto-naming", () => {
    it("name every child resource explicitly in Azure", async () => {
        let pool: BackendPoolNatRule | undefined;
        const errors = await registrationErrors(() => {
            new SingleVmNatRule("admin", { loadBalancerId: poolRuleBase.loadBalancerId, frontendIPConfigurationId: poolRuleBase.frontendIPConfigurationId,
                frontendPort: 50100, backendPort: 3389, networkSecurityGroupId: nsgId, allowedSourceAddressPrefixes: ["198.51.100.0/24"] });
            pool = new BackendPoolNatRule("ssh", { ...poolRuleBase, frontendPortRangeStart: 50000, maxInstances: 10, virtualMachineNames: ["a"], readAzureMappings: false,
                networkSecurityGroupId: nsgId, allowedSourceAddressPrefixes: ["198.51.100.0/24"] });
        });
        expect(errors).toEqual([]);
        const natRules = mocks.registered.filter((r) => r.type === "azure-native:network:InboundNatRule");
        const securityRules = mocks.registered.filter((r) => r.type === "azure-native:network:SecurityRule");
        expect(natRules.map((r) => r.inputs.inboundNatRuleName).sort()).toEqual(["admin", "ssh"]);
        expect(securityRules).toHaveLength(2);
        for (const r of securityRules) expect(typeof r.inputs.securityRuleName).toBe("string");
        // The rule's name in the outputs is the explicit one, not the resource's logical name ("ssh-rule").
        expect(await known(pool!.ruleName)).toBe("ssh");
    });
});
