/**
 * The two examples that run beside another stack or in stages, under the real CLI with the
 * azure-native stand-in against the local ARM endpoint (quick mode), as examples-standin.test.ts
 * runs scale-set and single-vm: `preview --json`, `up`, `preview --expect-no-changes`,
 * `stack output --json` and `destroy`.
 *
 * - examples/migrate-nat-pool: stage `before` (an inbound NAT pool), then the documented steps
 *   (`detach-scale-set`, `delete-nat-pool`) and `after` (a BackendPoolNatRule), one `up` each
 *   (docs/migration.md). The pool's per-instance ports are the ones Azure lists after `before`; the
 *   rule's preview plan is what Azure maps after `after`.
 * - examples/ops-access: a second project in the same `file://` backend reads the deployed
 *   scale-set example's mappings through a real StackReference and writes an ssh config and an
 *   Ansible inventory of them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { standInEnv, standInPluginDir } from "../../src/testing";
import { createWorkspace, type PreviewJson, type Workspace } from "./pulumi-cli";
import { prepareProgram, standInWorkspace, startLocalAzure, withoutSource, type LocalAzure } from "./standin-helpers";
import { azureMappings, scaleSetStack, SSH_KEY, stripped, type Mapping, type ScaleSetStack } from "./scale-set-stack";

const STACK = "pulumi:pulumi:Stack";
const typesOf = (json: PreviewJson, op: string): string[] => (json.steps ?? []).filter((s) => s.op === op).map((s) => s.newState?.type ?? s.oldState?.type ?? "").sort();

/**
 * What the copy logged in a dry run under `prefix` (`pulumi preview --json` carries no stack
 * outputs); undefined when nothing was logged (the value was undefined or not known in the preview).
 */
function loggedInPreview(json: PreviewJson, prefix: string): unknown {
    const line = (json.diagnostics ?? []).map((d) => d.message.trim()).find((m) => m.startsWith(prefix));
    return line === undefined ? undefined : JSON.parse(line.slice(prefix.length));
}
/** Appended to a copy's index.ts: logs `value` (an expression of the example) in a dry run, when it is defined. */
const previewLog = (prefix: string, value: string): string =>
    `(pulumi.output(${value}) as pulumi.Output<unknown>).apply((v: unknown) => { if (pulumi.runtime.isDryRun() && v !== undefined) pulumi.log.info(${JSON.stringify(prefix)} + JSON.stringify(v)); });`;

const PLAN_PREFIX = "planned mappings: ";

describe("examples/migrate-nat-pool under the real CLI on the stand-in", () => {
    const RG = "natmig-rg";
    const LB = "natmig-lb";
    const VMSS = "natmig-vmss";
    let azure: LocalAzure;
    let ws: Workspace;
    /** The NAT pool's ports as Azure listed them after `before`: instance id → frontend port. */
    let poolPorts: Record<string, number> = {};

    type Json = Record<string, any>;
    const lbId = () => `/subscriptions/${azure.sim.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Network/loadBalancers/${LB}`;
    const loadBalancer = (): Json => azure.sim.get(lbId()) as Json;

    beforeAll(async () => {
        azure = await startLocalAzure();
        // The example's `portMappings` is the rule's plan in a dry run (BackendPoolNatRule), and exists only in stage `after`.
        const dir = await prepareProgram("migrate-nat-pool", {
            "Pulumi.yaml": "examples/migrate-nat-pool/Pulumi.yaml",
            "index.ts": "examples/migrate-nat-pool/index.ts",
            "program.ts": "examples/migrate-nat-pool/program.ts",
        }, [previewLog(PLAN_PREFIX, "portMappings")]);
        ws = await standInWorkspace(dir, azure);
        await ws.initStack();
        await ws.setConfig("sshPublicKey", SSH_KEY);
    });
    afterAll(async () => {
        ws?.dispose();
        await azure?.close();
    });

    it("stage before: previews the NAT pool's resources as creates, deploys, and Azure gives each instance a port of the pool's range", async () => {
        await ws.setConfig("stage", "before");
        const { json } = await ws.preview();
        expect(typesOf(json, "create")).toEqual([
            "azure-native:compute:VirtualMachineScaleSet",
            "azure-native:network:LoadBalancer",
            "azure-native:network:PublicIPAddress",
            "azure-native:network:VirtualNetwork",
            "azure-native:resources:ResourceGroup",
            STACK,
        ].sort());
        expect(loggedInPreview(json, PLAN_PREFIX)).toBeUndefined();
        expect(azure.sim.has(`/subscriptions/${azure.sim.subscriptionId}/resourceGroups/${RG}`)).toBe(false);

        await ws.up();
        const outputs = await ws.stackOutput();
        expect(outputs.portMappings).toBeUndefined();
        expect(outputs.loadBalancer).toBe(LB);
        // Azure lists one read-only NAT rule per instance of the pool, `ssh.<instance id>`, on a port of the pool's range.
        const lb = loadBalancer();
        const pool = lb.properties.inboundNatPools[0];
        expect([pool.name, pool.properties.frontendPortRangeStart, pool.properties.frontendPortRangeEnd]).toEqual(["ssh", 50000, 50009]);
        const instances = azure.sim.listInstances(RG, VMSS).map((i) => i.instanceId).sort();
        expect(instances).toHaveLength(3);
        const derived = (lb.properties.inboundNatRules as Json[]).filter((r) => r.name.startsWith("ssh."));
        expect(derived.map((r) => r.name.slice("ssh.".length)).sort()).toEqual(instances);
        for (const rule of derived) {
            expect(rule.properties.frontendPort).toBeGreaterThanOrEqual(50000);
            expect(rule.properties.frontendPort).toBeLessThanOrEqual(50009);
            expect(rule.properties.backendPort).toBe(22);
        }
        expect(new Set(derived.map((r) => r.properties.frontendPort)).size).toBe(3);
        poolPorts = Object.fromEntries(derived.map((r) => [r.name.slice("ssh.".length), r.properties.frontendPort as number]));
        expect(azure.sim.portMappings(RG, LB)).toEqual([]);
    });

    it("stage before re-runs as a no-op: `preview --expect-no-changes` passes", async () => {
        const { json } = await ws.preview({ expectNoChanges: true });
        expect(Object.keys(json.changeSummary ?? {})).toEqual(["same"]);
    });

    it("steps 1 and 2: the scale set lets go of the pool, then the pool is deleted; no NAT'ed port is left", async () => {
        await ws.setConfig("stage", "detach-scale-set");
        await ws.up();
        const scaleSet = azure.sim.get(`/subscriptions/${azure.sim.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${VMSS}`) as Json;
        const ipConfig = scaleSet.properties.virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0].properties.ipConfigurations[0];
        expect(ipConfig.properties.loadBalancerInboundNatPools ?? []).toEqual([]);
        // Upgrade policy Automatic: the instances run the new model, so Azure lists no per-instance rule of the pool.
        expect((loadBalancer().properties.inboundNatRules as Json[]).filter((r) => r.name.startsWith("ssh."))).toEqual([]);
        expect(loadBalancer().properties.inboundNatPools).toHaveLength(1);

        await ws.setConfig("stage", "delete-nat-pool");
        await ws.up();
        expect(loadBalancer().properties.inboundNatPools ?? []).toEqual([]);
        expect(loadBalancer().properties.inboundNatRules ?? []).toEqual([]);
    });

    it("stage after: the preview plans the rule's mappings, and `up` gets exactly those from Azure, each instance on its pool port", async () => {
        await ws.setConfig("stage", "after");
        const { json } = await ws.preview();
        expect(typesOf(json, "create")).toEqual(["azure-nat-rules:index:BackendPoolNatRule", "azure-native:network:InboundNatRule"]);
        const plan = loggedInPreview(json, PLAN_PREFIX) as Mapping[] | undefined;
        expect(plan, "the preview logged no plan").toBeDefined();
        expect(plan).toHaveLength(3);

        await ws.up();
        const outputs = await ws.stackOutput();
        expect(outputs.rule).toBe("natrule_migrated_ssh");
        const mappings = outputs.portMappings as Mapping[];
        expect(new Set(mappings.map((m) => m.source))).toEqual(new Set(["azure"]));
        const inAzure = azure.sim.portMappings(RG, LB, { rule: "natrule_migrated_ssh" });
        expect(stripped(mappings)).toEqual(stripped(inAzure));
        expect(mappings.map((m) => m.frontendIp)).toEqual(mappings.map(() => outputs.frontendIp));
        // The public IP exists since `before`: the plan knows the address too.
        expect(withoutSource(plan)).toEqual(withoutSource(mappings));
        // One scale set with instances 0, 1, 2 keeps its pool ports (docs/migration.md, "What changes for the users of the ports").
        expect(Object.fromEntries(mappings.map((m) => [m.instance, m.frontendPort]))).toEqual(poolPorts);
    });

    it("stage after re-runs as a no-op: `preview --expect-no-changes` passes, and its plan is the deployed mappings", async () => {
        const { json } = await ws.preview({ expectNoChanges: true });
        expect(Object.keys(json.changeSummary ?? {})).toEqual(["same"]);
        expect(withoutSource(loggedInPreview(json, PLAN_PREFIX))).toEqual(withoutSource((await ws.stackOutput()).portMappings));
    });

    it("destroys: nothing is left in Azure or in the stack", async () => {
        await ws.destroy();
        expect(await ws.stackOutput()).toEqual({});
        expect(azure.sim.has(`/subscriptions/${azure.sim.subscriptionId}/resourceGroups/${RG}`)).toBe(false);
    });
});

describe("examples/ops-access under the real CLI, reading the deployed scale-set example", () => {
    const ACCESS_PREFIX = "ops access: ";
    let producer: ScaleSetStack;
    let ops: Workspace;
    let produced: Mapping[] = [];

    beforeAll(async () => {
        producer = await scaleSetStack("ops-access-producer", { instances: "2" });
        await producer.ws.up();
        const dir = await prepareProgram("ops-access", {
            "Pulumi.yaml": "examples/ops-access/Pulumi.yaml",
            "index.ts": "examples/ops-access/index.ts",
            "program.ts": "examples/ops-access/program.ts",
        }, [previewLog(ACCESS_PREFIX, "{ hosts, sshConfig, inventory }")]);
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "ops-access", private: true }));
        const env = standInEnv({ endpoint: producer.azure.server.url, subscriptionId: producer.azure.sim.subscriptionId, pollSeconds: 1 });
        delete env.PATH;
        // The same file:// backend (and passphrase) as the producer's stack.
        ops = await createWorkspace({ projectDir: dir, stack: "ops", pluginPath: [standInPluginDir()], env: { ...env, PULUMI_BACKEND_URL: producer.ws.backendUrl } });
        await ops.initStack();
        // The DIY backend names a stack organization/<project>/<stack>; the producer's project is the repository root's.
        await ops.setConfig("scaleSetStack", "organization/azure-nat-rules-example/dev");
        await ops.setConfig("user", "ops");
    });
    afterAll(async () => {
        ops?.dispose();
        await producer?.dispose();
    });

    it("the producer's outputs are Azure's mappings", async () => {
        produced = (await producer.ws.stackOutput()).portMappings as Mapping[];
        expect(produced).toHaveLength(2);
        expect(stripped(produced)).toEqual(azureMappings(producer.azure));
    });

    /** The ssh config and inventory the example promises for `mappings` (examples/ops-access/program.ts, user "ops", hostPrefix "natdemo"). */
    const expectedAccess = (mappings: Mapping[]) => ({
        hosts: mappings.map((m) => `natdemo-${m.instance}`),
        sshConfig: mappings.map((m) => `Host natdemo-${m.instance}\n    HostName ${m.frontendIp}\n    Port ${m.frontendPort}\n    User ops\n`).join("\n"),
        inventory: { all: { hosts: Object.fromEntries(mappings.map((m) => [`natdemo-${m.instance}`, { ansible_host: m.frontendIp, ansible_port: m.frontendPort, ansible_user: "ops" }])) } },
    });

    it("previews: only the stack is created, and the preview already has the ssh config of the producer's mappings", async () => {
        const { json } = await ops.preview();
        expect(typesOf(json, "create")).toEqual([STACK]);
        expect(typesOf(json, "read")).toEqual(["pulumi:pulumi:StackReference"]);
        expect(loggedInPreview(json, ACCESS_PREFIX)).toEqual(expectedAccess(produced));
    });

    it("deploys: hosts, ssh config (text and file) and inventory hold every instance on Azure's port", async () => {
        await ops.up();
        const outputs = await ops.stackOutput();
        expect({ hosts: outputs.hosts, sshConfig: outputs.sshConfig, inventory: outputs.inventory }).toEqual(expectedAccess(produced));
        expect(outputs.sshConfigFile).toMatchObject({ text: outputs.sshConfig });
        // The ports are the ones Azure maps now.
        const live = azureMappings(producer.azure);
        expect((outputs.sshConfig as string).match(/Port \d+/g)).toEqual(live.map((m) => `Port ${m.frontendPort}`));
    });

    it("re-runs as a no-op: `preview --expect-no-changes` passes", async () => {
        const { json } = await ops.preview({ expectNoChanges: true });
        expect(Object.keys(json.changeSummary ?? {})).toEqual(["same"]);
        expect(loggedInPreview(json, ACCESS_PREFIX)).toEqual(expectedAccess(produced));
    });

    it("destroys both stacks: nothing is left in Azure or in either stack", async () => {
        await ops.destroy();
        expect(await ops.stackOutput()).toEqual({});
        await producer.ws.destroy();
        expect(await producer.ws.stackOutput()).toEqual({});
        expect(producer.azure.sim.has(`/subscriptions/${producer.azure.sim.subscriptionId}/resourceGroups/natdemo-rg`)).toBe(false);
    });
});
