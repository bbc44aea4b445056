import { describe, expect, it } from "vitest";
import { ArmError } from "../errors";
import { AzureSimulator } from "../simulator";

const call = (sim: AzureSimulator, token: string, inputs: Record<string, unknown> = {}) =>
    sim.mocks().call({ token, inputs, provider: "" }) as Record<string, unknown>;

describe("Pulumi mocks", () => {
    it("answers the client token and client configuration functions", () => {
        const sim = new AzureSimulator({ subscriptionId: "11111111-2222-3333-4444-555555555555" });
        expect(call(sim, "azure-native:authorization:getClientToken")).toEqual({ token: "sim-token" });
        expect(call(sim, "azure-native:authorization:getClientConfig")).toMatchObject({ subscriptionId: "11111111-2222-3333-4444-555555555555" });
    });

    it("rejects unknown functions naming the token", () => {
        expect(() => call(new AzureSimulator(), "azure-native:network:getApplicationGateway")).toThrow(/"azure-native:network:getApplicationGateway"/);
    });

    it("echoes components and providers, and upserts azure-native resources by ARM id", () => {
        const sim = new AzureSimulator();
        const mocks = sim.mocks();
        const component = mocks.newResource({ type: "azure-nat-rules:index:BackendPoolNatRule", name: "ssh", inputs: { a: 1 }, custom: false }) as { id?: string; state: unknown };
        expect(component).toEqual({ id: undefined, state: { a: 1 } });
        const rgInputs = { resourceGroupName: "demo", location: "northeurope" };
        const first = mocks.newResource({ type: "azure-native:resources:ResourceGroup", name: "rg", inputs: rgInputs, custom: true }) as { id: string; state: Record<string, unknown> };
        const second = mocks.newResource({ type: "azure-native:resources:ResourceGroup", name: "rg", inputs: rgInputs, custom: true }) as { id: string };
        expect(first.id).toBe("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo");
        expect(second.id).toBe(first.id);
        expect(first.state).toMatchObject({ name: "demo", location: "northeurope", resourceGroupName: "demo" });
        expect(Object.keys(sim.toJSON().resourceGroups)).toHaveLength(1);
    });

    it("returns the computed sub-resource ids, public IP address and flattened pool mappings", () => {
        const sim = new AzureSimulator();
        const mocks = sim.mocks();
        const register = (type: string, name: string, inputs: Record<string, unknown>) =>
            mocks.newResource({ type: `azure-native:${type}`, name, inputs, custom: true }) as { id: string; state: Record<string, any> };
        register("resources:ResourceGroup", "rg", { resourceGroupName: "rg" });
        const ip = register("network:PublicIPAddress", "ip", { resourceGroupName: "rg", sku: { name: "Standard" } });
        expect(ip.state.ipAddress).toMatch(/^203\.0\.113\./);
        const lb = register("network:LoadBalancer", "lb", {
            resourceGroupName: "rg",
            sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip.id } }],
            backendAddressPools: [{ name: "pool" }],
        });
        expect(lb.state.frontendIPConfigurations[0].id).toBe(`${lb.id}/frontendIPConfigurations/fe`);
        expect(lb.state.backendAddressPools[0].id).toBe(`${lb.id}/backendAddressPools/pool`);
        expect(lb.state.sku).toEqual({ name: "Standard", tier: "Regional" });
        const nic = register("network:NetworkInterface", "vm1-nic", {
            resourceGroupName: "rg",
            ipConfigurations: [{ name: "ipconfig", loadBalancerBackendAddressPools: [{ id: `${lb.id}/backendAddressPools/pool` }] }],
        });
        expect(nic.state.ipConfigurations[0].id).toBe(`${nic.id}/ipConfigurations/ipconfig`);
        expect(nic.state.ipConfigurations[0].privateIPAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        register("network:InboundNatRule", "ssh", {
            resourceGroupName: "rg",
            loadBalancerName: "lb",
            frontendIPConfiguration: { id: `${lb.id}/frontendIPConfigurations/fe` },
            backendAddressPool: { id: `${lb.id}/backendAddressPools/pool` },
            frontendPortRangeStart: 2200,
            frontendPortRangeEnd: 2209,
            backendPort: 22,
        });
        const pool = call(sim, "azure-native:network:getLoadBalancerBackendAddressPool", { resourceGroupName: "rg", loadBalancerName: "lb", backendAddressPoolName: "pool" }) as any;
        expect(pool.loadBalancerBackendAddresses).toEqual([expect.objectContaining({
            networkInterfaceIPConfiguration: { id: `${nic.id}/ipConfigurations/ipconfig` },
            inboundNatRulesPortMapping: [{ inboundNatRuleName: "ssh", frontendPort: 2200, backendPort: 22 }],
        })]);
        const got = call(sim, "azure-native:network:getLoadBalancer", { resourceGroupName: "rg", loadBalancerName: "lb" }) as any;
        expect(got.inboundNatRules[0]).toMatchObject({ name: "ssh", frontendPort: 0, frontendPortRangeStart: 2200 });
    });

    it("a read of a missing resource is a 404 ArmError", () => {
        const mocks = new AzureSimulator().mocks();
        expect(() => mocks.newResource({ type: "azure-native:network:LoadBalancer", name: "lb", inputs: {}, custom: true, id: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb" }))
            .toThrow(ArmError);
    });
});
