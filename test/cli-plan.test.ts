import { describe, expect, it } from "vitest";
import { planFrontendPorts } from "../src/core/planner";
import { runCli } from "./cli-helpers";

/** Runs `azure-nat-rules plan ...` as a child process. */
const plan = (...args: string[]) => runCli(["plan", ...args]);

describe.concurrent("azure-nat-rules plan", () => {
    it("prints with --json exactly the plan the library computes for the same request", async () => {
        const result = await plan("--frontend-start", "50000", "--rule", "ssh:22:100", "--rule", "rdp:3389:50:udp:x2",
            "--rule", "admin:8443:7:x2:All", "--align", "100", "--avoid", "50100", "--avoid", "50300-50399", "--headroom", "20%", "--json");
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        const library = planFrontendPorts({
            frontendStart: 50000,
            rules: [
                { name: "ssh", backendPort: 22, maxInstances: 100 },
                { name: "rdp", backendPort: 3389, maxInstances: 50, protocol: "Udp", overprovision: true },
                { name: "admin", backendPort: 8443, maxInstances: 7, protocol: "All", overprovision: true },
            ],
            align: 100,
            avoid: [{ start: 50100, end: 50100 }, { start: 50300, end: 50399 }],
            headroom: 0.2,
        });
        expect(result.stdout.trim().split("\n")).toHaveLength(1);
        expect(JSON.parse(result.stdout)).toEqual(library);
    });

    it("prints a table with one row per rule: name, protocol, backend port, range, capacity", async () => {
        const result = await plan("--frontend-start", "50000", "--rule", "ssh:22:100", "--rule", "rdp:3389:50");
        expect(result.code).toBe(0);
        const lines = result.stdout.trim().split("\n");
        expect(lines[0].split(/\s{2,}/)).toEqual(["NAME", "PROTOCOL", "BACKEND PORT", "RANGE", "CAPACITY"]);
        const library = planFrontendPorts({ frontendStart: 50000, rules: [
            { name: "ssh", backendPort: 22, maxInstances: 100 },
            { name: "rdp", backendPort: 3389, maxInstances: 50 },
        ] });
        expect(lines.slice(1).map((line) => line.split(/\s{2,}/))).toEqual(
            library.rules.map((r) => [r.name, r.protocol, String(r.backendPort), `${r.start}-${r.end}`, String(r.capacity)]));
    });

    it("fails, naming on stderr the rule that did not fit, when the plan is impossible", async () => {
        const result = await plan("--frontend-start", "65400", "--rule", "ssh:22:100", "--rule", "rdp:3389:100", "--json");
        expect(result.code).not.toBe(0);
        expect(result.stdout).toBe("");
        expect(result.stderr).toMatch(/^azure-nat-rules: plan: --rule rdp:3389:100 does not fit: it needs 100 ports .* once the ranges of the --rule flags before it are skipped\. Fix: /);
    });

    it("rejects a malformed --rule, naming the flag, the value and the expected form", async () => {
        const result = await plan("--frontend-start", "50000", "--rule", "ssh:abc:10");
        expect(result.code).not.toBe(0);
        expect(result.stdout).toBe("");
        expect(result.stderr).toContain("--rule");
        expect(result.stderr).toContain("ssh:abc:10");
        expect(result.stderr).toContain("name:backendPort:maxInstances[:protocol][:x2]");
    });

    it("reports out-of-bounds values against the flags that carry them", async () => {
        const result = await plan("--frontend-start", "0", "--rule", "ssh:70000:10", "--avoid", "9-3");
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/plan: 3 invalid arguments/);
        expect(result.stderr).toMatch(/--frontend-start = 0/);
        expect(result.stderr).toMatch(/--rule ssh:70000:10 \(backendPort\) = 70000/);
        expect(result.stderr).toMatch(/--avoid 9-3 = 3/);
    });

    it("shows help with examples and exits 0", async () => {
        const result = await plan("--help");
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/Usage: azure-nat-rules plan/);
        expect(result.stdout).toMatch(/Examples:\n\s+\$ azure-nat-rules plan --frontend-start 50000 --rule ssh:22:100/);
    });

    it("each malformed value names the flag and says how to fix it", async () => {
        const [rule, avoid, start, headroom] = await Promise.all([
            plan("--frontend-start", "50000", "--rule", "ssh"),
            plan("--frontend-start", "50000", "--rule", "ssh:22:10", "--avoid", "a-b"),
            plan("--frontend-start", "fifty", "--rule", "ssh:22:10"),
            plan("--frontend-start", "50000", "--rule", "ssh:22:10", "--headroom", "abc"),
        ]);
        expect(rule.stderr).toMatch(/^error: option '--rule .*' argument 'ssh' is invalid\. .*Fix: write it as e\.g\. ssh:22:100/);
        expect(avoid.stderr).toMatch(/^error: option '--avoid .*' argument 'a-b' is invalid\. .*Fix: write a range or one port, e\.g\. --avoid 50000-50099 or --avoid 80\./);
        expect(start.stderr).toMatch(/^error: option '--frontend-start <port>' argument 'fifty' is invalid\. expected a whole number\. Fix: pass a port such as 50000\./);
        expect(headroom.stderr).toMatch(/^error: option '--headroom <fraction>' argument 'abc' is invalid\. .*Fix: pass e\.g\. --headroom 0\.2 or --headroom 20%\./);
        for (const r of [rule, avoid, start, headroom]) expect(r.code).toBe(1);
    });

    it("refuses a bare headroom of 1 or more (20 would mean 2,000%) and takes 20%", async () => {
        const [bare, percent] = await Promise.all([
            plan("--frontend-start", "50000", "--rule", "ssh:22:10", "--headroom", "20"),
            plan("--frontend-start", "50000", "--rule", "ssh:22:10", "--headroom", "20%", "--json"),
        ]);
        expect(bare.code).not.toBe(0);
        expect(bare.stderr).toMatch(/--headroom.*'20' is invalid\. expected a fraction below 1 \(0\.2 = 20%\), or a percentage with %\. Fix: write 20% for 20 percent, or a fraction such as 0\.2\./);
        expect(JSON.parse(percent.stdout).rules[0]).toMatchObject({ start: 50000, end: 50011, capacity: 12 });
    });
});
