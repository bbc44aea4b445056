/**
 * `azure-nat-rules mappings`: the port mappings Azure really assigned to a backend pool's members.
 */
import type { Command } from "commander";
import { chooseCredential, chooseEndpoint, chooseSubscription, inCommandWords } from "../azure-options";
import { AzureNatRulesError } from "../../core/errors";
import type { PortMappingLookupResult } from "../../azure";
import { formatMappingTable, sshLines } from "../format";
import { lookupProgress } from "../progress";
import { checkSshUser } from "../ssh-names";

interface MappingsOptions {
    resourceGroup: string;
    loadBalancer: string;
    pool: string;
    rule?: string;
    subscription?: string;
    endpoint?: string;
    token?: string;
    user: string;
    json?: boolean;
    concurrency: string;
}

export function register(program: Command): void {
    program
        .command("mappings")
        .description("Show the frontend port Azure assigned to each backend pool member (inbound NAT rules V2), with ssh lines.")
        .requiredOption("-g, --resource-group <name>", "resource group of the load balancer")
        .requiredOption("-l, --load-balancer <name>", "load balancer name")
        .requiredOption("-p, --pool <name>", "backend address pool name")
        .option("-r, --rule <name>", "only this inbound NAT rule")
        .option("-s, --subscription <id>", "subscription id (default: $AZURE_SUBSCRIPTION_ID, else the only one the credential sees)")
        .option("--endpoint <url|preset>", "ARM endpoint URL or one of public, china, usgovernment", "public")
        .option("--token <token>", "ARM access token (default: $AZURE_NAT_RULES_TOKEN, else DefaultAzureCredential)")
        .option("-u, --user <name>", "user name in the ssh lines", "azureuser")
        .option("--concurrency <n>", "ARM requests in flight at the same time", "16")
        .option("--json", "print one JSON object {mappings:[...], unreadMembers:[...], armRequests, armWrites, throttled} on stdout and nothing else")
        .addHelpText(
            "after",
            [
                "",
                "Example:",
                "  $ azure-nat-rules mappings -g my-rg -l my-lb -p my-pool --rule ssh",
                "  $ azure-nat-rules mappings -g my-rg -l my-lb -p my-pool --endpoint china --json",
            ].join("\n"),
        )
        .action(async (options: MappingsOptions) => {
            await runMappings(options);
        });
}

async function runMappings(options: MappingsOptions): Promise<void> {
    const concurrency = Number(options.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
        throw new AzureNatRulesError(`mappings: --concurrency = ${JSON.stringify(options.concurrency)} is invalid: allowed is an integer from 1 to 256. Fix: leave it out for the default of 16, or pass e.g. --concurrency 32.`);
    }
    checkSshUser("mappings", options.user);
    // Loaded on use: the Azure SDK is large and other commands do not need it.
    const lookup = await import("../../azure");
    const endpoint = chooseEndpoint("mappings", lookup, options.endpoint);
    const credential = chooseCredential(lookup, options.token);
    const subscriptionId = await chooseSubscription("mappings", lookup, options.subscription, endpoint, credential);
    const progress = lookupProgress("mappings");
    let result: PortMappingLookupResult;
    try {
        result = await lookup.lookupPortMappings({
            subscriptionId,
            resourceGroupName: options.resourceGroup,
            loadBalancerName: options.loadBalancer,
            backendPoolName: options.pool,
            ruleName: options.rule,
            endpoint,
            credential,
            concurrency,
            onProgress: progress.update,
        });
    } catch (err) {
        throw inCommandWords("mappings", err);
    } finally {
        progress.finish();
    }
    const { mappings } = result;

    if (options.json) {
        const rows = mappings.map(({ instance, rule, protocol, frontendIp, frontendPort, backendPort }) => ({
            instance,
            rule,
            protocol,
            frontendIp,
            frontendPort,
            backendPort,
        }));
        const { unreadMembers, armRequests, armWrites, throttled } = result;
        process.stdout.write(`${JSON.stringify({ mappings: rows, unreadMembers, armRequests, armWrites, throttled })}\n`);
        return;
    }
    warnUnread(result);
    const scope = `pool ${options.pool} of load balancer ${options.loadBalancer} (resource group ${options.resourceGroup})`;
    if (mappings.length === 0) {
        process.stdout.write(`No port mappings on ${scope}${options.rule ? ` for rule ${options.rule}` : ""}.\n`);
        return;
    }
    const lines = [`Port mappings Azure assigned on ${scope}:`, "", formatMappingTable(mappings)];
    const ssh = sshLines(mappings, options.user);
    if (ssh.length > 0) lines.push("", "ssh:", ...ssh.map((line) => `  ${line}`));
    process.stdout.write(`${lines.join("\n")}\n`);
}

/** One stderr line per member Azure's mappings could not be read for (the table shows the others). */
export function warnUnread(result: Pick<PortMappingLookupResult, "unreadMembers">): void {
    for (const member of result.unreadMembers) {
        process.stderr.write(`mappings: could not read the mappings of member ${member.instance}: ${member.reason}\n`);
    }
}
