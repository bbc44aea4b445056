/**
 * `local-arm --state FILE` saves every write it acknowledges before answering: a server killed
 * (SIGKILL, no chance to clean up) right after an answer has that write, and every earlier one, on disk.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AzureSimulator } from "../simulator";

const ROOT = resolve(__dirname, "../../..");
const SUB = "00000000-0000-0000-0000-000000000000";
const NSG = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg`;
const HEADERS = { Authorization: "Bearer t", "Content-Type": "application/json" };

let child: ChildProcess | undefined;
let dir: string | undefined;
afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    child = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
});

/** Starts `local-arm` from source on a free port; resolves with its URL once it listens. */
function startLocalArm(state: string): Promise<string> {
    child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "local-arm", "--port", "0", "--state", state, "--fast"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    return new Promise((resolveUrl, reject) => {
        let out = "";
        let err = "";
        child!.stdout!.on("data", (d: Buffer) => {
            out += d.toString();
            const m = /local ARM endpoint: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
            if (m) resolveUrl(m[1]);
        });
        child!.stderr!.on("data", (d: Buffer) => (err += d.toString()));
        child!.on("exit", (code) => reject(new Error(`local-arm exited (${code}) before listening: ${err}${out}`)));
    });
}

describe("local-arm --state: durable writes", () => {
    it("a server killed with SIGKILL loses no acknowledged write", async () => {
        dir = mkdtempSync(join(tmpdir(), "local-arm-state-"));
        const state = join(dir, "state.json");
        const sim = new AzureSimulator();
        sim.createResourceGroup({ resourceGroupName: "rg", location: "westeurope" });
        sim.upsertNetworkSecurityGroup({ resourceGroupName: "rg", networkSecurityGroupName: "nsg" });
        sim.save(state);
        const url = await startLocalArm(state);

        const acknowledged: string[] = [];
        let killed = false;
        const writes = Array.from({ length: 40 }, (_, i) =>
            fetch(`${url}${NSG}/securityRules/r${i}?api-version=2024-05-01`, {
                method: "PUT",
                headers: HEADERS,
                body: JSON.stringify({ properties: { priority: 100 + i, direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: String(2000 + i) } }),
            }).then(
                (res) => {
                    if (killed) return;
                    if (res.status === 201) acknowledged.push(`r${i}`);
                    // Killed the moment the 20th answer arrives, with writes still in flight.
                    if (acknowledged.length === 20) {
                        killed = true;
                        child!.kill("SIGKILL");
                    }
                },
                () => undefined,
            ),
        );
        await Promise.all(writes);
        await new Promise<void>((r) => (child!.exitCode !== null || child!.signalCode !== null ? r() : child!.once("exit", () => r())));
        expect(child!.signalCode).toBe("SIGKILL");
        expect(acknowledged).toHaveLength(20);

        const saved = AzureSimulator.load(state);
        const rules = (saved.get(`${NSG}/securityRules`) as { value: { name: string }[] }).value.map((r) => r.name);
        for (const name of acknowledged) expect(rules, `acknowledged write ${name}`).toContain(name);
    }, 60_000);

    it("refuses an --lro-polls that is not a whole number, saying what is allowed", () => {
        dir = mkdtempSync(join(tmpdir(), "local-arm-state-"));
        const state = join(dir, "state.json");
        new AzureSimulator().save(state);
        const run = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "local-arm", "--port", "0", "--state", state, "--lro-polls", "two"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
        expect(run.status).not.toBe(0);
        expect(run.stderr).toContain('--lro-polls = "two" is invalid: allowed is a whole number from 0 to 1000');
    }, 60_000);
});
