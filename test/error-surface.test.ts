/**
 * Pulumi's serializer prefixes `error serializing property "...": ` onto an Output's error in place
 * (sdk/nodejs/runtime/rpc.ts, serializeFilteredProperties). Our errors keep their own message
 * first, in preview and in update, and keep Pulumi's path apart.
 */
import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { AzureNatRulesError, BackendPoolNatRule } from "../src";
import { runDeployment } from "../src/testing";
import { buildPoolState } from "../src/testing/scenarios";

describe("a late invalid value surfaces with our message first", () => {
    for (const preview of [true, false]) {
        it(preview ? "in preview" : "in update", async () => {
            const { sim, lbId } = buildPoolState({ resourceGroupName: "rg", addressSpace: "10.0.0.0/16", subnetPrefix: "10.0.0.0/24", rules: [], scaleSets: [] });
            const failure = await runDeployment(
                sim,
                () => {
                    const rule = new BackendPoolNatRule("ssh", {
                        loadBalancerId: lbId,
                        frontendIPConfigurationId: `${lbId}/frontendIPConfigurations/fe`,
                        backendAddressPoolId: `${lbId}/backendAddressPools/pool`,
                        frontendPortRangeStart: 50000,
                        frontendPortRangeEnd: pulumi.output(70000),
                        backendPort: 22,
                        virtualMachineNames: ["a"],
                    });
                    return { mappings: rule.portMappings };
                },
                { preview },
            ).catch((e: unknown) => e);
            expect(failure).toBeInstanceOf(AzureNatRulesError);
            const error = failure as AzureNatRulesError;
            expect(error.message).toMatch(/^BackendPoolNatRule "ssh": 1 invalid argument:\n {2}- frontendPortRangeEnd = 70000: allowed is an integer from 1 to 65534\. Fix: /);
            expect(error.message).not.toContain("error serializing");
            // Which failing output Pulumi serializes first varies (the late field, or the rule's gate); the path is kept apart either way.
            expect(error.serializationContext).toMatch(/^error serializing property "outputs"/);
        });
    }

    it("an error's message can still be set outright", () => {
        const error = new AzureNatRulesError("first");
        error.message = "second";
        expect(error.message).toBe("second");
        expect(error.serializationContext).toBeUndefined();
        expect(String(error)).toBe("AzureNatRulesError: second");
    });
});
