/**
 * New Uniform instance ids are Azure's to choose (issue 25, item 7): Microsoft's docs say ids "may
 * be reused for new instances once old instances are deleted" and "there is no guarantee on the way
 * instance IDs are assigned" (learn.microsoft.com/azure/virtual-machine-scale-sets/virtual-machine-scale-sets-instance-ids).
 * After the highest id is deleted outside Pulumi, the plan marks every new label, keeps the
 * survivors' ports, and plans the set of new ports right, whichever numbering Azure uses: the
 * simulator runs both (ids after the highest ever given, or the lowest freed id reused).
 */
import { describe, expect, it } from "vitest";
import { AzureSimulator, runDeployment } from "../src/testing";
import { declareScaleSetStack } from "../examples/scale-set/program";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyForTests test";
type Mapping = { instance: string; frontendPort: number; labelGuessed?: boolean };
const deploy = async (sim: AzureSimulator, instances: number, preview = false) =>
    (await runDeployment(sim, () => declareScaleSetStack({ sshPublicKey: KEY, instances }), { preview })).outputs as unknown as { plannedPortMappings: Mapping[] };
const azure = (sim: AzureSimulator) => new Map(sim.portMappings("natdemo-rg", "natdemo-lb", { rule: "natdemo-ssh" }).map((m) => [m.instance, m.frontendPort]));

for (const numbering of ["increasing", "reuse"] as const) {
    describe(`Uniform ids after the highest was deleted (simulated Azure numbering: ${numbering})`, () => {
        it("marks every label Azure picks; every unmarked label and port is Azure's", async () => {
            const sim = new AzureSimulator({ uniformInstanceIds: numbering });
            await deploy(sim, 4);
            sim.deleteInstances("natdemo-rg", "natdemo-vmss", ["3"]);
            const before = azure(sim);
            const plan = (await deploy(sim, 5, true)).plannedPortMappings;
            await deploy(sim, 5);
            const after = azure(sim);
            expect(plan).toHaveLength(after.size);
            // Unmarked: a survivor, with its label and port as Azure has them.
            for (const m of plan.filter((p) => !p.labelGuessed)) {
                expect(before.get(m.instance)).toBe(m.frontendPort);
                expect(after.get(m.instance)).toBe(m.frontendPort);
            }
            // Marked: the two new instances; their ports are the two Azure gave the new ones.
            const marked = plan.filter((p) => p.labelGuessed);
            expect(marked).toHaveLength(2);
            const newPorts = [...after].filter(([instance]) => !before.has(instance)).map(([, port]) => port).sort();
            expect(marked.map((m) => m.frontendPort).sort()).toEqual(newPorts);
        });
    });
}
