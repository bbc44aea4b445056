/**
 * examples/ops-access chained to the scale-set stack: the scale-set example deploys to the
 * simulator, its real outputs are served to the ops stack's StackReference, and the ops stack
 * turns the mappings into an ssh config and an inventory. Autoscale then moves on: the stack
 * outputs stay as of the last `up`, and lookupPortMappings against startArmServer reads the live list.
 */
import { describe, expect, it } from "vitest";
import { lookupPortMappings, staticTokenCredential } from "../src";
import { AzureSimulator, DEFAULT_SUBSCRIPTION_ID, runDeployment, startArmServer } from "../src/testing";
import { declareScaleSetStack } from "../examples/scale-set/program";
import { declareOpsAccessStack } from "../examples/ops-access/program";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyForTests test";
const SCALE_SET_STACK = "acme/azure-nat-rules-example/dev";

describe("ops-access reads the scale-set stack's mappings", () => {
    it("ssh config and inventory from the scale-set stack's real outputs; live mappings after autoscale", async () => {
        const sim = new AzureSimulator();
        const scaleSet = await runDeployment(sim, () => declareScaleSetStack({ instances: 2, sshPublicKey: KEY, adminUsername: "ops" }));
        const mappings = scaleSet.outputs.portMappings;
        expect(mappings.map((m) => m.instance)).toEqual(["0", "1"]);
        const ip = mappings[0].frontendIp;
        expect(ip).toMatch(/^203\.0\.113\.\d+$/);

        const ops = await runDeployment(sim, () => declareOpsAccessStack({ scaleSetStack: SCALE_SET_STACK, hostPrefix: "web", user: "ops" }), {
            stackReferences: { [SCALE_SET_STACK]: scaleSet.outputs },
        });
        expect(ops.resources.map((r) => r.type)).toContain("pulumi:pulumi:StackReference");
        expect(ops.outputs.hosts).toEqual(["web-0", "web-1"]);
        expect(ops.outputs.sshConfig).toBe(
            `Host web-0\n    HostName ${ip}\n    Port ${mappings[0].frontendPort}\n    User ops\n\n` + `Host web-1\n    HostName ${ip}\n    Port ${mappings[1].frontendPort}\n    User ops\n`,
        );
        expect(ops.outputs.inventory).toEqual({
            all: {
                hosts: {
                    "web-0": { ansible_host: ip, ansible_port: mappings[0].frontendPort, ansible_user: "ops" },
                    "web-1": { ansible_host: ip, ansible_port: mappings[1].frontendPort, ansible_user: "ops" },
                },
            },
        });
        expect(ops.outputs.sshConfigFile).toMatchObject({ text: ops.outputs.sshConfig });

        // Autoscale adds an instance after the last `up`: the stack outputs do not have it, Azure does.
        const instancesNow = sim.setCapacity("natdemo-rg", "natdemo-vmss", 3);
        expect(instancesNow).toHaveLength(3);
        const server = await startArmServer(sim);
        try {
            const live = await lookupPortMappings({
                subscriptionId: DEFAULT_SUBSCRIPTION_ID,
                resourceGroupName: "natdemo-rg",
                loadBalancerName: "natdemo-lb",
                backendPoolName: "vmss-pool",
                endpoint: server.url,
                credential: staticTokenCredential("local"),
            });
            expect(live.mappings.map((m) => m.instance).sort()).toEqual([...instancesNow].sort());
            expect(ops.outputs.hosts).toHaveLength(2);
        } finally {
            await server.close();
        }
    });
});
