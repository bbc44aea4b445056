import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import type { PortAssignment } from "../core/types";
import { PortMappingLookupError, resolveArmEndpoint, staticTokenCredential } from "../azure";
import { readArmResource } from "./arm-get";
import { labelPoolMappings, scaleSetInstancesInPool } from "../rule-pipeline/pool-labels";
import { armEndpointFor, lookupRuleMappings, type RuleMappingsLocation } from "./azure-mappings";
import { ProviderReads, readEmbeddedRuleMappings, readRuleThroughInvoke, scaleSetCoveredByPool } from "./invoke-mappings";

export interface CurrentMappingsRequest extends RuleMappingsLocation {
    /**
     * A Uniform scale set with upgrade policy Manual: its instances outside the pool are read too
     * (`pendingUpgrade`), since they keep the model they run until upgraded.
     */
    manualScaleSetId?: string;
}

/** What Azure has for a rule before this deployment changes it. */
export interface CurrentMappings {
    /** False when the load balancer, pool or rule does not exist yet: the plan starts from empty. */
    exists: boolean;
    /** Labels unique per pool (./pool-labels.ts); `scaleSet` names a Uniform instance's scale set. */
    mappings: (PortAssignment & { scaleSet?: string })[];
    /**
     * Instances of a Manual scale set that Azure has but the pool does not hold: they run a model
     * without the pool, and get a port only once upgraded (`az vmss update-instances`). Undefined when not read.
     */
    pendingUpgrade?: string[];
    /** The rule's frontend range in Azure now, when it exists and Azure's answer carries one. */
    range?: { start: number; end: number };
}

/** Azure's answer for a rule, load balancer or pool that is not there: nothing to plan from. */
function isMissing(err: unknown): boolean {
    return err instanceof PortMappingLookupError && err.statusCode === 404;
}

/**
 * Reads the rule's mappings as Azure has them now, with the azure-native provider's token, in
 * preview as in update, and changes nothing. A rule that does not exist yet has none. When Azure
 * cannot be read, a warning says why and the plan starts from empty, as for a new rule.
 */
export async function readCurrentMappings(request: CurrentMappingsRequest, resource: pulumi.Resource): Promise<CurrentMappings> {
    try {
        const { token } = await authorization.getClientToken({}, { parent: resource });
        if (!token) {
            void pulumi.log.warn(`The azure-native provider gave no token to read Azure's current port mappings for rule "${request.ruleName}"; the plan assumes a new rule.`, resource);
            return { exists: false, mappings: [] };
        }
        // A rule not created yet (every first preview) has nothing to read: one small read of the
        // rule says so, and otherwise gives its current range. Through the provider's invoke where
        // it reads this cloud (no Azure client to load), else through our own client.
        const ownCloud = request.endpoint === armEndpointFor(undefined);
        // One set of invokes for this read: the pool and the subscription serve several questions.
        const reads = ownCloud ? new ProviderReads(request, resource) : undefined;
        const rule = (reads ? await readRuleThroughInvoke(request, resource, reads).catch(() => undefined) : undefined) ?? await readRule(request, token);
        const pendingUpgrade = request.manualScaleSetId ? await pendingUpgradeOf(request, request.manualScaleSetId, token, reads) : undefined;
        const pending = pendingUpgrade ? { pendingUpgrade } : {};
        if (rule.exists === false) return { exists: false, mappings: [], ...pending };
        // Through the provider's invoke where the pool embeds every member's mapping (./invoke-mappings.ts); else its own read.
        const embedded = reads ? await readEmbeddedRuleMappings(request, resource, reads).catch(() => undefined) : undefined;
        const entries = embedded ?? labelPoolMappings((await lookupRuleMappings(request, token)).mappings);
        const mappings = entries.map((e) => ({ instance: e.instance, frontendPort: e.frontendPort, ...(e.scaleSet ? { scaleSet: e.scaleSet } : {}) }));
        return { exists: true, mappings, ...(rule.range ? { range: rule.range } : {}), ...pending };
    } catch (err) {
        if (isMissing(err)) return { exists: false, mappings: [] };
        void pulumi.log.warn(
            `Could not read Azure's current port mappings for rule "${request.ruleName}" (${(err as Error).message}); ` +
                "the plan assumes a new rule. Set readAzureMappings: false to skip this read.",
            resource,
        );
        return { exists: false, mappings: [] };
    }
}

/** Compute's api-version for the scale set's instance list (VirtualMachineScaleSetVMs_List). */
const COMPUTE_API_VERSION = "2024-07-01";

/** A Manual scale set's instances outside the pool: none when the provider's invokes show the pool holds them all, else listed. */
async function pendingUpgradeOf(request: CurrentMappingsRequest, scaleSetId: string, token: string, reads: ProviderReads | undefined): Promise<string[] | undefined> {
    const covered = reads ? await scaleSetCoveredByPool(request, scaleSetId, undefined, reads).catch(() => undefined) : undefined;
    return covered === true ? [] : instancesOutsidePool(request, scaleSetId, token);
}

/**
 * A Uniform scale set's instances that the pool does not hold: the instance list
 * (`{scale set}/virtualMachines`, each with its `instanceId`) less the pool's
 * `backendIPConfigurations` under this scale set. Undefined when either read fails.
 */
async function instancesOutsidePool(request: CurrentMappingsRequest, scaleSetId: string, token: string): Promise<string[] | undefined> {
    let endpoint: string;
    try {
        endpoint = resolveArmEndpoint(request.endpoint).url.replace(/\/+$/, "");
    } catch {
        return undefined;
    }
    const credential = staticTokenCredential(token);
    const segment = encodeURIComponent;
    const poolId = `/subscriptions/${segment(request.subscriptionId)}/resourceGroups/${segment(request.resourceGroupName)}` +
        `/providers/Microsoft.Network/loadBalancers/${segment(request.loadBalancerName)}/backendAddressPools/${segment(request.backendPoolName)}`;
    const [vms, pool] = await Promise.all([
        readArmResource(`${scaleSetId}/virtualMachines`, { endpoint, credential, apiVersion: COMPUTE_API_VERSION }),
        readArmResource(poolId, { endpoint, credential }),
    ]);
    const list = (vms as { value?: { instanceId?: unknown }[] } | undefined)?.value;
    if (!Array.isArray(list)) return undefined;
    const configs = pool === "missing" ? [] : (pool as { properties?: { backendIPConfigurations?: { id?: string }[] } } | undefined)?.properties?.backendIPConfigurations ?? [];
    const members = scaleSetInstancesInPool(configs, scaleSetId);
    return list.map((vm) => String(vm.instanceId ?? "")).filter((id) => id !== "" && !members.has(id.toLowerCase()));
}

/**
 * Whether Azure has the rule, and its frontend range: one GET of the rule (`exists` undefined when
 * the answer tells neither: the full read then reports why).
 */
async function readRule(request: CurrentMappingsRequest, token: string): Promise<{ exists: boolean | undefined; range?: { start: number; end: number } }> {
    let endpoint: string;
    try {
        endpoint = resolveArmEndpoint(request.endpoint).url.replace(/\/+$/, "");
    } catch {
        return { exists: undefined };
    }
    const segment = encodeURIComponent;
    const id = `/subscriptions/${segment(request.subscriptionId)}/resourceGroups/${segment(request.resourceGroupName)}` +
        `/providers/Microsoft.Network/loadBalancers/${segment(request.loadBalancerName)}/inboundNatRules/${segment(request.ruleName)}`;
    const body = await readArmResource(id, { endpoint, credential: staticTokenCredential(token) });
    if (body === undefined) return { exists: undefined };
    if (body === "missing") return { exists: false };
    const props = (body as { properties?: { frontendPortRangeStart?: unknown; frontendPortRangeEnd?: unknown } }).properties;
    const start = props?.frontendPortRangeStart;
    const end = props?.frontendPortRangeEnd;
    return { exists: true, ...(typeof start === "number" && typeof end === "number" ? { range: { start, end } } : {}) };
}
