import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { echoMocks } from "../testing/pulumi/component-test-helpers";
import { differingInstances, readAzureMappings } from "./azure-mappings";
import type { NatPortMapping } from "../mapping";

const mapping = (instance: string, frontendPort: number): NatPortMapping => ({ instance, frontendIp: "", frontendPort, backendPort: 22, protocol: "Tcp", source: "planned" });

describe("differingInstances", () => {
    it("names each instance whose port differs, is missing or was not planned", () => {
        expect(differingInstances([mapping("0", 1), mapping("1", 2), mapping("2", 3)], [mapping("0", 1), mapping("2", 4), mapping("3", 2)])).toEqual([
            "1: planned 2, Azure has no mapping",
            "2: planned 3, Azure gave 4",
            "3: not planned, Azure gave 2",
        ]);
        expect(differingInstances([mapping("0", 1)], [mapping("0", 1)])).toEqual([]);
    });

    it("matches guessed labels by port, skips guessed ports, and expects no mapping for an instance pending its upgrade", () => {
        const guessed = (instance: string, port: number): NatPortMapping => ({ ...mapping(instance, port), labelGuessed: true });
        // Flexible VMs named by Azure: the ports are as planned, only the names were guesses.
        expect(differingInstances([guessed("web_(new 1)", 1), guessed("web_(new 2)", 2)], [mapping("web_8d8e", 2), mapping("web_f5ff", 1)])).toEqual([]);
        // A guessed label whose port Azure did not give, and a port nobody planned.
        expect(differingInstances([mapping("0", 1), guessed("1", 2)], [mapping("0", 1), mapping("5", 3)])).toEqual([
            "1: planned 2, Azure has no mapping",
            "5: not planned, Azure gave 3",
        ]);
        // A sure label still differs by its port; a guessed port does not.
        expect(differingInstances([mapping("a", 1), { ...mapping("b", 2), portGuessed: true }], [mapping("a", 3), mapping("b", 4)])).toEqual(["a: planned 1, Azure gave 3"]);
        // Manual upgrade policy: no port until upgraded, as planned; once upgraded, its port is compared.
        const pending = { ...mapping("0", 5), upgradePending: true };
        expect(differingInstances([pending], [])).toEqual([]);
        expect(differingInstances([pending], [mapping("0", 6)])).toEqual(["0: planned 5, Azure gave 6"]);
    });
});

describe("readAzureMappings", () => {
    // An ARM endpoint whose long-running query never finishes: every answer is 202.
    let server: http.Server;
    let url = "";
    const mocks = echoMocks(false, { "azure-native:authorization:getClientToken": { token: "t" } });
    beforeAll(async () => {
        await mocks.ready;
        server = http.createServer((req, res) => {
            if (req.method === "GET" && /loadBalancers\/lb\?/.test(req.url ?? "")) {
                res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb", name: "lb", properties: { frontendIPConfigurations: [], inboundNatRules: [{ name: "ssh", id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb/inboundNatRules/ssh", properties: { backendAddressPool: { id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb/backendAddressPools/pool" }, frontendIPConfiguration: { id: "/x" }, frontendPortRangeStart: 1, frontendPortRangeEnd: 9, backendPort: 22, protocol: "Tcp" } }] } }));
            } else if (req.method === "GET" && /backendAddressPools\/pool\?/.test(req.url ?? "")) {
                res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ name: "pool", properties: { loadBalancerBackendAddresses: [{ name: "a", properties: { ipAddress: "10.0.0.4" } }] } }));
            } else {
                res.writeHead(202, { location: `${url}/operations/never`, "retry-after": "1" }).end();
            }
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("gives up after its timeout, warns, and keeps the plan instead of hanging the deployment", async () => {
        const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
        const planned = [mapping("a", 1)];
        const result = await readAzureMappings(
            { subscriptionId: "s", resourceGroupName: "rg", loadBalancerName: "lb", backendPoolName: "pool", ruleName: "ssh", endpoint: url, frontendIp: "", planned, timeoutMs: 1500 },
            undefined as never,
        );
        expect(result).toBe(planned);
        expect(warn.mock.calls.map((c) => String(c[0])).join("\n")).toMatch(/Could not read Azure's port mappings for rule "ssh" \(lookupPortMappings: no complete answer from http:\/\/127\.0\.0\.1:\d+ within 2 s /);
        warn.mockRestore();
    });
});
