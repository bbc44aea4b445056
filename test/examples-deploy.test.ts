/**
 * The examples' own entry programs (what `pulumi up` runs, stack config included) deployed to the
 * simulator: every resource is accepted, SSH is open only to the configured CIDR, and the outputs
 * are the mappings Azure holds (runDeployment serves the simulator as the ARM endpoint).
 */
import { describe, expect, it, vi } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { AzureSimulator, runDeployment } from "../src/testing";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyForTests test";

/** Runs an example's index.ts afresh as the program of one deployment, with this stack config. */
async function deployExample(sim: AzureSimulator, project: string, entry: string, config: Record<string, string>) {
    return runDeployment(
        sim,
        async () => {
            pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [`${project}:${k}`, v])));
            vi.resetModules();
            return { ...(await import(entry)) } as Record<string, unknown>;
        },
        { project, stack: "test" },
    );
}

const securityRules = (sim: AzureSimulator, rg: string, nsg: string) =>
    ((sim.get(`/subscriptions/${sim.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Network/networkSecurityGroups/${nsg}`) as {
        properties: { securityRules: { name: string; properties: Record<string, unknown> }[] };
    }).properties.securityRules);

describe("examples deploy to the simulator with restricted access", () => {
    it("single-vm: two single-VM rules on the NICs, SSH allowed from the configured CIDR only", async () => {
        const sim = new AzureSimulator();
        const { outputs } = await deployExample(sim, "azure-nat-rules-single-vm", "../examples/single-vm/index", {
            sshPublicKey: KEY,
            sshSourceCidr: "198.51.100.7/32",
        });
        const mappings = outputs.portMappings as { instance: string; frontendPort: number; backendPort: number; frontendIp: string }[];
        expect(mappings.map((m) => [m.instance, m.frontendPort, m.backendPort])).toEqual([["vm1", 50001, 22], ["vm2", 50002, 22]]);
        expect(mappings[0].frontendIp).toMatch(/^203\.0\.113\.\d+$/);
        const rules = securityRules(sim, "natvm-rg", "natvm-nsg");
        expect(rules.length).toBeGreaterThan(0);
        for (const rule of rules) {
            expect(rule.properties).toMatchObject({ access: "Allow", direction: "Inbound", destinationPortRange: "22" });
            const sources = (rule.properties.sourceAddressPrefixes as string[] | undefined) ?? [rule.properties.sourceAddressPrefix];
            expect(sources).toEqual(["198.51.100.7/32"]);
        }
        const lb = sim.get(`/subscriptions/${sim.subscriptionId}/resourceGroups/natvm-rg/providers/Microsoft.Network/loadBalancers/natvm-lb`) as {
            properties: { inboundNatRules: { name: string; properties: { frontendPort: number; backendPort: number } }[] };
        };
        expect(lb.properties.inboundNatRules.map((r) => [r.properties.frontendPort, r.properties.backendPort]).sort()).toEqual([[50001, 22], [50002, 22]]);
    });

    it("scale-set: the root project's program with its config", async () => {
        const sim = new AzureSimulator();
        const { outputs } = await deployExample(sim, "azure-nat-rules-example", "../examples/scale-set/index", {
            sshPublicKey: KEY,
            instances: "4",
            maxInstances: "20",
            sshSourceCidr: "198.51.100.0/24",
        });
        expect(outputs.frontendPortRange).toEqual({ start: 50000, end: 50019, capacity: 20 });
        const mappings = outputs.portMappings as { instance: string; frontendPort: number; source: string }[];
        expect(mappings.map((m) => `${m.instance}:${m.frontendPort}:${m.source}`)).toEqual(["0:50000:azure", "1:50001:azure", "2:50002:azure", "3:50003:azure"]);
        const rules = securityRules(sim, "natdemo-rg", "natdemo-nsg");
        expect(rules).toHaveLength(1);
        const sources = (rules[0].properties.sourceAddressPrefixes as string[] | undefined) ?? [rules[0].properties.sourceAddressPrefix];
        expect(sources).toEqual(["198.51.100.0/24"]);
    });

    it("scale-set with flexible: true: a Flexible scale set, its mappings labelled by VM name", async () => {
        const sim = new AzureSimulator();
        const { outputs } = await deployExample(sim, "azure-nat-rules-example", "../examples/scale-set/index", { sshPublicKey: KEY, instances: "3", flexible: "true" });
        const vms = sim.listInstances("natdemo-rg", "natdemo-vmss").map((i) => i.instanceId);
        expect(vms).toHaveLength(3);
        for (const vm of vms) expect(vm).toMatch(/^natdemo-vmss_[0-9a-f]{8}$/);
        const mappings = outputs.portMappings as { instance: string; frontendPort: number; source: string }[];
        expect(mappings.map((m) => m.instance).sort()).toEqual([...vms].sort());
        expect(mappings.map((m) => m.frontendPort).sort()).toEqual([50000, 50001, 50002]);
        expect(mappings.every((m) => m.source === "azure")).toBe(true);
    });
});
