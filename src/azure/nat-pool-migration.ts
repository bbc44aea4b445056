/**
 * The plan to migrate a load balancer's inbound NAT pools, read from Azure: the load balancer, and
 * the scale sets whose model references its pools with their instance ids. Reads only.
 */
// Types only at load time: the Azure SDK's pipeline loads on the first read.
import type { TokenCredential } from "@azure/identity";
import { scaleSetIdOf } from "../core/arm-ids";
import { AzureNatRulesError } from "../core/errors";
import { armProperty, planNatPoolMigration, readScaleSet, type LoadBalancerMigrationPlan, type NatPoolScaleSet } from "../core/migration";
import type { ArmLoadBalancer } from "./arm-types";
import { ArmClient, NETWORK_API_VERSION } from "./client";
import { credentialFor } from "./credentials";
import { resolveArmEndpoint } from "./endpoints";
import { explainArmFailure, READ_LOAD_BALANCER_ACTION } from "./errors";

/** Compute API version for scale set reads (GA, serves upgradePolicy and overprovision). */
const COMPUTE_API_VERSION = "2024-07-01";
export const READ_SCALE_SET_ACTION = "Microsoft.Compute/virtualMachineScaleSets/read";

export interface ReadNatPoolMigrationPlanOptions {
    subscriptionId: string;
    resourceGroupName: string;
    loadBalancerName: string;
    /** Default: DefaultAzureCredential for the endpoint's cloud. */
    credential?: TokenCredential;
    /** ARM endpoint URL, or a preset name from `ARM_ENDPOINTS`; default `public`. */
    endpoint?: string;
    /** Who asks, first in every message; default "readNatPoolMigrationPlan". */
    source?: string;
}

/**
 * Reads the load balancer, and the scale sets that reference its NAT pools, from Azure, and plans
 * the migration to backend-pool NAT rules (see `planNatPoolMigration`). A scale set that cannot be
 * read leaves the plan on what the load balancer shows, with a warning.
 */
export async function readNatPoolMigrationPlan(options: ReadNatPoolMigrationPlanOptions): Promise<LoadBalancerMigrationPlan> {
    const source = options.source ?? "readNatPoolMigrationPlan";
    const endpoint = resolveArmEndpoint(options.endpoint);
    const credential = credentialFor(endpoint, options.credential);
    const { subscriptionId, resourceGroupName, loadBalancerName } = options;
    // A handful of GETs: no pacing (see ArmClientOptions.pacing), fewer retries than a lookup's.
    const client = new ArmClient({ endpoint: endpoint.url, credential, retry: { maxRetries: 2, retryDelayInMs: 500 } });
    const where = `load balancer ${loadBalancerName} (resource group ${resourceGroupName}, subscription ${subscriptionId})`;
    let loadBalancer: ArmLoadBalancer;
    try {
        const path = `/subscriptions/${encodeURIComponent(subscriptionId)}/resourceGroups/${encodeURIComponent(resourceGroupName)}/providers/Microsoft.Network/loadBalancers/${encodeURIComponent(loadBalancerName)}`;
        loadBalancer = await client.json<ArmLoadBalancer>("GET", path, { apiVersion: NETWORK_API_VERSION });
    } catch (err) {
        throw armFailure(source, err, `reading ${where}`, READ_LOAD_BALANCER_ACTION);
    }
    const natPoolIds = (loadBalancer.properties?.inboundNatPools ?? []).map((p) => p.id).filter((id): id is string => typeof id === "string");
    if (natPoolIds.length === 0) return planNatPoolMigration(loadBalancer, { source });
    const read = await readReferencingScaleSets(source, client, subscriptionId, resourceGroupName, loadBalancer, natPoolIds);
    return planNatPoolMigration(loadBalancer, { scaleSets: read.scaleSets, scaleSetsUnread: read.unread, source });
}

function armFailure(source: string, err: unknown, doing: string, action: string): AzureNatRulesError {
    const { statusCode: status, azureSaid: said } = explainArmFailure(err);
    const fix =
        status === 404 ? "Fix: check the names and the subscription."
            : status === 401 ? "Fix: sign in again (az login) or pass a valid ARM access token with --token."
                : status === 403 ? `Fix: grant the identity ${action} (the built-in Reader role has it).`
                    : "Fix: check the endpoint and try again.";
    return new AzureNatRulesError(`${source}: failed ${doing} (${said}). ${fix}`);
}

/**
 * The scale sets whose model references one of the pools: those in the load balancer's resource
 * group, plus any the pools' per-instance NAT rules name elsewhere; with their instance ids. A
 * failure leaves `unread` set, and the plan goes on with what the load balancer shows.
 */
async function readReferencingScaleSets(
    source: string,
    client: ArmClient,
    subscriptionId: string,
    resourceGroup: string,
    loadBalancer: ArmLoadBalancer,
    natPoolIds: readonly string[],
): Promise<{ scaleSets: NatPoolScaleSet[]; unread?: string }> {
    const read = async <T>(what: () => Promise<T>, target: string): Promise<T> => {
        try {
            return await what();
        } catch (err) {
            throw armFailure(source, err, `GET ${client.url(target, COMPUTE_API_VERSION)}`, READ_SCALE_SET_ACTION);
        }
    };
    const get = (path: string) => read(() => client.json<unknown>("GET", path, { apiVersion: COMPUTE_API_VERSION }), path);
    const listAll = (path: string) => read(() => client.listAll<unknown>(path, { apiVersion: COMPUTE_API_VERSION }), path);
    try {
        const scaleSetIds = new Map<string, string>(); // lower-cased id → id
        const inGroup = await listAll(`/subscriptions/${subscriptionId}/resourceGroups/${encodeURIComponent(resourceGroup)}/providers/Microsoft.Compute/virtualMachineScaleSets`);
        const fetched = new Map<string, unknown>();
        for (const json of inGroup) {
            const id = armProperty(json, "id");
            if (typeof id === "string") fetched.set(id.toLowerCase(), json);
        }
        // Scale sets in other resource groups show up as backends of the pools' per-instance rules.
        for (const rule of loadBalancer.properties?.inboundNatRules ?? []) {
            const scaleSetId = scaleSetIdOf(rule.properties?.backendIPConfiguration?.id ?? "");
            if (scaleSetId) scaleSetIds.set(scaleSetId.toLowerCase(), scaleSetId);
        }
        for (const [key, id] of scaleSetIds) if (!fetched.has(key)) fetched.set(key, await get(id));
        const wanted = new Set(natPoolIds.map((id) => id.toLowerCase()));
        const scaleSets: NatPoolScaleSet[] = [];
        for (const [key, json] of fetched) {
            const scaleSet = readScaleSet(json, source, key);
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
