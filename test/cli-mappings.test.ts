/**
 * End to end: `azure-nat-rules local-arm` serves a saved simulator state, and
 * `azure-nat-rules mappings` reads it back through the real Azure SDK, each as a child process.
 */
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AzureSimulator } from "../src/testing";

const ROOT = resolve(__dirname, "..");
const CLI = join(ROOT, "src", "cli", "main.ts");
const RG = "rg-cli";

interface CliResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** The environment without the caller's Azure settings, plus `extra`. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
        if (!key.startsWith("AZURE_")) env[key] = value;
    }
    return { ...env, ...extra };
}

/** Runs the CLI from source through tsx, so no build step is needed. */
function startCli(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
    return spawn(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: ROOT, env: cleanEnv(env) });
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    const child = startCli(args, env);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    return new Promise((done, fail) => {
        child.on("error", fail);
        child.on("close", (code) => done({ code, stdout, stderr }));
    });
}

/** A scale set of 3 and a standalone VM NIC in one pool, with an ssh rule and a udp rule. */
function buildState(): AzureSimulator {
    const sim = new AzureSimulator();
    sim.createResourceGroup({ resourceGroupName: RG });
    const pip = sim.upsertPublicIPAddress({ resourceGroupName: RG, publicIpAddressName: "pip", sku: { name: "Standard" }, publicIPAllocationMethod: "Static" });
    const vnet = sim.upsertVirtualNetwork({
        resourceGroupName: RG,
        virtualNetworkName: "vnet",
        addressSpace: { addressPrefixes: ["10.1.0.0/16"] },
        subnets: [{ name: "default", addressPrefix: "10.1.0.0/24" }],
    });
    const lbId = sim.upsertLoadBalancer({
        resourceGroupName: RG,
        loadBalancerName: "lb",
        sku: { name: "Standard" },
        frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: pip } }],
        backendAddressPools: [{ name: "pool" }],
    });
    const poolRef = { id: `${lbId}/backendAddressPools/pool` };
    for (const [name, start, backendPort, protocol] of [
        ["ssh", 50000, 22, "Tcp"],
        ["game", 40000, 7777, "Udp"],
    ] as const) {
        sim.upsertInboundNatRule({
            resourceGroupName: RG,
            loadBalancerName: "lb",
            inboundNatRuleName: name,
            frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/fe` },
            backendAddressPool: poolRef,
            frontendPortRangeStart: start,
            frontendPortRangeEnd: start + 99,
            backendPort,
            protocol,
        });
    }
    sim.upsertScaleSet({
        resourceGroupName: RG,
        vmScaleSetName: "vmss",
        sku: { name: "Standard_B1s", capacity: 3 },
        virtualMachineProfile: {
            networkProfile: {
                networkInterfaceConfigurations: [
                    { name: "nic", primary: true, ipConfigurations: [{ name: "ipc", primary: true, subnet: { id: `${vnet}/subnets/default` }, loadBalancerBackendAddressPools: [poolRef] }] },
                ],
            },
        },
    });
    sim.upsertNetworkInterface({
        resourceGroupName: RG,
        networkInterfaceName: "jumpbox-nic",
        ipConfigurations: [{ name: "ipc", primary: true, subnet: { id: `${vnet}/subnets/default` }, loadBalancerBackendAddressPools: [poolRef] }],
    });
    return sim;
}

const ENDPOINT_LINE = /^local ARM endpoint: (http:\/\/127\.0\.0\.1:\d+) \(subscription ([0-9a-f-]+)\)$/m;

describe("azure-nat-rules mappings against azure-nat-rules local-arm", () => {
    let dir: string;
    let sim: AzureSimulator;
    let server: ChildProcessWithoutNullStreams;
    let serverExit: Promise<number | null>;
    let endpoint: string;
    let subscription: string;

    beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), "azure-nat-rules-cli-"));
        sim = buildState();
        sim.save(join(dir, "state.json"));
        server = startCli(["local-arm", "--port", "0", "--state", join(dir, "state.json")]);
        serverExit = new Promise((done) => server.on("close", (code) => done(code)));
        let output = "";
        const match = await new Promise<RegExpExecArray>((done, fail) => {
            server.stdout.on("data", (chunk: Buffer) => {
                output += chunk.toString("utf8");
                const found = ENDPOINT_LINE.exec(output);
                if (found) done(found);
            });
            server.on("close", (code) => fail(new Error(`local-arm exited with ${code} before it was ready: ${output}`)));
        });
        [, endpoint, subscription] = match;
    });

    afterAll(async () => {
        if (server && server.exitCode === null) {
            server.kill("SIGTERM");
            await serverExit;
        }
        rmSync(dir, { recursive: true, force: true });
    });

    it("local-arm announces the endpoint and the simulator's subscription", () => {
        expect(subscription).toBe(sim.subscriptionId);
    });

    it("mappings --json prints exactly what the simulator holds, finding the only subscription itself", async () => {
        const result = await runCli(["mappings", "-g", RG, "-l", "lb", "-p", "pool", "--endpoint", endpoint, "--json"], { AZURE_NAT_RULES_TOKEN: "cli-test-token" });
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(result.stdout.trim().split("\n")).toHaveLength(1);
        const printed = JSON.parse(result.stdout) as { mappings: Record<string, unknown>[] };
        const held = sim.portMappings(RG, "lb").map(({ instance, rule, protocol, frontendIp, frontendPort, backendPort }) => ({
            instance,
            rule,
            protocol,
            frontendIp,
            frontendPort,
            backendPort,
        }));
        const byPort = (a: Record<string, unknown>, b: Record<string, unknown>): number => Number(a.frontendPort) - Number(b.frontendPort);
        expect([...printed.mappings].sort(byPort)).toEqual([...held].sort(byPort));
        expect(printed.mappings).toHaveLength(2 * 4);
        expect(printed.mappings.map((m) => m.instance)).toContain("jumpbox");
    });

    it("mappings prints a table and one ssh line per member of the port-22 rule", async () => {
        const result = await runCli(["mappings", "-g", RG, "-l", "lb", "-p", "pool", "--endpoint", endpoint, "--token", "t", "--subscription", subscription, "--user", "ops"]);
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/INSTANCE\s+RULE\s+PROTOCOL\s+FRONTEND\s+BACKEND PORT/);
        for (const m of sim.portMappings(RG, "lb", { rule: "ssh" })) {
            expect(result.stdout).toContain(`${m.instance}: ssh -p ${m.frontendPort} ops@${m.frontendIp}`);
        }
        // The udp rule's members get no ssh line.
        expect(result.stdout.match(/ssh -p/g)).toHaveLength(4);
    });

    it("--help of both commands exits 0 with an example", async () => {
        const results = await Promise.all(["mappings", "local-arm"].map((command) => runCli([command, "--help"])));
        for (const result of results) {
            expect(result.code).toBe(0);
            expect(result.stdout).toContain("Example:");
        }
    });

    it("a missing load balancer exits non-zero with one clear line on stderr", async () => {
        const result = await runCli(["mappings", "-g", RG, "-l", "lb-missing", "-p", "pool", "--endpoint", endpoint, "--token", "t", "--subscription", subscription, "--json"]);
        expect(result.code).not.toBe(0);
        expect(result.stdout).toBe("");
        expect(result.stderr.trim().split("\n")).toHaveLength(1);
        expect(result.stderr).toContain(`load balancer lb-missing not found in resource group ${RG}`);
    });

    it("local-arm refuses a missing or corrupt state file", async () => {
        writeFileSync(join(dir, "corrupt.json"), "{ not json");
        const [missing, corrupt] = await Promise.all([
            runCli(["local-arm", "--port", "0", "--state", join(dir, "absent.json")]),
            runCli(["local-arm", "--port", "0", "--state", join(dir, "corrupt.json")]),
        ]);
        expect(missing.code).toBe(1);
        expect(missing.stderr).toContain("absent.json");
        expect(missing.stderr).toContain("does not exist");
        expect(corrupt.code).toBe(1);
        expect(corrupt.stderr).toContain("corrupt.json");
        expect(corrupt.stderr).toContain("not valid JSON");
    });

    it("local-arm stops cleanly on SIGTERM", async () => {
        server.kill("SIGTERM");
        expect(await serverExit).toBe(0);
    });
});
