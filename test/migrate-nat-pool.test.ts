import { describe, expect, it } from "vitest";
import {
    declareMigrationExample,
    MIGRATION_STAGES,
    sshNatPool,
    STAGE_LAYOUTS,
    type MigrationLayout,
} from "../examples/migrate-nat-pool/program";
import { natPoolToRule } from "../src/core/migration";
import { ArmError, AzureSimulator, runDeployment } from "../src/testing";

const RG = "natmig-rg";
const LB = "natmig-lb";
const VMSS = "natmig-vmss";

function deploy(sim: AzureSimulator, layout: MigrationLayout) {
    return runDeployment(sim, () => declareMigrationExample(layout, { readAzureMappings: false }));
}

type Json = Record<string, any>;
const loadBalancerOf = (sim: AzureSimulator): Json => sim.get(`/subscriptions/${sim.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Network/loadBalancers/${LB}`) as Json;
const scaleSetOf = (sim: AzureSimulator): Json => sim.get(`/subscriptions/${sim.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${VMSS}`) as Json;
const natPoolRefs = (sim: AzureSimulator): unknown[] =>
    scaleSetOf(sim).properties.virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0].properties.ipConfigurations[0].properties.loadBalancerInboundNatPools ?? [];

/** The error a deployment failed with. */
async function failure(run: Promise<unknown>): Promise<ArmError> {
    try {
        await run;
    } catch (err) {
        expect(err).toBeInstanceOf(ArmError);
        return err as ArmError;
    }
    throw new Error("the deployment succeeded, but it should have failed");
}

describe("examples/migrate-nat-pool", () => {
    it("migrates in the documented order: detach the scale set, delete the pool, create the rule", async () => {
        const sim = new AzureSimulator();
        expect(MIGRATION_STAGES).toEqual(["before", "detach-scale-set", "delete-nat-pool", "after"]);

        await deploy(sim, STAGE_LAYOUTS.before);
        const pool = loadBalancerOf(sim).properties.inboundNatPools[0];
        expect(natPoolRefs(sim)).toEqual([{ id: pool.id }]);

        // Step 1: the scale set lets go of the pool; step 2: the pool can go; no NAT'ed port exists in between.
        await deploy(sim, STAGE_LAYOUTS["detach-scale-set"]);
        expect(natPoolRefs(sim)).toEqual([]);
        await deploy(sim, STAGE_LAYOUTS["delete-nat-pool"]);
        expect(loadBalancerOf(sim).properties.inboundNatPools).toEqual([]);
        expect(sim.portMappings(RG, LB)).toEqual([]);

        // Step 3: the rule copies the pool and every instance is reachable on the port the plan expects.
        const { outputs } = await deploy(sim, STAGE_LAYOUTS.after);
        const rule = loadBalancerOf(sim).properties.inboundNatRules[0];
        for (const key of ["frontendPortRangeStart", "frontendPortRangeEnd", "backendPort", "protocol", "idleTimeoutInMinutes"]) {
            expect([key, rule.properties[key]]).toEqual([key, pool.properties[key]]);
        }
        expect(rule.properties.frontendIPConfiguration.id).toBe(pool.properties.frontendIPConfiguration.id);
        expect(rule.name).toBe(`natrule_migrated_${pool.name}`);
        expect(outputs.rule).toBe(rule.name);

        const instances = sim.listInstances(RG, VMSS).map((i) => i.instanceId);
        const plan = natPoolToRule(sshNatPool(pool.properties.frontendIPConfiguration.id), [
            { name: VMSS, instanceIds: instances, capacity: instances.length, overprovision: false, upgradePolicyMode: "Automatic" },
        ]);
        expect(plan.warnings).toEqual([]);
        const reachable = sim.portMappings(RG, LB, { rule: rule.name }).map((m) => [m.instance, m.frontendPort, m.backendPort]);
        expect(reachable).toEqual(plan.ports.map((p) => [p.instance, p.after, pool.properties.backendPort]));
        expect(reachable).toHaveLength(instances.length);
    });

    it("refuses to delete the pool while the scale set still references it (step 1 skipped)", async () => {
        const sim = new AzureSimulator();
        await deploy(sim, STAGE_LAYOUTS.before);
        const error = await failure(deploy(sim, { ...STAGE_LAYOUTS["delete-nat-pool"], scaleSetOnNatPool: true }));
        expect(error.code).toBe("InboundNatPoolInUseByVirtualMachineScaleSet");
        expect(error.message).toMatch(/Cannot remove inbound nat pool ssh .* in use by virtual machine scale set .*natmig-vmss/);
        // Azure's sentence ends there (Azure/azure-powershell#4698): the order of the steps is the example's README's to tell.
        expect(error.message).toMatch(/natmig-vmss\.$/);
        // Nothing moved: the pool and the reference are still there.
        expect(loadBalancerOf(sim).properties.inboundNatPools).toHaveLength(1);
        expect(natPoolRefs(sim)).toHaveLength(1);
    });

    it("refuses the new rule while the pool still exists (rule added before the pool is deleted)", async () => {
        const sim = new AzureSimulator();
        await deploy(sim, STAGE_LAYOUTS.before);
        await deploy(sim, STAGE_LAYOUTS["detach-scale-set"]);
        const error = await failure(deploy(sim, { ...STAGE_LAYOUTS["detach-scale-set"], backendPoolRule: true }));
        // Code and sentence quoted in MicrosoftDocs/azure-docs#59705.
        expect(error.code).toBe("AddingOrUpdatingNatRulesWhenNatPoolIsPresentOnLoadbalancerIsNotSupported");
        expect(error.message).toMatch(/^Adding or updating NAT Rules when NAT pool is present on loadbalancer \S+natmig-lb is not supported\./);
        expect(loadBalancerOf(sim).properties.inboundNatRules).toEqual([]);
    });
});
