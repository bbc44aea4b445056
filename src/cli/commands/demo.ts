/**
 * `azure-nat-rules demo` (and `npm start`): deploys the demo's stack (../demo-stack, a scale set like
 * examples/scale-set's) to the local Azure simulator, one deployment per run, and shows the port map
 * and what changed since the last run.
 */
import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { diffAssignments, sortInstances } from "../../core/allocation";
import { AzureNatRulesError } from "../../core/errors";
import type { PortAssignment } from "../../core/types";
import type { NatFrontendPortRange, NatPortMapping } from "../../mapping";
// Types only: Pulumi, the simulator and the demo's stack load when the demo runs, so other commands start fast.
import type { AzureSimulator } from "../../testing";
import { formatMappingTable, sshLines } from "../format";
import { checkSshUser } from "../ssh-names";

/** Names of the demo stack's resources (../demo-stack) with this prefix. */
const PREFIX = "natdemo";
const RESOURCE_GROUP = `${PREFIX}-rg`;
const LOAD_BALANCER = `${PREFIX}-lb`;
const SCALE_SET = `${PREFIX}-vmss`;
const RULE = `${PREFIX}-ssh`;
const DEFAULT_INSTANCES = 3;
/** Azure's (and the simulator's) most instances in one scale set. */
const MAX_SCALE_SET_CAPACITY = 1000;
export const DEFAULT_STATE_FILE = path.join(".azure-nat-rules", "demo-state.json");

/** Where the demo keeps its stack's Pulumi checkpoint: beside the simulated Azure, as `<state>.checkpoint.json`. */
export function checkpointFileOf(stateFile: string): string {
    return stateFile.replace(/(\.json)?$/i, ".checkpoint.json");
}
/** Stands in for a real key: the simulator does not log in to anything. */
const DEMO_SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDemoKeyForTheLocalSimulatorOnly demo@azure-nat-rules";

interface DemoOptions {
    instances?: number;
    deleteInstances?: string[];
    autoscaleTo?: number;
    autoscaleMax?: number;
    reset?: boolean;
    state: string;
    user: string;
    json?: boolean;
    engine: "embedded" | "pulumi";
}

/** What `--json` prints. */
export interface DemoReport {
    resourceGroup: string;
    loadBalancer: string;
    backendPool: string;
    rule: string;
    range: NatFrontendPortRange;
    /** What the preview planned, before the deployment. */
    planned: NatPortMapping[];
    /** Azure's mappings after the deployment. */
    mappings: NatPortMapping[];
}

function parseInstances(value: string): number {
    if (!/^\d+$/.test(value.trim()) || Number(value) > MAX_SCALE_SET_CAPACITY) {
        throw new InvalidArgumentError(`${JSON.stringify(value)}: allowed is an integer from 0 to ${MAX_SCALE_SET_CAPACITY} (a scale set's capacity). Fix: pass a count such as 5.`);
    }
    return Number(value);
}

function parseEngine(value: string): "embedded" | "pulumi" {
    if (value !== "embedded" && value !== "pulumi") {
        throw new InvalidArgumentError(`${JSON.stringify(value)}: allowed are "embedded" (the default, in this process) and "pulumi" (the real Pulumi CLI; from a clone of the repository). Fix: pass --engine pulumi or leave the flag out.`);
    }
    return value;
}

function parseInstanceIds(value: string): string[] {
    const ids = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (ids.length === 0 || ids.some((id) => !/^\d+$/.test(id))) {
        throw new InvalidArgumentError(`${JSON.stringify(value)}: allowed is a comma-separated list of instance ids. Fix: pass ids as the table shows them, e.g. 1,3.`);
    }
    return ids.map((id) => String(Number(id)));
}

export function register(program: Command): void {
    program
        .command("demo")
        .description(
            "Deploy the scale-set example stack to the local Azure simulator (no Azure account, no network) and show its port map. " +
                "Each run is one deployment; the simulated Azure is kept in a state file between runs.",
        )
        .option("--instances <n>", `scale set capacity for this deployment (default: the current instance count, or ${DEFAULT_INSTANCES})`, parseInstances)
        .option("--delete-instances <ids>", "before deploying, delete these instances outside Pulumi, as `az vmss delete-instances` would (e.g. 1,3)", parseInstanceIds)
        .option("--autoscale-to <n>", "before deploying, the deployed autoscale setting (see --autoscale-max) moves the scale set to this many instances, within its profile, outside Pulumi; the program does not undo it", parseInstances)
        .option("--autoscale-max <n>", "give the example an autoscale setting whose profile allows up to this many instances (the range must hold them)", parseInstances)
        .option("--reset", "start from an empty Azure")
        .option("--state <file>", "where the simulated Azure is kept", DEFAULT_STATE_FILE)
        .option("--user <name>", "admin user for the ssh lines", "azureuser")
        .option("--json", "print one JSON object on stdout and nothing else")
        .option(
            "--engine <name>",
            "embedded: Pulumi's runtime in this process; pulumi: the real Pulumi CLI (`pulumi preview --json`, `pulumi up`) with the azure-native stand-in against the local Azure, " +
                "its file:// backend kept beside the state file (<state>.pulumi/). --engine pulumi works from a clone of the repository (`node engine/build.mjs` builds the CLI, or AZURE_NAT_RULES_PULUMI=path)",
            parseEngine,
            "embedded",
        )
        .addHelpText(
            "after",
            [
                "",
                "Examples:",
                "  $ npm start -- --reset --instances 3     # fresh Azure, 3 instances",
                "  $ npm start -- --instances 5             # scale out: instances 0-2 keep their ports",
                "  $ npm start -- --delete-instances 1,3    # delete two instances outside Pulumi, then deploy",
                "  $ npm start -- --instances 11            # past the range: fails, state unchanged",
                "  $ npm start -- --autoscale-max 8                    # deploys an autoscale setting (profile maximum 8)",
                "  $ npm start -- --autoscale-max 8 --autoscale-to 7   # autoscale grows it outside Pulumi; the preview plans from Azure",
                "  $ npm start -- --autoscale-max 11        # a profile maximum past the range: every preview fails, naming the profile; fix: lower its maximum or raise maxInstances",
                "  $ npm start -- --engine pulumi --reset      # the same sequence under the real Pulumi CLI (from a clone)",
                "  $ azure-nat-rules local-arm --port 8080 --state .azure-nat-rules/demo-state.json",
                "",
                "The range is 50000-50009 (maxInstances 10). A failed deployment exits 1. One that fails in the preview changes nothing;",
                "one that fails in the update keeps what Azure accepted before the failure, as `pulumi up` does, and says what.",
                "Pulumi's checkpoint is kept beside the state file (<state>.checkpoint.json): an unchanged resource is not sent again.",
                "Under --engine pulumi the stack `demo` lives in a file:// backend in <state>.pulumi/ instead (passphrase azure-nat-rules-demo).",
            ].join("\n"),
        )
        .action(async (options: DemoOptions) => {
            await runDemo(options);
        });
}

/** The V2 mapping of the demo stack's rule as the state holds it now. */
function currentAssignments(sim: AzureSimulator): PortAssignment[] {
    try {
        return sim.portMappings(RESOURCE_GROUP, LOAD_BALANCER, { rule: RULE }).map((m) => ({ instance: m.instance, frontendPort: m.frontendPort }));
    } catch {
        return []; // nothing deployed yet
    }
}

function currentInstanceCount(sim: AzureSimulator): number | undefined {
    try {
        return sim.listInstances(RESOURCE_GROUP, SCALE_SET).length;
    } catch {
        return undefined;
    }
}

/**
 * Under `npm start`, npm writes a `> package start` banner to stdout before the script runs, unless
 * it runs silent (`--silent`, which it passes on as npm_config_loglevel=silent).
 */
function npmPrintedItsBanner(): boolean {
    // npx (and npm exec) set the event to "npx" and print no banner.
    const event = process.env.npm_lifecycle_event;
    return event !== undefined && event !== "npx" && process.env.npm_config_loglevel !== "silent";
}

/** How the user ran the demo, for the commands a fix suggests: `npm start --` under npm start, else the bin's own name. */
function demoCommand(): string {
    return process.env.npm_lifecycle_event === "start" ? "npm start --" : "azure-nat-rules demo";
}

/**
 * A --state file outside the default folder must be in an existing directory: a mistyped path
 * would otherwise create directories silently. The default folder is the demo's own, created on use.
 */
function checkStateDirectory(state: string): void {
    if (path.resolve(state) === path.resolve(DEFAULT_STATE_FILE)) return;
    const dir = path.dirname(path.resolve(state));
    if (existsSync(dir) && statSync(dir).isDirectory()) return;
    throw new AzureNatRulesError(
        `demo: --state ${JSON.stringify(state)}: directory ${dir} does not exist. ` +
            `Fix: create it first (mkdir -p ${JSON.stringify(dir)}), or pass a file in an existing directory, or leave out --state for ${DEFAULT_STATE_FILE}. Nothing was deployed.`,
    );
}

/** Compute's api-version az 2.91 sends for scale-set writes (vmss recordings in Azure/azure-cli). */
const COMPUTE_API_VERSION = "2024-11-01";

/**
 * Deletes instances as `az vmss delete-instances` does: `POST .../virtualMachineScaleSets/{name}/delete`
 * with `{"instanceIds": [...]}` (VirtualMachineScaleSets_DeleteInstances), polled to its end, sent to
 * the simulator served on loopback, so the change goes through ARM's front door as a client's would.
 */
async function deleteInstancesOverArm(sim: AzureSimulator, instanceIds: string[]): Promise<void> {
    const { FAST_ARM_SERVER_OPTIONS, startArmServer } = await import("../../testing");
    const { ArmClient, staticTokenCredential } = await import("../../azure");
    const server = await startArmServer(sim, FAST_ARM_SERVER_OPTIONS);
    try {
        const client = new ArmClient({ endpoint: server.url, credential: staticTokenCredential("local") });
        await client.postLongRunning(
            `/subscriptions/${sim.subscriptionId}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Compute/virtualMachineScaleSets/${SCALE_SET}/delete`,
            {
                apiVersion: COMPUTE_API_VERSION,
                body: { instanceIds },
                wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
                intervalMs: 1000,
                finalStateVia: "location",
            },
        );
    } finally {
        await server.close();
    }
}

async function runDemo(options: DemoOptions): Promise<void> {
    checkSshUser("demo", options.user);
    checkStateDirectory(options.state);
    const { AzureSimulator, StackCheckpoint, runDeployment } = await import("../../testing");
    const { declareDemoStack, DEMO_MAX_INSTANCES } = await import("../demo-stack");
    const progress = (line: string) => process.stderr.write(`${line}\n`);
    if (options.json && npmPrintedItsBanner()) {
        progress(
            "demo: npm printed its \"> azure-nat-rules start\" banner on stdout before this JSON. " +
                "For the JSON alone: npm start --silent -- --json (or npx azure-nat-rules demo --json).",
        );
    }
    const stateFile = path.resolve(options.state);
    const unchanged = `Nothing was deployed; ${path.relative(process.cwd(), stateFile) || stateFile} is unchanged.`;
    // Everything happens on this in-memory copy; the file is written only after a successful deployment.
    if (options.reset && options.deleteInstances) {
        throw new AzureNatRulesError("demo: --reset starts from an empty Azure, so --delete-instances has nothing to delete. Fix: use one of the two.");
    }
    const sim = options.reset ? new AzureSimulator() : AzureSimulator.load(stateFile);
    // Pulumi's side, kept apart from Azure's: what each resource was last deployed with.
    const checkpointFile = checkpointFileOf(stateFile);
    const checkpoint = options.reset ? new StackCheckpoint() : StackCheckpoint.load(checkpointFile);
    const before = currentAssignments(sim);
    const deployedBefore = currentInstanceCount(sim) !== undefined;

    const notes: string[] = [];
    if (options.deleteInstances) {
        if (!deployedBefore) {
            throw new AzureNatRulesError(
                `demo: --delete-instances ${options.deleteInstances.join(",")}: there is no scale set ${SCALE_SET} in ${stateFile} yet. Fix: deploy first, e.g. \`${demoCommand()} --reset --instances 3\`.`,
            );
        }
        const existing = sim.listInstances(RESOURCE_GROUP, SCALE_SET).map((i) => i.instanceId);
        const unknown = options.deleteInstances.filter((id) => !existing.includes(id));
        if (unknown.length > 0) {
            throw new AzureNatRulesError(
                `demo: --delete-instances ${options.deleteInstances.join(",")}: ${SCALE_SET} has no instance ${unknown.join(", ")}; its instances are ${sortInstances(existing).join(", ") || "none"}. ` +
                    `Fix: pass ids among those, as the table shows them.\n${unchanged}`,
            );
        }
        await deleteInstancesOverArm(sim, options.deleteInstances);
        const left = sim.listInstances(RESOURCE_GROUP, SCALE_SET);
        notes.push(`Outside Pulumi: deleted instance(s) ${options.deleteInstances.join(", ")} of ${SCALE_SET} over the local ARM endpoint, as \`az vmss delete-instances\` does; ${left.length} left.`);
    }
    if (options.autoscaleTo !== undefined) {
        if (!deployedBefore) {
            throw new AzureNatRulesError(
                `demo: --autoscale-to ${options.autoscaleTo}: there is no scale set ${SCALE_SET} in ${stateFile} yet. Fix: deploy first, e.g. \`${demoCommand()} --reset --instances 3\`.`,
            );
        }
        let now: string[];
        try {
            // As Azure's autoscale acts: only through an enabled setting, within its profile's bounds.
            now = sim.autoscale(RESOURCE_GROUP, SCALE_SET, options.autoscaleTo);
        } catch (err) {
            // The profile maximum to suggest: enough for the target, but never past what the range holds.
            const maximum = Math.min(Math.max(options.autoscaleTo, options.autoscaleMax ?? 0), DEMO_MAX_INSTANCES);
            const beyondRange = options.autoscaleTo > DEMO_MAX_INSTANCES
                ? ` The range holds ${DEMO_MAX_INSTANCES} instances, so a profile maximum above ${DEMO_MAX_INSTANCES} fails the preview, and autoscale stops at the profile's maximum.`
                : "";
            const why = (err as { statusCode?: number }).statusCode === 404
                ? `${SCALE_SET} has no enabled autoscale setting in the simulated Azure yet (the example declares one with --autoscale-max).${beyondRange} ` +
                  `Fix: deploy the example's autoscale setting first (e.g. \`${demoCommand()} --autoscale-max ${maximum}\`), then autoscale${beyondRange ? ` to at most ${maximum}` : ""}.`
                : (err as Error).message;
            throw new AzureNatRulesError(`demo: --autoscale-to ${options.autoscaleTo}: ${why}\n${unchanged}`);
        }
        const clamped = now.length === options.autoscaleTo ? "" : ` (the profile's bounds clamp ${options.autoscaleTo} to ${now.length})`;
        notes.push(`Outside Pulumi: autoscale moved ${SCALE_SET} to ${now.length} instance(s)${clamped}.`);
    }
    // Without --instances the program declares what Azure has now, so an outside change is not undone.
    const instances = options.instances ?? currentInstanceCount(sim) ?? DEFAULT_INSTANCES;

    progress(`Deploying the scale-set example (${instances} instance${instances === 1 ? "" : "s"}) to the local Azure simulator…`);
    let deployment: { outputs: Record<string, unknown>; planned: NatPortMapping[]; resources: { type: string; name: string }[] };
    const sent: string[] = [];
    const shownState = path.relative(process.cwd(), stateFile) || stateFile;
    // Under --engine pulumi, --reset starts a new backend too; the old one is kept until the run has changed something.
    const pulumiDir = options.engine === "pulumi" ? (await import("../demo-pulumi")).pulumiDirOf(stateFile) : undefined;
    const setAside = pulumiDir && options.reset && existsSync(pulumiDir) ? `${pulumiDir}.before-reset` : undefined;
    if (setAside) {
        rmSync(setAside, { recursive: true, force: true });
        renameSync(pulumiDir!, setAside);
    }
    try {
        if (options.engine === "pulumi") {
            const { deployWithPulumi } = await import("../demo-pulumi");
            deployment = await deployWithPulumi(sim, {
                stateFile, instances, sshPublicKey: DEMO_SSH_KEY, adminUsername: options.user, prefix: PREFIX, autoscaleMaximum: options.autoscaleMax,
                onSent: (r) => sent.push(r), progress,
            });
            notes.push(`Through the real Pulumi CLI: \`pulumi preview --json\`, then \`pulumi up\` on stack demo (backend ${path.relative(process.cwd(), pulumiDir!) || pulumiDir}).`);
        } else {
            const program = () => declareDemoStack({ instances, sshPublicKey: DEMO_SSH_KEY, adminUsername: options.user, prefix: PREFIX,
                autoscaleMaximum: options.autoscaleMax });
            const settings = { project: "azure-nat-rules-example", stack: "demo", checkpoint };
            // As `pulumi up` does: a preview first, so the library's checks fail before Azure is touched.
            // runDeployment serves the simulator as "Azure" for the component's read of the real mappings.
            const preview = await runDeployment(sim, program, { ...settings, preview: true });
            const result = await runDeployment(sim, program, { ...settings, onSent: (r) => sent.push(`${r.type} ${r.name}`) });
            deployment = {
                outputs: result.outputs,
                planned: (preview.outputs as { plannedPortMappings?: NatPortMapping[] }).plannedPortMappings ?? [],
                resources: result.resources,
            };
        }
    } catch (err) {
        if (sent.length === 0) {
            if (setAside) {
                rmSync(pulumiDir!, { recursive: true, force: true });
                renameSync(setAside, pulumiDir!);
            }
            throw new AzureNatRulesError(`${(err as Error).message}\n${unchanged}`);
        }
        if (setAside) rmSync(setAside, { recursive: true, force: true });
        // As under `pulumi up`, nothing is rolled back: what Azure accepted before the failure stays.
        sim.save(stateFile);
        checkpoint.save(checkpointFile);
        throw new AzureNatRulesError(
            `${(err as Error).message}\nThe update failed after Azure accepted ${sent.length} change(s), which stay, as under \`pulumi up\`: ` +
                `${sent.join(", ")}. ${shownState} holds them; run the demo again with values the range holds.`,
        );
    }
    if (setAside) rmSync(setAside, { recursive: true, force: true });
    sim.save(stateFile);
    checkpoint.save(checkpointFile);

    const outputs = deployment.outputs as {
        resourceGroup: string;
        loadBalancer: string;
        backendPool: string;
        rule: string;
        frontendPortRange: NatFrontendPortRange;
        portMappings: NatPortMapping[];
    };
    const report: DemoReport = {
        resourceGroup: outputs.resourceGroup,
        loadBalancer: outputs.loadBalancer,
        backendPool: outputs.backendPool,
        rule: outputs.rule,
        range: outputs.frontendPortRange,
        planned: deployment.planned,
        mappings: outputs.portMappings,
    };
    if (options.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
        return;
    }
    const resources = deployment.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
    const after = report.mappings.map((m) => ({ instance: m.instance, frontendPort: m.frontendPort }));
    const width = Math.max(...resources.map((r) => r.type.length));
    process.stdout.write(
        [
            `Deployed to the local Azure simulator (state: ${path.relative(process.cwd(), stateFile) || stateFile}).`,
            ...notes,
            "",
            `Resources declared (${resources.length}):`,
            ...resources.map((r) => `  ${r.type.padEnd(width)}  ${r.name}`),
            "",
            `Frontend range ${report.range.start}-${report.range.end} (capacity ${report.range.capacity}) on ${report.mappings[0]?.frontendIp ?? "the frontend"}:`,
            `  ${rangeBar(report.range, after)}`,
            "",
            formatMappingTable(report.mappings),
            "",
            ...sshLines(report.mappings, options.user).map((line) => `  ${line}`),
            "",
            ...describeChanges(before, after, deployedBefore),
            "",
            ...comparePlan(report.planned, report.mappings),
        ].join("\n") + "\n",
    );
}

/** One cell per port (or per group of ports for big ranges): # in use, . free. */
export function rangeBar(range: NatFrontendPortRange, used: readonly PortAssignment[], width = 50): string {
    const cells = Math.min(range.capacity, width);
    const perCell = range.capacity / cells;
    const counts = new Array<number>(cells).fill(0);
    for (const a of used) {
        const slot = a.frontendPort - range.start;
        if (slot >= 0 && slot < range.capacity) counts[Math.min(cells - 1, Math.floor(slot / perCell))]++;
    }
    const bar = counts.map((c) => (c === 0 ? "." : "#")).join("");
    const pct = Math.round((used.length / range.capacity) * 100);
    return `[${bar}] ${used.length}/${range.capacity} in use (${pct}%)`;
}

export function describeChanges(before: readonly PortAssignment[], after: readonly PortAssignment[], deployedBefore = before.length > 0): string[] {
    if (!deployedBefore) return [`First deployment: ${after.length} instance(s) mapped.`];
    const d = diffAssignments(before, after);
    const list = (items: { instance: string }[]) => sortInstances(items.map((i) => i.instance)).join(", ") || "none";
    return [
        "Since the last deployment:",
        `  added:   ${d.added.length} (${d.added.map((a) => `${a.instance}→${a.frontendPort}`).join(", ") || "none"})`,
        `  removed: ${d.removed.length} (${d.removed.map((a) => `${a.instance}, port ${a.frontendPort} freed`).join("; ") || "none"})`,
        `  kept their ports: ${d.kept.length} (${list(d.kept)})`,
        ...(d.moved.length > 0 ? [`  MOVED: ${d.moved.map((m) => `${m.instance} ${m.from}→${m.to}`).join(", ")}`] : []),
    ];
}

/** How the preview's plan compared with Azure's mappings after the deployment. */
export function comparePlan(planned: readonly NatPortMapping[], actual: readonly NatPortMapping[]): string[] {
    const plannedPorts = new Map(planned.map((m) => [m.instance, m.frontendPort]));
    const wrong = actual.filter((m) => plannedPorts.get(m.instance) !== m.frontendPort);
    const guessed = planned.filter((m) => m.labelGuessed).length;
    const samePorts = JSON.stringify(planned.map((m) => m.frontendPort).sort()) === JSON.stringify(actual.map((m) => m.frontendPort).sort());
    if (wrong.length === 0 && planned.length === actual.length) return [`The preview planned exactly this: ${actual.length} instance(s), every label and port.`];
    const lines = [`The preview planned ${planned.length} instance(s); ${wrong.length} differ from Azure's: ${wrong.map((m) => `${m.instance}→${m.frontendPort}` +
        (plannedPorts.has(m.instance) ? ` (planned ${plannedPorts.get(m.instance)})` : " (not planned by that label)")).join(", ")}.`];
    lines.push(samePorts ? "  The ports were planned right; only labels Azure chose differ" + (guessed > 0 ? ` (${guessed} marked as a guess).` : ".") : "  The planned ports differ too.");
    return lines;
}
