/**
 * Writes over the ARM endpoint with plain fetch: status codes and long-running-operation headers
 * as Azure's REST specs and recorded answers give them, the same refusals as the Pulumi mocks,
 * read-modify-write PUTs, ETags, serialized writes and the reads real clients make.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ArmError } from "../errors";
import { AzureSimulator } from "../simulator";
import { FAST_ARM_SERVER_OPTIONS, startArmServer, type ArmServer, type ArmServerOptions } from "./arm-server";

const SUB = "00000000-0000-0000-0000-000000000000";
const RG = `/subscriptions/${SUB}/resourceGroups/rg`;
const NET = `${RG}/providers/Microsoft.Network`;
const LB = `${NET}/loadBalancers/lb`;
const VMSS = `${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/web`;
const AUTH = { Authorization: "Bearer test-token", "Content-Type": "application/json" };
const V = "api-version=2024-05-01";

const servers: ArmServer[] = [];
async function serve(sim: AzureSimulator, options: ArmServerOptions = FAST_ARM_SERVER_OPTIONS): Promise<ArmServer> {
    const server = await startArmServer(sim, options);
    servers.push(server);
    return server;
}
afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface Answer {
    status: number;
    body: any;
    headers: Headers;
}
async function call(server: ArmServer, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const url = path.startsWith("http") ? path : `${server.url}${path}${path.includes("?") ? "&" : "?"}${V}`;
    const res = await fetch(url, { method, headers: { ...AUTH, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** A resource group, a public IP, a load balancer with a frontend and a pool, and a scale set of 2 in the pool. */
async function stack(server: ArmServer): Promise<void> {
    expect((await call(server, "PUT", RG, { location: "westeurope" })).status).toBe(201);
    expect((await call(server, "PUT", `${NET}/publicIPAddresses/ip`, { location: "westeurope", sku: { name: "Standard" }, properties: { publicIPAllocationMethod: "Static" } })).status).toBe(201);
    const lb = await call(server, "PUT", LB, {
        location: "westeurope",
        sku: { name: "Standard" },
        properties: {
            frontendIPConfigurations: [{ name: "fe", properties: { publicIPAddress: { id: `${NET}/publicIPAddresses/ip` } } }],
            backendAddressPools: [{ name: "pool" }],
        },
    });
    expect(lb.status).toBe(201);
    const vmss = await call(server, "PUT", VMSS, {
        location: "westeurope",
        sku: { name: "Standard_B1s", capacity: 2 },
        properties: {
            overprovision: false,
            upgradePolicy: { mode: "Manual" },
            virtualMachineProfile: { networkProfile: { networkInterfaceConfigurations: [{
                name: "nic",
                properties: { primary: true, ipConfigurations: [{ name: "ipconfig", properties: { loadBalancerBackendAddressPools: [{ id: `${LB}/backendAddressPools/pool` }] } }] },
            }] } },
        },
    });
    expect(vmss.status).toBe(201);
}

const V2_RULE = {
    properties: {
        frontendIPConfiguration: { id: `${LB}/frontendIPConfigurations/fe` },
        backendAddressPool: { id: `${LB}/backendAddressPools/pool` },
        frontendPortRangeStart: 50000,
        frontendPortRangeEnd: 50099,
        backendPort: 22,
        protocol: "Tcp",
    },
};

describe("ARM endpoint writes", () => {
    it("Microsoft.Network PUT answers 201 with Azure-AsyncOperation and provisioningState Updating; the operation then succeeds and GET shows Succeeded", async () => {
        const sim = new AzureSimulator();
        const server = await serve(sim, { ...FAST_ARM_SERVER_OPTIONS, lroPolls: 1 });
        await stack(server);
        const put = await call(server, "PUT", `${LB}/inboundNatRules/ssh`, V2_RULE);
        // network spec: InboundNatRules_CreateOrUpdate 200/201, x-ms-long-running-operation, final-state-via azure-async-operation;
        // recorded 201s carry Azure-AsyncOperation and "provisioningState": "Updating" (azure-cli network recordings).
        expect(put.status).toBe(201);
        expect(put.body.properties.provisioningState).toBe("Updating");
        const op = put.headers.get("azure-asyncoperation") as string;
        expect(op).toMatch(new RegExp(`^${server.url}/subscriptions/${SUB}/providers/Microsoft.Network/locations/westeurope/operations/[0-9a-f-]{36}\\?${V}$`));
        expect(put.headers.get("retry-after")).toBe("1");
        expect((await call(server, "GET", op)).body).toEqual({ status: "InProgress" });
        expect((await call(server, "GET", op)).body).toEqual({ status: "Succeeded" });
        const got = await call(server, "GET", `${LB}/inboundNatRules/ssh`);
        expect(got.body.properties.provisioningState).toBe("Succeeded");
        // A client that only reads the resource sees Updating while the operation runs, then Succeeded.
        expect((await call(server, "PUT", `${LB}/inboundNatRules/ssh`, V2_RULE)).status).toBe(200);
        expect((await call(server, "GET", LB)).body.properties.provisioningState).toBe("Updating");
        expect((await call(server, "GET", LB)).body.properties.provisioningState).toBe("Succeeded");
        // Port = range start + member order (docs: inbound-nat-rules, "Backend pool" rule): instances 0 and 1 take 50000, 50001.
        const pool = await call(server, "GET", `${LB}/backendAddressPools/pool`);
        expect(pool.body.properties.loadBalancerBackendAddresses.map((a: any) => a.properties.inboundNatRulesPortMapping[0].frontendPort)).toEqual([50000, 50001]);
    });

    it("a write Azure refuses answers ARM's error body with the same code and message as the Pulumi mocks, and changes nothing", async () => {
        const sim = new AzureSimulator();
        const server = await serve(sim);
        await stack(server);
        const before = JSON.stringify(sim.toJSON());
        const bad = { properties: { ...V2_RULE.properties, frontendPort: 50000 } };
        const res = await call(server, "PUT", `${LB}/inboundNatRules/ssh`, bad);
        // Azure/azure-cli#21583: a frontendPort beside a range is refused with this code.
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe("UnsupportedSetOfInboundNatRulePropertiesWhenFrontendPortIsSpecified");
        expect(JSON.stringify(sim.toJSON())).toBe(before);
        let mocksError: unknown;
        try {
            sim.upsert("network:InboundNatRule", "ssh", { resourceGroupName: "rg", loadBalancerName: "lb", inboundNatRuleName: "ssh", ...bad.properties });
        } catch (err) {
            mocksError = err;
        }
        expect(mocksError).toBeInstanceOf(ArmError);
        expect({ code: (mocksError as ArmError).code, message: (mocksError as ArmError).message }).toEqual({ code: res.body.error.code, message: res.body.error.message });

        const notJson = await fetch(`${server.url}${LB}/inboundNatRules/ssh?${V}`, { method: "PUT", headers: AUTH, body: "{" });
        expect(notJson.status).toBe(400);
        expect(((await notJson.json()) as any).error.code).toBe("InvalidRequestContent");
        const noGroup = await call(server, "PUT", `/subscriptions/${SUB}/resourceGroups/nope/providers/Microsoft.Network/publicIPAddresses/ip`, { location: "westeurope" });
        expect(noGroup.status).toBe(404);
        expect(noGroup.body.error.code).toBe("ResourceGroupNotFound");
    });

    it("accepts a read-modify-write PUT of the whole load balancer that echoes its GET (etag, provisioningState, frontendPort 0 beside a range, NIC members), and removes a rule the PUT leaves out", async () => {
        const sim = new AzureSimulator();
        const server = await serve(sim);
        await stack(server);
        expect((await call(server, "PUT", `${LB}/inboundNatRules/ssh`, V2_RULE)).status).toBe(201);
        const got = await call(server, "GET", LB);
        const rule = got.body.properties.inboundNatRules[0];
        // A V2 rule's GET shows frontendPort 0 (azure-cli recording test_network_lb_nat_rules_v3.yaml).
        expect(rule.properties.frontendPort ?? 0).toBe(0);
        expect(got.body.properties.backendAddressPools[0].properties.loadBalancerBackendAddresses).toHaveLength(2);
        const mappingsBefore = sim.portMappings("rg", "lb");
        // az network lb inbound-nat-rule create: GET the load balancer, add the rule, PUT it all back (recording test_network_lb_nat_rules_v2.yaml).
        const single = { name: "rdp", properties: { frontendIPConfiguration: { id: `${LB}/frontendIPConfigurations/fe` }, frontendPort: 3389, backendPort: 3389, protocol: "Tcp" } };
        const echo = structuredClone(got.body);
        echo.properties.inboundNatRules = [{ ...rule, properties: { ...rule.properties, frontendPort: 0 } }, single];
        const put = await call(server, "PUT", LB, echo, { "If-Match": got.body.etag });
        expect(put.status).toBe(200);
        expect(sim.portMappings("rg", "lb")).toEqual(mappingsBefore);
        expect((await call(server, "GET", `${LB}/inboundNatRules`)).body.value.map((r: any) => r.name)).toEqual(["ssh", "rdp"]);
        // az network lb inbound-nat-rule delete: the same PUT without the rule.
        const again = await call(server, "GET", LB);
        again.body.properties.inboundNatRules = again.body.properties.inboundNatRules.filter((r: any) => r.name !== "ssh");
        expect((await call(server, "PUT", LB, again.body)).status).toBe(200);
        expect((await call(server, "GET", `${LB}/inboundNatRules`)).body.value.map((r: any) => r.name)).toEqual(["rdp"]);
        expect(sim.portMappings("rg", "lb")).toEqual([]);
    });

    it("a load balancer with an inline NAT pool: the whole-LB PUT that echoes the pool's derived rules is accepted, a changed one is refused as Azure refuses it", async () => {
        const sim = new AzureSimulator();
        const server = await serve(sim);
        await call(server, "PUT", RG, { location: "westeurope" });
        await call(server, "PUT", `${NET}/publicIPAddresses/ip`, { location: "westeurope", sku: { name: "Standard" } });
        const natPool = { name: "natpool", properties: { frontendIPConfiguration: { id: `${LB}/frontendIPConfigurations/fe` }, protocol: "Tcp", frontendPortRangeStart: 50000, frontendPortRangeEnd: 50119, backendPort: 22 } };
        const put = await call(server, "PUT", LB, {
            location: "westeurope",
            sku: { name: "Standard" },
            properties: {
                frontendIPConfigurations: [{ name: "fe", properties: { publicIPAddress: { id: `${NET}/publicIPAddresses/ip` } } }],
                backendAddressPools: [{ name: "pool" }],
                inboundNatPools: [natPool],
            },
        });
        expect(put.status).toBe(201);
        await call(server, "PUT", VMSS, {
            location: "westeurope",
            sku: { name: "Standard_B1s", capacity: 2 },
            properties: { overprovision: false, virtualMachineProfile: { networkProfile: { networkInterfaceConfigurations: [{ name: "nic", properties: { primary: true, ipConfigurations: [{ name: "ipconfig", properties: {
                loadBalancerBackendAddressPools: [{ id: `${LB}/backendAddressPools/pool` }],
                loadBalancerInboundNatPools: [{ id: `${LB}/inboundNatPools/natpool` }],
            } }] } }] } } },
        });
        const got = await call(server, "GET", LB);
        // A NAT pool's per-instance rules show in the GET (Azure/AzLoadBalancerMigration's NAT pool migration reads them there).
        expect(got.body.properties.inboundNatRules).toHaveLength(2);
        const before = JSON.stringify(sim.toJSON());
        expect((await call(server, "PUT", LB, got.body)).status).toBe(200);
        const changed = structuredClone(got.body);
        changed.properties.inboundNatRules[0].properties.backendPort = 2222;
        const refused = await call(server, "PUT", LB, changed);
        // MicrosoftDocs/azure-docs#59705 quotes Azure's refusal of changed NAT rules beside a NAT pool.
        expect(refused.status).toBe(400);
        expect(refused.body.error.message).toContain("Adding or updating NAT Rules when NAT pool is present on loadbalancer");
        const { inboundNatRules: _dropped, ...withoutRules } = got.body.properties;
        expect((await call(server, "PUT", LB, { ...got.body, properties: withoutRules })).status).toBe(200);
        expect(JSON.stringify(sim.toJSON())).toBe(before);
    });

    it("ETags: every GET carries one; a write changes it; If-Match with a stale etag and If-None-Match * on an existing resource answer 412 and change nothing", async () => {
        const sim = new AzureSimulator();
        const server = await serve(sim);
        await stack(server);
        const first = await call(server, "GET", LB);
        const etag = first.headers.get("etag") as string;
        expect(etag).toMatch(/^W\/"[0-9a-f-]{36}"$/);
        expect(first.body.etag).toBe(etag);
        // Children carry the parent's etag (Microsoft.Network answers).
        expect(first.body.properties.backendAddressPools[0].etag).toBe(etag);
        // If-Match on a resource that does not exist yet fails (RFC 9110 §13.1.1).
        expect((await call(server, "PUT", `${LB}/inboundNatRules/ssh`, V2_RULE, { "If-Match": etag })).status).toBe(412);
        expect((await call(server, "PUT", `${LB}/inboundNatRules/ssh`, V2_RULE)).status).toBe(201);
        const second = await call(server, "GET", LB);
        expect(second.headers.get("etag")).not.toBe(etag);
        expect((await call(server, "GET", `${LB}/inboundNatRules/ssh`)).headers.get("etag")).toBe(second.headers.get("etag"));
        expect((await call(server, "PUT", `${LB}/inboundNatRules/ssh`, V2_RULE, { "If-Match": second.headers.get("etag") as string })).status).toBe(200);
        const before = JSON.stringify(sim.toJSON());
        const stale = await call(server, "PUT", `${LB}/inboundNatRules/ssh`, { properties: { ...V2_RULE.properties, backendPort: 2222 } }, { "If-Match": etag });
        expect(stale.status).toBe(412);
        expect(stale.body.error.code).toBe("PreconditionFailed");
        const exists = await call(server, "PUT", `${LB}/inboundNatRules/ssh`, V2_RULE, { "If-None-Match": "*" });
        expect(exists.status).toBe(412);
        const staleDelete = await call(server, "DELETE", `${LB}/inboundNatRules/ssh`, undefined, { "If-Match": etag });
        expect(staleDelete.status).toBe(412);
        expect(JSON.stringify(sim.toJSON())).toBe(before);
        for (const path of [RG, `${NET}/publicIPAddresses/ip`, VMSS]) {
            const res = await call(server, "GET", path);
            expect(res.headers.get("etag"), path).toBe(res.body.etag);
        }
    });

    it("DELETE: Microsoft.Network 202 with Location and Azure-AsyncOperation, Location answers 204 once done; a missing resource 204; a resource group 202 then 404", async () => {
        const sim = new AzureSimulator();
        const server = await serve(sim, { ...FAST_ARM_SERVER_OPTIONS, lroPolls: 1 });
        await stack(server);
        await call(server, "PUT", `${LB}/inboundNatRules/ssh`, V2_RULE);
        const del = await call(server, "DELETE", `${LB}/inboundNatRules/ssh`);
        // network spec InboundNatRules_Delete: 200/202/204, final-state-via location.
        expect(del.status).toBe(202);
        const location = del.headers.get("location") as string;
        expect(location).toMatch(/\/providers\/Microsoft\.Network\/locations\/westeurope\/operationResults\/[0-9a-f-]{36}\?/);
        expect(del.headers.get("azure-asyncoperation")).toMatch(/\/operations\/[0-9a-f-]{36}\?/);
        expect((await call(server, "GET", location)).status).toBe(202);
        expect((await call(server, "GET", location)).status).toBe(204);
        expect((await call(server, "GET", `${LB}/inboundNatRules/ssh`)).status).toBe(404);
        expect((await call(server, "DELETE", `${LB}/inboundNatRules/ssh`)).status).toBe(204);
        // A load balancer in use by a scale set cannot go (docs: the scale set must drop it first).
        const inUse = await call(server, "DELETE", LB);
        expect(inUse.status).toBe(400);
        expect((await call(server, "GET", LB)).status).toBe(200);
        // resources spec ResourceGroups_Delete: 202 with Location (/operationresults/), 200 when done.
        const rg = await call(server, "DELETE", RG);
        expect(rg.status).toBe(202);
        expect(rg.headers.get("location")).toMatch(new RegExp(`^${server.url}/subscriptions/${SUB}/operationresults/`));
        expect((await call(server, "GET", RG)).status).toBe(404);
        expect((await call(server, "DELETE", RG)).status).toBe(404);
        // resources spec ResourceGroups_CheckExistence: HEAD answers 204 or 404.
        expect((await fetch(`${server.url}${RG}?${V}`, { method: "HEAD", headers: AUTH })).status).toBe(404);
        await call(server, "PUT", RG, { location: "westeurope" });
        expect((await fetch(`${server.url}${RG}?${V}`, { method: "HEAD", headers: AUTH })).status).toBe(204);
    });

    it("scale sets: PUT of only location and sku (az vmss scale) changes the capacity and keeps the model; PATCH; POST delete of instances; manualUpgrade", async () => {
        const sim = new AzureSimulator();
        const server = await serve(sim);
        await stack(server);
        const scaled = await call(server, "PUT", VMSS, { location: "westeurope", sku: { name: "Standard_B1s", capacity: 4 } });
        // compute spec VirtualMachineScaleSets_CreateOrUpdate 200/201 long-running; recorded with Azure-AsyncOperation under Microsoft.Compute/locations.
        expect(scaled.status).toBe(200);
        expect(scaled.body.properties.provisioningState).toBe("Updating");
        expect(scaled.headers.get("azure-asyncoperation")).toMatch(/\/providers\/Microsoft\.Compute\/locations\/westeurope\/operations\/[0-9a-f-]{36}\?/);
        expect(sim.listInstances("rg", "web")).toHaveLength(4);
        expect((await call(server, "GET", `${VMSS}`)).body.properties.virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0].name).toBe("nic");
        const patched = await call(server, "PATCH", VMSS, { sku: { capacity: 3 } });
        expect(patched.status).toBe(200);
        expect(sim.listInstances("rg", "web")).toHaveLength(3);
        const ids = sim.listInstances("rg", "web").map((i) => i.instanceId);
        const deleted = await call(server, "POST", `${VMSS}/delete`, { instanceIds: [ids[0]] });
        // compute spec VirtualMachineScaleSets_DeleteInstances: 200/202, long-running.
        expect(deleted.status).toBe(202);
        expect(deleted.headers.get("location")).toMatch(/\/operations\/[0-9a-f-]{36}\?monitor=true&/);
        expect(sim.listInstances("rg", "web").map((i) => i.instanceId)).toEqual(ids.slice(1));
        const monitor = await call(server, "GET", deleted.headers.get("location") as string);
        expect(monitor.status).toBe(200);
        const status = await call(server, "GET", deleted.headers.get("azure-asyncoperation") as string);
        expect(status.body).toMatchObject({ status: "Succeeded", name: expect.any(String), startTime: expect.any(String) });
        const missing = await call(server, "POST", `${VMSS}/delete`, { instanceIds: ["999"] });
        expect(missing.status).toBe(400);
        expect((await call(server, "POST", `${VMSS}/delete`, {})).status).toBe(400);
        expect((await call(server, "POST", `${VMSS}/manualUpgrade`, { instanceIds: ids.slice(1) })).status).toBe(202);
        // compute spec VirtualMachineScaleSetVMs_Delete: 200/202/204.
        expect((await call(server, "DELETE", `${VMSS}/virtualMachines/${ids[1]}`)).status).toBe(202);
        expect(sim.listInstances("rg", "web").map((i) => i.instanceId)).toEqual(ids.slice(2));
        expect((await call(server, "DELETE", `${VMSS}/virtualMachines/${ids[1]}`)).status).toBe(204);
    });

    it("serializes concurrent writes: 30 security rules PUT at once all land", async () => {
        const sim = new AzureSimulator();
        const server = await serve(sim);
        await call(server, "PUT", RG, { location: "westeurope" });
        await call(server, "PUT", `${NET}/networkSecurityGroups/nsg`, { location: "westeurope", properties: {} });
        const answers = await Promise.all(
            Array.from({ length: 30 }, (_, i) =>
                call(server, "PUT", `${NET}/networkSecurityGroups/nsg/securityRules/r${i}`, {
                    properties: { priority: 100 + i, direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: String(1000 + i) },
                }),
            ),
        );
        expect(answers.map((a) => a.status)).toEqual(Array(30).fill(201));
        const rules = (await call(server, "GET", `${NET}/networkSecurityGroups/nsg/securityRules`)).body.value;
        expect(rules.map((r: any) => r.name).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `r${i}`).sort());
    });

    it("reads real clients make: subscription lists, NICs of a scale set and of a load balancer, instance views, /resources, /tenants, and /metadata/endpoints without a token", async () => {
        const sim = new AzureSimulator();
        const server = await serve(sim);
        await stack(server);
        await call(server, "PUT", `${LB}/inboundNatRules/ssh`, V2_RULE);
        const lbs = await call(server, "GET", `/subscriptions/${SUB}/providers/Microsoft.Network/loadBalancers`);
        expect(lbs.body.value.map((l: any) => l.name)).toEqual(["lb"]);
        const ips = await call(server, "GET", `/subscriptions/${SUB}/providers/Microsoft.Network/publicIPAddresses`);
        // The spec's PublicIPAddressPropertiesFormat.ipTags, recorded as [] in azure-cli's network recordings.
        expect(ips.body.value[0].properties.ipTags).toEqual([]);
        expect((await call(server, "GET", `/subscriptions/${SUB}/providers/Microsoft.Compute/virtualMachineScaleSets`)).body.value).toHaveLength(1);
        const nics = await call(server, "GET", `${VMSS}/networkInterfaces`);
        expect(nics.body.value).toHaveLength(2);
        const lbNics = await call(server, "GET", `${LB}/networkInterfaces`);
        expect(lbNics.body.value.map((n: any) => n.id).sort()).toEqual(nics.body.value.map((n: any) => n.id).sort());
        const view = await call(server, "GET", `${VMSS}/instanceView`);
        expect(view.body.virtualMachine.statusesSummary).toEqual([{ code: "ProvisioningState/succeeded", count: 2 }]);
        const id = sim.listInstances("rg", "web")[0].instanceId;
        const vmView = await call(server, "GET", `${VMSS}/virtualMachines/${id}/instanceView`);
        expect(vmView.body.statuses.map((s: any) => s.code)).toEqual(["ProvisioningState/succeeded", "PowerState/running"]);
        const rule = await call(server, "GET", `${LB}/inboundNatRules/ssh`);
        // Recorded V2 GET (test_network_lb_nat_rules_v3.yaml): both false.
        expect(rule.body.properties).toMatchObject({ enableDestinationServiceEndpoint: false, allowBackendPortConflict: false });
        // compute spec example VirtualMachineScaleSet_Create_WithAzureLoadBalancer.json: a Uniform scale set's answer carries these.
        const vmss = (await call(server, "GET", VMSS)).body.properties;
        expect(vmss.singlePlacementGroup).toBe(true);
        expect(vmss.virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0].properties).toMatchObject({ dnsSettings: { dnsServers: [] }, enableAcceleratedNetworking: false });
        expect(vmss.virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0].properties.ipConfigurations[0].properties.privateIPAddressVersion).toBe("IPv4");
        const resources = await call(server, "GET", `/subscriptions/${SUB}/resources`);
        expect(resources.body.value.map((r: any) => r.type).sort()).toEqual(["Microsoft.Compute/virtualMachineScaleSets", "Microsoft.Network/loadBalancers", "Microsoft.Network/publicIPAddresses"]);
        expect((await call(server, "GET", "/tenants")).body.value[0].tenantId).toBe(sim.tenantId);

        const legacy = await fetch(`${server.url}/metadata/endpoints?api-version=2015-01-01`);
        expect(legacy.status).toBe(200);
        expect(await legacy.json()).toMatchObject({ authentication: { loginEndpoint: `${server.url}/adfs`, audiences: [`${server.url}/`] } });
        const proxied = await fetch(`${server.url}/metadata/endpoints?api-version=2022-09-01`, { headers: { "X-Forwarded-Proto": "https", "X-Forwarded-Host": "arm.example.test" } });
        const clouds = (await proxied.json()) as any[];
        expect(clouds[0]).toMatchObject({ resourceManager: "https://arm.example.test/", authentication: { loginEndpoint: "https://arm.example.test/adfs" }, suffixes: { storage: expect.any(String) } });
    });

    it("builds Location and Azure-AsyncOperation from X-Forwarded-Proto and X-Forwarded-Host", async () => {
        const server = await serve(new AzureSimulator());
        const res = await call(server, "PUT", RG, { location: "westeurope" });
        expect(res.status).toBe(201);
        const ip = await call(server, "PUT", `${NET}/publicIPAddresses/ip`, { location: "westeurope" }, { "X-Forwarded-Proto": "https", "X-Forwarded-Host": "arm.example.test:8443" });
        expect(ip.headers.get("azure-asyncoperation")).toMatch(/^https:\/\/arm\.example\.test:8443\/subscriptions\//);
        const del = await call(server, "DELETE", `${NET}/publicIPAddresses/ip`, undefined, { "X-Forwarded-Proto": "https", "X-Forwarded-Host": "arm.example.test:8443" });
        expect(del.headers.get("location")).toMatch(/^https:\/\/arm\.example\.test:8443\/subscriptions\//);
    });
});
