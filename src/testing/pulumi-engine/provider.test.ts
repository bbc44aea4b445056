/**
 * The azure-native stand-in against a scripted ARM endpoint: the request bodies it builds, the
 * long-running-operation protocol it follows, and its Diff, preview and Read answers. Expected
 * bodies are shaped as Azure's REST spec examples shape them (azure-rest-api-specs network
 * 2024-05-01 LoadBalancerCreateStandardSku.json, compute 2024-11-01
 * VirtualMachineScaleSet_Create_WithLoadBalancer / _WithNetworkInterfaceConfiguration examples).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { resolveConfig } from "./config";
import { DIFF_KIND, StandInProvider, UNKNOWN } from "./provider";

type Json = Record<string, unknown>;
interface Seen { method: string; url: string; body?: Json }
type Route = (req: Seen, res: ServerResponse) => boolean;

const SUB = "00000000-0000-0000-0000-000000000001";
const RG_PATH = `/subscriptions/${SUB}/resourceGroups/rg`;
const LB_ID = `${RG_PATH}/providers/Microsoft.Network/loadBalancers/lb`;
const urn = (type: string, name: string) => `urn:pulumi:dev::proj::${type}::${name}`;

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A loopback endpoint that answers by the given routes, recording every request. */
async function scripted(routes: Route[]): Promise<{ url: string; seen: Seen[] }> {
    const seen: Seen[] = [];
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const entry: Seen = { method: req.method ?? "GET", url: req.url ?? "/", body: text ? (JSON.parse(text) as Json) : undefined };
            seen.push(entry);
            if (!routes.some((r) => r(entry, res))) {
                res.writeHead(404, { "Content-Type": "application/json" });
                res.end(JSON.stringify({ error: { code: "ResourceNotFound", message: `no ${entry.url}` } }));
            }
        });
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

const json = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(body === undefined ? "" : JSON.stringify(body));
    return true;
};

async function providerFor(url: string, waitSeconds = 0): Promise<StandInProvider> {
    const config = await resolveConfig({ subscriptionId: SUB, location: "westeurope" }, { AZURE_NAT_RULES_ARM_ENDPOINT: url, AZURE_NAT_RULES_STANDIN_POLL_SECONDS: String(waitSeconds) });
    return new StandInProvider(config);
}

describe("azure-native stand-in", () => {
    it("creates a load balancer: its body nests properties as ARM's, polls Azure-AsyncOperation after Retry-After, then reads it back", async () => {
        let polls = 0;
        const stored: Json = {};
        const { url, seen } = await scripted([
            (r, res) => r.method === "PUT" && r.url.startsWith(LB_ID) && (Object.assign(stored, r.body), json(res, 201, { ...r.body, id: LB_ID }, {
                "Azure-AsyncOperation": `http://127.0.0.1:${(server!.address() as AddressInfo).port}/op/1`, "Retry-After": "1" })),
            (r, res) => r.url.startsWith("/op/1") && json(res, 200, { status: ++polls < 2 ? "InProgress" : "Succeeded" }, { "Retry-After": "0" }),
            (r, res) => r.method === "GET" && r.url.startsWith(LB_ID) && polls > 0 && json(res, 200, {
                ...stored, id: LB_ID, name: "lb",
                properties: { ...(stored.properties as Json), provisioningState: "Succeeded",
                    frontendIPConfigurations: [{ id: `${LB_ID}/frontendIPConfigurations/fe`, name: "fe", properties: { publicIPAddress: { id: "/pip" } } }] },
            }),
        ]);
        const provider = await providerFor(url);
        const started = Date.now();
        const result = await provider.create(urn("azure-native:network:LoadBalancer", "lb"), {
            resourceGroupName: "rg", loadBalancerName: "lb", location: "westeurope", sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: "/pip" } }],
            backendAddressPools: [{ name: "pool" }],
        }, false);
        expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // the PUT's Retry-After: 1
        const put = seen.find((s) => s.method === "PUT")!;
        expect(put.url).toContain("api-version=2024-05-01");
        expect(put.body).toEqual({
            location: "westeurope",
            sku: { name: "Standard" },
            properties: {
                frontendIPConfigurations: [{ name: "fe", properties: { publicIPAddress: { id: "/pip" } } }],
                backendAddressPools: [{ name: "pool" }],
                inboundNatRules: [], // a sub-resource array left unset goes empty on create
            },
        });
        expect(seen[0]).toMatchObject({ method: "GET" }); // CanCreate before the PUT
        expect(polls).toBe(2);
        expect(result.id).toBe(LB_ID);
        expect(result.outputs.frontendIPConfigurations).toEqual([{ id: `${LB_ID}/frontendIPConfigurations/fe`, name: "fe", publicIPAddress: { id: "/pip" } }]);
        expect(result.outputs.provisioningState).toBe("Succeeded");
        expect(result.outputs.azureApiVersion).toBe("2024-05-01");
    });

    it("refuses to create a resource that already exists, as azure-native's CanCreate does", async () => {
        const { url, seen } = await scripted([(r, res) => r.method === "GET" && json(res, 200, { id: LB_ID, name: "lb" })]);
        const provider = await providerFor(url);
        await expect(provider.create(urn("azure-native:network:LoadBalancer", "lb"), { resourceGroupName: "rg", loadBalancerName: "lb" }, false))
            .rejects.toThrow(`cannot create already existing resource '${LB_ID}'`);
        expect(seen.some((s) => s.method === "PUT")).toBe(false);
    });

    it("updates a load balancer keeping the NAT rules Azure has when the program leaves them unset, and retries a 429 after its Retry-After", async () => {
        const rule = { id: `${LB_ID}/inboundNatRules/ssh`, name: "ssh", properties: { frontendPort: 0, backendPort: 22, protocol: "Tcp" } };
        let throttled = false;
        const { url, seen } = await scripted([
            (r, res) => r.method === "PUT" && !throttled && ((throttled = true), json(res, 429, { error: { code: "TooManyRequests", message: "slow down" } }, { "Retry-After": "1" })),
            (r, res) => r.method === "PUT" && json(res, 200, { ...r.body, id: LB_ID, properties: { ...(r.body!.properties as Json), provisioningState: "Succeeded" } }),
            (r, res) => r.method === "GET" && json(res, 200, { id: LB_ID, name: "lb", location: "westeurope", properties: { provisioningState: "Succeeded", inboundNatRules: [rule], backendAddressPools: [{ name: "pool" }] } }),
        ]);
        const provider = await providerFor(url);
        await provider.update(urn("azure-native:network:LoadBalancer", "lb"), LB_ID, {}, { resourceGroupName: "rg", loadBalancerName: "lb", location: "westeurope", backendAddressPools: [{ name: "pool" }] }, false);
        const puts = seen.filter((s) => s.method === "PUT");
        expect(puts).toHaveLength(2);
        expect((puts[1].body!.properties as Json).inboundNatRules).toEqual([rule]);
    });

    it("shapes a scale set's NIC and IP configurations as the compute spec does", async () => {
        const id = `${RG_PATH}/providers/Microsoft.Compute/virtualMachineScaleSets/vmss`;
        const { url, seen } = await scripted([
            (r, res) => r.method === "PUT" && json(res, 200, { ...r.body, id }),
            (r, res) => r.method === "GET" && seen.some((s) => s.method === "PUT") && json(res, 200, { id, name: "vmss", sku: { capacity: 2 } }),
        ]);
        const provider = await providerFor(url);
        await provider.create(urn("azure-native:compute:VirtualMachineScaleSet", "vmss"), {
            resourceGroupName: "rg", vmScaleSetName: "vmss", location: "westeurope", sku: { name: "Standard_B1s", capacity: 2 }, overprovision: false,
            upgradePolicy: { mode: "Manual" },
            virtualMachineProfile: { networkProfile: { networkInterfaceConfigurations: [{ name: "nic", primary: true, ipConfigurations: [{ name: "ip", subnet: { id: "/s" }, loadBalancerBackendAddressPools: [{ id: "/p" }] }] }] } },
        }, false);
        const put = seen.find((s) => s.method === "PUT")!;
        expect(put.url).toContain("api-version=2024-11-01");
        expect(put.body).toEqual({
            location: "westeurope",
            sku: { name: "Standard_B1s", capacity: 2 },
            properties: {
                overprovision: false,
                upgradePolicy: { mode: "Manual" },
                virtualMachineProfile: { networkProfile: { networkInterfaceConfigurations: [{ name: "nic", properties: { primary: true,
                    ipConfigurations: [{ name: "ip", properties: { subnet: { id: "/s" }, loadBalancerBackendAddressPools: [{ id: "/p" }] } }] } }] } },
            },
        });
    });

    it("deletes through a 202 and its Location until it stops answering 202; a resource already gone is no error", async () => {
        let polls = 0;
        const { url, seen } = await scripted([
            (r, res) => r.method === "DELETE" && r.url.startsWith(LB_ID) && json(res, 202, undefined, { Location: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/loc/1` }),
            (r, res) => r.url.startsWith("/loc/1") && (++polls < 3 ? json(res, 202, undefined, { "Retry-After": "0" }) : json(res, 200, {})),
        ]);
        const provider = await providerFor(url);
        await provider.delete(urn("azure-native:network:LoadBalancer", "lb"), LB_ID);
        expect(polls).toBe(3);
        await provider.delete(urn("azure-native:network:LoadBalancer", "lb"), `${RG_PATH}/providers/Microsoft.Network/loadBalancers/gone`);
        expect(seen.filter((s) => s.method === "DELETE")).toHaveLength(2);
    });

    it("diffs old inputs against new ones: a changed path parameter replaces, an unknown input is a change, equal inputs are none", async () => {
        const provider = await providerFor("http://127.0.0.1:9");
        const type = urn("azure-native:network:InboundNatRule", "r");
        const olds = { resourceGroupName: "rg", loadBalancerName: "lb", inboundNatRuleName: "r", frontendPort: 50000, backendPort: 22 };
        expect(provider.diff(type, olds, { ...olds }).changes).toBe(false);
        const moved = provider.diff(type, olds, { ...olds, loadBalancerName: "lb2" });
        expect(moved).toMatchObject({ changes: true, replaces: ["loadBalancerName"], deleteBeforeReplace: true });
        expect(moved.detailedDiff).toEqual({ loadBalancerName: DIFF_KIND.UPDATE_REPLACE });
        const port = provider.diff(type, olds, { ...olds, backendPort: UNKNOWN });
        expect(port).toMatchObject({ changes: true, replaces: [], diffs: ["backendPort"] });
        expect(provider.diff(urn("azure-native:network:LoadBalancer", "lb"), { location: "westeurope" }, { location: "West Europe" }).changes).toBe(false);
    });

    it("previews a create as azure-native's PreviewOutputs: the inputs, with each array item's id unknown", async () => {
        const provider = await providerFor("http://127.0.0.1:9");
        const { id, outputs } = await provider.create(urn("azure-native:network:LoadBalancer", "lb"), {
            resourceGroupName: "rg", loadBalancerName: "lb", frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: UNKNOWN } }],
        }, true);
        expect(id).toBe("");
        expect(outputs.frontendIPConfigurations).toEqual([{ id: UNKNOWN, name: "fe", publicIPAddress: { id: UNKNOWN } }]);
    });

    it("refreshes: a resource gone from Azure reads as gone; a value changed outside Pulumi reaches the inputs it was given in", async () => {
        const id = `${RG_PATH}/providers/Microsoft.Compute/virtualMachineScaleSets/vmss`;
        const { url } = await scripted([(r, res) => r.method === "GET" && r.url.startsWith(id) && json(res, 200, { id, name: "vmss", sku: { name: "Standard_B1s", capacity: 5 }, properties: { overprovision: false } })]);
        const provider = await providerFor(url);
        const type = urn("azure-native:compute:VirtualMachineScaleSet", "vmss");
        const read = await provider.read(type, id, { name: "vmss", sku: { name: "Standard_B1s", capacity: 3 }, overprovision: false }, { resourceGroupName: "rg", vmScaleSetName: "vmss", sku: { name: "Standard_B1s", capacity: 3 } });
        expect(read?.inputs).toEqual({ resourceGroupName: "rg", vmScaleSetName: "vmss", sku: { name: "Standard_B1s", capacity: 5 } });
        expect(await provider.read(type, `${RG_PATH}/providers/Microsoft.Compute/virtualMachineScaleSets/gone`, {}, {})).toBeUndefined();
    });

    it("answers a resource getter with a GET, in output shape", async () => {
        const pool = `${LB_ID}/backendAddressPools/pool`;
        const { url } = await scripted([(r, res) => r.method === "GET" && r.url.startsWith(pool) && json(res, 200, { id: pool, name: "pool", properties: { loadBalancerBackendAddresses: [{ name: "a", properties: { inboundNatRulesPortMapping: [{ inboundNatRuleName: "ssh", frontendPort: 50000, backendPort: 22 }] } }] } })]);
        const provider = await providerFor(url);
        const result = await provider.invoke("azure-native:network:getLoadBalancerBackendAddressPool", { resourceGroupName: "rg", loadBalancerName: "lb", backendAddressPoolName: "pool" });
        expect(result.loadBalancerBackendAddresses).toEqual([{ name: "a", inboundNatRulesPortMapping: [{ inboundNatRuleName: "ssh", frontendPort: 50000, backendPort: 22 }] }]);
        expect(result.id).toBe(pool);
        await expect(provider.invoke("azure-native:storage:getStorageAccount", {})).rejects.toThrow(/stand-in serves .*getLoadBalancerBackendAddressPool/);
    });

    it("talks only to a loopback endpoint, and says what to set when the endpoint or subscription is missing", async () => {
        await expect(resolveConfig({ subscriptionId: SUB }, { AZURE_NAT_RULES_ARM_ENDPOINT: "https://management.azure.com" })).rejects.toThrow(/not on loopback/);
        await expect(resolveConfig({ subscriptionId: SUB }, {})).rejects.toThrow(/Fix: set AZURE_NAT_RULES_ARM_ENDPOINT/);
        await expect(resolveConfig({}, { AZURE_NAT_RULES_ARM_ENDPOINT: "http://127.0.0.1:1" })).rejects.toThrow(/ARM_SUBSCRIPTION_ID/);
    });
});
