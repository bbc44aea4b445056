/**
 * The scale-set example (examples/scale-set, project at the repository root) under the real CLI on
 * the stand-in, for the day-2, failed-update and differential tests: a copy of the example that
 * logs its planned mappings in a preview, the local Azure behind it, changes made outside Pulumi
 * over REST as az sends them, and the comparison of a plan with Azure's mappings after `up`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import { ArmClient, staticTokenCredential } from "../../src/azure";
import { ROOT, type OperationJson, type Workspace } from "./pulumi-cli";
import { prepareProgram, standInWorkspace, startLocalAzure, type LocalAzure } from "./standin-helpers";

export const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEngineTestKeyOnlyForTheLocalAzure engine@test";
export const RG = "natdemo-rg";
export const LB = "natdemo-lb";
export const VMSS = "natdemo-vmss";

export interface Mapping {
    instance: string;
    frontendIp: string;
    frontendPort: number;
    backendPort: number;
    protocol: string;
    source?: string;
    labelGuessed?: boolean;
    portGuessed?: boolean;
    upgradePending?: boolean;
}

const PLAN_PREFIX = "planned mappings: ";

/**
 * What the program planned in the preview: `pulumi preview --json` carries no stack outputs, so the
 * copy logs `plannedPortMappings` in a dry run and it comes back as a diagnostic. Undefined when the
 * plan was not known (or the program failed first).
 */
export function plannedInPreview(json: OperationJson): Mapping[] | undefined {
    const line = (json.diagnostics ?? []).map((d) => d.message.trim()).find((m) => m.startsWith(PLAN_PREFIX));
    return line === undefined ? undefined : (JSON.parse(line.slice(PLAN_PREFIX.length)) as Mapping[]);
}

const PLAN_LOG = `pulumi.output(outputs.plannedPortMappings).apply((m) => { if (pulumi.runtime.isDryRun()) pulumi.log.info(${JSON.stringify(PLAN_PREFIX)} + JSON.stringify(m)); });`;

export interface ScaleSetStack {
    azure: LocalAzure;
    ws: Workspace;
    dispose(): Promise<void>;
}

/** A copy of the scale-set example named `name`, its stack initialised with `config` (sshPublicKey set), on a fresh local Azure. */
export async function scaleSetStack(name: string, config: Record<string, string> = {}, stack = "dev"): Promise<ScaleSetStack> {
    const azure = await startLocalAzure();
    const project = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8").replace(/^main: .*$/m, "main: index.ts");
    const dir = await prepareProgram(name, { "Pulumi.yaml": { text: project }, "index.ts": "examples/scale-set/index.ts", "program.ts": "examples/scale-set/program.ts" }, [PLAN_LOG]);
    // Its own package scope: without a package.json here, Node resolves `azure-nat-rules` from the
    // repository's package.json by self-reference (its exports: dist/), not node_modules' fresh transpile.
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: name, private: true }, null, 2));
    const ws = await standInWorkspace(dir, azure, stack);
    await ws.initStack();
    await ws.setConfig("sshPublicKey", SSH_KEY);
    for (const [key, value] of Object.entries(config)) await ws.setConfig(key, value);
    return {
        azure,
        ws,
        async dispose() {
            ws.dispose();
            await azure.close();
        },
    };
}

/** The example's rule's mappings as Azure (the simulator) has them, in the library's order (by port). */
export function azureMappings(azure: LocalAzure, rule = "natdemo-ssh"): Mapping[] {
    return azure.sim
        .portMappings(RG, LB, { rule })
        .map((m) => ({ instance: m.instance, frontendIp: m.frontendIp, frontendPort: m.frontendPort, backendPort: m.backendPort, protocol: m.protocol }))
        .sort((a, b) => a.frontendPort - b.frontendPort);
}

const key = (m: Mapping) => `${m.instance} ${m.frontendPort} ${m.backendPort} ${m.protocol}`;

export interface PlanCheck {
    exact: number;
    marked: number;
}

/**
 * Checks a plan against Azure's mappings after `up`, as docs/planning.md promises: every mapping
 * without a mark is Azure's (label, ports, protocol, and the address once known); a label marked
 * `labelGuessed` has a port Azure gave some instance that no exact mapping holds (without
 * overprovisioning, which the example turns off); a `portGuessed` port is one of Azure's; an
 * `upgradePending` instance has no mapping in Azure yet. The count of mappings is Azure's.
 */
export function expectPlanMatches(plan: Mapping[] | undefined, actual: Mapping[], step: string): PlanCheck {
    expect(plan, `${step}: the preview logged no plan`).toBeDefined();
    const pending = plan!.filter((m) => m.upgradePending);
    const live = plan!.filter((m) => !m.upgradePending);
    expect(live.length, `${step}: planned ${live.length} mapping(s), Azure has ${actual.length}`).toBe(actual.length);
    const actualKeys = new Set(actual.map(key));
    const exact = live.filter((m) => !m.labelGuessed && !m.portGuessed);
    for (const m of exact) {
        expect(actualKeys.has(key(m)), `${step}: planned ${key(m)} unmarked, Azure has ${actual.map(key).join(", ")}`).toBe(true);
        if (m.frontendIp !== "") expect(m.frontendIp).toBe(actual.find((a) => key(a) === key(m))!.frontendIp);
    }
    const exactPorts = new Set(exact.map((m) => m.frontendPort));
    const freePorts = actual.filter((a) => !exactPorts.has(a.frontendPort)).map((a) => a.frontendPort).sort((a, b) => a - b);
    const guessedPorts = live.filter((m) => m.labelGuessed || m.portGuessed).map((m) => m.frontendPort).sort((a, b) => a - b);
    expect(guessedPorts, `${step}: the marked mappings' ports are the ports Azure gave the others`).toEqual(freePorts);
    for (const m of pending) expect(actual.some((a) => a.instance === m.instance), `${step}: ${m.instance} is upgradePending but Azure maps it`).toBe(false);
    return { exact: exact.length, marked: plan!.length - exact.length };
}

/** Compute's api-version az 2.91 sends for scale-set writes (vmss recordings in Azure/azure-cli). */
const COMPUTE_WRITE_API = "2024-11-01";

/** An ARM client on the local Azure, as az signed in to it. */
const localArm = (azure: LocalAzure): ArmClient => new ArmClient({ endpoint: azure.server.url, credential: staticTokenCredential("local") });

/** A scale-set action az sends as `POST .../virtualMachineScaleSets/{name}/{action}` with `{instanceIds}`, polled to its end. */
async function postInstancesAction(azure: LocalAzure, action: "delete" | "manualUpgrade", instanceIds: string[], scaleSet: string): Promise<void> {
    await localArm(azure).postLongRunning(`/subscriptions/${azure.sim.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${scaleSet}/${action}`, {
        apiVersion: COMPUTE_WRITE_API,
        body: { instanceIds },
        wait: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 200))),
        intervalMs: 200,
        finalStateVia: "location",
    });
}

/** `az vmss delete-instances`: `POST .../delete`. */
export function deleteInstancesOverRest(azure: LocalAzure, instanceIds: string[], scaleSet = VMSS): Promise<void> {
    return postInstancesAction(azure, "delete", instanceIds, scaleSet);
}

/** `az vmss update-instances --instance-ids ...`: `POST .../manualUpgrade`. */
export function upgradeInstancesOverRest(azure: LocalAzure, instanceIds: string[], scaleSet = VMSS): Promise<void> {
    return postInstancesAction(azure, "manualUpgrade", instanceIds, scaleSet);
}

/** The azure-native resources an `up` wrote (create or update steps), as "type name", sorted. */
export function writtenByEngine(json: OperationJson): string[] {
    return (json.steps ?? [])
        .filter((s) => (s.op === "create" || s.op === "update" || s.op === "replace" || s.op === "create-replacement") && (s.newState?.type ?? "").startsWith("azure-native:"))
        .map((s) => `${s.newState!.type} ${s.urn.split("::").pop()}`)
        .sort();
}

/** Stack outputs' portMappings without `source`, by port (as {@link azureMappings}), for comparing with Azure's. */
export function stripped(mappings: unknown): Mapping[] {
    return (mappings as Mapping[])
        .map(({ instance, frontendIp, frontendPort, backendPort, protocol }) => ({ instance, frontendIp, frontendPort, backendPort, protocol }))
        .sort((a, b) => a.frontendPort - b.frontendPort);
}

/**
 * Takes the scale set out of every backend pool outside Pulumi, as `az vmss update --remove
 * virtualMachineProfile.networkProfile...loadBalancerBackendAddressPools` sends it (GET the scale
 * set, PUT it back without the pools), waits for the PUT to finish, then upgrades `upgrade`
 * instances to that model (`az vmss update-instances`), which takes them out of the pool.
 */
export async function removeScaleSetFromPoolsOverRest(azure: LocalAzure, upgrade: string[], scaleSet = VMSS): Promise<void> {
    const client = localArm(azure);
    const id = `/subscriptions/${azure.sim.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/${scaleSet}`;
    type Model = { properties: { provisioningState?: string; virtualMachineProfile: { networkProfile: { networkInterfaceConfigurations: { properties: { ipConfigurations: { properties: Record<string, unknown> }[] } }[] } } } };
    const model = await client.json<Model>("GET", id, { apiVersion: COMPUTE_WRITE_API });
    for (const nic of model.properties.virtualMachineProfile.networkProfile.networkInterfaceConfigurations) {
        for (const ipConfiguration of nic.properties.ipConfigurations) delete ipConfiguration.properties.loadBalancerBackendAddressPools;
    }
    await client.send("PUT", id, { apiVersion: COMPUTE_WRITE_API, body: model });
    for (let waited = 0; ; waited += 200) {
        const state = (await client.json<Model>("GET", id, { apiVersion: COMPUTE_WRITE_API })).properties.provisioningState;
        if (state === "Succeeded") break;
        if (waited > 60_000) throw new Error(`scale set ${scaleSet} still ${state} after 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await upgradeInstancesOverRest(azure, upgrade, scaleSet);
}
