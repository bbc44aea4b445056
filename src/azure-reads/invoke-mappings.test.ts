import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it, vi } from "vitest";
import { echoMocks } from "../testing/pulumi/component-test-helpers";
import { buildScaleSetState } from "../testing/scenarios";
import { FAST_ARM_SERVER_OPTIONS, startArmServer } from "../testing/http/arm-server";
import { runDeployment } from "../testing/pulumi/deployment";
import type { NatPortMapping } from "../mapping";
import { ARM_ENDPOINT_ENV, readAzureMappings } from "./azure-mappings";
import { embeddedRuleMappings, readRuleThroughInvoke, scaleSetCoveredByPool } from "./invoke-mappings";

const INVOKE_POOL = "azure-native:network:getLoadBalancerBackendAddressPool";
const INVOKE_RULE = "azure-native:network:getInboundNatRule";

/** A simulated Azure with a Uniform scale set of 3 instances behind rule "ssh", and the pool as azure-native's invoke answers it. */
function scaleSet() {
    const { sim } = buildScaleSetState({ capacity: 3 });
    const pool = sim.mocks().call({ token: INVOKE_POOL, inputs: { resourceGroupName: "rg", loadBalancerName: "lb", backendAddressPoolName: "pool" } } as never) as Record<string, unknown>;
    const azure = sim.portMappings("rg", "lb", { rule: "ssh" }).map((m) => [m.instance, m.frontendPort]);
    return { sim, pool, azure };
}

/** The pool's answer without the members' embedded mappings (as the simulator's `embedPortMappings: false` serves it). */
function withoutEmbedded(pool: Record<string, unknown>): Record<string, unknown> {
    const addresses = (pool.loadBalancerBackendAddresses as Record<string, unknown>[]).map(({ inboundNatRulesPortMapping: _gone, ...rest }) => rest);
    return { ...pool, loadBalancerBackendAddresses: addresses };
}

const planned = (ports: [string, number][]): NatPortMapping[] =>
    ports.map(([instance, frontendPort]) => ({ instance, frontendIp: "203.0.113.9", frontendPort, backendPort: 22, protocol: "Tcp", source: "planned" }));

describe("embeddedRuleMappings (the getLoadBalancerBackendAddressPool invoke's answer)", () => {
    it("reads each Uniform member's embedded mapping of the rule, labelled by instance id, as Azure assigned them", () => {
        const { pool, azure } = scaleSet();
        expect(azure).toHaveLength(3);
        expect(embeddedRuleMappings(pool as never, "ssh")?.map((m) => [m.instance, m.frontendPort])).toEqual(azure);
        expect(embeddedRuleMappings(pool as never, "SSH")?.map((m) => m.backendPort)).toEqual([22, 22, 22]);
    });

    it("answers undefined when a member's mapping is not embedded, or is for another rule only", () => {
        const { pool } = scaleSet();
        expect(embeddedRuleMappings(withoutEmbedded(pool) as never, "ssh")).toBeUndefined();
        expect(embeddedRuleMappings(pool as never, "http")).toBeUndefined();
    });

    it("answers undefined for a standalone NIC (a Flexible or single VM: its label needs the NIC list) and an IP-address member", () => {
        const nic = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/vm1-nic/ipConfigurations/ipconfig";
        const mapped = [{ inboundNatRuleName: "ssh", frontendPort: 50000, backendPort: 22 }];
        const id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb/backendAddressPools/pool";
        expect(embeddedRuleMappings({ id, loadBalancerBackendAddresses: [{ networkInterfaceIPConfiguration: { id: nic }, inboundNatRulesPortMapping: mapped }] }, "ssh")).toBeUndefined();
        expect(embeddedRuleMappings({ id, loadBalancerBackendAddresses: [{ ipAddress: "10.0.0.4", inboundNatRulesPortMapping: mapped }] }, "ssh")).toBeUndefined();
        // An empty pool has no mappings; an answer that is no pool (no pool id) is not trusted.
        expect(embeddedRuleMappings({ id }, "ssh")).toEqual([]);
        expect(embeddedRuleMappings({ loadBalancerBackendAddresses: [] } as never, "ssh")).toBeUndefined();
    });
});

describe("readAzureMappings reads through the provider's invoke where the pool embeds the mappings", () => {
    const saved = process.env[ARM_ENDPOINT_ENV];
    afterEach(() => {
        if (saved === undefined) delete process.env[ARM_ENDPOINT_ENV];
        else process.env[ARM_ENDPOINT_ENV] = saved;
        vi.restoreAllMocks();
    });

    it("embedded: Azure's mappings come from the invoke alone; the component's own ARM endpoint (a closed port) is never needed", async () => {
        const { sim, pool, azure } = scaleSet();
        process.env[ARM_ENDPOINT_ENV] = "http://127.0.0.1:9";
        const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
        const mocks = echoMocks(false, {
            [INVOKE_POOL]: pool,
            "azure-native:authorization:getClientConfig": { subscriptionId: sim.subscriptionId },
            "azure-native:authorization:getClientToken": { token: "t" },
        });
        await mocks.ready;
        const plan = planned([["0", 1], ["1", 2], ["2", 3]]);
        const result = await readAzureMappings(
            { subscriptionId: sim.subscriptionId, resourceGroupName: "rg", loadBalancerName: "lb", backendPoolName: "pool", ruleName: "ssh", endpoint: "http://127.0.0.1:9", frontendIp: "203.0.113.9", planned: plan, timeoutMs: 3000 },
            undefined as never,
        );
        expect(result.map((m) => [m.instance, m.frontendPort])).toEqual(azure);
        expect(new Set(result.map((m) => m.source))).toEqual(new Set(["azure"]));
        expect(result.every((m) => m.frontendIp === "203.0.113.9" && m.protocol === "Tcp" && m.backendPort === 22)).toBe(true);
        expect(warn.mock.calls.map((c) => String(c[0])).join("\n")).not.toMatch(/Could not read/);
    });

    it("not embedded: falls back to the component's own read, which queries the members (queryInboundNatRulePortMapping)", async () => {
        const { sim, pool, azure } = scaleSet();
        const server = await startArmServer(sim, { ...FAST_ARM_SERVER_OPTIONS, embedPortMappings: false });
        try {
            process.env[ARM_ENDPOINT_ENV] = server.url;
            const mocks = echoMocks(false, {
                [INVOKE_POOL]: withoutEmbedded(pool),
                "azure-native:authorization:getClientConfig": { subscriptionId: sim.subscriptionId },
                "azure-native:authorization:getClientToken": { token: "t" },
            });
            await mocks.ready;
            const result = await readAzureMappings(
                { subscriptionId: sim.subscriptionId, resourceGroupName: "rg", loadBalancerName: "lb", backendPoolName: "pool", ruleName: "ssh", endpoint: server.url, frontendIp: "", planned: planned(azure as [string, number][]), timeoutMs: 60_000 },
                undefined as never,
            );
            expect(result.map((m) => [m.instance, m.frontendPort])).toEqual(azure);
            expect(new Set(result.map((m) => m.source))).toEqual(new Set(["azure"]));
            expect(server.stats.byRoute["POST queryInboundNatRulePortMapping"]).toBeGreaterThan(0);
        } finally {
            await server.close();
        }
    });

    it("the provider on another subscription than the load balancer's: the invoke is not used", async () => {
        const { sim, pool } = scaleSet();
        process.env[ARM_ENDPOINT_ENV] = "http://127.0.0.1:9";
        const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
        const mocks = echoMocks(false, { [INVOKE_POOL]: pool, "azure-native:authorization:getClientConfig": { subscriptionId: "11111111-1111-1111-1111-111111111111" }, "azure-native:authorization:getClientToken": { token: "t" } });
        await mocks.ready;
        const plan = planned([["0", 1]]);
        const result = await readAzureMappings(
            { subscriptionId: sim.subscriptionId, resourceGroupName: "rg", loadBalancerName: "lb", backendPoolName: "pool", ruleName: "ssh", endpoint: "http://127.0.0.1:9", frontendIp: "", planned: plan, timeoutMs: 3000 },
            undefined as never,
        );
        // The side channel (a closed port) fails: the plan stands, with a warning.
        expect(result).toBe(plan);
        expect(warn.mock.calls.map((c) => String(c[0])).join("\n")).toMatch(/Could not read Azure's port mappings for rule "ssh"/);
    });
});

describe("readRuleThroughInvoke (the getInboundNatRule invoke's answer)", () => {
    const location = (sim: { subscriptionId: string }, ruleName: string) =>
        ({ subscriptionId: sim.subscriptionId, resourceGroupName: "rg", loadBalancerName: "lb", backendPoolName: "pool", ruleName });

    it("gives the rule's range as the simulator answers the invoke under runDeployment, and a rule Azure does not have does not exist", async () => {
        const { sim } = scaleSet();
        const rule = sim.get(`/subscriptions/${sim.subscriptionId}/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb/inboundNatRules/ssh`) as
            { properties: { frontendPortRangeStart: number; frontendPortRangeEnd: number } };
        const range = { start: rule.properties.frontendPortRangeStart, end: rule.properties.frontendPortRangeEnd };
        const result = await runDeployment(sim, async () => ({
            ssh: await readRuleThroughInvoke(location(sim, "ssh"), undefined),
            rdp: await readRuleThroughInvoke(location(sim, "rdp"), undefined),
            otherLb: await readRuleThroughInvoke({ ...location(sim, "ssh"), loadBalancerName: "absent" }, undefined),
        }), { preview: true });
        expect(result.outputs.ssh).toEqual({ exists: true, range });
        expect(result.outputs.rdp).toEqual({ exists: false });
        expect(result.outputs.otherLb).toEqual({ exists: false });
    });

    it("answers undefined for an answer that is not a rule's, a provider on another subscription, and a failure that is not a 404", async () => {
        const { sim } = scaleSet();
        const config = { "azure-native:authorization:getClientConfig": { subscriptionId: sim.subscriptionId } };
        await echoMocks(false, config).ready;
        expect(await readRuleThroughInvoke(location(sim, "ssh"), undefined)).toBeUndefined();
        const rule = sim.mocks().call({ token: INVOKE_RULE, inputs: { resourceGroupName: "rg", loadBalancerName: "lb", inboundNatRuleName: "ssh" } } as never) as Record<string, unknown>;
        await echoMocks(false, { [INVOKE_RULE]: rule, "azure-native:authorization:getClientConfig": { subscriptionId: "11111111-1111-1111-1111-111111111111" } }).ready;
        expect(await readRuleThroughInvoke(location(sim, "ssh"), undefined)).toBeUndefined();
        // Denied, as Azure words a 403: not an answer about the rule.
        const denied = Object.assign(new Error("invocation of azure-native:network:getInboundNatRule returned an error: AuthorizationFailed: The client does not have authorization"), {
            details: "invocation of azure-native:network:getInboundNatRule returned an error: AuthorizationFailed: The client does not have authorization",
        });
        await pulumi.runtime.setMocks({
            newResource: (args) => ({ id: "", state: args.inputs }),
            call: (args) => {
                if (args.token === INVOKE_RULE) throw denied;
                return { subscriptionId: sim.subscriptionId };
            },
        }, "project", "stack", false);
        expect(await readRuleThroughInvoke(location(sim, "ssh"), undefined)).toBeUndefined();
    });
});

describe("scaleSetCoveredByPool (a Manual scale set's instances, through the invokes)", () => {
    const INVOKE_VMSS = "azure-native:compute:getVirtualMachineScaleSet";
    it("is true when the pool holds as many of the scale set's instances as Azure's capacity, false when fewer, undefined for answers that are not Azure's", async () => {
        const { sim, pool } = scaleSet();
        const vmssId = `/subscriptions/${sim.subscriptionId}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/web`;
        const vmss = sim.mocks().call({ token: INVOKE_VMSS, inputs: { resourceGroupName: "rg", vmScaleSetName: "web" } } as never) as { id: string; sku: { capacity: number } };
        expect(vmss.id.toLowerCase()).toBe(vmssId.toLowerCase());
        const location = { subscriptionId: sim.subscriptionId, resourceGroupName: "rg", loadBalancerName: "lb", backendPoolName: "pool", ruleName: "ssh" };
        const config = { "azure-native:authorization:getClientConfig": { subscriptionId: sim.subscriptionId } };

        await echoMocks(false, { ...config, [INVOKE_POOL]: pool, [INVOKE_VMSS]: vmss }).ready;
        expect(await scaleSetCoveredByPool(location, vmss.id, undefined)).toBe(true);
        // One more instance than the pool holds: it runs a model without the pool.
        await echoMocks(false, { ...config, [INVOKE_POOL]: pool, [INVOKE_VMSS]: { ...vmss, sku: { ...vmss.sku, capacity: vmss.sku.capacity + 1 } } }).ready;
        expect(await scaleSetCoveredByPool(location, vmss.id, undefined)).toBe(false);
        await echoMocks(false, config).ready;
        expect(await scaleSetCoveredByPool(location, vmss.id, undefined)).toBeUndefined();
    });
});
