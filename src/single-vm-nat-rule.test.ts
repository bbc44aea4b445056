import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { echoMocks, known, registrationErrors } from "./testing/pulumi/component-test-helpers";
import { resetNatRuleRegistry } from "./program-registries/conflict-registry";
import { NatRuleValidationError } from "./core/errors";
import { SingleVmNatRule } from "./single-vm-nat-rule";

const mocks = echoMocks(false);
const lbId = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
const fe = `${lbId}/frontendIPConfigurations/fe`;

beforeAll(() => mocks.ready);
// Each test declares its own program's rules; they share one set of mocks, so not one registry.
beforeEach(() => resetNatRuleRegistry());

describe("SingleVmNatRule", () => {
    it("refuses bad input with a Pulumi InputPropertiesError: one entry per property path, the message as before", () => {
        let caught: unknown;
        try {
            new SingleVmNatRule("bad-ports", { loadBalancerId: lbId, frontendIPConfigurationId: fe, frontendPort: 70000, backendPort: 0.5 });
        } catch (err) {
            caught = err;
        }
        expect(pulumi.InputPropertiesError.isInstance(caught)).toBe(true);
        const error = caught as pulumi.InputPropertiesError;
        expect(error.message).toMatch(/^SingleVmNatRule "bad-ports": 2 invalid arguments:\n {2}- frontendPort = 70000: allowed is an integer from 1 to 65534/);
        expect(error.errors.map((e) => e.propertyPath)).toEqual(["frontendPort", "backendPort"]);
        expect(error.errors[0].reason).toMatch(/^70000: allowed is an integer from 1 to 65534\. Fix: /);
    });

    it("creates one InboundNatRule in the load balancer's resource group with the given settings", async () => {
        const r = new SingleVmNatRule("ssh-vm1", {
            loadBalancerId: lbId,
            frontendIPConfigurationId: fe,
            frontendPort: 50022,
            backendPort: 22,
            protocol: "tcp",
            idleTimeoutInMinutes: 10,
            enableTcpReset: true,
            vmName: "vm1",
            frontendIpAddress: "203.0.113.10",
        });
        const mapping = await known(r.portMapping);
        expect(mapping).toEqual({ instance: "vm1", frontendIp: "203.0.113.10", frontendPort: 50022, backendPort: 22, protocol: "Tcp", source: "azure" });
        expect(await known(r.ruleName)).toBe("ssh-vm1");
        expect(await known(r.ruleId)).toMatch(/ssh-vm1-rule$/);
        const rule = mocks.registered.find((x) => x.name === "ssh-vm1-rule")!;
        expect(rule.type).toBe("azure-native:network:InboundNatRule");
        expect(rule.inputs).toMatchObject({
            resourceGroupName: "rg",
            loadBalancerName: "lb",
            inboundNatRuleName: "ssh-vm1",
            frontendIPConfiguration: { id: fe },
            frontendPort: 50022,
            backendPort: 22,
            protocol: "Tcp",
            idleTimeoutInMinutes: 10,
            enableTcpReset: true,
        });
        expect(rule.inputs.frontendPortRangeStart).toBeUndefined();
        expect(mocks.registered.find((x) => x.name === "ssh-vm1")?.type).toBe("azure-nat-rules:index:SingleVmNatRule");
    });

    it("rejects bad input before registering anything, naming every bad field", () => {
        const before = mocks.registered.length;
        let err: unknown;
        try {
            new SingleVmNatRule("bad", {
                loadBalancerId: lbId,
                frontendIPConfigurationId: `${lbId}/backendAddressPools/p`,
                frontendPort: 70000,
                backendPort: 0,
                protocol: "Udp",
                enableTcpReset: true,
            });
        } catch (e) {
            err = e;
        }
        expect(err).toBeInstanceOf(NatRuleValidationError);
        const e = err as NatRuleValidationError;
        expect(e.issues.map((i) => i.field).sort()).toEqual(["backendPort", "enableTcpReset", "frontendIPConfigurationId", "frontendPort"]);
        expect(e.message).toMatch(/^SingleVmNatRule "bad": 4 invalid arguments/);
        expect(mocks.registered.length).toBe(before);
    });

    it("rejects a load balancer name where an id is needed", () => {
        expect(() => new SingleVmNatRule("byname", { loadBalancerId: "lb", frontendIPConfigurationId: fe, frontendPort: 1, backendPort: 22 }))
            .toThrow(/loadBalancerId = "lb": allowed is \/subscriptions\/\{sub\}/);
    });

    it("never creates a rule whose late values are wrong together, or whose late frontend is another load balancer's", async () => {
        const errors = await registrationErrors(() => {
            new SingleVmNatRule("late-udp", { loadBalancerId: lbId, frontendIPConfigurationId: fe, frontendPort: 53, backendPort: 53,
                protocol: pulumi.output("Udp"), idleTimeoutInMinutes: pulumi.output(10), enableTcpReset: pulumi.output(true) });
            new SingleVmNatRule("late-fe", { loadBalancerId: lbId, frontendIPConfigurationId: pulumi.output(`${lbId}-other/frontendIPConfigurations/fe`), frontendPort: 50100, backendPort: 2222 });
        });
        const text = errors.map((e) => e.message).join("\n");
        expect(text).toMatch(/SingleVmNatRule "late-udp": 2 invalid arguments:\n  - idleTimeoutInMinutes = 10: .*\n  - enableTcpReset = true/);
        expect(text).toMatch(/SingleVmNatRule "late-fe": 1 invalid argument:\n  - frontendIPConfigurationId = ".*lb-other/);
        expect(mocks.registered.find((r) => r.name === "late-udp-rule")).toBeUndefined();
        expect(mocks.registered.find((r) => r.name === "late-fe-rule")).toBeUndefined();
    });
});
