import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import { echoMocks, known, mockLbId as lbId, poolRuleBase as base, registrationErrors, valueOf } from "./testing/pulumi/component-test-helpers";
import { resetNatRuleRegistry } from "./program-registries/conflict-registry";
import { BackendPoolNatRule } from "./backend-pool-nat-rule";
import { SingleVmNatRule } from "./single-vm-nat-rule";

// Preview: Pulumi's dry run, where ids and computed values are not known yet.
const mocks = echoMocks(true);
beforeAll(() => mocks.ready);
// Each test declares its own program's rules; they share one set of mocks, so not one registry.
beforeEach(() => resetNatRuleRegistry());

const unknownNumber = () => pulumi.output(pulumi.unknown as unknown as number);

describe("components in preview", () => {
    it("plan mappings from a known scale set, marked planned", async () => {
        const vmss = new compute.VirtualMachineScaleSet("vmss", { resourceGroupName: "rg", sku: { capacity: 3 }, overprovision: false });
        const r = new BackendPoolNatRule("ssh", { ...base, frontendPortRangeStart: 50000, maxInstances: 5, scaleSet: vmss });
        const mappings = await known(r.portMappings);
        expect(mappings.map((m) => [m.instance, m.frontendPort, m.source])).toEqual([["0", 50000, "planned"], ["1", 50001, "planned"], ["2", 50002, "planned"]]);
        expect(await valueOf(r.ruleId)).toBe("<unknown>");
    });

    it("keep outputs that depend on an unknown capacity unknown, and everything else known", async () => {
        const vmss = new compute.VirtualMachineScaleSet("vmss-late", { resourceGroupName: "rg", sku: { capacity: unknownNumber() } });
        const r = new BackendPoolNatRule("late", { ...base, frontendPortRangeStart: 50100, maxInstances: 5, scaleSet: vmss });
        expect(await known(r.frontendPortRange)).toEqual({ start: 50100, end: 50104, capacity: 5 });
        expect(await valueOf(r.portMappings)).toBe("<unknown>");
        expect(await known(r.ruleName)).toBe("late");
    });

    it("keep an unknown range start unknown without crashing", async () => {
        const r = new BackendPoolNatRule("late-start", { ...base, frontendPortRangeStart: unknownNumber(), maxInstances: 5, virtualMachineNames: ["a"] });
        expect(await valueOf(r.frontendPortRange)).toBe("<unknown>");
        const s = new SingleVmNatRule("late-port", { loadBalancerId: lbId, frontendIPConfigurationId: base.frontendIPConfigurationId, frontendPort: unknownNumber(), backendPort: 22 });
        expect(await valueOf(s.portMapping)).toBe("<unknown>");
    });

    it("take a pool id that is unknown (a load balancer being created) as given, not as missing", async () => {
        // azure-native's preview leaves a new load balancer's pool ids unknown (previewOutputs.go).
        const poolId = pulumi.output([{ name: "pool", id: pulumi.unknown as unknown as string }]).apply((p) => p[0].id);
        let rule: BackendPoolNatRule | undefined;
        const errors = await registrationErrors(() => {
            rule = new BackendPoolNatRule("pool-late", { ...base, backendAddressPoolId: poolId, frontendPortRangeStart: 50300, maxInstances: 5, virtualMachineNames: ["a", "b"] });
        });
        expect(errors).toEqual([]);
        expect((await known(rule!.portMappings)).map((m) => m.frontendPort)).toEqual([50300, 50301]);
    });

    it("still refuse a pool id that resolves to nothing", async () => {
        const missing = pulumi.output({ id: undefined as string | undefined }).apply((p) => p.id as string);
        const errors = await registrationErrors(() => {
            new BackendPoolNatRule("pool-missing", { ...base, backendAddressPoolId: missing, frontendPortRangeStart: 50400, maxInstances: 5, virtualMachineNames: ["a"] });
        });
        expect(errors.map((e) => e.message).join("\n")).toMatch(/backendAddressPoolId = undefined: allowed is a backend pool id when a frontend port range is set/);
        expect(mocks.registered.find((r) => r.name === "pool-missing-rule")).toBeUndefined();
    });

    it("fail the preview when the scale set outgrows the range", async () => {
        const errors = await registrationErrors(() => {
            const vmss = new compute.VirtualMachineScaleSet("vmss-big", { resourceGroupName: "rg", sku: { capacity: 6 }, overprovision: false });
            new BackendPoolNatRule("big", { ...base, frontendPortRangeStart: 50200, maxInstances: 5, scaleSet: vmss });
        });
        expect(errors.map((e) => e.message).join("\n")).toMatch(/frontend port range 50200-50204 \(capacity 5\) is exhausted: 6 instances need a port, 1 would be left without one: 5\./);
        expect(mocks.registered.find((r) => r.name === "big-rule")).toBeUndefined();
    });
});
