/**
 * What a component's preview asks of Azure before it plans. Reading the provider's own cloud, the
 * provider's invokes answer and the component's own ARM client sends nothing. With an armEndpoint
 * of its own, a rule that does not exist yet costs one GET of the rule (404), not the reads of the
 * load balancer and pool, whose answers grow with their members. Either way an existing rule is read
 * in full, so the plan starts from Azure's mappings.
 */
import { afterEach, describe, expect, it } from "vitest";
import { BackendPoolNatRule } from "../src";
import { ARM_ENDPOINT_ENV } from "../src/azure-reads/azure-mappings";
import { FAST_ARM_SERVER_OPTIONS, runDeployment, startArmServer, type ArmServer } from "../src/testing";
import { buildPoolState, POOL } from "../src/testing/scenarios";

let server: ArmServer | undefined;
const previousEndpoint = process.env[ARM_ENDPOINT_ENV];
afterEach(async () => {
    await server?.close();
    server = undefined;
    process.env[ARM_ENDPOINT_ENV] = previousEndpoint;
});

async function previewRule(ruleName: string, withExistingRule: boolean, ownEndpoint = false) {
    const { sim, lbId } = buildPoolState({
        resourceGroupName: "rg", addressSpace: "10.0.0.0/16", subnetPrefix: "10.0.0.0/24",
        rules: withExistingRule ? [{ name: "ssh", start: 50000, size: 10, backendPort: 22, protocol: "Tcp" }] : [],
        // vm2 joins first: Azure gives it the first port, where a plan from nothing would give it vm1.
        scaleSets: [], networkInterfaces: ["vm2-nic", "vm1-nic"],
    });
    server = await startArmServer(sim, FAST_ARM_SERVER_OPTIONS);
    // With an endpoint of its own the component reads there; the provider's cloud is elsewhere (a closed port).
    process.env[ARM_ENDPOINT_ENV] = ownEndpoint ? "http://127.0.0.1:9" : server.url;
    const result = await runDeployment(sim, () => {
        const rule = new BackendPoolNatRule("r", {
            loadBalancerId: lbId,
            frontendIPConfigurationId: `${lbId}/frontendIPConfigurations/fe`,
            backendAddressPoolId: `${lbId}/backendAddressPools/${POOL}`,
            ruleName,
            frontendPortRangeStart: 50000,
            maxInstances: 10,
            backendPort: 22,
            virtualMachineNames: ["vm1", "vm2"],
            ...(ownEndpoint ? { armEndpoint: server!.url } : {}),
        });
        return { planned: rule.plannedPortMappings };
    }, { preview: true, serveArm: false });
    return { planned: result.outputs.planned as { instance: string; frontendPort: number }[], byRoute: { ...server.stats.byRoute } };
}

describe("a component's preview reads of Azure", () => {
    it("through the provider's invokes: its own ARM client sends nothing for a new rule, and does not ask whether an existing one exists", async () => {
        const fresh = await previewRule("rdp", false);
        expect(fresh.byRoute).toEqual({});
        expect(fresh.planned.map((m) => [m.instance, m.frontendPort])).toEqual([["vm1", 50000], ["vm2", 50001]]);
        const existing = await previewRule("ssh", true);
        // Standalone VMs' labels need their NICs, which the invokes do not give: the component's own client reads the mappings.
        expect(existing.byRoute["GET inboundNatRules"]).toBeUndefined();
        expect(existing.byRoute["GET backendAddressPools"]).toBe(1);
        // Azure's ports as they are (vm2 joined first and took 50000), not the ones a new rule would get.
        expect(existing.planned.map((m) => [m.instance, m.frontendPort])).toEqual([["vm1", 50001], ["vm2", 50000]]);
    });

    it("with an armEndpoint of its own, asks only whether a new rule exists: one GET of the rule, no load balancer or pool read", async () => {
        const { planned, byRoute } = await previewRule("rdp", false, true);
        expect(byRoute).toEqual({ "GET inboundNatRules": 1 });
        expect(planned.map((m) => [m.instance, m.frontendPort])).toEqual([["vm1", 50000], ["vm2", 50001]]);
    });

    it("with an armEndpoint of its own, reads an existing rule's mappings in full, and plans from them", async () => {
        const { planned, byRoute } = await previewRule("ssh", true, true);
        expect(byRoute["GET inboundNatRules"]).toBe(1);
        expect(byRoute["GET backendAddressPools"]).toBe(1);
        expect(planned.map((m) => [m.instance, m.frontendPort])).toEqual([["vm1", 50001], ["vm2", 50000]]);
    });
});
