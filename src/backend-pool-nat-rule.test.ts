import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import { echoMocks, known, mockLbId as lbId, poolRuleBase, registrationErrors } from "./testing/pulumi/component-test-helpers";
import { resetNatRuleRegistry } from "./program-registries/conflict-registry";
import { NatRuleValidationError } from "./core/errors";
import { BackendPoolNatRule, type BackendPoolNatRuleArgs } from "./backend-pool-nat-rule";

const mocks = echoMocks(false);
beforeAll(() => mocks.ready);
// Each test declares its own program's rules; they share one set of mocks, so not one registry.
beforeEach(() => resetNatRuleRegistry());

const base = {
    ...poolRuleBase,
    readAzureMappings: false, // these tests are about the plan; reading Azure is tested against the simulator
};
const scaleSet = (name: string, capacity: number, overprovision?: boolean) =>
    new compute.VirtualMachineScaleSet(name, { resourceGroupName: "rg", sku: { name: "Standard_B1s", capacity }, overprovision });
const ruleInputs = (name: string) => mocks.registered.find((r) => r.name === `${name}-rule`)?.inputs;

describe("BackendPoolNatRule (update)", () => {
    it("creates one V2 rule with a range and the pool, and plans one port per scale-set instance", async () => {
        const r = new BackendPoolNatRule("ssh", { ...base, frontendPortRangeStart: 50000, maxInstances: 10, scaleSet: scaleSet("vmss", 4, false), frontendIpAddress: "203.0.113.7" });
        expect(await known(r.frontendPortRange)).toEqual({ start: 50000, end: 50009, capacity: 10 });
        const mappings = await known(r.portMappings);
        expect(mappings.map((m) => [m.instance, m.frontendPort])).toEqual([["0", 50000], ["1", 50001], ["2", 50002], ["3", 50003]]);
        // A new instance's id is Azure's to choose ("no guarantee on the way instance IDs are assigned"): marked.
        expect(mappings[0]).toEqual({ instance: "0", frontendIp: "203.0.113.7", frontendPort: 50000, backendPort: 22, protocol: "Tcp", source: "planned", labelGuessed: true });
        expect(await known(r.portMappingFor("2"))).toMatchObject({ frontendPort: 50002 });
        expect(await known(r.portMappingFor("9"))).toBeUndefined();
        expect(await known(r.ruleId)).toMatch(/ssh-rule$/);
        const inputs = ruleInputs("ssh")!;
        expect(inputs).toMatchObject({
            resourceGroupName: "rg",
            loadBalancerName: "lb",
            inboundNatRuleName: "ssh",
            frontendPortRangeStart: 50000,
            frontendPortRangeEnd: 50009,
            backendAddressPool: { id: base.backendAddressPoolId },
            backendPort: 22,
            protocol: "Tcp",
        });
        expect(inputs.frontendPort).toBeUndefined();
    });

    it("takes an explicit range end and a group of VMs, ordered by name", async () => {
        const r = new BackendPoolNatRule("rdp", { ...base, backendPort: 3389, frontendPortRangeStart: 3390, frontendPortRangeEnd: 3399, virtualMachineNames: ["web-b", "web-a", pulumi.output("web-c")] });
        expect(await known(r.frontendPortRange)).toEqual({ start: 3390, end: 3399, capacity: 10 });
        expect((await known(r.portMappings)).map((m) => `${m.instance}:${m.frontendPort}`)).toEqual(["web-a:3390", "web-b:3391", "web-c:3392"]);
    });

    it("fails with PortRangeExhaustedError when an overprovisioning scale set's demand exceeds the range, and creates no rule", async () => {
        let mappingsRead: Promise<unknown> | undefined;
        const errors = await registrationErrors(() => {
            // Overprovisioning is unset, so Azure's default (on) applies: 6 × 2 = 12 ports > 10.
            const r = new BackendPoolNatRule("tight", { ...base, frontendPortRangeStart: 50100, maxInstances: 10, scaleSet: scaleSet("vmss-tight", 6) });
            // Read at once, as a program's export would; checked below.
            mappingsRead = known(r.portMappings);
            mappingsRead.catch(() => undefined);
        });
        expect(errors.map((e) => e.message).join("\n")).toMatch(/BackendPoolNatRule "tight" \(rule "tight"\): frontend port range 50100-50109 \(capacity 10\) is exhausted: 12 instances need a port \(scale set capacity 6 × 2 while overprovisioning is on\)/);
        expect(errors.some((e) => e.name === "PortRangeExhaustedError")).toBe(true);
        expect(ruleInputs("tight")).toBeUndefined();
        await expect(mappingsRead).rejects.toThrow(/exhausted/);
    });

    it("fits the same scale set once overprovisioning is off", async () => {
        const r = new BackendPoolNatRule("fits", { ...base, frontendPortRangeStart: 50200, maxInstances: 10, scaleSet: scaleSet("vmss-fits", 6, false) });
        expect(await known(r.portMappings)).toHaveLength(6);
    });

    it("keeps its mapping lists out of its saved state, and still outputs them", async () => {
        const registerOutputs = vi.spyOn(pulumi.ComponentResource.prototype as unknown as { registerOutputs: (o: unknown) => void }, "registerOutputs");
        try {
            const r = new BackendPoolNatRule("stateless", { ...base, frontendPortRangeStart: 50400, maxInstances: 10, scaleSet: scaleSet("vmss-stateless", 3, false) });
            expect(await known(r.plannedPortMappings)).toHaveLength(3);
            expect(await known(r.portMappings)).toHaveLength(3);
            const own = registerOutputs.mock.calls.filter((_, i) => registerOutputs.mock.contexts[i] === r);
            // The first call is what Pulumi saves; it ignores the later one it makes itself.
            expect(own.length).toBeGreaterThan(0);
            const saved = Object.keys(own[0][0] as object).sort();
            expect(saved).toEqual(["frontendPortRange", "ruleId", "ruleName", "securityRuleName", "securityRulePriority", "securityWarnings"]);
        } finally {
            registerOutputs.mockRestore();
        }
    });

    it("keeps the planned mappings, marked planned, when Azure's cannot be read", async () => {
        // These mocks hand out no access token, so the read fails before any request is made.
        const r = new BackendPoolNatRule("unread", { ...base, readAzureMappings: true, frontendPortRangeStart: 50300, maxInstances: 10, scaleSet: scaleSet("vmss-unread", 2, false) });
        expect((await known(r.portMappings)).map((m) => `${m.instance}:${m.frontendPort}:${m.source}`)).toEqual(["0:50300:planned", "1:50301:planned"]);
    });

    it.each<[string, Partial<BackendPoolNatRuleArgs>, string[]]>([
        ["no members", { frontendPortRangeStart: 1, maxInstances: 2 }, ["scaleSet"]],
        ["both member kinds", { frontendPortRangeStart: 1, maxInstances: 2, virtualMachineNames: ["a"], scaleSet: {} as compute.VirtualMachineScaleSet }, ["scaleSet"]],
        ["a VM named twice", { frontendPortRangeStart: 1, maxInstances: 5, virtualMachineNames: ["web-a", "web-b", "web-a"] }, ["virtualMachineNames"]],
        ["no range size", { frontendPortRangeStart: 1, virtualMachineNames: ["a"] }, ["maxInstances"]],
        ["range past 65534 and bad ports", { frontendPortRangeStart: 65530, maxInstances: 10, backendPort: 0, protocol: "Udp", enableTcpReset: true, virtualMachineNames: ["a"] },
            ["maxInstances", "backendPort", "enableTcpReset"]],
        ["a pool of another load balancer", { frontendPortRangeStart: 1, maxInstances: 2, virtualMachineNames: ["a"], backendAddressPoolId: `${lbId}x/backendAddressPools/p` }, ["backendAddressPoolId"]],
    ])("rejects %s before registering anything", (_, extra, fields) => {
        const before = mocks.registered.length;
        let err: unknown;
        try {
            new BackendPoolNatRule("bad", { ...base, ...extra } as BackendPoolNatRuleArgs);
        } catch (e) {
            err = e;
        }
        expect(err).toBeInstanceOf(NatRuleValidationError);
        expect((err as NatRuleValidationError).issues.map((i) => i.field).sort()).toEqual([...fields].sort());
        expect((err as Error).message).toMatch(/^BackendPoolNatRule "bad": /);
        expect(mocks.registered.length).toBe(before);
    });
});
