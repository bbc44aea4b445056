import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { echoMocks, known } from "./testing/pulumi/component-test-helpers";
import { NatRuleValidationError } from "./core/errors";
import { natPoolRuleArgs } from "./nat-pool-rule-args";

const LB = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
const pool = {
    name: "ssh",
    frontendIPConfiguration: { id: `${LB}/frontendIPConfigurations/fe` },
    protocol: "Tcp",
    frontendPortRangeStart: 50000,
    frontendPortRangeEnd: 50009,
    backendPort: 22,
    idleTimeoutInMinutes: 7,
    enableFloatingIP: false,
    enableTcpReset: true,
};

function scaleSet(name: string, capacity: number, mode: "Manual" | "Automatic" | "Rolling"): compute.VirtualMachineScaleSet {
    return new compute.VirtualMachineScaleSet(name, {
        resourceGroupName: "rg",
        vmScaleSetName: name,
        sku: { name: "Standard_B1s", capacity },
        overprovision: false,
        upgradePolicy: { mode },
    });
}

describe("natPoolRuleArgs", () => {
    beforeAll(async () => {
        await echoMocks(false).ready;
    });

    it("gives BackendPoolNatRuleArgs that copy a plain pool 1:1, checked at once", () => {
        const vmss = scaleSet("vmss", 3, "Manual");
        const args = natPoolRuleArgs({ natPool: pool, loadBalancerId: LB, backendAddressPoolId: `${LB}/backendAddressPools/be_migrated_ssh`, scaleSet: vmss });
        expect({
            frontendPortRangeStart: args.frontendPortRangeStart,
            frontendPortRangeEnd: args.frontendPortRangeEnd,
            backendPort: args.backendPort,
            protocol: args.protocol,
            idleTimeoutInMinutes: args.idleTimeoutInMinutes,
            enableFloatingIP: args.enableFloatingIP,
            enableTcpReset: args.enableTcpReset,
        }).toEqual({
            frontendPortRangeStart: pool.frontendPortRangeStart,
            frontendPortRangeEnd: pool.frontendPortRangeEnd,
            backendPort: pool.backendPort,
            protocol: pool.protocol,
            idleTimeoutInMinutes: pool.idleTimeoutInMinutes,
            enableFloatingIP: pool.enableFloatingIP,
            enableTcpReset: pool.enableTcpReset,
        });
        expect(args.ruleName).toBe("natrule_migrated_ssh");
        expect(args.scaleSet).toBe(vmss);
        expect(args.maxInstances).toBeUndefined();
    });

    it("passes a frontend id that is still an Output through to the rule", async () => {
        const frontend = pulumi.output(pool.frontendIPConfiguration.id);
        const args = natPoolRuleArgs({ natPool: { ...pool, frontendIPConfiguration: { id: frontend } }, loadBalancerId: LB, backendAddressPoolId: "pool", scaleSet: scaleSet("vmss2", 1, "Manual") });
        expect(await known(pulumi.output(args.frontendIPConfigurationId))).toBe(pool.frontendIPConfiguration.id);
        expect(args.frontendPortRangeEnd).toBe(pool.frontendPortRangeEnd);
    });

    it("resolves a pool given as an Output", async () => {
        const args = natPoolRuleArgs({ natPool: pulumi.output(pool), loadBalancerId: LB, backendAddressPoolId: "pool", scaleSet: scaleSet("vmss3", 1, "Manual") });
        const settled = await known(pulumi.output({ start: args.frontendPortRangeStart, end: args.frontendPortRangeEnd, name: args.ruleName }));
        expect(settled).toEqual({ start: pool.frontendPortRangeStart, end: pool.frontendPortRangeEnd, name: `natrule_migrated_${pool.name}` });
    });

    it("rejects a malformed plain pool before registering anything, naming the caller and the field", () => {
        expect(() => natPoolRuleArgs({ natPool: { ...pool, backendPort: 0 }, loadBalancerId: LB, backendAddressPoolId: "pool", scaleSet: scaleSet("vmss4", 1, "Manual") }, "my-migration"))
            .toThrow(NatRuleValidationError);
        expect(() => natPoolRuleArgs({ natPool: { ...pool, backendPort: 0 }, loadBalancerId: LB, backendAddressPoolId: "pool", scaleSet: scaleSet("vmss5", 1, "Manual") }, "my-migration"))
            .toThrow(/my-migration: 1 invalid argument:\n\s+- natPool.backendPort = 0: allowed is an integer from 1 to 65535/);
    });

    it("warns when the scale set's upgrade policy is Rolling", async () => {
        const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
        try {
            natPoolRuleArgs({ natPool: pool, loadBalancerId: LB, backendAddressPoolId: "pool", scaleSet: scaleSet("rolling", 2, "Rolling") });
            natPoolRuleArgs({ natPool: pool, loadBalancerId: LB, backendAddressPoolId: "pool", scaleSet: scaleSet("manual", 2, "Manual") });
            await vi.waitFor(() => expect(warn).toHaveBeenCalled());
            await new Promise((resolve) => setImmediate(resolve));
            const messages = warn.mock.calls.map((call) => String(call[0]));
            expect(messages).toHaveLength(1);
            expect(messages[0]).toMatch(/scale set rolling: upgrade policy is Rolling; Microsoft's migration script requires Manual or Automatic/);
        } finally {
            warn.mockRestore();
        }
    });
});
