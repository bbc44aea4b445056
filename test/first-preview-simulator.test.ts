import { describe, expect, it } from "vitest";
import { AzureSimulator, isUnknown, runDeployment } from "../src/testing";
import { declareScaleSetStack } from "../examples/scale-set/program";

/**
 * The scale-set example's first preview against the simulator, which answers as azure-native's
 * preview does (pulumi-azure-native provider/pkg/convert/previewOutputs.go): every resource is
 * being created, so outputs that are not inputs are unknown, `name`, `id` and the public IP's
 * address included; the pool id (`lb.backendAddressPools[0].id`) is unknown too.
 */
describe("a first preview of the scale-set example", () => {
    it("plans every port with frontendIp \"\", keeps what Azure has not computed unknown, and changes nothing", async () => {
        const sim = new AzureSimulator();
        const before = sim.toJSON();
        const { outputs } = await runDeployment(sim, () => declareScaleSetStack({ instances: 3, sshPublicKey: "ssh-ed25519 AAAA test" }), { preview: true });
        const o = outputs as Record<string, unknown>;
        for (const name of ["resourceGroup", "loadBalancer", "frontendIp"]) expect(isUnknown(o[name])).toBe(true);
        // New instances' ids are Azure's to choose ("no guarantee on the way instance IDs are assigned"): marked.
        const planned = [0, 1, 2].map((i) => ({ instance: String(i), frontendIp: "", frontendPort: 50000 + i, backendPort: 22, protocol: "Tcp", source: "planned", labelGuessed: true }));
        expect(o.plannedPortMappings).toEqual(planned);
        // In preview the component's portMappings are its plan.
        expect(o.portMappings).toEqual(planned);
        expect(o.sshCommands).toEqual(["ssh -p 50000 azureuser@", "ssh -p 50001 azureuser@", "ssh -p 50002 azureuser@"]);
        expect(o.frontendPortRange).toEqual({ start: 50000, end: 50009, capacity: 10 });
        expect(sim.toJSON()).toEqual(before);
    });

    it("after the update, a preview of the same program knows every output", async () => {
        const sim = new AzureSimulator();
        const program = () => declareScaleSetStack({ instances: 3, sshPublicKey: "ssh-ed25519 AAAA test" });
        const up = await runDeployment(sim, program);
        const { outputs } = await runDeployment(sim, program, { preview: true });
        const o = outputs as Record<string, unknown>;
        expect(o.resourceGroup).toBe("natdemo-rg");
        expect(o.frontendIp).toBe((up.outputs as Record<string, unknown>).frontendIp);
        expect((o.portMappings as { frontendIp: string }[]).every((m) => m.frontendIp === o.frontendIp)).toBe(true);
    });
});
