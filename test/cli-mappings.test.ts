/**
 * End to end: `azure-nat-rules local-arm` serves a saved simulator state, and
 * `azure-nat-rules mappings` reads it back through the real Azure SDK, each as a child process.
 * Also the lookup progress of mappings, ssh-config, inventory and ssh.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AzureSimulator, FAST_ARM_SERVER_OPTIONS, startArmServer } from "../src/testing";
import { runCli, startLocalArm, type LocalArm } from "./cli-helpers";
import { buildPoolState } from "../src/testing/scenarios";

const RG = "rg-cli";

/** A scale set of 3 and a standalone VM NIC in one pool, with an ssh rule and a udp rule. */
function buildState(): AzureSimulator {
    return buildPoolState({
        resourceGroupName: RG,
        addressSpace: "10.1.0.0/16",
        subnetPrefix: "10.1.0.0/24",
        rules: [
            { name: "ssh", start: 50000, size: 100, backendPort: 22, protocol: "Tcp" },
            { name: "game", start: 40000, size: 100, backendPort: 7777, protocol: "Udp" },
        ],
        scaleSets: [{ name: "vmss", capacity: 3 }],
        networkInterfaces: ["jumpbox-nic"],
    }).sim;
}

describe("azure-nat-rules mappings against azure-nat-rules local-arm", () => {
    let dir: string;
    let sim: AzureSimulator;
    let server: LocalArm;
    let endpoint: string;
    let subscription: string;

    beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), "azure-nat-rules-cli-"));
        sim = buildState();
        sim.save(join(dir, "state.json"));
        server = await startLocalArm(join(dir, "state.json"));
        ({ url: endpoint, subscription } = server);
    });

    afterAll(async () => {
        await server?.stop();
        rmSync(dir, { recursive: true, force: true });
    });

    it("local-arm announces the endpoint and the simulator's subscription", () => {
        expect(subscription).toBe(sim.subscriptionId);
    });

    it("mappings --json prints exactly what the simulator holds, finding the only subscription itself", async () => {
        const result = await runCli(["mappings", "-g", RG, "-l", "lb", "-p", "pool", "--endpoint", endpoint, "--json"], { env: { AZURE_NAT_RULES_TOKEN: "cli-test-token" } });
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(result.stdout.trim().split("\n")).toHaveLength(1);
        const printed = JSON.parse(result.stdout) as { mappings: Record<string, unknown>[]; unreadMembers: unknown[]; armRequests: number; armWrites: number };
        // local-arm answers as Azure does: the pool GET embeds every member's mappings, so the load balancer,
        // the pool, the group's NIC list (to name the VM behind each NIC member) and the frontend's public IP
        // are all it takes, and no write.
        expect({ armRequests: printed.armRequests, armWrites: printed.armWrites, unreadMembers: printed.unreadMembers }).toEqual({ armRequests: 4, armWrites: 0, unreadMembers: [] });
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

    it("local-arm refuses a --retry-after that is not whole seconds", async () => {
        const result = await runCli(["local-arm", "--port", "0", "--state", join(dir, "state.json"), "--retry-after", "1.5"]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('--retry-after = "1.5" is invalid');
    });

    it("local-arm stops cleanly on SIGTERM", async () => {
        expect(await server.stop()).toBe(0);
    });
});

describe("progress of a live lookup on stderr", () => {
    it("ssh-config, inventory and ssh report it as mappings does, each in its own name, with stdout left to the result", async () => {
        // 60 members whose mappings the pool GET leaves out, so each is queried (as Azure may answer).
        const { sim: big } = buildPoolState({
            resourceGroupName: "rg-progress",
            addressSpace: "10.2.0.0/16",
            subnetPrefix: "10.2.0.0/24",
            rules: [{ name: "ssh", start: 50000, size: 100, backendPort: 22, protocol: "Tcp" }],
            scaleSets: [{ name: "vmss", capacity: 60 }],
        });
        const server = await startArmServer(big, { port: 0, host: "127.0.0.1", ...FAST_ARM_SERVER_OPTIONS, embedPortMappings: false });
        try {
            const lookup = ["-g", "rg-progress", "-l", "lb", "-p", "pool", "--endpoint", server.url, "--token", "t", "--subscription", big.subscriptionId];
            const runs = await Promise.all([
                runCli(["mappings", ...lookup]),
                runCli(["ssh-config", ...lookup]),
                runCli(["inventory", ...lookup]),
                runCli(["ssh", "7", ...lookup, "--dry-run"]),
            ]);
            for (const [i, command] of ["mappings", "ssh-config", "inventory", "ssh"].entries()) {
                expect(runs[i].code, command).toBe(0);
                // Not a terminal: one line at the end (and one per 1,000 members).
                expect(runs[i].stderr, command).toMatch(new RegExp(`^${command}: queried 60/60 pool members \\(\\d+ ARM requests, 60 writes\\)\\n$`));
            }
            expect(runs[1].stdout).toContain("Host lb-59\n");
            expect(runs[3].stdout).toMatch(/^ssh -p 5000\d azureuser@/);
        } finally {
            await server.close();
        }
    });
});
