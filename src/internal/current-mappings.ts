import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import type { PortAssignment } from "../core/types";
import { PortMappingLookupError, resolveArmEndpoint, staticTokenCredential } from "../azure";
import { readArmResource } from "./arm-get";
import { labelPoolMappings } from "./pool-labels";
import { lookupRuleMappings, type RuleMappingsLocation } from "./azure-mappings";

export type CurrentMappingsRequest = RuleMappingsLocation;

/** What Azure has for a rule before this deployment changes it. */
export interface CurrentMappings {
    /** False when the load balancer, pool or rule does not exist yet: the plan starts from empty. */
    exists: boolean;
    /** Labels unique per pool (./pool-labels.ts); `scaleSet` names a Uniform instance's scale set. */
    mappings: (PortAssignment & { scaleSet?: string })[];
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
        // A rule not created yet (every first preview) has nothing to read: one small GET says so,
        // and otherwise gives the rule's current range.
        const rule = await readRule(request, token);
        if (rule.exists === false) return { exists: false, mappings: [] };
        const entries = await lookupRuleMappings(request, token);
        const mappings = labelPoolMappings(entries).map((e) => ({ instance: e.instance, frontendPort: e.frontendPort, ...(e.scaleSet ? { scaleSet: e.scaleSet } : {}) }));
        return { exists: true, mappings, ...(rule.range ? { range: rule.range } : {}) };
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
