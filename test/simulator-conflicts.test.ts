import { describe, expect, it, vi } from "vitest";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import type * as pulumi from "@pulumi/pulumi";
import { NatRuleConflictError, SingleVmNatRule } from "../src";
import { ARM_ERROR_CODES, ArmError, AzureSimulator, networkId, runDeployment } from "../src/testing";
import { declareScaleSetStack } from "../examples/scale-set/program";

/** A simulator whose mocks record every resource type registered with it. */
function recordingSimulator(): { sim: AzureSimulator; types: string[] } {
    const sim = new AzureSimulator();
    const types: string[] = [];
    const original = sim.mocks.bind(sim);
    vi.spyOn(sim, "mocks").mockImplementation((options) => {
        const mocks = original(options);
        return { ...mocks, newResource: (args: pulumi.runtime.MockResourceArgs) => (types.push(args.type), mocks.newResource(args)) };
    });
    return { sim, types };
}

/** A Standard load balancer with one frontend, and two NAT rules declared by `rules` on frontend port 50001. */
function twoRulesOnOnePort(rules: (lb: network.LoadBalancer, frontendId: pulumi.Output<string>) => void) {
    return () => {
        const rg = new resources.ResourceGroup("rg", { resourceGroupName: "conflict-rg", location: "westeurope" });
        const ip = new network.PublicIPAddress("ip", { resourceGroupName: rg.name, publicIpAddressName: "conflict-ip", sku: { name: "Standard" }, publicIPAllocationMethod: "Static" });
        const lb = new network.LoadBalancer("lb", {
            resourceGroupName: rg.name,
            loadBalancerName: "conflict-lb",
            sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip.id } }],
        });
        rules(lb, lb.frontendIPConfigurations.apply((f) => f![0].id!));
    };
}

describe("the simulator refuses what ARM refuses, and the preview-time check fires before it", () => {
    it("refuses two raw azure-native rules on one frontend port with its ARM error", async () => {
        const sim = new AzureSimulator();
        const run = runDeployment(sim, twoRulesOnOnePort((lb, frontendId) => {
            const rule = (name: string, backendPort: number) => new network.InboundNatRule(name, {
                resourceGroupName: "conflict-rg", loadBalancerName: lb.name, inboundNatRuleName: name,
                frontendIPConfiguration: { id: frontendId }, frontendPort: 50001, backendPort, protocol: "Tcp",
            });
            const first = rule("ssh-a", 22);
            new network.InboundNatRule("ssh-b", {
                resourceGroupName: "conflict-rg", loadBalancerName: lb.name, inboundNatRuleName: "ssh-b",
                frontendIPConfiguration: { id: frontendId }, frontendPort: 50001, backendPort: 2222, protocol: "Tcp",
            }, { dependsOn: [first] });
        }));
        const error = await run.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ArmError);
        expect((error as ArmError).code).toBe(ARM_ERROR_CODES.frontendPortOverlap);
        expect((error as ArmError).message).toMatch(/ssh-a.*ssh-b|ssh-b.*ssh-a/);
    });

    it("fails the same two rules through the components at preview, before any rule reaches the simulator", async () => {
        const { sim, types } = recordingSimulator();
        const run = runDeployment(sim, twoRulesOnOnePort((lb, frontendId) => {
            new SingleVmNatRule("ssh-a", { loadBalancerId: lb.id, frontendIPConfigurationId: frontendId, frontendPort: 50001, backendPort: 22 });
            new SingleVmNatRule("ssh-b", { loadBalancerId: lb.id, frontendIPConfigurationId: frontendId, frontendPort: 50001, backendPort: 2222 });
        }), { preview: true });
        const error = await run.catch((e: unknown) => e);
        // runDeployment reports the simulator's own error first, had it refused anything.
        expect(error).toBeInstanceOf(NatRuleConflictError);
        // A first preview: the load balancer being created has an unknown id (azure-native previewOutputs.go), so the check names it so.
        expect((error as Error).message).toMatch(/load balancer "\(not created yet\)": 1 conflict:\n {2}- nat rule "ssh-\w" .* overlaps nat rule "ssh-\w"/);
        expect(types).toContain("azure-native:network:LoadBalancer");
        expect(types).not.toContain("azure-native:network:InboundNatRule");
    });
});

describe("the scale-set example against the simulator", () => {
    it("deploys with SSH restricted to the configured CIDR, and the NSG holds exactly that rule", async () => {
        const sim = new AzureSimulator();
        // runDeployment serves the simulator as the ARM endpoint the component reads its mappings from.
        const { outputs } = await runDeployment(sim, () => declareScaleSetStack({ instances: 2, sshPublicKey: "ssh-ed25519 AAAA test", sshSourceCidr: "198.51.100.7/32" }));
        expect(outputs).toMatchObject({ sshAllowedFrom: "198.51.100.7/32", sshSecurityRule: "natdemo-ssh-allow", sshSecurityRulePriority: 1000 });
        expect((outputs.portMappings as unknown[]).length).toBe(2);

        const nsgId = networkId(sim.subscriptionId, "natdemo-rg", "networkSecurityGroups", "natdemo-nsg");
        const nsg = sim.get(nsgId) as { properties: { securityRules: { name: string; properties: Record<string, unknown> }[] } };
        expect(nsg.properties.securityRules.map((r) => r.name)).toEqual(["natdemo-ssh-allow"]);
        expect(nsg.properties.securityRules[0].properties).toMatchObject({
            priority: 1000,
            direction: "Inbound",
            access: "Allow",
            protocol: "Tcp",
            sourceAddressPrefix: "198.51.100.7/32",
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRange: "22",
        });
    });
});
