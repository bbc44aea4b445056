import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { runDeployment } from "./deployment";
import { ArmError } from "../errors";
import { AzureSimulator } from "../simulator";
import { isUnknown } from "./preview";

interface ProgramOptions {
    capacity: number;
    rangeEnd?: number;
    /** Put `ignoreChanges: ["sku.capacity"]` on the scale set, as the example does under autoscale. */
    ignoreCapacity?: boolean;
    /** Tags of the resource group. */
    groupTags?: Record<string, string>;
}

/** A small azure-native program: resource group, public IP, Standard LB, scale set in its pool, a V2 rule. */
function scaleSetProgram(options: ProgramOptions) {
    return () => {
        const rg = new resources.ResourceGroup("rg", { resourceGroupName: "demo-rg", location: "westeurope", tags: options.groupTags });
        const ip = new network.PublicIPAddress("ip", {
            resourceGroupName: rg.name,
            publicIpAddressName: "demo-ip",
            sku: { name: "Standard" },
            publicIPAllocationMethod: "Static",
        });
        const lb = new network.LoadBalancer("lb", {
            resourceGroupName: rg.name,
            loadBalancerName: "demo-lb",
            sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip.id } }],
            backendAddressPools: [{ name: "pool" }],
        });
        const poolId = lb.backendAddressPools.apply((pools) => pools![0].id!);
        const vmss = new compute.VirtualMachineScaleSet("vmss", {
            resourceGroupName: rg.name,
            vmScaleSetName: "demo-vmss",
            sku: { name: "Standard_B1s", capacity: options.capacity },
            overprovision: false,
            upgradePolicy: { mode: "Manual" },
            virtualMachineProfile: {
                networkProfile: {
                    networkInterfaceConfigurations: [{
                        name: "nic",
                        primary: true,
                        ipConfigurations: [{ name: "ipconfig", loadBalancerBackendAddressPools: [{ id: poolId }] }],
                    }],
                },
            },
        }, { ignoreChanges: options.ignoreCapacity ? ["sku.capacity"] : [] });
        const rule = new network.InboundNatRule("ssh", {
            resourceGroupName: rg.name,
            loadBalancerName: lb.name,
            inboundNatRuleName: "ssh",
            frontendIPConfiguration: { id: lb.frontendIPConfigurations.apply((f) => f![0].id!) },
            backendAddressPool: { id: poolId },
            frontendPortRangeStart: 50000,
            frontendPortRangeEnd: options.rangeEnd ?? 50009,
            backendPort: 22,
            protocol: "Tcp",
        }, { dependsOn: [vmss] });
        const pool = pulumi.all([rule.id, rg.name, lb.name]).apply(([, resourceGroupName, loadBalancerName]) =>
            network.getLoadBalancerBackendAddressPool({ resourceGroupName, loadBalancerName, backendAddressPoolName: "pool" }));
        return {
            frontendIp: ip.ipAddress,
            ruleId: rule.id,
            ports: pool.apply((p) => (p.loadBalancerBackendAddresses ?? []).map((a) => ({
                name: a.name,
                port: a.inboundNatRulesPortMapping[0]?.frontendPort,
            }))),
        };
    };
}

describe("runDeployment", () => {
    it("deploys an azure-native program twice in one process; the second run keeps the ports", async () => {
        const sim = new AzureSimulator();
        const first = await runDeployment(sim, scaleSetProgram({ capacity: 3 }));
        const ports = first.outputs.ports as { name: string; port: number }[];
        // Scale-set members of a pool carry GUID names in a real pool GET (an AKS load balancer's pool lists e.g. 60466b70-b5fd-4289-9dfa-95d0da48f33e).
        expect(ports).toHaveLength(3);
        for (const p of ports) expect(p.name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(new Set(ports.map((p) => p.name)).size).toBe(3);
        expect(new Set(ports.map((p) => p.port)).size).toBe(3);
        expect(first.outputs.frontendIp).toMatch(/^203\.0\.113\.\d+$/);
        expect(first.outputs.ruleId).toBe(
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo-rg/providers/Microsoft.Network/loadBalancers/demo-lb/inboundNatRules/ssh",
        );

        // Autoscale between the runs. The program's capacity (3) is what the checkpoint holds, so,
        // as under `pulumi up`, the scale set is a same step: nothing is sent and Azure keeps 5.
        sim.setCapacity("demo-rg", "demo-vmss", 5);
        const second = await runDeployment(sim, scaleSetProgram({ capacity: 3 }));
        expect(second.sent).toEqual([]);
        expect(sim.listInstances("demo-rg", "demo-vmss")).toHaveLength(5);
        expect((second.outputs.ports as unknown[]).slice(0, 3)).toEqual(first.outputs.ports);

        // `up --refresh` reads capacity 5 into the checkpoint, so the declared 3 is a change again:
        // the update scales back in, and the first three keep their ports.
        const third = await runDeployment(sim, scaleSetProgram({ capacity: 3 }), { refresh: true });
        expect(third.sent.map((r) => r.type)).toEqual(["azure-native:compute:VirtualMachineScaleSet"]);
        expect(third.outputs.ports).toEqual(first.outputs.ports);
        expect(sim.listInstances("demo-rg", "demo-vmss").map((i) => i.instanceId)).toEqual(["0", "1", "2"]);
    });

    it("honours ignoreChanges as the engine does: an ignored capacity is never sent, on update or preview", async () => {
        const sim = new AzureSimulator();
        const program = (capacity: number) => scaleSetProgram({ capacity, ignoreCapacity: true });
        await runDeployment(sim, program(2));
        const preview = await runDeployment(sim, program(4), { preview: true });
        expect((preview.outputs.ports as unknown[]).length).toBe(2);
        const update = await runDeployment(sim, program(4));
        expect(update.sent).toEqual([]);
        expect(sim.listInstances("demo-rg", "demo-vmss")).toHaveLength(2);
    });

    it("a preview shows what azure-native's preview shows, without changing the simulator", async () => {
        const sim = new AzureSimulator();
        // A first preview: the rule and the public IP are being created, so their id and address are unknown
        // (azure-native previewOutputs.go), and the pool read that waits for the rule's id never runs.
        const preview = await runDeployment(sim, scaleSetProgram({ capacity: 2 }), { preview: true });
        expect(isUnknown(preview.outputs.ports)).toBe(true);
        expect(isUnknown(preview.outputs.ruleId)).toBe(true);
        expect(isUnknown(preview.outputs.frontendIp)).toBe(true);
        expect(sim.toJSON()).toEqual(new AzureSimulator().toJSON());

        await runDeployment(sim, scaleSetProgram({ capacity: 2 }));
        const before = sim.toJSON();
        const grown = await runDeployment(sim, scaleSetProgram({ capacity: 4 }), { preview: true });
        // The unchanged rule and IP keep their outputs; a function reads Azure as it is: 2 members, not yet 4.
        expect(grown.outputs.ruleId).toBe(
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo-rg/providers/Microsoft.Network/loadBalancers/demo-lb/inboundNatRules/ssh",
        );
        expect(grown.outputs.frontendIp).toMatch(/^203\.0\.113\.\d+$/);
        expect((grown.outputs.ports as unknown[]).length).toBe(2);
        expect(sim.toJSON()).toEqual(before);
    });

    it("a preview of a change Azure would refuse passes, as a real one sends nothing to Azure; the update fails and keeps only what was sent before the failure", async () => {
        const sim = new AzureSimulator();
        await runDeployment(sim, scaleSetProgram({ capacity: 2, rangeEnd: 50002 }));
        const before = sim.toJSON();

        // Raw azure-native resources have no check of their own: only `pulumi up` meets Azure's refusal.
        const previewed = await runDeployment(sim, scaleSetProgram({ capacity: 4, rangeEnd: 50002 }), { preview: true });
        expect(previewed.outputs.ruleId).toBe(`/subscriptions/${sim.subscriptionId}/resourceGroups/demo-rg/providers/Microsoft.Network/loadBalancers/demo-lb/inboundNatRules/ssh`);
        // The function reads Azure as it is (no preview branch in azure-native's Invoke): still 2 members.
        expect((previewed.outputs.ports as unknown[]).length).toBe(2);
        expect(sim.toJSON()).toEqual(before);

        const sent: string[] = [];
        const update = runDeployment(sim, scaleSetProgram({ capacity: 4, rangeEnd: 50002 }), { onSent: (r) => sent.push(r.type) });
        await expect(update).rejects.toBeInstanceOf(ArmError);
        await expect(update).rejects.toMatchObject({ code: "InboundNatRulePortRangeExhausted", statusCode: 400 });
        // Only the scale set changed, and Azure refused it: nothing was sent, so Azure is as it was.
        expect(sent).toEqual([]);
        expect(sim.toJSON()).toEqual(before);

        // An update that changes the group's tags too: the group is sent (it depends on nothing) and
        // stays changed after the scale set is refused, as under `pulumi up`, which rolls nothing back.
        const partial = runDeployment(sim, scaleSetProgram({ capacity: 4, rangeEnd: 50002, groupTags: { env: "dev" } }), { onSent: (r) => sent.push(r.type) });
        await expect(partial).rejects.toMatchObject({ code: "InboundNatRulePortRangeExhausted" });
        expect(sent).toEqual(["azure-native:resources:ResourceGroup"]);
        expect(sim.get(`/subscriptions/${sim.subscriptionId}/resourceGroups/demo-rg`)).toMatchObject({ tags: { env: "dev" } });
        expect(sim.listInstances("demo-rg", "demo-vmss")).toHaveLength(2);

        // The runtime is usable again after a failed run.
        const again = await runDeployment(sim, scaleSetProgram({ capacity: 3, rangeEnd: 50002 }));
        expect((again.outputs.ports as unknown[]).length).toBe(3);
    });

    it("rejects with the program's own error", async () => {
        const sim = new AzureSimulator();
        await expect(runDeployment(sim, () => {
            throw new Error("program bug");
        })).rejects.toThrow("program bug");
        expect(sim.toJSON()).toEqual(new AzureSimulator().toJSON());
    });

    it("a failed invoke fails only its call, as under the engine: a program that catches it goes on; one that does not fails with Azure's message", async () => {
        const sim = new AzureSimulator();
        sim.createResourceGroup({ resourceGroupName: "rg", location: "westeurope" });
        const caught = await runDeployment(sim, async () => {
            const rg = new resources.ResourceGroup("rg", { resourceGroupName: "rg", location: "westeurope" });
            const found = await network.getLoadBalancer({ resourceGroupName: "rg", loadBalancerName: "absent" }).then(() => "found", (err: Error) => `missing: ${err.message}`);
            return { rg: rg.name, found };
        });
        // Worded as the engine words it (pkg/resource/deploy/source_eval.go Invoke), with Azure's message.
        expect(caught.outputs.found).toMatch(/^missing: invocation of azure-native:network:getLoadBalancer returned an error: .*absent.*not found/i);
        expect(caught.outputs.rg).toBe("rg");
        await expect(runDeployment(new AzureSimulator(), async () => {
            await network.getLoadBalancer({ resourceGroupName: "rg", loadBalancerName: "absent" });
            return {};
        })).rejects.toThrow(/could not be found|not found/i);
    });
});
