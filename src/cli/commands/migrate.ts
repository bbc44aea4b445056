/**
 * `azure-nat-rules migrate`: the plan to replace a load balancer's inbound NAT pools (retired for
 * scale sets on 30 September 2027) by backend-pool NAT rules. Reads only; changes nothing in Azure.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { AzureNatRulesError } from "../../core/errors";
import { NAT_POOL_MIGRATION_STEPS, planNatPoolMigration, readScaleSet, type LoadBalancerMigrationPlan } from "../../core/migration";
import { chooseCredential, chooseSubscription } from "../azure-options";
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
    const azure = await import("../../azure");
    const endpoint = azure.resolveArmEndpoint(options.endpoint);
    const credential = azure.credentialFor(endpoint, chooseCredential(azure, options.token));
    const subscriptionId = await chooseSubscription("migrate", azure, options.subscription, endpoint.url, credential);
    return azure.readNatPoolMigrationPlan({
        subscriptionId,
        resourceGroupName: options.resourceGroup,
        loadBalancerName: options.loadBalancer,
        credential,
        endpoint: endpoint.url,
        source: "migrate",
    });
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
