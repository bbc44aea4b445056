import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import { echoMocks, known, mockLbId as lbId, poolRuleBase as base, registrationErrors, valueOf } from "../test/pulumi-helpers";
import { resetNatRuleRegistry } from "./internal/conflict-registry";
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

    it("fail the preview when the scale set outgrows the range", async () => {
        const errors = await registrationErrors(() => {
            const vmss = new compute.VirtualMachineScaleSet("vmss-big", { resourceGroupName: "rg", sku: { capacity: 6 }, overprovision: false });
            new BackendPoolNatRule("big", { ...base, frontendPortRangeStart: 50200, maxInstances: 5, scaleSet: vmss });
        });
        expect(errors.map((e) => e.message).join("\n")).toMatch(/frontend port range 50200-50204 \(capacity 5\) is exhausted: 6 instances need a port, 1 would be left without one: 5\./);
        expect(mocks.registered.find((r) => r.name === "big-rule")).toBeUndefined();
    });
});
