/**
 * ssh-config, inventory and ssh (with --dry-run, and running a stand-in ssh), as child processes, from the scale-set example's real
 * stack outputs (a simulator deployment, written as `pulumi stack output --json` writes them) and
 * from a live lookup against `azure-nat-rules local-arm` serving the same simulated Azure.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NatPortMapping } from "../src";
import { AzureSimulator, runDeployment } from "../src/testing";
import { declareScaleSetStack } from "../examples/scale-set/program";
import { runCli, startLocalArm, type LocalArm } from "./cli-helpers";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyForTests test";

let dir: string;
let outputsFile: string;
let mappings: NatPortMapping[];
let server: LocalArm;
let live: string[];

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "azure-nat-rules-consume-"));
    const sim = new AzureSimulator();
    const { outputs } = await runDeployment(sim, () => declareScaleSetStack({ instances: 3, sshPublicKey: KEY }));
    sim.deleteInstances("natdemo-rg", "natdemo-vmss", ["1"]);
    // What `pulumi stack output --json` prints: every output by name, as of the last deployment.
    outputsFile = join(dir, "outputs.json");
    writeFileSync(outputsFile, JSON.stringify(outputs, null, 2));
    mappings = outputs.portMappings;
    sim.save(join(dir, "state.json"));
    server = await startLocalArm(join(dir, "state.json"));
    live = ["-g", "natdemo-rg", "-l", "natdemo-lb", "-p", "vmss-pool", "--endpoint", server.url, "--token", "t", "--subscription", server.subscription];
});

afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
});

const block = (alias: string, m: NatPortMapping, user: string) => `Host ${alias}\n    HostName ${m.frontendIp}\n    Port ${m.frontendPort}\n    User ${user}`;

describe("from pulumi stack output --json", () => {
    it("the deployment's outputs hold three mappings (the file is real stack outputs)", () => {
        expect(mappings.map((m) => m.instance)).toEqual(["0", "1", "2"]);
        expect(mappings[0].frontendIp).toMatch(/^203\.0\.113\.\d+$/);
    });

    it("ssh-config prints one Host block per instance, prefixed by the stack's loadBalancer output", async () => {
        const r = await runCli(["ssh-config", "--from-file", outputsFile]);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(`${mappings.map((m) => block(`natdemo-lb-${m.instance}`, m, "azureuser")).join("\n\n")}\n`);
    });

    it("ssh-config --host-prefix and --user set the names", async () => {
        const r = await runCli(["ssh-config", "--from-file", outputsFile, "--host-prefix", "web", "--user", "ops"]);
        expect(r.stdout).toContain(block("web-2", mappings[2], "ops"));
    });

    it("inventory prints Ansible's all: hosts: YAML, and the same structure with --json", async () => {
        const [yaml, json] = await Promise.all([runCli(["inventory", "--from-file", outputsFile, "--host-prefix", "web"]), runCli(["inventory", "--from-file", outputsFile, "--host-prefix", "web", "--json"])]);
        expect(yaml.code).toBe(0);
        const hostYaml = (m: NatPortMapping) => `    web-${m.instance}:\n      ansible_host: ${m.frontendIp}\n      ansible_port: ${m.frontendPort}\n      ansible_user: azureuser`;
        expect(yaml.stdout).toBe(`all:\n  hosts:\n${mappings.map(hostYaml).join("\n")}\n`);
        expect(JSON.parse(json.stdout)).toEqual({
            all: { hosts: Object.fromEntries(mappings.map((m) => [`web-${m.instance}`, { ansible_host: m.frontendIp, ansible_port: m.frontendPort, ansible_user: "azureuser" }])) },
        });
    });

    it("ssh --dry-run prints the command for one instance, with ssh's own arguments after --", async () => {
        const r = await runCli(["ssh", "2", "--from-file", outputsFile, "--dry-run", "--", "-i", "key file", "uptime"]);
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(`ssh -p ${mappings[2].frontendPort} azureuser@${mappings[2].frontendIp} -i 'key file' uptime\n`);
    });

    it("ssh runs the ssh on PATH with the instance's port and host, and exits with its status; without one it says how to fix it", async () => {
        // A stand-in ssh that records its arguments, one per line, and exits 7.
        const bin = join(dir, "bin");
        mkdirSync(bin, { recursive: true });
        const recorded = join(dir, "ssh-args.txt");
        writeFileSync(join(bin, "ssh"), `#!/bin/sh\nprintf '%s\\n' "$@" > '${recorded}'\nexit 7\n`);
        chmodSync(join(bin, "ssh"), 0o755);
        const [ran, missing] = await Promise.all([
            runCli(["ssh", "0", "--from-file", outputsFile, "--", "-i", "key file", "uptime"], { env: { PATH: bin } }),
            runCli(["ssh", "0", "--from-file", outputsFile], { env: { PATH: join(dir, "no-such-bin") } }),
        ]);
        expect(ran.code).toBe(7);
        expect(readFileSync(recorded, "utf8")).toBe(["-p", String(mappings[0].frontendPort), `azureuser@${mappings[0].frontendIp}`, "-i", "key file", "uptime", ""].join("\n"));
        expect(missing.code).toBe(1);
        expect(missing.stderr).toContain("ssh: the ssh command was not found on PATH. Fix: install an OpenSSH client, or print the command with --dry-run.");
    });

    it("an unknown instance, a file that is not stack outputs and an output with no mappings fail with a fix", async () => {
        writeFileSync(join(dir, "list.json"), "[1, 2]");
        writeFileSync(join(dir, "text.txt"), "Current stack outputs (2):");
        writeFileSync(join(dir, "empty.json"), JSON.stringify({ loadBalancer: "lb", portMappings: [] }));
        writeFileSync(join(dir, "other.json"), JSON.stringify({ loadBalancer: "lb" }));
        const [unknown, list, text, empty, other] = await Promise.all([
            runCli(["ssh", "7", "--from-file", outputsFile, "--dry-run"]),
            runCli(["ssh-config", "--from-file", join(dir, "list.json")]),
            runCli(["inventory", "--from-file", join(dir, "text.txt")]),
            runCli(["ssh-config", "--from-file", join(dir, "empty.json")]),
            runCli(["inventory", "--from-file", join(dir, "other.json")]),
        ]);
        for (const r of [unknown, list, text, empty, other]) {
            expect(r.code).toBe(1);
            expect(r.stdout).toBe("");
            expect(r.stderr).toContain("Fix: ");
        }
        expect(unknown.stderr).toContain('ssh: no instance "7" among the mapped instances (0, 1, 2).');
        expect(list.stderr).toContain("is not stack outputs: it holds a list, not an object of output names. Fix: write it with pulumi stack output --json >");
        expect(text.stderr).toContain("is not stack outputs: it is not JSON");
        expect(empty.stderr).toContain('output "portMappings" of file');
        expect(empty.stderr).toContain("holds no port mappings");
        expect(other.stderr).toContain('has no output "portMappings" (its outputs are "loadBalancer")');
        expect(other.stderr).toContain("pass the output's name with --output <name>");
    });

    it("neither a file nor a pool says both ways to give one", async () => {
        const r = await runCli(["ssh-config", "-g", "rg"]);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("ssh-config: no mappings to read: --load-balancer, --pool are missing for a live lookup. Fix: pass --from-file <file>");
    });
});

describe("from a live lookup against local-arm", () => {
    // Instance 1 was deleted after the deployment: the stack outputs still list it, Azure does not.
    it("ssh-config lists what Azure holds now, not the stack outputs", async () => {
        const r = await runCli(["ssh-config", ...live]);
        expect(r.stderr).toBe("");
        expect(r.stdout).toBe(`${[mappings[0], mappings[2]].map((m) => block(`natdemo-lb-${m.instance}`, m, "azureuser")).join("\n\n")}\n`);
    });

    it("inventory --json and ssh --dry-run read the same live mappings", async () => {
        const [inventory, ssh, gone] = await Promise.all([
            runCli(["inventory", ...live, "--json", "--host-prefix", "vm"]),
            runCli(["ssh", "2", ...live, "--dry-run", "--user", "ops"]),
            runCli(["ssh", "1", ...live, "--dry-run"]),
        ]);
        expect(Object.keys((JSON.parse(inventory.stdout) as { all: { hosts: object } }).all.hosts)).toEqual(["vm-0", "vm-2"]);
        expect(ssh.stdout).toBe(`ssh -p ${mappings[2].frontendPort} ops@${mappings[2].frontendIp}\n`);
        expect(gone.code).toBe(1);
        expect(gone.stderr).toContain('ssh: no instance "1" among the mapped instances (0, 2)');
    });

    it("--from-file with live-lookup options is refused", async () => {
        const r = await runCli(["ssh-config", "--from-file", outputsFile, "-g", "natdemo-rg"]);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("Fix: use either --from-file or the live-lookup options.");
    });
});
