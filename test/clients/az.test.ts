/**
 * The real Azure CLI (azure-cli pinned in requirements-azure-cli.txt) against
 * `azure-nat-rules local-arm --https --fast`, signed in as a user would: `az cloud register` (which reads
 * /metadata/endpoints), `az cloud set`, `az login --service-principal --tenant adfs`. Then reads, the
 * port-mapping query, and writes: NAT rules of both kinds, a scale-out and deleted instances. After each
 * change, az's view of the ports (`az network lb list-mapping` per member) and `azure-nat-rules mappings`
 * must agree. Expected ports come from Azure's documented behaviour, cited beside each.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { networkId } from "../../src/testing/ids";
import { buildPoolState } from "../../src/testing/scenarios";
import { runCli } from "../cli-helpers";
import { runAz, startHttpsLocalArm, type HttpsLocalArm } from "./az-helpers";

const RG = "rg-az";
const CLOUD = "AzureNatRulesLocal";

interface Mapping {
    instance: string;
    rule: string;
    protocol: string;
    frontendIp: string;
    frontendPort: number;
    backendPort: number;
}

const byRuleAndInstance = (a: Mapping, b: Mapping): number => a.rule.localeCompare(b.rule) || Number(a.instance) - Number(b.instance);

describe("the Azure CLI against local-arm --https", () => {
    let dir: string;
    let server: HttpsLocalArm;
    let clientId: string;
    let subscription: string;

    const az = async (...args: string[]): Promise<any> => {
        const result = await runAz([...args, "-o", "json"], { configDir: join(dir, "azure-config"), caFile: server.caFile });
        if (result.code !== 0) throw new Error(`az ${args.join(" ")} exited ${result.code}:\n${result.stderr}`);
        return result.stdout.trim() === "" ? undefined : JSON.parse(result.stdout);
    };

    /** Our CLI's view, run as test/cli-*.test.ts run it, trusting the server's CA. */
    const ourMappings = async (): Promise<Mapping[]> => {
        const result = await runCli(["mappings", "-g", RG, "-l", "lb", "-p", "pool", "--endpoint", server.url, "--token", "az-tests", "--json"], {
            env: { NODE_EXTRA_CA_CERTS: server.caFile },
        });
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        return (JSON.parse(result.stdout) as { mappings: Mapping[] }).mappings.sort(byRuleAndInstance);
    };

    /** az's view: `az network lb list-mapping` (the port-mapping query) for each scale-set member's IP configuration. */
    const azMappings = async (): Promise<Mapping[]> => {
        const frontendIp = (await az("network", "public-ip", "show", "-g", RG, "-n", "pip", "--query", "ipAddress")) as string;
        const nics = (await az("vmss", "nic", "list", "-g", RG, "--vmss-name", "vmss", "--query", "[].ipConfigurations[0].id")) as string[];
        const perMember = await Promise.all(
            nics.map(async (ipConfiguration) => {
                const instance = /\/virtualMachines\/([^/]+)\//i.exec(ipConfiguration)![1];
                const answer = await az("network", "lb", "list-mapping", "-g", RG, "-n", "lb", "--backend-pool-name", "pool", "--request", `nic=${ipConfiguration}`);
                return (answer.inboundNatRulePortMappings as { inboundNatRuleName: string; protocol: string; frontendPort: number; backendPort: number }[]).map((m) => ({
                    instance,
                    rule: m.inboundNatRuleName,
                    protocol: m.protocol,
                    frontendIp,
                    frontendPort: m.frontendPort,
                    backendPort: m.backendPort,
                }));
            }),
        );
        return perMember.flat().sort(byRuleAndInstance);
    };

    /** Both views, checked equal; returns them as `rule → instance → port`. */
    const agreedPorts = async (): Promise<Record<string, Record<string, number>>> => {
        const [ours, theirs] = await Promise.all([ourMappings(), azMappings()]);
        expect(theirs).toEqual(ours);
        const ports: Record<string, Record<string, number>> = {};
        for (const m of ours) (ports[m.rule] ??= {})[m.instance] = m.frontendPort;
        return ports;
    };

    beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), "azure-nat-rules-az-"));
        // A Standard load balancer with public frontend "fe" and pool "pool", a V2 rule ssh (50000-50099 → 22)
        // on the pool, a Uniform scale set of 3 in it, and a NIC outside the pool for a single-VM rule.
        const { sim } = buildPoolState({
            resourceGroupName: RG,
            addressSpace: "10.1.0.0/16",
            subnetPrefix: "10.1.0.0/24",
            rules: [{ name: "ssh", start: 50000, size: 100, backendPort: 22, protocol: "Tcp" }],
            scaleSets: [{ name: "vmss", capacity: 3 }],
        });
        sim.upsertNetworkInterface({
            resourceGroupName: RG,
            networkInterfaceName: "jumpbox-nic",
            ipConfigurations: [{ name: "ipc", primary: true, subnet: { id: `${networkId(sim.subscriptionId, RG, "virtualNetworks", "vnet")}/subnets/default` } }],
        });
        clientId = sim.identity.clientId;
        subscription = sim.subscriptionId;
        sim.save(join(dir, "state.json"));
        server = await startHttpsLocalArm(join(dir, "state.json"), ["--fast"]);
    });

    afterAll(async () => {
        await server?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("az cloud register reads /metadata/endpoints, and az login --service-principal signs in to the AD FS-style authority", async () => {
        await az("cloud", "register", "-n", CLOUD, "--endpoint-resource-manager", server.url);
        await az("cloud", "set", "-n", CLOUD);
        const cloud = await az("cloud", "show", "-n", CLOUD);
        // From the metadata: the login endpoint and the token audience are the server's own.
        expect(cloud.endpoints).toMatchObject({ activeDirectory: `${server.url}/adfs`, activeDirectoryResourceId: `${server.url}/`, resourceManager: server.url });
        const accounts = await az("login", "--service-principal", "-u", clientId, "-p", "any-secret", "--tenant", "adfs");
        expect(accounts).toEqual([expect.objectContaining({ id: subscription, cloudName: CLOUD, state: "Enabled", user: { name: clientId, type: "servicePrincipal" } })]);
        // az hands out the token it got from the local authority: JWT-shaped, for the ARM audience.
        const token = await az("account", "get-access-token");
        const claims = JSON.parse(Buffer.from(String(token.accessToken).split(".")[1], "base64url").toString("utf8"));
        expect(claims).toMatchObject({ aud: `${server.url}/`, appid: clientId, iss: `${server.url}/adfs` });
    });

    it("reads: lb show, lb list (group and subscription), vmss list-instance-connection-info, and list-mapping agree with mappings", async () => {
        const lb = await az("network", "lb", "show", "-g", RG, "-n", "lb");
        expect(lb.inboundNatRules).toEqual([expect.objectContaining({ name: "ssh", frontendPortRangeStart: 50000, frontendPortRangeEnd: 50099, backendPort: 22, protocol: "Tcp" })]);
        expect((await az("network", "lb", "list", "-g", RG)).map((l: { name: string }) => l.name)).toEqual(["lb"]);
        expect((await az("network", "lb", "list")).map((l: { id: string }) => l.id)).toEqual([lb.id]);
        // "The new port assignment will align sequentially to instance ID numbers" (Azure/AzLoadBalancerMigration,
        // AzureLoadBalancerNATPoolMigration README); the docs tutorial gives VM1 221 and VM2 222 for a start of 221.
        const connection = await az("vmss", "list-instance-connection-info", "-g", RG, "-n", "vmss");
        const ip = (await az("network", "public-ip", "show", "-g", RG, "-n", "pip", "--query", "ipAddress")) as string;
        expect(connection).toEqual({ "instance 0": `${ip}:50000`, "instance 1": `${ip}:50001`, "instance 2": `${ip}:50002` });
        expect(await agreedPorts()).toEqual({ ssh: { 0: 50000, 1: 50001, 2: 50002 } });
    });

    it("inbound-nat-rule create of a backend-pool rule (--frontend-port-range-start/end --backend-pool-name) maps every member, as az and mappings agree", async () => {
        const rule = await az(
            "network", "lb", "inbound-nat-rule", "create", "-g", RG, "--lb-name", "lb", "-n", "web", "--protocol", "Tcp",
            "--frontend-ip-name", "fe", "--frontend-port-range-start", "51000", "--frontend-port-range-end", "51099", "--backend-port", "80", "--backend-pool-name", "pool",
        );
        expect(rule).toMatchObject({ name: "web", provisioningState: "Succeeded", frontendPortRangeStart: 51000, frontendPortRangeEnd: 51099, backendPort: 80 });
        const shown = await az("network", "lb", "inbound-nat-rule", "show", "-g", RG, "--lb-name", "lb", "-n", "web");
        expect(shown.backendAddressPool.id).toMatch(/\/backendAddressPools\/pool$/);
        // Sequential by instance id from the range start (sources above); the ssh rule's ports are untouched.
        expect(await agreedPorts()).toEqual({ ssh: { 0: 50000, 1: 50001, 2: 50002 }, web: { 0: 51000, 1: 51001, 2: 51002 } });
    });

    it("inbound-nat-rule create of a single-VM rule, attached with nic ip-config inbound-nat-rule add, then removed and deleted", async () => {
        const rule = await az("network", "lb", "inbound-nat-rule", "create", "-g", RG, "--lb-name", "lb", "-n", "jump", "--protocol", "Tcp", "--frontend-ip-name", "fe", "--frontend-port", "2222", "--backend-port", "22");
        expect(rule).toMatchObject({ name: "jump", frontendPort: 2222, backendPort: 22, provisioningState: "Succeeded" });
        await az("network", "nic", "ip-config", "inbound-nat-rule", "add", "-g", RG, "--nic-name", "jumpbox-nic", "-n", "ipc", "--lb-name", "lb", "--inbound-nat-rule", "jump");
        const shown = await az("network", "lb", "inbound-nat-rule", "show", "-g", RG, "--lb-name", "lb", "-n", "jump");
        expect(shown.backendIPConfiguration.id).toMatch(/\/networkInterfaces\/jumpbox-nic\/ipConfigurations\/ipc$/i);
        // A single-VM rule is no pool's: the pool's mappings are the same in both views.
        expect(await agreedPorts()).toEqual({ ssh: { 0: 50000, 1: 50001, 2: 50002 }, web: { 0: 51000, 1: 51001, 2: 51002 } });
        await az("network", "nic", "ip-config", "inbound-nat-rule", "remove", "-g", RG, "--nic-name", "jumpbox-nic", "-n", "ipc", "--lb-name", "lb", "--inbound-nat-rule", "jump");
        await az("network", "lb", "inbound-nat-rule", "delete", "-g", RG, "--lb-name", "lb", "-n", "jump");
        const names = (await az("network", "lb", "inbound-nat-rule", "list", "-g", RG, "--lb-name", "lb")).map((r: { name: string }) => r.name);
        expect(names.sort()).toEqual(["ssh", "web"]);
    });

    it("inbound-nat-rule delete of the backend-pool rule removes its mappings in both views; show then fails", async () => {
        await az("network", "lb", "inbound-nat-rule", "delete", "-g", RG, "--lb-name", "lb", "-n", "web");
        const gone = await runAz(["network", "lb", "inbound-nat-rule", "show", "-g", RG, "--lb-name", "lb", "-n", "web"], { configDir: join(dir, "azure-config"), caFile: server.caFile });
        expect(gone.code).not.toBe(0);
        expect(gone.stderr).toMatch(/not found|NotFound/i);
        expect(await agreedPorts()).toEqual({ ssh: { 0: 50000, 1: 50001, 2: 50002 } });
    });

    it("vmss scale to 5: the new instances get ports, the old keep theirs, as az and mappings agree", async () => {
        const scaled = await az("vmss", "scale", "-g", RG, "-n", "vmss", "--new-capacity", "5");
        expect(scaled.sku.capacity).toBe(5);
        const ports = (await agreedPorts()).ssh;
        // "Scale-out: new mappings are created automatically"; existing mappings persist (docs: inbound-nat-rules).
        // Which ids the new instances get is not guaranteed (docs: virtual-machine-scale-sets-instance-ids), nor which free ports.
        expect(Object.keys(ports)).toHaveLength(5);
        expect(ports).toMatchObject({ 0: 50000, 1: 50001, 2: 50002 });
        const all = Object.values(ports);
        expect(new Set(all).size).toBe(5);
        for (const port of all) expect(port >= 50000 && port <= 50099).toBe(true);
        const connection = await az("vmss", "list-instance-connection-info", "-g", RG, "-n", "vmss");
        expect(Object.keys(connection)).toHaveLength(5);
        for (const [instance, port] of Object.entries(ports)) expect(connection[`instance ${instance}`]).toMatch(new RegExp(`:${port}$`));
    });

    it("vmss delete-instances removes instance 1 and its mapping; the survivors keep their ports in both views", async () => {
        const before = (await agreedPorts()).ssh;
        await az("vmss", "delete-instances", "-g", RG, "-n", "vmss", "--instance-ids", "1");
        const instances = (await az("vmss", "list-instances", "-g", RG, "-n", "vmss", "--query", "[].instanceId")) as string[];
        expect(instances.sort()).toEqual(Object.keys(before).filter((i) => i !== "1").sort());
        // "Scale-in: existing mappings of the remaining VMs persist" (docs: inbound-nat-rules).
        const { 1: _deleted, ...survivors } = before;
        expect((await agreedPorts()).ssh).toEqual(survivors);
        const connection = await az("vmss", "list-instance-connection-info", "-g", RG, "-n", "vmss");
        expect(Object.keys(connection).sort()).toEqual(Object.keys(survivors).map((i) => `instance ${i}`).sort());
    });
});
