/**
 * Each class of bad input is refused before anything reaches Azure, in preview and in update, given
 * plainly and as a late Output: the message names the component, the field, the value, what is
 * allowed and the fix, and the simulated Azure is left exactly as it was.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { AzureNatRulesError, BackendPoolNatRule, SingleVmNatRule } from "../src";
import { runDeployment } from "../src/testing";
import { buildPoolState } from "../src/testing/scenarios";

type Late = <T>(value: T) => pulumi.Input<T>;

/** Runs `declare` against a fresh simulated Azure four ways and hands each failure's message to `check`. */
function refusedEveryWay(declare: (lbId: string, nsgId: string, late: Late) => void, check: (message: string) => void): void {
    for (const preview of [true, false]) {
        for (const lateValues of [false, true]) {
            it(`${preview ? "preview" : "update"}, ${lateValues ? "late Outputs" : "plain values"}`, async () => {
                const { sim, lbId } = buildPoolState({ resourceGroupName: "rg", addressSpace: "10.0.0.0/16", subnetPrefix: "10.0.0.0/24", rules: [], scaleSets: [] });
                const nsgId = sim.upsertNetworkSecurityGroup({ resourceGroupName: "rg", networkSecurityGroupName: "nsg" });
                const late: Late = <T,>(value: T) => (lateValues ? (pulumi.output(value) as pulumi.Input<T>) : value);
                const before = JSON.stringify(sim);
                const failure = await runDeployment(sim, () => (declare(lbId, nsgId, late), {}), { preview }).then(
                    () => undefined,
                    (e: unknown) => e,
                );
                expect(failure).toBeInstanceOf(AzureNatRulesError);
                check((failure as Error).message);
                expect(JSON.stringify(sim)).toBe(before);
            });
        }
    }
}

const single = (lbId: string) => ({ loadBalancerId: lbId, frontendIPConfigurationId: `${lbId}/frontendIPConfigurations/fe`, backendPort: 22 });
const pool = (lbId: string) => ({ ...single(lbId), backendAddressPoolId: `${lbId}/backendAddressPools/pool`, frontendPortRangeStart: 50000 });

describe("two rules with the same ruleName on one load balancer", () => {
    refusedEveryWay(
        (lbId, _nsg, late) => {
            new SingleVmNatRule("a", { ...single(lbId), frontendPort: 50001, ruleName: late("ssh") });
            new SingleVmNatRule("b", { ...single(lbId), frontendPort: 50002, backendPort: 23, ruleName: late("SSH") });
        },
        (message) => {
            expect(message).toMatch(/^SingleVmNatRule "(a|b)": 1 invalid argument:\n/);
            expect(message).toMatch(/ - ruleName = "(ssh|SSH)": allowed is a name no other NAT rule of this program has on load balancer "lb": SingleVmNatRule "(a|b)" sends the same rule name \(Azure compares names ignoring case\)/);
            expect(message).toMatch(/Fix: give SingleVmNatRule "(a|b)" or SingleVmNatRule "(a|b)" a ruleName of its own/);
        },
    );
});

describe("two components whose derived NSG rule names collide (web/x and web:x)", () => {
    refusedEveryWay(
        (lbId, nsgId, late) => {
            // One Output shared by both, so the registry sees one NSG while its id is not known yet.
            const access = { networkSecurityGroupId: late(nsgId), allowedSourceAddressPrefixes: ["10.0.0.0/8"] };
            new SingleVmNatRule("web/x", { ...single(lbId), ...access, frontendPort: 50001, ruleName: "r1" });
            new SingleVmNatRule("web:x", { ...single(lbId), ...access, frontendPort: 50002, backendPort: 23, ruleName: "r2" });
        },
        (message) => {
            expect(message).toMatch(/^SingleVmNatRule "web[:/]x": 1 invalid argument:\n {2}- name = "web[:/]x": allowed is a component name whose NSG rule name "web-x-allow" no other component sends to network security group ("nsg"|"\(not known yet\)"): SingleVmNatRule "web[:/]x" derives the same name/);
            expect(message).toMatch(/Fix: rename SingleVmNatRule "web[:/]x" or SingleVmNatRule "web[:/]x"/);
        },
    );
});

describe("names Azure refuses (inbound NAT rule: 1-80 of letters, digits, _ . -)", () => {
    const cases: [string, string, string | undefined, RegExp][] = [
        ["an empty ruleName", "a", "", /ruleName = "": allowed is 1-80 letters, digits, "_", "\." or "-", starting with a letter or digit and ending with a letter, digit or "_" \(Azure's rule for inbound NAT rule names; it is empty\)\. Fix: set ruleName to a valid name/],
        ["an 81-character ruleName", "a", "x".repeat(81), /ruleName = "x{81}": allowed is 1-80 letters.*it has 81 characters\)\. Fix: set ruleName to a valid name/],
        ["ruleName ssh/22", "a", "ssh/22", /ruleName = "ssh\/22": allowed is 1-80 letters.*it contains "\/"\)\. Fix: set ruleName to a valid name, e\.g\. "ssh-22"/],
        ["a component name with spaces and # and no ruleName", "ssh rule #1", undefined, /ruleName = "ssh rule #1": allowed is 1-80 letters.*it contains " ", "#", and the rule takes the component's name when ruleName is unset\)\. Fix: set ruleName to a valid name, e\.g\. ruleName: "ssh-rule-1", or give the component a valid name/],
    ];
    for (const [label, component, ruleName, expected] of cases) {
        describe(label, () => {
            refusedEveryWay(
                (lbId, _nsg, late) => void new SingleVmNatRule(component, { ...single(lbId), frontendPort: 50001, ...(ruleName === undefined ? {} : { ruleName: late(ruleName) }) }),
                (message) => {
                    expect(message.startsWith(`SingleVmNatRule ${JSON.stringify(component)}: 1 invalid argument:\n`)).toBe(true);
                    expect(message).toMatch(expected);
                },
            );
        });
    }
});

describe("a boolean given as a string (enableFloatingIP: \"yes\")", () => {
    refusedEveryWay(
        (lbId, _nsg, late) => void new SingleVmNatRule("a", { ...single(lbId), frontendPort: 50001, enableFloatingIP: late("yes" as unknown as boolean) }),
        (message) =>
            expect(message).toBe(
                'SingleVmNatRule "a": 1 invalid argument:\n  - enableFloatingIP = "yes": allowed is true or false (a boolean, not a string or number). Fix: pass true or false (e.g. enableFloatingIP: true), or leave it unset for false',
            ),
    );
});

describe("a scale set given as its id string", () => {
    refusedEveryWay(
        (lbId) => void new BackendPoolNatRule("p", { ...pool(lbId), maxInstances: 4, scaleSet: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss" as never }),
        (message) => {
            expect(message).toMatch(/^BackendPoolNatRule "p": 1 invalid argument:\n {2}- scaleSet = "\/subscriptions\/x\/resourceGroups\/rg\/providers\/Microsoft\.Compute\/virtualMachineScaleSets\/vmss": allowed is an azure-native compute\.VirtualMachineScaleSet resource, not its id/);
            expect(message).toContain('Fix: pass the resource: the one the program declares (scaleSet: vmss), or for an existing scale set compute.VirtualMachineScaleSet.get("vmss", "<its ARM id>")');
            expect(message).not.toContain("dependsOn");
        },
    );
});

describe("NaN is shown as NaN, not null", () => {
    describe("frontendPort", () => {
        refusedEveryWay(
            (lbId, _nsg, late) => void new SingleVmNatRule("a", { ...single(lbId), frontendPort: late(NaN) }),
            (message) => expect(message).toBe('SingleVmNatRule "a": 1 invalid argument:\n  - frontendPort = NaN: allowed is an integer from 1 to 65534. Fix: pick a frontend port in 1-65534 that no other rule on this load balancer uses'),
        );
    });
    describe("maxInstances", () => {
        refusedEveryWay(
            (lbId, _nsg, late) => void new BackendPoolNatRule("p", { ...pool(lbId), maxInstances: late(NaN), virtualMachineNames: ["vm0"] }),
            (message) => expect(message).toMatch(/^BackendPoolNatRule "p": 1 invalid argument:\n {2}- maxInstances = NaN: allowed is an integer from 1 to 65534\. Fix: /),
        );
    });
});

describe("several wrong fields, late ones included, are reported in one message", () => {
    refusedEveryWay(
        (lbId, _nsg, late) => void new SingleVmNatRule("a", { ...single(lbId), frontendPort: late(70000), backendPort: late(0) }),
        (message) =>
            expect(message).toBe(
                'SingleVmNatRule "a": 2 invalid arguments:\n' +
                    "  - frontendPort = 70000: allowed is an integer from 1 to 65534. Fix: pick a frontend port in 1-65534 that no other rule on this load balancer uses\n" +
                    "  - backendPort = 0: allowed is an integer from 1 to 65535. Fix: use the port the instances listen on, 1-65535",
            ),
    );
});

describe("README's Errors examples", () => {
    it("are the messages these inputs really produce", async () => {
        const readme = readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("## Errors"), readme.indexOf("\n## ", readme.indexOf("## Errors") + 1));
        const shown = [...section.matchAll(/```text\n([\s\S]*?)\n```/g)].map((m) => m[1]).filter((block) => !block.startsWith("<Component>"));
        const { sim, lbId } = buildPoolState({ resourceGroupName: "rg", addressSpace: "10.0.0.0/16", subnetPrefix: "10.0.0.0/24", rules: [], scaleSets: [] });
        const messages: string[] = [];
        for (const declare of [
            () => void new BackendPoolNatRule("ssh", { ...pool(lbId), frontendPortRangeStart: 65500, maxInstances: 100, protocol: "Udp", enableTcpReset: true, virtualMachineNames: ["vm0"] }),
            () => {
                new SingleVmNatRule("jump", { ...single(lbId), frontendPort: 50001, ruleName: "ssh" });
                new SingleVmNatRule("bastion", { ...single(lbId), frontendPort: 50002, backendPort: 2222, ruleName: "ssh" });
            },
        ]) {
            messages.push(await runDeployment(sim, () => (declare(), {}), { preview: true }).then(() => "(no error)", (e: Error) => e.message));
        }
        expect(shown).toEqual(messages);
    });
});
