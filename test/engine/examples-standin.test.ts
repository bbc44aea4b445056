/**
 * The examples under the real Pulumi CLI, with the azure-native stand-in plugin against the local
 * ARM endpoint (quick mode): `preview --json`, `up`, `preview --expect-no-changes`,
 * `stack output --json` and `destroy`. After `up`, Azure (the simulator behind the endpoint) holds
 * what the program declared, and the preview's planned mappings are the ones Azure assigned.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, type PreviewJson, type Workspace } from "./pulumi-cli";
import { prepareProgram, standInWorkspace, startLocalAzure, withoutSource, type LocalAzure } from "./standin-helpers";

const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEngineTestKeyOnlyForTheLocalAzure engine@test";
const STACK = "pulumi:pulumi:Stack";

/**
 * What the program planned in the preview: `pulumi preview --json` carries no stack outputs, so the
 * test's copy of the example logs its planned mappings in a dry run (planLog) and they come back
 * as a diagnostic. Undefined when the plan was not known in the preview (a new public IP's address).
 */
function plannedInPreview(json: PreviewJson): unknown {
    const line = (json.diagnostics ?? []).map((d) => d.message.trim()).find((m) => m.startsWith(PLAN_PREFIX));
    return line === undefined ? undefined : JSON.parse(line.slice(PLAN_PREFIX.length));
}

const PLAN_PREFIX = "planned mappings: ";
/** Appended to the copy's index.ts: logs `planned` (an Output expression of the example) in a dry run. */
const planLog = (planned: string): string =>
    `pulumi.output(${planned}).apply((m) => { if (pulumi.runtime.isDryRun()) pulumi.log.info(${JSON.stringify(PLAN_PREFIX)} + JSON.stringify(m)); });`;

const typesOf = (json: PreviewJson, op: string): string[] => (json.steps ?? []).filter((s) => s.op === op).map((s) => s.newState?.type ?? s.oldState?.type ?? "").sort();

interface Mapping { instance: string; frontendIp: string; frontendPort: number; backendPort: number; protocol: string; source: string }

describe("examples/scale-set under the real CLI on the stand-in", () => {
    let azure: LocalAzure;
    let ws: Workspace;
    let firstPlan: Mapping[] = [];

    beforeAll(async () => {
        azure = await startLocalAzure();
        // The repository's Pulumi.yaml is the scale-set example's project (its config schema); its main moves beside the copy.
        const project = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8").replace(/^main: .*$/m, "main: index.ts");
        const dir = await prepareProgram("scale-set", { "Pulumi.yaml": { text: project }, "index.ts": "examples/scale-set/index.ts", "program.ts": "examples/scale-set/program.ts" },
            [planLog("outputs.plannedPortMappings")]);
        ws = await standInWorkspace(dir, azure);
        await ws.initStack();
        await ws.setConfig("sshPublicKey", SSH_KEY);
    });
    afterAll(async () => {
        ws?.dispose();
        await azure?.close();
    });

    it("previews every resource as a create, sending nothing to Azure", async () => {
        const { json } = await ws.preview();
        expect(typesOf(json, "create")).toEqual([
            "azure-nat-rules:index:BackendPoolNatRule",
            "azure-native:compute:VirtualMachineScaleSet",
            "azure-native:network:InboundNatRule",
            "azure-native:network:LoadBalancer",
            "azure-native:network:NetworkSecurityGroup",
            "azure-native:network:PublicIPAddress",
            "azure-native:network:SecurityRule",
            "azure-native:network:VirtualNetwork",
            "azure-native:resources:ResourceGroup",
            STACK,
        ].sort());
        expect(azure.sim.has(`/subscriptions/${azure.sim.subscriptionId}/resourceGroups/natdemo-rg`)).toBe(false);
        firstPlan = plannedInPreview(json) as Mapping[];
        // The new public IP's address is not known in this preview: the plan leaves it empty.
        expect(firstPlan.map((m) => m.frontendIp)).toEqual(["", "", ""]);
    });

    it("deploys: Azure holds the scale set's 3 instances behind the rule, and the outputs are Azure's mappings", async () => {
        await ws.up();
        const outputs = await ws.stackOutput();
        const mappings = outputs.portMappings as Mapping[];
        const azureMappings = azure.sim.portMappings("natdemo-rg", "natdemo-lb", { rule: outputs.rule as string });
        expect(mappings.map((m) => [m.instance, m.frontendPort])).toEqual(azureMappings.map((m) => [m.instance, m.frontendPort]));
        expect(mappings).toHaveLength(3);
        expect(new Set(mappings.map((m) => m.source))).toEqual(new Set(["azure"]));
        expect(outputs.frontendIp).toBe(azureMappings[0].frontendIp);
        // The first preview planned these instances and ports.
        const ports = (list: Mapping[]) => list.map((m) => [m.instance, m.frontendPort, m.backendPort, m.protocol]);
        expect(ports(firstPlan)).toEqual(ports(mappings));
    });

    it("re-runs as a no-op: `preview --expect-no-changes` passes, and its plan is the deployed mappings", async () => {
        const { json } = await ws.preview({ expectNoChanges: true });
        expect(Object.keys(json.changeSummary ?? {})).toEqual(["same"]);
        expect(withoutSource(plannedInPreview(json))).toEqual(withoutSource((await ws.stackOutput()).portMappings));
    });

    it("scales out to 5: the preview plans the new instances' ports, and `up` gets exactly those from Azure", async () => {
        await ws.setConfig("instances", "5");
        const { json } = await ws.preview();
        const plan = plannedInPreview(json);
        expect(plan).toHaveLength(5);
        // Uniform ids carry no numbering guarantee, so the new instances' labels are marked as guessed (docs/planning.md).
        expect((plan as { instance: string; labelGuessed?: boolean }[]).filter((m) => m.labelGuessed).map((m) => m.instance)).toEqual(["3", "4"]);
        await ws.up();
        const outputs = await ws.stackOutput();
        expect(outputs.portMappings).toHaveLength(5);
        expect(withoutSource(plan)).toEqual(withoutSource(outputs.portMappings));
        expect(azure.sim.listInstances("natdemo-rg", "natdemo-vmss")).toHaveLength(5);
    });

    it("destroys: nothing is left in Azure or in the stack", async () => {
        await ws.destroy();
        expect(await ws.stackOutput()).toEqual({});
        expect(azure.sim.has(`/subscriptions/${azure.sim.subscriptionId}/resourceGroups/natdemo-rg`)).toBe(false);
    });
});

describe("examples/single-vm under the real CLI on the stand-in", () => {
    let azure: LocalAzure;
    let ws: Workspace;

    beforeAll(async () => {
        azure = await startLocalAzure();
        const dir = await prepareProgram("single-vm", { "Pulumi.yaml": "examples/single-vm/Pulumi.yaml", "index.ts": "examples/single-vm/index.ts" },
            [planLog("pulumi.all(portMappings)")]);
        ws = await standInWorkspace(dir, azure);
        await ws.initStack();
        await ws.setConfig("sshPublicKey", SSH_KEY);
    });
    afterAll(async () => {
        ws?.dispose();
        await azure?.close();
    });

    it("previews two single-VM rules, their NICs and VMs as creates", async () => {
        const { json } = await ws.preview();
        const creates = typesOf(json, "create");
        expect(creates.filter((t) => t === "azure-nat-rules:index:SingleVmNatRule")).toHaveLength(2);
        expect(creates.filter((t) => t === "azure-native:compute:VirtualMachine")).toHaveLength(2);
        expect(creates.filter((t) => t === "azure-native:network:InboundNatRule")).toHaveLength(2);
        // A new public IP has no address in preview: each mapping shows its port, with frontendIp "".
        const plan = plannedInPreview(json) as { instance: string; frontendIp: string; frontendPort: number; backendPort: number; source: string }[];
        expect(plan.map((m) => [m.instance, m.frontendIp, m.frontendPort, m.backendPort, m.source])).toEqual([["vm1", "", 50001, 22, "planned"], ["vm2", "", 50002, 22, "planned"]]);
    });

    it("deploys: each VM's NIC is behind its own rule, 50001 and 50002", async () => {
        await ws.up();
        const outputs = await ws.stackOutput();
        const mappings = outputs.portMappings as { instance: string; frontendPort: number; backendPort: number }[];
        expect(mappings.map((m) => [m.instance, m.frontendPort, m.backendPort])).toEqual([["vm1", 50001, 22], ["vm2", 50002, 22]]);
        const nic = azure.sim.get(`/subscriptions/${azure.sim.subscriptionId}/resourceGroups/natvm-rg/providers/Microsoft.Network/networkInterfaces/vm1-nic`) as {
            properties: { ipConfigurations: { properties: { loadBalancerInboundNatRules?: { id: string }[] } }[] } };
        expect(nic.properties.ipConfigurations[0].properties.loadBalancerInboundNatRules?.map((r) => r.id.split("/").pop())).toHaveLength(1);
    });

    it("re-runs as a no-op: `preview --expect-no-changes` passes, and its plan is the deployed mappings", async () => {
        const { json } = await ws.preview({ expectNoChanges: true });
        expect(Object.keys(json.changeSummary ?? {})).toEqual(["same"]);
        expect(withoutSource(plannedInPreview(json))).toEqual(withoutSource((await ws.stackOutput()).portMappings));
    });

    it("destroys: nothing is left in Azure or in the stack", async () => {
        await ws.destroy();
        expect(await ws.stackOutput()).toEqual({});
        expect(azure.sim.has(`/subscriptions/${azure.sim.subscriptionId}/resourceGroups/natvm-rg`)).toBe(false);
    });
});
