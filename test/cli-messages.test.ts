/**
 * What the CLI says when it is used wrong: a parse error is the error, one usage line and where to
 * read more (not the whole --help); messages name the flag the user typed, with a fix; values an ssh
 * config, Azure or the component would refuse are refused before any work. Each runs the compiled
 * CLI as a child process.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ruleNameIssue } from "../src/core/names";
import { runCli } from "./cli-helpers";

let dir: string;
let outputs: string;
beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "azure-nat-rules-messages-"));
    outputs = join(dir, "outputs.json");
    const mapping = { instance: "0", frontendIp: "203.0.113.1", frontendPort: 50000, backendPort: 22, protocol: "Tcp", source: "azure" };
    writeFileSync(outputs, JSON.stringify({ loadBalancer: "lb", portMappings: [mapping] }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = (text: string) => text.split("\n").filter((l) => l !== "");

describe("a parse error is the error, one usage line and where to read more", () => {
    it("for an invalid value, a missing option, an unknown option, a missing argument and an unknown command", async () => {
        const runs = await Promise.all([
            runCli(["plan", "--frontend-start", "x", "--rule", "ssh:22:10"]),
            runCli(["plan", "--frontend-start", "50000"]),
            runCli(["inventory", "--yaml"]),
            runCli(["ssh"]),
            runCli(["plna"]),
        ]);
        const usage = [
            "Usage: azure-nat-rules plan --frontend-start <port> --rule <name:backendPort:maxInstances[:protocol][:x2]> [options]",
            "Usage: azure-nat-rules plan --frontend-start <port> --rule <name:backendPort:maxInstances[:protocol][:x2]> [options]",
            "Usage: azure-nat-rules inventory [options]",
            "Usage: azure-nat-rules ssh [options] <instance> [ssh-args...]",
            "Usage: azure-nat-rules [options] [command]",
        ];
        const more = ["azure-nat-rules plan", "azure-nat-rules plan", "azure-nat-rules inventory", "azure-nat-rules ssh", "azure-nat-rules"];
        runs.forEach((r, i) => {
            expect(r.code, usage[i]).toBe(1);
            expect(r.stdout).toBe("");
            // Three lines (before, the whole --help followed: 15 to 45 lines).
            expect(lines(r.stderr), r.stderr).toHaveLength(3);
            expect(lines(r.stderr)[0]).toMatch(/^error: /);
            expect(lines(r.stderr)[1]).toBe(usage[i]);
            expect(lines(r.stderr)[2]).toBe(`More: ${more[i]} --help`);
        });
        expect(runs[4].stderr).toContain("error: unknown command 'plna' (Did you mean plan?)");
    });
});

describe("messages name the flag the user typed, with a fix", () => {
    it("plan --align -100 speaks of an alignment, not a port", async () => {
        const r = await runCli(["plan", "--frontend-start", "50000", "--rule", "ssh:22:10", "--align", "-100"]);
        expect(r.code).toBe(1);
        expect(lines(r.stderr)[0]).toBe(
            "error: option '--align <n>' argument '-100' is invalid. expected a whole number of ports, at least 1: ranges start at multiples of it. Fix: pass e.g. --align 100, or leave --align out.",
        );
    });

    it("plan --frontend-start 65530 --rule ssh:22:10 names its flags, and no deployed ranges", async () => {
        const r = await runCli(["plan", "--frontend-start", "65530", "--rule", "ssh:22:10"]);
        expect(r.code).toBe(1);
        expect(r.stderr).toBe(
            "azure-nat-rules: plan: --rule ssh:22:10 does not fit: it needs 10 ports (maxInstances 10) in one run from 65530 to 65534, but the largest free run there is 5 ports (65530-65534). " +
                "Fix: lower --frontend-start or lower the rule's maxInstances (the third part of --rule ssh:22:10).\n",
        );
        expect(r.stderr).not.toMatch(/frontendStart|deployed|headroom/);
    });

    it("plan's fix names only the flags given: --avoid, --align and --headroom when used", async () => {
        const r = await runCli(["plan", "--frontend-start", "65000", "--rule", "a:22:300", "--rule", "b:22:300", "--avoid", "65400", "--align", "10", "--headroom", "0.1"]);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("plan: --rule b:22:300 does not fit: it needs 330 ports (maxInstances 300 + 10% headroom) in one run starting at a multiple of 10 from 65000 to 65534");
        expect(r.stderr).toContain("once the --avoid ports and the ranges of the --rule flags before it are skipped.");
        expect(r.stderr).toContain("Fix: lower --frontend-start, lower the rule's maxInstances (the third part of --rule b:22:300), lower --headroom, use a smaller --align or avoid fewer ports (--avoid).");
    });

    it("plan without --rule shows what a rule looks like", async () => {
        const r = await runCli(["plan", "--frontend-start", "50000"]);
        expect(lines(r.stderr)[0]).toBe(
            "error: required option '--rule <name:backendPort:maxInstances[:protocol][:x2]>' not specified. Fix: add --rule <name:backendPort:maxInstances[:protocol][:x2]>, e.g. --rule ssh:22:10.",
        );
    });
});

describe("values that would be refused later, or would break what is written, are refused first", () => {
    it("plan --rule with a name the component refuses fails, with the component's own rule and a name that works", async () => {
        const [bad, suggested] = await Promise.all([
            runCli(["plan", "--frontend-start", "50000", "--rule", "bad name!:22:10"]),
            runCli(["plan", "--frontend-start", "50000", "--rule", "bad-name:22:10", "--json"]),
        ]);
        expect(bad.code).toBe(1);
        expect(bad.stdout).toBe("");
        // The same check the components make (core ruleNameIssue), in its words.
        expect(lines(bad.stderr)[0]).toContain(`the rule name "bad name!" is not one Azure accepts: allowed is ${ruleNameIssue("bad name!")!.allowed}. Fix: write it as e.g. bad-name:22:10.`);
        expect(ruleNameIssue("bad-name")).toBeUndefined();
        expect(suggested.code).toBe(0);
        expect(JSON.parse(suggested.stdout)).toEqual({ rules: [{ name: "bad-name", backendPort: 22, protocol: "Tcp", start: 50000, end: 50009, capacity: 10 }] });
    });

    it("plan refuses two rule names that differ only in case, as the components do (Azure compares them ignoring case)", async () => {
        const r = await runCli(["plan", "--frontend-start", "50000", "--rule", "ssh:22:10", "--rule", "SSH:2222:10"]);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toBe(
            'azure-nat-rules: plan: --rule SSH:2222:10: Azure takes "SSH" and "ssh" (an earlier --rule) for one rule, as it compares rule names ignoring case, so one would overwrite the other. Fix: give each rule a name of its own, e.g. SSH-2.\n',
        );
    });

    it("ssh-config --host-prefix with an ssh pattern character, and --user with a space or empty, fail before reading anything", async () => {
        const [prefix, spaced, empty, dash] = await Promise.all([
            runCli(["ssh-config", "--from-file", outputs, "--host-prefix", "web *"]),
            runCli(["ssh-config", "--from-file", outputs, "--user", "a b"]),
            runCli(["ssh", "0", "--from-file", outputs, "--user", "", "--dry-run"]),
            runCli(["inventory", "--from-file", outputs, "--user", "-oProxyCommand=x"]),
        ]);
        for (const r of [prefix, spaced, empty, dash]) {
            expect(r.code).toBe(1);
            expect(r.stdout).toBe("");
        }
        expect(prefix.stderr).toContain('ssh-config: --host-prefix = "web *" is invalid: allowed is letters, digits, ".", "_" and "-", starting with a letter or digit (it contains " ", "*"');
        expect(prefix.stderr).toContain("Fix: pass e.g. --host-prefix web.");
        expect(spaced.stderr).toContain('ssh-config: --user = "a b" is invalid: allowed is a user name of 1-64 letters, digits, ".", "_", "-" or "@", not starting with "-" (it contains whitespace). Fix: pass the VM\'s admin user, e.g. --user azureuser.');
        expect(empty.stderr).toContain('ssh: --user = "" is invalid');
        expect(empty.stderr).toContain("(it is empty)");
        expect(dash.stderr).toContain("(ssh would take it for an option)");
    });

    it("the values those checks let through still work: a dotted prefix, an empty prefix, a domain user", async () => {
        const [dotted, bare, domain] = await Promise.all([
            runCli(["ssh-config", "--from-file", outputs, "--host-prefix", "web.prod_1"]),
            runCli(["ssh-config", "--from-file", outputs, "--host-prefix", ""]),
            runCli(["ssh", "0", "--from-file", outputs, "--user", "ops@corp.example", "--dry-run"]),
        ]);
        expect(dotted.stdout).toContain("Host web.prod_1-0\n");
        expect(bare.stdout).toContain("Host 0\n");
        expect(domain.stdout).toBe("ssh -p 50000 ops@corp.example@203.0.113.1\n");
    });
});

describe("demo", () => {
    it("--delete-instances of an instance that does not exist names the ones that do, and says the state is unchanged", async () => {
        const state = join(dir, "demo.json");
        const deployed = await runCli(["demo", "--reset", "--instances", "3", "--state", state]);
        expect(deployed.code).toBe(0);
        const before = readFileSync(state, "utf8");
        const r = await runCli(["demo", "--delete-instances", "99", "--state", state]);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("demo: --delete-instances 99: natdemo-vmss has no instance 99; its instances are 0, 1, 2. Fix: pass ids among those, as the table shows them.");
        expect(r.stderr).toMatch(/Nothing was deployed; .*demo\.json is unchanged\.\n$/);
        expect(readFileSync(state, "utf8")).toBe(before);

        // --autoscale-to past the range: the fix stays within the range's 10 instances, and speaks the way the demo was run.
        const [bin, npmStart] = await Promise.all([
            runCli(["demo", "--autoscale-to", "20", "--state", state]),
            runCli(["demo", "--autoscale-to", "20", "--state", state], { env: { npm_lifecycle_event: "start" } }),
        ]);
        expect(bin.code).toBe(1);
        expect(bin.stderr).toContain("The range holds 10 instances, so a profile maximum above 10 fails the preview");
        expect(bin.stderr).toContain("Fix: deploy the example's autoscale setting first (e.g. `azure-nat-rules demo --autoscale-max 10`), then autoscale to at most 10.");
        expect(bin.stderr).not.toContain("--autoscale-max 20");
        expect(npmStart.stderr).toContain("(e.g. `npm start -- --autoscale-max 10`)");
        expect(readFileSync(state, "utf8")).toBe(before);
    });

    it("--state in a directory that does not exist fails instead of creating it", async () => {
        const missing = join(dir, "no-such-dir", "state.json");
        const r = await runCli(["demo", "--state", missing]);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`demo: --state ${JSON.stringify(missing)}: directory ${join(dir, "no-such-dir")} does not exist. Fix: create it first`);
        expect(existsSync(join(dir, "no-such-dir"))).toBe(false);
    });
});

describe("Azure lookup errors in the command's words", () => {
    it("name the command, not the library function (listSubscriptions:), and the --endpoint flag", async () => {
        const [sshConfig, endpoint] = await Promise.all([
            // Port 9 on loopback is closed: the subscription list fails without leaving the machine.
            runCli(["ssh-config", "-g", "rg", "-l", "lb", "-p", "pool", "--endpoint", "http://127.0.0.1:9", "--token", "t"]),
            runCli(["mappings", "-g", "rg", "-l", "lb", "-p", "pool", "--endpoint", "ftp://x", "--token", "t"]),
        ]);
        expect(sshConfig.code).toBe(1);
        expect(sshConfig.stderr).toMatch(/^azure-nat-rules: ssh-config: GET http:\/\/127\.0\.0\.1:9\/subscriptions(\?api-version=[\d-]+)? failed: /);
        expect(sshConfig.stderr).not.toContain("listSubscriptions");
        expect(endpoint.stderr).toMatch(/^azure-nat-rules: mappings: --endpoint = "ftp:\/\/x" is invalid: /);
        expect(endpoint.stderr).not.toContain("lookupPortMappings");
    });
});
