/**
 * Day 2 of examples/scale-set with autoscale, under the real Pulumi CLI on the azure-native
 * stand-in: what the real engine does that the embedded one (runDeployment) did not.
 * - Autoscale grows the scale set outside Pulumi; `ignoreChanges: ["sku.capacity"]` keeps the old
 *   input, so the engine sends no PUT to the scale set and the plan is exact.
 * - Instances deleted outside Pulumi: planned from Azure's live mappings, with or without refresh.
 * - A raised autoscale maximum past the range: the preview cannot check it (the setting's
 *   `properties` are unknown in an update's preview, as azure-native's PreviewOutputs leaves every
 *   output that is not an input), and `up` fails in the component only after the engine has
 *   updated the autoscale setting: Azure and the state keep the new maximum.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, type PreviewJson, type Workspace } from "./pulumi-cli";
import { prepareProgram, standInWorkspace, startLocalAzure, withoutSource, type LocalAzure } from "./standin-helpers";

const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEngineTestKeyOnlyForTheLocalAzure engine@test";
const PLAN_PREFIX = "planned mappings: ";
const planned = (json: PreviewJson): unknown => {
    const line = (json.diagnostics ?? []).map((d) => d.message.trim()).find((m) => m.startsWith(PLAN_PREFIX));
    return line === undefined ? undefined : JSON.parse(line.slice(PLAN_PREFIX.length));
};
const ops = (json: PreviewJson): Record<string, string> => Object.fromEntries((json.steps ?? []).map((s) => [s.urn.split("::").pop()!, s.op]));

describe("examples/scale-set with autoscale, day 2, under the real CLI", () => {
    let azure: LocalAzure;
    let ws: Workspace;
    const settingId = () => `/subscriptions/${azure.sim.subscriptionId}/resourceGroups/natdemo-rg/providers/microsoft.insights/autoscalesettings/natdemo-autoscale`;
    const azureMaximum = () => (azure.sim.get(settingId()) as { properties: { profiles: { capacity: { maximum: string } }[] } }).properties.profiles[0].capacity.maximum;
    const instances = () => azure.sim.listInstances("natdemo-rg", "natdemo-vmss").map((i) => i.instanceId);

    beforeAll(async () => {
        azure = await startLocalAzure();
        const project = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8").replace(/^main: .*$/m, "main: index.ts");
        const dir = await prepareProgram("scale-set-autoscale", { "Pulumi.yaml": { text: project }, "index.ts": "examples/scale-set/index.ts", "program.ts": "examples/scale-set/program.ts" },
            [`pulumi.output(outputs.plannedPortMappings).apply((m) => { if (pulumi.runtime.isDryRun()) pulumi.log.info(${JSON.stringify(PLAN_PREFIX)} + JSON.stringify(m)); });`]);
        ws = await standInWorkspace(dir, azure);
        await ws.initStack();
        await ws.setConfig("sshPublicKey", SSH_KEY);
        await ws.setConfig("autoscaleMaximum", "8");
        await ws.up();
    });
    afterAll(async () => {
        ws?.dispose();
        await azure?.close();
    });

    it("autoscale moves the scale set to 6 outside Pulumi: the scale set is `same` (ignoreChanges), and `up` gets the planned ports", async () => {
        azure.sim.autoscale("natdemo-rg", "natdemo-vmss", 6);
        const { json } = await ws.preview();
        // Every resource is `same` (the JSON lists only steps that change something, and counts the rest).
        expect(json.changeSummary).toEqual({ same: 11 });
        const plan = planned(json);
        expect(plan).toHaveLength(6);
        await ws.up();
        expect(instances()).toHaveLength(6); // the engine sent no PUT with the old capacity
        expect(withoutSource(plan)).toEqual(withoutSource((await ws.stackOutput()).portMappings));
    });

    it("instances 1 and 3 deleted outside Pulumi: planned from Azure's live mappings without a refresh, and exact", async () => {
        azure.sim.deleteInstances("natdemo-rg", "natdemo-vmss", ["1", "3"]);
        const { json } = await ws.preview();
        const plan = planned(json) as { instance: string }[];
        expect(plan.map((m) => m.instance)).toEqual(["0", "2", "4", "5"]);
        await ws.up();
        expect(withoutSource(plan)).toEqual(withoutSource((await ws.stackOutput()).portMappings));
    });

    it("`refresh` brings Azure's capacity into the scale set's inputs; the next preview changes no resource", async () => {
        await ws.refresh();
        const { deployment } = await ws.exportStack();
        const vmss = deployment.resources!.find((r) => r.type === "azure-native:compute:VirtualMachineScaleSet")!;
        expect((vmss.inputs as { sku: { capacity: number } }).sku.capacity).toBe(4);
        const { json } = await ws.preview({ expectNoChanges: true });
        expect(new Set((json.steps ?? []).map((s) => s.op))).toEqual(new Set(["same"]));
    });

    it("an autoscale maximum past the range: the preview passes with a warning, `up` fails after the setting's new maximum is in Azure and in the state", async () => {
        await ws.setConfig("autoscaleMaximum", "12");
        const { json, result } = await ws.preview();
        expect(result.code).toBe(0);
        expect(ops(json)["natdemo-autoscale"]).toBe("update");
        expect((json.diagnostics ?? []).some((d) => d.severity === "warning" && d.message.includes("maxima are not known in preview"))).toBe(true);

        const failed = await ws.up({ allowFailure: true });
        expect(failed.code).not.toBe(0);
        expect((failed.json.diagnostics ?? []).some((d) => d.severity === "error" && d.message.includes("frontend port range 50000-50009 (capacity 10) is exhausted"))).toBe(true);
        // What the failed update left: Azure and Pulumi's state both hold the new maximum.
        expect(azureMaximum()).toBe("12");
        const { deployment } = await ws.exportStack();
        const setting = deployment.resources!.find((r) => r.type === "azure-native:monitor:AutoscaleSetting")!;
        expect((setting.inputs as { profiles: { capacity: { maximum: string } }[] }).profiles[0].capacity.maximum).toBe("12");
    });

    it("destroys", async () => {
        await ws.setConfig("autoscaleMaximum", "8");
        await ws.destroy();
        expect(azure.sim.has(`/subscriptions/${azure.sim.subscriptionId}/resourceGroups/natdemo-rg`)).toBe(false);
    });
});
