import { readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNatPoolMigrationPlan, staticTokenCredential } from "../src";
import { planJson } from "../src/cli/commands/migrate";
import { AzureSimulator, networkId, startArmServer, type ArmServer } from "../src/testing";
import { ROOT, runCli } from "./cli-helpers";

const fixtures = path.join("test", "fixtures");

/** Runs `azure-nat-rules migrate ...` as a child process, without the caller's Azure settings. */
const migrate = (...args: string[]) => runCli(["migrate", ...args]);

type Json = Record<string, any>;
const fixture = (name: string): Json => JSON.parse(readFileSync(path.join(ROOT, fixtures, name), "utf8"));

/** A pool's settings in one flat shape, whether the fixture nests them under `properties` (ARM) or not (az). */
function poolSettings(pool: Json): Json {
    const p = { ...pool, ...(pool.properties ?? {}) };
    const frontend = p.frontendIPConfiguration ?? p.frontendIpConfiguration;
    return {
        name: `natrule_migrated_${p.name}`,
        frontendIPConfigurationId: frontend.id,
        protocol: p.protocol,
        frontendPortRangeStart: p.frontendPortRangeStart,
        frontendPortRangeEnd: p.frontendPortRangeEnd,
        backendPort: p.backendPort,
        backendAddressPoolId: `${pool.id.replace(/\/inboundNatPools\/[^/]+$/, "")}/backendAddressPools/be_migrated_${p.name}`,
    };
}

const poolsOf = (lb: Json): Json[] => lb.inboundNatPools ?? lb.properties.inboundNatPools;

describe.concurrent("azure-nat-rules migrate --from-file", () => {
    it("prints, for a load balancer with one pool (ARM JSON), one rule equal to the pool, with ports per instance", async () => {
        const result = await migrate("--from-file", path.join(fixtures, "lb-one-nat-pool.json"), "--scale-set", path.join(fixtures, "vmss-web.json"), "--json");
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(result.stdout.trim().split("\n")).toHaveLength(1);
        const plan = JSON.parse(result.stdout);
        expect(plan.rules).toEqual(poolsOf(fixture("lb-one-nat-pool.json")).map(poolSettings));
        const capacity = fixture("vmss-web.json").sku.capacity as number;
        expect(plan.ports.map((p: Json) => p.instance)).toEqual(Array.from({ length: capacity }, (_, i) => String(i)));
        // The fixture's range is smaller than capacity × 2 (overprovisioning on).
        expect(plan.warnings.map((w: Json) => w.code)).toEqual(["RangeTooSmall"]);
    });

    it("prints, for two pools in az's flattened JSON, two rules equal to the pools and the ports that change", async () => {
        const result = await migrate("--from-file", path.join(fixtures, "lb-two-nat-pools.json"), "--json");
        expect(result.code).toBe(0);
        const lb = fixture("lb-two-nat-pools.json");
        const plan = JSON.parse(result.stdout);
        expect(plan.rules).toEqual(poolsOf(lb).map(poolSettings));
        // Ports before are Azure's own, from the pools' per-instance NAT rules in the file.
        const observed = (lb.inboundNatRules as Json[]).map((r) => [r.name.split(".")[0], r.name.split(".")[1], r.frontendPort]);
        expect(plan.ports.map((p: Json) => [p.natPool, p.instance, p.before])).toEqual(observed);
        expect(plan.ports.every((p: Json) => p.beforeSource === "azure")).toBe(true);
        const changed = plan.ports.filter((p: Json) => p.changed);
        expect(changed.length).toBeGreaterThan(0);
        expect(plan.warnings.filter((w: Json) => w.code === "PortsChange").map((w: Json) => w.natPool)).toEqual([...new Set(changed.map((p: Json) => p.natPool))]);
    });

    it("prints a table with the pools' ranges, ports and protocols, the ports before and after, warnings and the order", async () => {
        const result = await migrate("--from-file", path.join(fixtures, "lb-two-nat-pools.json"));
        expect(result.code).toBe(0);
        for (const pool of poolsOf(fixture("lb-two-nat-pools.json"))) {
            const row = result.stdout.split("\n").find((line) => line.startsWith(`${pool.name} `) && line.includes("natrule_migrated_"));
            expect(row?.split(/\s{2,}/).slice(0, 6)).toEqual([
                pool.name, `natrule_migrated_${pool.name}`, `be_migrated_${pool.name}`, pool.protocol,
                `${pool.frontendPortRangeStart}-${pool.frontendPortRangeEnd}`, String(pool.backendPort),
            ]);
        }
        expect(result.stdout).toMatch(/ssh\s+game-vmss\s+3\s+50003\s+50002\s+changes/);
        expect(result.stdout).toMatch(/Warnings:\n\s+- \[/);
        expect(result.stdout).toMatch(/1\. Remove the NAT pool references[\s\S]*2\. Delete the NAT pools[\s\S]*3\. Create/);
    });

    it("says there is nothing to migrate on a load balancer without pools, and exits 0", async () => {
        const result = await migrate("--from-file", path.join(fixtures, "lb-no-nat-pools.json"));
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/plain-lb has no inbound NAT pools: nothing to migrate/);
    });

    it("fails clearly on malformed JSON and on a pool with bad fields, naming the file and what is wrong", async () => {
        const [syntax, fields] = await Promise.all([
            migrate("--from-file", path.join(fixtures, "lb-malformed.json"), "--json"),
            migrate("--from-file", path.join(fixtures, "lb-invalid-nat-pool.json")),
        ]);
        expect(syntax.code).not.toBe(0);
        expect(syntax.stdout).toBe("");
        expect(syntax.stderr).toMatch(/lb-malformed\.json is not valid JSON: .*line 5/);
        expect(fields.code).not.toBe(0);
        expect(fields.stderr).toContain("lb-invalid-nat-pool.json");
        expect(fields.stderr).toMatch(/inboundNatPools\[0\]\.frontendPortRangeEnd = 50000: allowed is at least frontendPortRangeStart \(50100\)/);
        expect(fields.stderr).toMatch(/inboundNatPools\[0\]\.backendPort = undefined/);
    });

    it("has --help with examples of both modes", async () => {
        const help = await migrate("--help");
        expect(help.code).toBe(0);
        expect(help.stdout).toMatch(/Examples:\n\s+\$ azure-nat-rules migrate -g my-rg -l my-lb/);
        expect(help.stdout).toMatch(/\$ azure-nat-rules migrate --from-file lb\.json/);
    });
});

describe.concurrent("azure-nat-rules migrate against an ARM endpoint (the simulator)", () => {
    const sim = new AzureSimulator();
    const rg = "natpool-rg";
    const lbId = networkId(sim.subscriptionId, rg, "loadBalancers", "natpool-lb");
    const pool = { name: "ssh", protocol: "Tcp", frontendPortRangeStart: 50000, frontendPortRangeEnd: 50009, backendPort: 22, idleTimeoutInMinutes: 4 };
    let server: ArmServer;

    beforeAll(async () => {
        sim.upsert("resources:ResourceGroup", rg, { resourceGroupName: rg, location: "westeurope" });
        const ip = sim.upsert("network:PublicIPAddress", "pip", { resourceGroupName: rg, publicIpAddressName: "natpool-pip", sku: { name: "Standard" } }).id;
        sim.upsert("network:LoadBalancer", "lb", {
            resourceGroupName: rg,
            loadBalancerName: "natpool-lb",
            sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "frontend", publicIPAddress: { id: ip } }],
            inboundNatPools: [{ ...pool, frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/frontend` } }],
        });
        sim.upsert("compute:VirtualMachineScaleSet", "vmss", {
            resourceGroupName: rg,
            vmScaleSetName: "web-vmss",
            sku: { name: "Standard_B1s", capacity: 4 },
            overprovision: false,
            upgradePolicy: { mode: "Rolling" },
            virtualMachineProfile: {
                networkProfile: {
                    networkInterfaceConfigurations: [{
                        name: "nic",
                        primary: true,
                        ipConfigurations: [{ name: "ipconfig", loadBalancerInboundNatPools: [{ id: `${lbId}/inboundNatPools/ssh` }] }],
                    }],
                },
            },
        });
        sim.deleteInstances(rg, "web-vmss", ["1"]);
        server = await startArmServer(sim);
    });

    afterAll(async () => {
        await server?.close();
    });

    it("reads the load balancer and its scale sets, and prints the plan without changing anything", async () => {
        const before = JSON.stringify(sim.toJSON());
        const result = await migrate("-g", rg, "-l", "natpool-lb", "--endpoint", server.url, "--token", "test-token", "--subscription", sim.subscriptionId, "--json");
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        const plan = JSON.parse(result.stdout);
        const deployed = sim.get(lbId) as Json;
        expect(plan.rules).toEqual(deployed.properties.inboundNatPools.map(poolSettings));
        const instances = sim.listInstances(rg, "web-vmss").map((i) => i.instanceId);
        expect(plan.ports.map((p: Json) => [p.scaleSet, p.instance])).toEqual(instances.map((id) => ["web-vmss", id]));
        expect(plan.ports.map((p: Json) => p.after)).toEqual(instances.map((_, i) => pool.frontendPortRangeStart + i));
        // "Before" is read from the pool's per-instance rules the simulator lists as Azure does (`ssh.<instance id>`, start + instance id: nat-pool-rules.ts).
        expect(plan.ports.map((p: Json) => [p.before, p.beforeSource])).toEqual(instances.map((id) => [pool.frontendPortRangeStart + Number(id), "azure"]));
        // Read from the scale set itself: its Rolling upgrade policy; and instance 1's gap moves instances 2 and 3 down by one port.
        expect(plan.warnings.map((w: Json) => [w.code, w.scaleSet])).toEqual([["RollingUpgradePolicy", "web-vmss"], ["PortsChange", undefined]]);
        expect(server.stats.byRoute["GET virtualMachineScaleSets"]).toBeGreaterThan(0);
        expect(JSON.stringify(sim.toJSON())).toBe(before);
    });

    it("is also a library call, readNatPoolMigrationPlan, giving the plan the CLI prints", async () => {
        const [plan, printed] = await Promise.all([
            readNatPoolMigrationPlan({ subscriptionId: sim.subscriptionId, resourceGroupName: rg, loadBalancerName: "natpool-lb", endpoint: server.url, credential: staticTokenCredential("test-token") }),
            migrate("-g", rg, "-l", "natpool-lb", "--endpoint", server.url, "--token", "test-token", "--subscription", sim.subscriptionId, "--json"),
        ]);
        expect(planJson(plan)).toEqual(JSON.parse(printed.stdout));
        await expect(
            readNatPoolMigrationPlan({ subscriptionId: sim.subscriptionId, resourceGroupName: rg, loadBalancerName: "missing-lb", endpoint: server.url, credential: staticTokenCredential("t") }),
        ).rejects.toThrow(/^readNatPoolMigrationPlan: failed reading load balancer missing-lb \(resource group natpool-rg, subscription .*\) \(HTTP 404.*Fix: check the names and the subscription/);
    });

    it("names the load balancer and the fix when it does not exist", async () => {
        const result = await migrate("-g", rg, "-l", "missing-lb", "--endpoint", server.url, "--token", "test-token", "--subscription", sim.subscriptionId);
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/migrate: failed reading load balancer missing-lb \(resource group natpool-rg, subscription .*\) \(HTTP 404.*Fix: check the names and the subscription/);
    });

    it("refuses Azure-only flags with --from-file instead of ignoring them", async () => {
        const result = await migrate("--from-file", "test/fixtures/lb-no-nat-pools.json", "--endpoint", "http://127.0.0.1:1", "--token", "x");
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/--from-file reads a file, so --endpoint, --token do not apply/);
    });
});
