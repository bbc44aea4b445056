/**
 * `azure-nat-rules migrate`: the plan to replace a load balancer's inbound NAT pools (retired for
 * scale sets on 30 September 2027) by backend-pool NAT rules. Reads only; changes nothing in Azure.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { LoadBalancer } from "@azure/arm-network";
import type { TokenCredential } from "@azure/identity";
import { AzureNatRulesError } from "../../core/errors";
import {
    armProperty,
    NAT_POOL_MIGRATION_STEPS,
    planNatPoolMigration,
    readScaleSet,
    type LoadBalancerMigrationPlan,
    type NatPoolScaleSet,
} from "../../core/migration";
// Types only: the Azure SDKs load when the load balancer is read from Azure, so --from-file starts fast.
import type * as Lookup from "../../azure";
import { formatTable } from "../format";

interface MigrateOptions {
    resourceGroup?: string;
    loadBalancer?: string;
    subscription?: string;
    endpoint?: string;
    token?: string;
    fromFile?: string;
    scaleSet?: string[];
    json?: boolean;
}

/** Compute API version for scale set reads (GA, serves upgradePolicy and overprovision). */
const COMPUTE_API_VERSION = "2024-07-01";
const READ_SCALE_SET_ACTION = "Microsoft.Compute/virtualMachineScaleSets/read";

export function register(program: Command): void {
    program
        .command("migrate")
        .description("Plan the migration of a load balancer's inbound NAT pools to backend-pool NAT rules: the rules to create, each instance's port before and after, and warnings. Changes nothing in Azure.")
        .option("-g, --resource-group <name>", "resource group of the load balancer (with --load-balancer)")
        .option("-l, --load-balancer <name>", "load balancer name, read from Azure (with --resource-group)")
        .option("-s, --subscription <id>", "subscription id (default: $AZURE_SUBSCRIPTION_ID, else the only one the credential sees)")
        .option("--endpoint <url|preset>", "ARM endpoint URL or one of public, china, usgovernment (default: public)")
        .option("--token <token>", "ARM access token (default: $AZURE_NAT_RULES_TOKEN, else DefaultAzureCredential)")
        .option("--from-file <path>", "read the load balancer's JSON (`az network lb show` output, or ARM's) instead of Azure")
        .option("--scale-set <path>", "with --from-file: a scale set's JSON (`az vmss show` output) that references the pools (repeatable)", collect)
        .option("--json", 'print one JSON object {"rules":[...],"ports":[...],"warnings":[...]} on stdout and nothing else')
        .addHelpText("after", [
            "",
            "The plan follows the only safe order: (1) remove the pool references from the scale sets and update",
            "their instances, (2) delete the pools, (3) create the backend pools and rules and add the scale sets.",
            "NAT'ed ports are down between steps 1 and 3. Ports 'before' come from the pools' per-instance NAT rules",
            "when the load balancer shows them, else from a model (sequential by instance id from the range start).",
            "",
            "Examples:",
            "  $ azure-nat-rules migrate -g my-rg -l my-lb",
            "  $ azure-nat-rules migrate -g my-rg -l my-lb --subscription 00000000-0000-0000-0000-000000000000 --json",
            "  $ az network lb show -g my-rg -n my-lb > lb.json && az vmss show -g my-rg -n my-vmss > vmss.json",
            "  $ azure-nat-rules migrate --from-file lb.json --scale-set vmss.json",
        ].join("\n"))
        .action(async (options: MigrateOptions) => {
            const plan = options.fromFile !== undefined ? planFromFiles(options) : await planFromAzure(options);
            process.stdout.write(options.json ? `${JSON.stringify(planJson(plan))}\n` : `${formatMigrationPlan(plan)}\n`);
        });
}

function collect(value: string, previous: string[] | undefined): string[] {
    return [...(previous ?? []), value];
}

// ---- sources ---------------------------------------------------------------------------------

function planFromFiles(options: MigrateOptions): LoadBalancerMigrationPlan {
    const file = options.fromFile as string;
    const azureOnly = (["resourceGroup", "loadBalancer", "subscription", "endpoint", "token"] as const).filter((k) => options[k] !== undefined);
    if (azureOnly.length > 0) {
        const flags = azureOnly.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ");
        throw new AzureNatRulesError(`migrate: --from-file reads a file, so ${flags} do not apply. Fix: give either --from-file, or --resource-group with --load-balancer (and optionally --subscription, --endpoint, --token).`);
    }
    const loadBalancer = readJsonFile(file, "load balancer", "az network lb show -g <group> -n <name>");
    const scaleSets = (options.scaleSet ?? []).map((path) =>
        readScaleSet(readJsonFile(path, "scale set", "az vmss show -g <group> -n <name>"), `migrate: ${path}`, "(scale set)"));
    return planNatPoolMigration(loadBalancer, { scaleSets, source: `migrate: ${file}` });
}

function readJsonFile(path: string, what: string, command: string): unknown {
    let text: string;
    try {
        text = readFileSync(path, "utf8");
    } catch (err) {
        const code = (err as { code?: string }).code;
        throw new AzureNatRulesError(`migrate: cannot read ${what} file ${path} (${code ?? (err as Error).message}). Fix: pass the path of a file holding what \`${command}\` prints.`);
    }
    if (text.trim() === "") {
        throw new AzureNatRulesError(`migrate: ${path} is empty; expected the JSON of a ${what}. Fix: save what \`${command}\` prints into it.`);
    }
    try {
        return JSON.parse(text.replace(/^\uFEFF/, ""));
    } catch (err) {
        throw new AzureNatRulesError(`migrate: ${path} is not valid JSON: ${(err as Error).message}${lineOf(text, err)}. ` +
            `Fix: pass the ${what}'s JSON unchanged, as \`${command}\` prints it (-o json).`);
    }
}

/** ` (line L, column C)` from a JSON.parse "at position N" message, when the engine does not say it itself. */
function lineOf(text: string, err: unknown): string {
    const message = (err as Error).message ?? "";
    if (/line \d+/i.test(message)) return "";
    const position = /position (\d+)/.exec(message);
    if (!position) return "";
    const before = text.slice(0, Number(position[1])).split("\n");
    return ` (line ${before.length}, column ${before[before.length - 1].length + 1})`;
}

async function planFromAzure(options: MigrateOptions): Promise<LoadBalancerMigrationPlan> {
    if (options.resourceGroup === undefined || options.loadBalancer === undefined) {
        throw new AzureNatRulesError("migrate: which load balancer? Fix: give --resource-group <name> and --load-balancer <name> (read from Azure), or --from-file <path>.");
    }
    if (options.scaleSet !== undefined) {
        throw new AzureNatRulesError("migrate: --scale-set goes with --from-file; with --resource-group and --load-balancer the scale sets are read from Azure. Fix: drop --scale-set.");
    }
    const lookup: typeof Lookup = await import("../../azure");
    const endpoint = lookup.resolveArmEndpoint(options.endpoint);
    const credential = lookup.credentialFor(endpoint, chooseCredential(lookup, options.token));
    const subscriptionId = await chooseSubscription(lookup, options.subscription, endpoint.url, credential);
    const client = lookup.createNetworkClient(subscriptionId, endpoint.url, credential, { maxRetries: 2, retryDelayInMs: 500 });
    const where = `load balancer ${options.loadBalancer} (resource group ${options.resourceGroup}, subscription ${subscriptionId})`;
    let loadBalancer: LoadBalancer;
    try {
        loadBalancer = await client.loadBalancers.get(options.resourceGroup, options.loadBalancer);
    } catch (err) {
        throw armFailure(err, `reading ${where}`, lookup.READ_LOAD_BALANCER_ACTION);
    }
    const natPoolIds = (loadBalancer.inboundNatPools ?? []).map((p) => p.id).filter((id): id is string => typeof id === "string");
    if (natPoolIds.length === 0) return planNatPoolMigration(loadBalancer, { source: "migrate" });
    const read = await readReferencingScaleSets(endpoint.url, credential, subscriptionId, options.resourceGroup, loadBalancer, natPoolIds);
    return planNatPoolMigration(loadBalancer, { scaleSets: read.scaleSets, scaleSetsUnread: read.unread, source: "migrate" });
}

function chooseCredential(lookup: typeof Lookup, token: string | undefined): TokenCredential | undefined {
    const given = token ?? process.env.AZURE_NAT_RULES_TOKEN;
    if (given === undefined || given.trim() === "") return undefined; // credentialFor falls back to DefaultAzureCredential
    return lookup.staticTokenCredential(given);
}

async function chooseSubscription(lookup: typeof Lookup, flag: string | undefined, endpoint: string, credential: TokenCredential): Promise<string> {
    const given = flag ?? process.env.AZURE_SUBSCRIPTION_ID;
    if (given !== undefined && given.trim() !== "") return given.trim();
    const subscriptions = await lookup.listSubscriptions({ endpoint, credential });
    if (subscriptions.length === 1) return subscriptions[0].subscriptionId;
    const listed = subscriptions.map((s) => `${s.subscriptionId}${s.displayName ? ` (${s.displayName})` : ""}`).join(", ");
    throw new AzureNatRulesError(
        `migrate: the credential sees ${subscriptions.length} subscriptions${listed ? `: ${listed}` : ""}. Fix: pick one with --subscription <id> or AZURE_SUBSCRIPTION_ID.`,
    );
}

function armFailure(err: unknown, doing: string, action: string): AzureNatRulesError {
    const raw = err as { statusCode?: unknown; code?: unknown; message?: unknown };
    const status = typeof raw.statusCode === "number" ? raw.statusCode : undefined;
    const said = `${status !== undefined ? `HTTP ${status}` : "error"}${typeof raw.code === "string" ? ` ${raw.code}` : ""}: ${String(raw.message ?? err).split("\n")[0]}`;
    const fix =
        status === 404 ? "Fix: check the names and the subscription."
            : status === 401 ? "Fix: sign in again (az login) or pass a valid ARM access token with --token."
                : status === 403 ? `Fix: grant the identity ${action} (the built-in Reader role has it).`
                    : "Fix: check the endpoint and try again.";
    return new AzureNatRulesError(`migrate: failed ${doing} (${said}). ${fix}`);
}

/**
 * The scale sets whose model references one of the pools: those in the load balancer's resource
 * group, plus any the pools' per-instance NAT rules name elsewhere; with their instance ids. A
 * failure leaves `unread` set, and the plan goes on with what the load balancer shows.
 */
async function readReferencingScaleSets(
    endpoint: string,
    credential: TokenCredential,
    subscriptionId: string,
    resourceGroup: string,
    loadBalancer: LoadBalancer,
    natPoolIds: readonly string[],
): Promise<{ scaleSets: NatPoolScaleSet[]; unread?: string }> {
    const token = await credential.getToken(`${endpoint}/.default`);
    if (!token) return { scaleSets: [], unread: "the credential returned no access token" };
    // `target`: a path (the API version is added) or a nextLink URL (taken as is, on the endpoint's origin only).
    const get = async (target: string): Promise<unknown> => {
        const url = target.startsWith("/") ? `${endpoint}${target}?api-version=${COMPUTE_API_VERSION}` : target;
        const response = await fetch(url, { headers: { authorization: `Bearer ${token.token}`, accept: "application/json" } });
        const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
        if (!response.ok) {
            throw armFailure({ statusCode: response.status, code: body.error?.code, message: body.error?.message ?? response.statusText }, `GET ${url}`, READ_SCALE_SET_ACTION);
        }
        return body;
    };
    const listAll = async (path: string): Promise<unknown[]> => {
        const items: unknown[] = [];
        let body = (await get(path)) as { value?: unknown[]; nextLink?: string };
        items.push(...(body.value ?? []));
        // Never send the token to another host than the endpoint.
        while (body.nextLink && new URL(body.nextLink, endpoint).origin === new URL(endpoint).origin) {
            body = (await get(new URL(body.nextLink, endpoint).toString())) as { value?: unknown[]; nextLink?: string };
            items.push(...(body.value ?? []));
        }
        return items;
    };
    try {
        const scaleSetIds = new Map<string, string>(); // lower-cased id → id
        const inGroup = await listAll(`/subscriptions/${subscriptionId}/resourceGroups/${encodeURIComponent(resourceGroup)}/providers/Microsoft.Compute/virtualMachineScaleSets`);
        const fetched = new Map<string, unknown>();
        for (const json of inGroup) {
            const id = armProperty(json, "id");
            if (typeof id === "string") fetched.set(id.toLowerCase(), json);
        }
        // Scale sets in other resource groups show up as backends of the pools' per-instance rules.
        for (const rule of loadBalancer.inboundNatRules ?? []) {
            const match = /^(.*\/virtualMachineScaleSets\/[^/]+)\/virtualMachines\//i.exec(rule.backendIPConfiguration?.id ?? "");
            if (match) scaleSetIds.set(match[1].toLowerCase(), match[1]);
        }
        for (const [key, id] of scaleSetIds) if (!fetched.has(key)) fetched.set(key, await get(id));
        const wanted = new Set(natPoolIds.map((id) => id.toLowerCase()));
        const scaleSets: NatPoolScaleSet[] = [];
        for (const [key, json] of fetched) {
            const scaleSet = readScaleSet(json, "migrate", key);
            if (!(scaleSet.natPoolIds ?? []).some((id) => wanted.has(id.toLowerCase()))) continue;
            const instances = await listAll(`${scaleSet.id ?? key}/virtualMachines`);
            const instanceIds = instances.map((vm) => armProperty(vm, "instanceId")).filter((id): id is string => typeof id === "string");
            scaleSets.push({ ...scaleSet, instanceIds });
        }
        return { scaleSets };
    } catch (err) {
        return { scaleSets: [], unread: err instanceof Error ? err.message : String(err) };
    }
}

// ---- output ----------------------------------------------------------------------------------

/** The `--json` object: the rules in `BackendPoolNatRule`'s terms, every instance's ports, the warnings. */
export function planJson(plan: LoadBalancerMigrationPlan): { rules: object[]; ports: object[]; warnings: object[] } {
    return {
        rules: plan.migrations.map(({ rule }) => ({
            name: rule.name,
            frontendIPConfigurationId: rule.frontendIPConfigurationId,
            protocol: rule.protocol,
            frontendPortRangeStart: rule.frontendPortRangeStart,
            frontendPortRangeEnd: rule.frontendPortRangeEnd,
            backendPort: rule.backendPort,
            backendAddressPoolId: rule.backendAddressPoolId,
        })),
        ports: plan.migrations.flatMap((m) =>
            m.ports.map((p) => ({ natPool: m.natPool.name, rule: m.rule.name, scaleSet: p.scaleSet, instance: p.instance,
                before: p.before ?? null, beforeSource: p.beforeSource, after: p.after ?? null, changed: p.changed }))),
        warnings: plan.warnings.map((w) => ({ code: w.code, ...(w.natPool ? { natPool: w.natPool } : {}), ...(w.scaleSet ? { scaleSet: w.scaleSet } : {}), message: w.message })),
    };
}

export function formatMigrationPlan(plan: LoadBalancerMigrationPlan): string {
    const lb = plan.loadBalancer.name;
    if (plan.migrations.length === 0) {
        return [`Load balancer ${lb} has no inbound NAT pools: nothing to migrate.`, ...plan.warnings.map((w) => `warning: ${w.message}`)].join("\n");
    }
    const count = plan.migrations.length;
    const lines = [
        `Load balancer ${lb}: ${count} inbound NAT pool${count === 1 ? "" : "s"} to migrate to backend-pool NAT rules (NAT pools retire on 30 September 2027).`,
        "Nothing has been changed in Azure.",
        "",
        "Rules to create (each copies its pool 1:1):",
        formatTable(
            ["NAT POOL", "RULE", "BACKEND POOL", "PROTOCOL", "FRONTEND RANGE", "BACKEND PORT", "IDLE", "FLOATING IP", "TCP RESET", "SCALE SETS"],
            plan.migrations.map(({ natPool, rule, scaleSets }) => [
                natPool.name,
                rule.name,
                rule.backendPoolName,
                rule.protocol,
                `${rule.frontendPortRangeStart}-${rule.frontendPortRangeEnd}`,
                String(rule.backendPort),
                rule.idleTimeoutInMinutes === undefined ? "-" : `${rule.idleTimeoutInMinutes} min`,
                yesNo(rule.enableFloatingIP),
                yesNo(rule.enableTcpReset),
                scaleSets.join(", ") || "(none known)",
            ]),
        ),
        "",
        ...frontends(plan),
    ];
    const ports = plan.migrations.flatMap((m) => m.ports.map((p) => ({ pool: m.natPool.name, ...p })));
    if (ports.length > 0) {
        lines.push(
            "",
            "Frontend ports (before: Azure's where the load balancer shows them, else modelled; after: expected):",
            formatTable(
                ["NAT POOL", "SCALE SET", "INSTANCE", "BEFORE", "AFTER", ""],
                ports.map((p) => [
                    p.pool,
                    p.scaleSet,
                    p.instance,
                    `${p.before ?? "none"}${p.beforeSource === "model" ? " (model)" : ""}`,
                    String(p.after ?? "none"),
                    p.changed ? "changes" : "",
                ]),
            ),
        );
    }
    if (plan.warnings.length > 0) lines.push("", "Warnings:", ...plan.warnings.map((w) => `  - [${w.code}] ${w.message}`));
    lines.push("", "Order (NAT'ed ports are down from step 1 until step 3 completes):", ...NAT_POOL_MIGRATION_STEPS.map((step, i) => `  ${i + 1}. ${step}`));
    return lines.join("\n");
}

function yesNo(value: boolean | undefined): string {
    return value === true ? "yes" : "no";
}

function frontends(plan: LoadBalancerMigrationPlan): string[] {
    const ids = [...new Set(plan.migrations.map((m) => m.rule.frontendIPConfigurationId))];
    return ids.length === 1 ? [`Frontend IP configuration: ${ids[0]}`] : ["Frontend IP configurations:", ...ids.map((id) => `  ${id}`)];
}
