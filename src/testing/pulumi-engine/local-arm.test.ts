/**
 * The azure-native stand-in against the local ARM endpoint (startArmServer over an AzureSimulator),
 * without the engine: the bodies it sends are ones the endpoint's PUT handlers accept, a
 * backend-pool rule's mappings come back through getLoadBalancerBackendAddressPool, and a load
 * balancer updated without its standalone NAT rule keeps it (azure-native's
 * MaintainSubResourcePropertiesIfNotSet). Retry-After 0 makes the client wait its configured 0 s.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AzureSimulator } from "../simulator";
import { startArmServer, type ArmServer } from "../http/arm-server";
import { resolveConfig } from "./config";
import { StandInProvider } from "./provider";

type Json = Record<string, unknown>;
const urn = (type: string, name: string) => `urn:pulumi:dev::p::azure-native:${type}::${name}`;

let sim: AzureSimulator;
let server: ArmServer;
let provider: StandInProvider;

beforeAll(async () => {
    sim = new AzureSimulator();
    server = await startArmServer(sim, { retryAfterSeconds: 0, lroPolls: 1, throttling: false });
    provider = new StandInProvider(await resolveConfig({ subscriptionId: sim.subscriptionId, location: "westeurope" },
        { AZURE_NAT_RULES_ARM_ENDPOINT: server.url, AZURE_NAT_RULES_STANDIN_POLL_SECONDS: "0" }));
});
afterAll(() => server.close());

async function create(type: string, name: string, news: Json): Promise<{ id: string; outputs: Json }> {
    const { inputs, failures } = await provider.check(urn(type, name), {}, news);
    expect(failures).toEqual([]);
    return provider.create(urn(type, name), inputs, false);
}

describe("azure-native stand-in on the local ARM endpoint", () => {
    it("deploys a scale set behind a V2 NAT rule, reads its mappings through the pool getter, keeps the rule across a load balancer update, and deletes", async () => {
        const group = await create("resources:ResourceGroup", "rg", { resourceGroupName: "rg" });
        expect(group.outputs.location).toBe("westeurope"); // Check's default from azure-native:location
        const vnet = await create("network:VirtualNetwork", "vnet", { resourceGroupName: "rg", virtualNetworkName: "vnet",
            addressSpace: { addressPrefixes: ["10.0.0.0/16"] }, subnets: [{ name: "s", addressPrefix: "10.0.1.0/24" }] });
        const pip = await create("network:PublicIPAddress", "pip", { resourceGroupName: "rg", publicIpAddressName: "pip", sku: { name: "Standard" }, publicIPAllocationMethod: "Static" });
        const lbInputs = { resourceGroupName: "rg", loadBalancerName: "lb", sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: pip.id } }], backendAddressPools: [{ name: "pool" }] };
        const lb = await create("network:LoadBalancer", "lb", lbInputs);
        const poolId = (lb.outputs.backendAddressPools as Json[])[0].id as string;
        const frontendId = (lb.outputs.frontendIPConfigurations as Json[])[0].id as string;
        const vmss = await create("compute:VirtualMachineScaleSet", "vmss", { resourceGroupName: "rg", vmScaleSetName: "vmss",
            sku: { name: "Standard_B1s", tier: "Standard", capacity: 3 }, overprovision: false, upgradePolicy: { mode: "Manual" },
            virtualMachineProfile: { networkProfile: { networkInterfaceConfigurations: [{ name: "nic", primary: true,
                ipConfigurations: [{ name: "ip", subnet: { id: (vnet.outputs.subnets as Json[])[0].id }, loadBalancerBackendAddressPools: [{ id: poolId }] }] }] } } });
        expect((vmss.outputs.sku as Json).capacity).toBe(3);
        const rule = await create("network:InboundNatRule", "rule", { resourceGroupName: "rg", loadBalancerName: "lb", inboundNatRuleName: "ssh",
            frontendIPConfiguration: { id: frontendId }, backendAddressPool: { id: poolId }, frontendPortRangeStart: 50000, frontendPortRangeEnd: 50009, backendPort: 22, protocol: "Tcp" });
        expect(rule.outputs.frontendPort).toBe(0); // a V2 rule's GET answers frontendPort 0 (spec example LoadBalancerGetInboundNatRulePortMapping.json)

        const pool = await provider.invoke("azure-native:network:getLoadBalancerBackendAddressPool", { resourceGroupName: "rg", loadBalancerName: "lb", backendAddressPoolName: "pool" });
        const ports = (pool.loadBalancerBackendAddresses as Json[]).flatMap((a) => ((a.inboundNatRulesPortMapping ?? []) as Json[]).map((m) => m.frontendPort));
        expect(ports).toHaveLength(3);
        expect(ports.every((p) => typeof p === "number" && p >= 50000 && p <= 50009)).toBe(true);

        const updated = await provider.update(urn("network:LoadBalancer", "lb"), lb.id, lb.outputs, { ...lbInputs, location: "westeurope", tags: { env: "test" } }, false);
        expect((updated.inboundNatRules as Json[]).map((r) => r.name)).toEqual(["ssh"]);
        expect(updated.tags).toEqual({ env: "test" });

        // Refresh of the scale set after a scale-out outside Pulumi: the capacity reaches its inputs.
        sim.setCapacity("rg", "vmss", 5);
        const scaled = await provider.read(urn("compute:VirtualMachineScaleSet", "vmss"), vmss.id, vmss.outputs, { resourceGroupName: "rg", vmScaleSetName: "vmss", sku: { name: "Standard_B1s", tier: "Standard", capacity: 3 } });
        expect((scaled?.inputs.sku as Json).capacity).toBe(5);

        for (const [type, id] of [["network:InboundNatRule", rule.id], ["compute:VirtualMachineScaleSet", vmss.id], ["network:LoadBalancer", lb.id]]) {
            await provider.delete(urn(type, "x"), id);
            expect(await provider.read(urn(type, "x"), id, {}, {})).toBeUndefined();
        }
    });
});
