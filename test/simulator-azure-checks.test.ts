/**
 * The checks Azure makes, and what recorded Azure accepts. Every expected value here comes from an
 * Azure answer quoted in a public source (named beside it), not from the simulator's own code.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ARM_ERROR_CODES, ArmError, AzureSimulator, startArmServer, type ArmServer } from "../src/testing";

const SUB = "00000000-0000-0000-0000-000000000000";

/** Asserts `change` is refused with `code` and leaves the state exactly as it was. */
function refused(sim: AzureSimulator, change: () => unknown, code: string): ArmError {
    const before = JSON.stringify(sim.toJSON());
    let caught: unknown;
    try {
        change();
    } catch (err) {
        caught = err;
    }
    expect(caught).toBeInstanceOf(ArmError);
    expect((caught as ArmError).code).toBe(code);
    expect(JSON.stringify(sim.toJSON())).toBe(before);
    return caught as ArmError;
}

/** A Standard load balancer `lbName` in `rg` with frontend `fe` and backend pool `pool`. */
function loadBalancer(rg: string, lbName: string): { sim: AzureSimulator; lbId: string } {
    const sim = new AzureSimulator();
    sim.createResourceGroup({ resourceGroupName: rg, location: "westeurope" });
    const ip = sim.upsertPublicIPAddress({ resourceGroupName: rg, publicIpAddressName: "ip", sku: { name: "Standard" } });
    sim.upsertLoadBalancer({
        resourceGroupName: rg,
        loadBalancerName: lbName,
        sku: { name: "Standard" },
        frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip } }],
        backendAddressPools: [{ name: "pool" }],
    });
    return { sim, lbId: `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Network/loadBalancers/${lbName}` };
}

describe("RulesUseSameBackendPortProtocolAndIPConfig (hashicorp/terraform-provider-azurerm#84)", () => {
    // The reported case: rules RDP-VM0 and RDP-VM1 of load balancer webserver-lbip, both backend port
    // 3389 Tcp, attached to ipconfig1 of NIC dev-NIC0; Azure refused the NIC PUT.
    const rg = "rg";
    const setup = (floatingIp: boolean): { sim: AzureSimulator; lbId: string } => {
        const { sim, lbId } = loadBalancer(rg, "webserver-lbip");
        for (const [name, frontendPort] of [["RDP-VM0", 50001], ["RDP-VM1", 50002]] as const) {
            sim.upsertInboundNatRule({
                resourceGroupName: rg, loadBalancerName: "webserver-lbip", inboundNatRuleName: name,
                frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/fe` },
                frontendPort, backendPort: 3389, protocol: "Tcp", enableFloatingIP: floatingIp,
            });
        }
        return { sim, lbId };
    };
    const attachBoth = (sim: AzureSimulator, lbId: string) => () =>
        sim.upsertNetworkInterface({
            resourceGroupName: rg,
            networkInterfaceName: "dev-NIC0",
            ipConfigurations: [{
                name: "ipconfig1",
                loadBalancerInboundNatRules: [{ id: `${lbId}/inboundNatRules/RDP-VM0` }, { id: `${lbId}/inboundNatRules/RDP-VM1` }],
            }],
        });

    it("refuses two single-VM rules with the same backend port and protocol on one NIC ipconfig, with Azure's message", () => {
        const { sim, lbId } = setup(false);
        const err = refused(sim, attachBoth(sim, lbId), "RulesUseSameBackendPortProtocolAndIPConfig");
        expect(err.statusCode).toBe(400);
        const rules = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/webserver-lbip/inboundNatRules`;
        expect(err.message).toBe(
            `Load balancer rules ${rules}/RDP-VM0 and ${rules}/RDP-VM1 with floating IP disabled use the same backend port 3389 and protocol Tcp, ` +
                `and must not be used with the same backend IP /subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/dev-NIC0/ipConfigurations/ipconfig1.`,
        );
        expect(err.toBody()).toEqual({ error: { code: "RulesUseSameBackendPortProtocolAndIPConfig", message: err.message, details: [] } });
    });

    it("accepts the same pair with floating IP enabled, the documented way to reuse a backend port", () => {
        const { sim, lbId } = setup(true);
        attachBoth(sim, lbId)();
        expect(sim.has(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/dev-NIC0`)).toBe(true);
    });

    it("refuses a second backend-pool rule on the same backend port and protocol, for each pool member", () => {
        const { sim, lbId } = loadBalancer(rg, "lb");
        sim.upsertNetworkInterface({
            resourceGroupName: rg, networkInterfaceName: "vm1-nic",
            ipConfigurations: [{ name: "ipconfig1", loadBalancerBackendAddressPools: [{ id: `${lbId}/backendAddressPools/pool` }] }],
        });
        const v2 = (name: string, start: number, backendPort: number) => sim.upsertInboundNatRule({
            resourceGroupName: rg, loadBalancerName: "lb", inboundNatRuleName: name,
            frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/fe` },
            backendAddressPool: { id: `${lbId}/backendAddressPools/pool` },
            frontendPortRangeStart: start, frontendPortRangeEnd: start + 9, backendPort, protocol: "Tcp",
        });
        v2("ssh", 50000, 22);
        const err = refused(sim, () => v2("ssh-again", 51000, 22), ARM_ERROR_CODES.rulesUseSameBackendPort);
        expect(err.message).toContain("use the same backend port 22 and protocol Tcp");
        expect(err.message).toContain("networkInterfaces/vm1-nic/ipConfigurations/ipconfig1");
        v2("rdp", 51000, 3389); // another backend port is fine
        expect(sim.portMappings(rg, "lb").map((m) => `${m.rule}:${m.frontendPort}`).sort()).toEqual(["rdp:51000", "ssh:50000"]);
    });
});

describe("what recorded Azure accepts (Azure/azure-cli test_network_lb_nat_rules_v3.yaml, api 2023-04-01)", () => {
    it("a V2 rule with frontendPortRangeStart 0, then an update PUT that sends frontendPort 0 back with the range", () => {
        const { sim, lbId } = loadBalancer("cli_test_lb_nat_rules_v3000001", "lb1");
        const put = (extra: Record<string, unknown>) => sim.upsertInboundNatRule({
            resourceGroupName: "cli_test_lb_nat_rules_v3000001", loadBalancerName: "lb1", inboundNatRuleName: "rule3",
            frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/fe` },
            backendAddressPool: { id: `${lbId}/backendAddressPools/pool` },
            backendPort: 30, protocol: "Tcp", frontendPortRangeStart: 0, frontendPortRangeEnd: 3, ...extra,
        });
        put({});
        const rule = sim.get(`${lbId}/inboundNatRules/rule3`) as { properties: Record<string, unknown> };
        // The recorded 200 answer: "frontendPort":0,"backendPort":30,...,"frontendPortRangeStart":0,"frontendPortRangeEnd":3
        expect(rule.properties).toMatchObject({ frontendPort: 0, backendPort: 30, protocol: "Tcp", frontendPortRangeStart: 0, frontendPortRangeEnd: 3 });
        put({ frontendPort: 0 }); // a read-modify-write PUT carries the GET's frontendPort 0
        expect((sim.get(`${lbId}/inboundNatRules/rule3`) as { properties: Record<string, unknown> }).properties.frontendPortRangeEnd).toBe(3);
        // A real frontend port with a range stays refused (Azure/azure-cli#21583).
        const err = refused(sim, () => put({ frontendPort: 22 }), "UnsupportedSetOfInboundNatRulePropertiesWhenFrontendPortIsSpecified");
        expect(err.message).toContain("If FrontendPort 22 is set, properties FrontendPortRangeStart, FrontendPortRangeEnd should be null.");
    });
});

/** GET through the ARM endpoint, with a bearer token as ARM requires. */
const armGet = (url: string): Promise<Response> => fetch(url, { headers: { authorization: "Bearer test-token" } });

describe("backend addresses of a pool, as a real pool GET shows them", () => {
    let server: ArmServer | undefined;
    afterEach(async () => {
        await server?.close();
        server = undefined;
    });

    it("a NIC member is named <resource group>_<nic><ipconfig>, has id and type, and its mappings sit only in properties", async () => {
        // Names from a real GET quoted publicly: az-rg-sm-srv-homepage_webNic1ipconfig1 (hashicorp/terraform-provider-azurerm#29775 describes the scheme).
        const rg = "az-rg-sm-srv-homepage";
        const { sim, lbId } = loadBalancer(rg, "lb");
        sim.upsertNetworkInterface({
            resourceGroupName: rg, networkInterfaceName: "webNic1",
            ipConfigurations: [{ name: "ipconfig1", loadBalancerBackendAddressPools: [{ id: `${lbId}/backendAddressPools/pool` }] }],
        });
        sim.upsertInboundNatRule({
            resourceGroupName: rg, loadBalancerName: "lb", inboundNatRuleName: "ssh",
            frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/fe` },
            backendAddressPool: { id: `${lbId}/backendAddressPools/pool` },
            frontendPortRangeStart: 50000, frontendPortRangeEnd: 50009, backendPort: 22, protocol: "Tcp",
        });
        server = await startArmServer(sim);
        const response = await armGet(`${server.url}${lbId}/backendAddressPools/pool?api-version=2024-05-01`);
        const pool = (await response.json()) as { properties: { loadBalancerBackendAddresses: Record<string, unknown>[] } };
        const [address] = pool.properties.loadBalancerBackendAddresses;
        expect(address.name).toBe("az-rg-sm-srv-homepage_webNic1ipconfig1");
        expect(address.id).toBe(`${lbId}/backendAddressPools/pool/loadBalancerBackendAddresses/az-rg-sm-srv-homepage_webNic1ipconfig1`);
        expect(address.type).toBe("Microsoft.Network/loadBalancers/backendAddressPools/loadBalancerBackendAddresses");
        expect(address).not.toHaveProperty("inboundNatRulesPortMapping");
        expect((address.properties as Record<string, unknown>).inboundNatRulesPortMapping).toEqual([{ inboundNatRuleName: "ssh", frontendPort: 50000, backendPort: 22 }]);
    });

    it("an ARM error body carries details: [] (Details=[] in hashicorp/terraform-provider-azurerm#84)", async () => {
        const { sim, lbId } = loadBalancer("rg", "lb");
        server = await startArmServer(sim);
        const response = await armGet(`${server.url}${lbId}/inboundNatRules/missing?api-version=2024-05-01`);
        expect(response.status).toBe(404);
        const body = (await response.json()) as { error: { code: string; details: unknown } };
        expect(body.error.details).toEqual([]);
    });
});
