/**
 * The Azure SDK for JavaScript as a real client of the ARM endpoint: @azure/arm-resources,
 * @azure/arm-network, @azure/arm-compute and @azure/arm-monitor build a whole stack, add backend-pool
 * and single-VM NAT rules, read the mappings, scale, delete instances and delete the rules. The SDKs'
 * own long-running-operation pollers judge the status codes and headers; the expected ports come from
 * Azure's documented assignment (range start + instance order, survivors keep theirs), not from the simulator.
 *
 * The SDKs' bearer policy refuses http ("Bearer token authentication is not permitted for non-TLS
 * protected (non-https) URLs", @azure/core-rest-pipeline), so on loopback the policy is replaced by one
 * that sets the header and allows the insecure connection.
 */
import { afterEach, describe, expect, it } from "vitest";
import { AzureSimulator } from "../simulator";
import { FAST_ARM_SERVER_OPTIONS, startArmServer, type ArmServer, type ArmServerOptions } from "./arm-server";

const SUB = "00000000-0000-0000-0000-000000000000";
const RG_ID = `/subscriptions/${SUB}/resourceGroups/rg`;
const LB_ID = `${RG_ID}/providers/Microsoft.Network/loadBalancers/lb`;
const VMSS_ID = `${RG_ID}/providers/Microsoft.Compute/virtualMachineScaleSets/web`;
const credential = { getToken: async () => ({ token: "local-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };

/** A devDependency, or a failure that says what to install. */
async function sdk<T>(name: string, load: () => Promise<T>): Promise<T> {
    try {
        return await load();
    } catch (err) {
        throw new Error(`The Azure SDK test needs ${name}, a devDependency: run \`npm ci\` (or \`npm install --save-dev ${name}\`). (${(err as Error).message})`);
    }
}

interface PipelineOwner {
    pipeline: {
        removePolicy(options: { name: string }): unknown;
        addPolicy(policy: { name: string; sendRequest: (request: any, next: (request: any) => Promise<any>) => Promise<any> }): void;
    };
}
function overLoopback<T extends PipelineOwner>(client: T): T {
    client.pipeline.removePolicy({ name: "bearerTokenAuthenticationPolicy" });
    client.pipeline.addPolicy({
        name: "loopbackBearer",
        sendRequest: (request, next) => {
            request.allowInsecureConnection = true;
            request.headers.set("Authorization", "Bearer local-token");
            return next(request);
        },
    });
    return client;
}

const servers: ArmServer[] = [];
async function serve(sim: AzureSimulator, options: ArmServerOptions = FAST_ARM_SERVER_OPTIONS): Promise<ArmServer> {
    const server = await startArmServer(sim, options);
    servers.push(server);
    return server;
}
afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function clients(server: ArmServer) {
    const { ResourceManagementClient } = await sdk("@azure/arm-resources", () => import("@azure/arm-resources"));
    const { NetworkManagementClient } = await sdk("@azure/arm-network", () => import("@azure/arm-network"));
    const { ComputeManagementClient } = await sdk("@azure/arm-compute", () => import("@azure/arm-compute"));
    const { MonitorClient } = await sdk("@azure/arm-monitor", () => import("@azure/arm-monitor"));
    const options = { endpoint: server.url };
    return {
        resources: overLoopback(new ResourceManagementClient(credential, SUB, options)),
        network: overLoopback(new NetworkManagementClient(credential, SUB, options)),
        compute: overLoopback(new ComputeManagementClient(credential, SUB, options) as unknown as PipelineOwner) as unknown as InstanceType<typeof ComputeManagementClient>,
        monitor: overLoopback(new MonitorClient(credential, SUB, options)),
    };
}

describe("the Azure SDK for JavaScript against the ARM endpoint", () => {
    it("builds a stack, adds NAT rules, reads mappings, scales, deletes instances and rules", async () => {
        const sim = new AzureSimulator();
        const server = await serve(sim);
        const { resources, network, compute, monitor } = await clients(server);
        const location = "westeurope";

        const rg = await resources.resourceGroups.createOrUpdate("rg", { location });
        expect(rg).toMatchObject({ name: "rg", location, id: RG_ID });
        const vnet = await network.virtualNetworks.beginCreateOrUpdateAndWait("rg", "vnet", {
            location,
            addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
            subnets: [{ name: "default", addressPrefix: "10.0.0.0/24" }],
        });
        expect(vnet.provisioningState).toBe("Succeeded");
        const subnetId = vnet.subnets?.[0].id as string;
        const pip = await network.publicIPAddresses.beginCreateOrUpdateAndWait("rg", "ip", { location, sku: { name: "Standard" }, publicIPAllocationMethod: "Static" });
        expect(pip.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        const lb = await network.loadBalancers.beginCreateOrUpdateAndWait("rg", "lb", {
            location,
            sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: pip.id } }],
            backendAddressPools: [{ name: "pool" }],
        });
        expect(lb.provisioningState).toBe("Succeeded");
        expect(lb.etag).toMatch(/^W\/"/);
        const frontend = { id: `${LB_ID}/frontendIPConfigurations/fe` };
        const pool = { id: `${LB_ID}/backendAddressPools/pool` };

        const vmss = await compute.virtualMachineScaleSets.createOrUpdate("rg", "web", {
            location,
            sku: { name: "Standard_B1s", capacity: 3 },
            overprovision: false,
            upgradePolicy: { mode: "Manual" },
            virtualMachineProfile: { networkProfile: { networkInterfaceConfigurations: [{
                name: "nic",
                primary: true,
                ipConfigurations: [{ name: "ipconfig", subnet: { id: subnetId }, loadBalancerBackendAddressPools: [pool] }],
            }] } },
        });
        expect(vmss.sku?.capacity).toBe(3);
        expect(vmss.provisioningState).toBe("Succeeded");

        // A backend-pool (V2) rule, as `inboundNatRules.beginCreateOrUpdateAndWait` sends it.
        const ssh = await network.inboundNatRules.beginCreateOrUpdateAndWait("rg", "lb", "ssh", {
            frontendIPConfiguration: frontend,
            backendAddressPool: pool,
            frontendPortRangeStart: 50000,
            frontendPortRangeEnd: 50099,
            backendPort: 22,
            protocol: "Tcp",
        });
        expect(ssh).toMatchObject({ name: "ssh", frontendPortRangeStart: 50000, frontendPortRangeEnd: 50099, provisioningState: "Succeeded" });

        // A single-VM rule on a standalone NIC of a VM.
        const rdp = await network.inboundNatRules.beginCreateOrUpdateAndWait("rg", "lb", "rdp", { frontendIPConfiguration: frontend, frontendPort: 3389, backendPort: 3389, protocol: "Tcp" });
        expect(rdp.frontendPort).toBe(3389);
        const nic = await network.networkInterfaces.beginCreateOrUpdateAndWait("rg", "vm1-nic", {
            location,
            ipConfigurations: [{ name: "ipconfig1", subnet: { id: subnetId }, loadBalancerInboundNatRules: [{ id: rdp.id }] }],
        });
        expect(nic.ipConfigurations?.[0].privateIPAddress).toMatch(/^10\.0\.0\./);
        const vm = await compute.virtualMachines.createOrUpdate("rg", "vm1", { location, hardwareProfile: { vmSize: "Standard_B1s" }, networkProfile: { networkInterfaces: [{ id: nic.id }] } });
        expect(vm.name).toBe("vm1");
        expect((await network.inboundNatRules.get("rg", "lb", "rdp")).backendIPConfiguration?.id).toBe(nic.ipConfigurations?.[0].id);

        // The mappings, read as a client reads them: each instance's NIC ipConfiguration, then the query.
        const mappingOf = async (): Promise<Map<string, number>> => {
            const nics = [];
            for await (const n of network.networkInterfaces.listVirtualMachineScaleSetNetworkInterfaces("rg", "web")) nics.push(n);
            const out = new Map<string, number>();
            for (const n of nics) {
                const ipConfiguration = { id: n.ipConfigurations?.[0].id as string };
                const result = await network.loadBalancers.beginListInboundNatRulePortMappingsAndWait("rg", "lb", "pool", { ipConfiguration });
                const instance = /\/virtualMachines\/([^/]+)\//.exec(ipConfiguration.id)?.[1] as string;
                out.set(instance, result.inboundNatRulePortMappings?.find((m) => m.inboundNatRuleName === "ssh")?.frontendPort as number);
            }
            return out;
        };
        const instanceIds = async (): Promise<string[]> => {
            const ids: string[] = [];
            for await (const v of compute.virtualMachineScaleSetVMs.list("rg", "web")) ids.push(v.instanceId as string);
            return ids.sort((a, b) => Number(a) - Number(b));
        };
        const first = await instanceIds();
        expect(first).toHaveLength(3);
        // Ports "align sequentially to instance ID numbers" from the range start (Azure/AzLoadBalancerMigration NAT pool migration README).
        const before = await mappingOf();
        expect(first.map((id) => before.get(id))).toEqual([50000, 50001, 50002]);

        // Scale out with the Update (PATCH) operation: survivors keep their ports, new instances take the next ones.
        const scaled = await compute.virtualMachineScaleSets.beginUpdateAndWait("rg", "web", { sku: { capacity: 5 } });
        expect(scaled.sku?.capacity).toBe(5);
        const grown = await instanceIds();
        expect(grown).toHaveLength(5);
        const afterOut = await mappingOf();
        for (const id of first) expect(afterOut.get(id)).toBe(before.get(id));
        expect(grown.filter((id) => !first.includes(id)).map((id) => afterOut.get(id))).toEqual([50003, 50004]);

        // Delete one instance (POST .../delete): the rest keep their ports (docs: inbound-nat-rules, scale-in).
        await compute.virtualMachineScaleSets.beginDeleteInstancesAndWait("rg", "web", { instanceIds: [grown[1]] });
        const left = await instanceIds();
        expect(left).toEqual(grown.filter((id) => id !== grown[1]));
        const afterDelete = await mappingOf();
        for (const id of left) expect(afterDelete.get(id)).toBe(afterOut.get(id));

        // Scale in with a whole PUT (createOrUpdate) of the scale set as read.
        const current = await compute.virtualMachineScaleSets.get("rg", "web");
        const shrunk = await compute.virtualMachineScaleSets.createOrUpdate("rg", "web", { ...current, sku: { ...current.sku, capacity: 2 } });
        expect(shrunk.sku?.capacity).toBe(2);
        expect(await instanceIds()).toHaveLength(2);

        // Autoscale (Microsoft.Insights) targeting the scale set.
        const setting = await monitor.autoscaleSettings.createOrUpdate("rg", "web-autoscale", {
            location,
            targetResourceUri: VMSS_ID,
            enabled: true,
            profiles: [{ name: "default", capacity: { minimum: "1", maximum: "10", default: "2" }, rules: [] }],
        });
        expect(setting.targetResourceUri).toBe(VMSS_ID);
        expect((await monitor.autoscaleSettings.get("rg", "web-autoscale")).profiles[0].capacity).toEqual({ minimum: "1", maximum: "10", default: "2" });

        // Delete the rules: the SDK's delete poller follows Location to 204.
        await network.inboundNatRules.beginDeleteAndWait("rg", "lb", "ssh");
        await network.networkInterfaces.beginDeleteAndWait("rg", "vm1-nic").catch((err: { code?: string }) => expect(err.code).toBe("NicInUse"));
        await compute.virtualMachines.delete("rg", "vm1");
        await network.networkInterfaces.beginDeleteAndWait("rg", "vm1-nic");
        await network.inboundNatRules.beginDeleteAndWait("rg", "lb", "rdp");
        const rules = [];
        for await (const r of network.inboundNatRules.list("rg", "lb")) rules.push(r.name);
        expect(rules).toEqual([]);
        const pools = await network.loadBalancerBackendAddressPools.get("rg", "lb", "pool");
        expect(pools.loadBalancerBackendAddresses?.flatMap((a) => a.inboundNatRulesPortMapping ?? [])).toEqual([]);
        const lbs = [];
        for await (const l of network.loadBalancers.listAll()) lbs.push(l.name);
        expect(lbs).toEqual(["lb"]);
    });

    it("the SDK's poller follows an operation that is in progress for two polls, waiting Retry-After (1 s) once", async () => {
        const sim = new AzureSimulator();
        const server = await serve(sim, { ...FAST_ARM_SERVER_OPTIONS, lroPolls: 2 });
        const { resources, network } = await clients(server);
        await resources.resourceGroups.createOrUpdate("rg", { location: "westeurope" });
        const started = Date.now();
        const ip = await network.publicIPAddresses.beginCreateOrUpdateAndWait("rg", "ip", { location: "westeurope", sku: { name: "Standard" } });
        // @azure/arm-network polls once in begin*, once more at once in pollUntilDone, then waits Retry-After (1 s here) before
        // each further poll: two InProgress answers cost one wait, and the third poll finds it Succeeded.
        expect(server.stats.byRoute["GET operations"]).toBe(3);
        expect(Date.now() - started).toBeGreaterThanOrEqual(900);
        expect(ip.provisioningState).toBe("Succeeded");
    });

    it("an update with a stale If-Match is refused 412 PreconditionFailed through the SDK, and changes nothing", async () => {
        const sim = new AzureSimulator();
        const server = await serve(sim);
        const { resources, network } = await clients(server);
        await resources.resourceGroups.createOrUpdate("rg", { location: "westeurope" });
        const ip = await network.publicIPAddresses.beginCreateOrUpdateAndWait("rg", "ip", { location: "westeurope", sku: { name: "Standard" } });
        const lb = await network.loadBalancers.beginCreateOrUpdateAndWait("rg", "lb", { location: "westeurope", frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip.id } }] });
        await network.loadBalancers.beginCreateOrUpdateAndWait("rg", "lb", { ...lb, tags: { step: "1" } }, { requestOptions: { customHeaders: { "If-Match": lb.etag as string } } } as never);
        await expect(
            network.loadBalancers.beginCreateOrUpdateAndWait("rg", "lb", { ...lb, tags: { step: "2" } }, { requestOptions: { customHeaders: { "If-Match": lb.etag as string } } } as never),
        ).rejects.toMatchObject({ statusCode: 412, code: "PreconditionFailed" });
        expect((await network.loadBalancers.get("rg", "lb")).tags).toEqual({ step: "1" });
    });
});
