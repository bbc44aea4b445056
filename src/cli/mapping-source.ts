/**
 * Where `ssh-config`, `inventory` and `ssh` get their mappings: a live lookup with the same flags
 * as `mappings` (its option definitions, reused), or `--from-file` holding `pulumi stack output --json`.
 */
import { readFileSync } from "node:fs";
import type { Command, Option } from "commander";
import { chooseCredential, chooseEndpoint, chooseSubscription, inCommandWords } from "./azure-options";
import { lookupProgress } from "./progress";
import { checkHostPrefix, checkSshUser } from "./ssh-names";
import { AzureNatRulesError } from "../core/errors";
import { DEFAULT_MAPPINGS_OUTPUT, mappingsFromStackOutputs } from "../stack-mappings";

/** `mappings` options a live lookup takes (all but its output format). */
const LOOKUP_FLAGS = ["--resource-group", "--load-balancer", "--pool", "--rule", "--subscription", "--endpoint", "--token", "--concurrency", "--user"] as const;
/** Of those, what a live lookup needs. */
const REQUIRED_FOR_LOOKUP = ["resourceGroup", "loadBalancer", "pool"] as const;

export interface MappingSourceOptions {
    fromFile?: string;
    output: string;
    resourceGroup?: string;
    loadBalancer?: string;
    pool?: string;
    rule?: string;
    subscription?: string;
    endpoint: string;
    token?: string;
    concurrency: string;
    user: string;
    hostPrefix?: string;
    backendPort: string;
}

/** One reachable instance, as the three commands use it. */
export interface ReachableInstance {
    instance: string;
    frontendIp: string;
    frontendPort: number;
    backendPort: number;
    protocol: string;
    /** The NAT rule, when a live lookup told it. */
    rule?: string;
}

export interface ResolvedMappings {
    instances: ReachableInstance[];
    /** The `Host` alias prefix: --host-prefix, else the load balancer's name, else "nat". */
    hostPrefix: string;
    user: string;
}

/**
 * Adds the source options to `command`: the live-lookup options of the `mappings` command already
 * registered on `program` (copied, and optional here because `--from-file` can stand in), then
 * `--from-file`, `--output`, `--host-prefix` and `--backend-port`.
 */
export function addMappingSourceOptions(program: Command, command: Command): Command {
    const mappings = program.commands.find((c) => c.name() === "mappings");
    if (!mappings) throw new Error("the mappings command must be registered before the commands that reuse its options");
    for (const flag of LOOKUP_FLAGS) {
        const option = mappings.options.find((o) => o.long === flag);
        if (!option) throw new Error(`the mappings command has no ${flag} option to reuse`);
        const copy = Object.assign(Object.create(Object.getPrototypeOf(option) as object) as Option, option);
        copy.mandatory = false;
        command.addOption(copy);
    }
    return command
        .option("-f, --from-file <file>", "read the mappings from this file, written by: pulumi stack output --json > <file> (instead of a live lookup)")
        .option("--output <name>", "with --from-file: the stack output holding the mappings", DEFAULT_MAPPINGS_OUTPUT)
        .option("--host-prefix <prefix>", "host alias prefix: <prefix>-<instance> (default: the load balancer's name: --load-balancer, or the file's loadBalancer output, else nat)")
        .option("--backend-port <port>", "use the mappings to this backend port", "22");
}

/** Reads and checks the mappings the options point at. `command` names the command in messages. */
export async function resolveMappings(command: string, options: MappingSourceOptions): Promise<ResolvedMappings> {
    const backendPort = Number(options.backendPort);
    if (!/^\d+$/.test(options.backendPort) || backendPort < 1 || backendPort > 65535) {
        throw new AzureNatRulesError(`${command}: --backend-port = ${JSON.stringify(options.backendPort)} is invalid: allowed is an integer from 1 to 65535. Fix: pass the port the instances listen on, e.g. --backend-port 22.`);
    }
    // Checked before any read: a bad value must not cost a lookup.
    checkSshUser(command, options.user);
    if (options.hostPrefix !== undefined) checkHostPrefix(command, options.hostPrefix);
    const live = REQUIRED_FOR_LOOKUP.filter((k) => options[k] !== undefined);
    let all: ReachableInstance[];
    let prefix: string;
    let where: string;
    if (options.fromFile !== undefined) {
        if (live.length > 0 || options.rule !== undefined) {
            throw new AzureNatRulesError(
                `${command}: --from-file reads a saved file, so the live-lookup options (--resource-group, --load-balancer, --pool, --rule) do not apply. Fix: use either --from-file or the live-lookup options.`,
            );
        }
        const outputs = readStackOutputs(command, options.fromFile);
        all = mappingsFromStackOutputs(outputs, options.output, {
            describe: `file "${options.fromFile}"`,
            chooseOutput: "pass the output's name with --output <name>",
        });
        prefix = typeof outputs.loadBalancer === "string" && outputs.loadBalancer !== "" ? outputs.loadBalancer : "nat";
        where = `output "${options.output}" of file "${options.fromFile}"`;
    } else {
        if (live.length < REQUIRED_FOR_LOOKUP.length) {
            const missing = REQUIRED_FOR_LOOKUP.filter((k) => options[k] === undefined).map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
            throw new AzureNatRulesError(
                `${command}: no mappings to read: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing for a live lookup. ` +
                    `Fix: pass --from-file <file> written by pulumi stack output --json, or --resource-group, --load-balancer and --pool to ask Azure.`,
            );
        }
        all = await lookUp(command, options);
        prefix = options.loadBalancer!;
        where = `pool ${options.pool} of load balancer ${options.loadBalancer} (resource group ${options.resourceGroup})${options.rule ? `, rule ${options.rule}` : ""}`;
    }
    if (all.length === 0) {
        throw new AzureNatRulesError(
            `${command}: ${where} holds no port mappings: no instance is reachable through a NAT rule. ` +
                `Fix: check that the pool has members and a backend-pool NAT rule (azure-nat-rules mappings lists what Azure holds), or deploy the stack again.`,
        );
    }
    const instances = all.filter((m) => m.backendPort === backendPort && m.protocol.toLowerCase() !== "udp");
    if (instances.length === 0) {
        const ports = [...new Set(all.map((m) => `${m.backendPort}/${m.protocol}`))].join(", ");
        throw new AzureNatRulesError(
            `${command}: ${where} maps no TCP frontend port to backend port ${backendPort} (it maps backend ports ${ports}). Fix: pass the backend port to reach with --backend-port <port>.`,
        );
    }
    const seen = new Map<string, ReachableInstance>();
    for (const m of instances) {
        const earlier = seen.get(m.instance);
        if (earlier) {
            throw new AzureNatRulesError(
                `${command}: instance ${m.instance} is reachable on backend port ${backendPort} through two frontend ports (${earlier.frontendPort}${earlier.rule ? `, rule ${earlier.rule}` : ""}; ${m.frontendPort}${m.rule ? `, rule ${m.rule}` : ""}). Fix: pick one rule with --rule <name>.`,
            );
        }
        seen.set(m.instance, m);
    }
    return { instances, hostPrefix: options.hostPrefix ?? prefix, user: options.user };
}

/** The object `pulumi stack output --json` writes: output names to values. */
function readStackOutputs(command: string, file: string): Record<string, unknown> {
    const fix = `Fix: write it with pulumi stack output --json > ${file} (in the stack's project directory).`;
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (err) {
        throw new AzureNatRulesError(`${command}: cannot read --from-file ${JSON.stringify(file)}: ${(err as Error).message}. ${fix}`);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (err) {
        throw new AzureNatRulesError(`${command}: --from-file ${JSON.stringify(file)} is not stack outputs: it is not JSON (${(err as Error).message}). ${fix}`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        const kind = Array.isArray(parsed) ? "a list" : parsed === null ? "null" : `a ${typeof parsed}`;
        throw new AzureNatRulesError(`${command}: --from-file ${JSON.stringify(file)} is not stack outputs: it holds ${kind}, not an object of output names. ${fix}`);
    }
    return parsed as Record<string, unknown>;
}

async function lookUp(command: string, options: MappingSourceOptions): Promise<ReachableInstance[]> {
    const concurrency = Number(options.concurrency);
    // Loaded on use, as `mappings` does: the Azure SDK is large.
    const lookup = await import("../azure");
    const endpoint = chooseEndpoint(command, lookup, options.endpoint);
    const credential = chooseCredential(lookup, options.token);
    const subscriptionId = await chooseSubscription(command, lookup, options.subscription, endpoint, credential);
    const progress = lookupProgress(command);
    let entries: Awaited<ReturnType<typeof lookup.lookupPortMappings>>["mappings"];
    let unreadMembers: Awaited<ReturnType<typeof lookup.lookupPortMappings>>["unreadMembers"];
    try {
        ({ mappings: entries, unreadMembers } = await lookup.lookupPortMappings({
            subscriptionId,
            resourceGroupName: options.resourceGroup!,
            loadBalancerName: options.loadBalancer!,
            backendPoolName: options.pool!,
            ruleName: options.rule,
            endpoint,
            credential,
            concurrency,
            onProgress: progress.update,
        }));
    } catch (err) {
        throw inCommandWords(command, err);
    } finally {
        progress.finish();
    }
    for (const member of unreadMembers) {
        process.stderr.write(`${command}: could not read Azure's mappings of member ${member.instance}: ${member.reason}\n`);
    }
    return entries.map(({ instance, frontendIp, frontendPort, backendPort, protocol, rule }) => ({ instance, frontendIp, frontendPort, backendPort, protocol, rule }));
}

/** `<prefix>-<instance>`, or the instance alone when the prefix is "". */
export function hostAlias(prefix: string, instance: string): string {
    return prefix === "" ? instance : `${prefix}-${instance}`;
}

/** Instances in a stable order: numeric ids by value, names alphabetically after them. */
export function byInstance(a: ReachableInstance, b: ReachableInstance): number {
    const na = /^\d+$/.test(a.instance) ? Number(a.instance) : NaN;
    const nb = /^\d+$/.test(b.instance) ? Number(b.instance) : NaN;
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
    if (!Number.isNaN(na)) return -1;
    if (!Number.isNaN(nb)) return 1;
    return a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0;
}

/** The frontend IP, or an error naming the instance when the stack did not know it. */
export function requireFrontendIp(command: string, m: ReachableInstance): string {
    if (m.frontendIp !== "") return m.frontendIp;
    throw new AzureNatRulesError(
        `${command}: instance ${m.instance} has no frontend IP address in its mapping (the public IP had none when the mappings were read). ` +
            `Fix: read them again once the public IP has its address (pulumi up, then pulumi stack output --json), or use a live lookup.`,
    );
}
