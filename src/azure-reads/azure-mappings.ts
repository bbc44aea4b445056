import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { compareInstances } from "../core/allocation";
import { lookupPortMappings, staticTokenCredential } from "../azure";
import type { NatPortMapping } from "../mapping";
import { labelPoolMappings } from "../rule-pipeline/pool-labels";

/** Environment variable that points every component at another ARM endpoint (a sovereign cloud, or the simulator). */
export const ARM_ENDPOINT_ENV = "AZURE_NAT_RULES_ARM_ENDPOINT";

/**
 * The ARM endpoint to read from: the component's own arg, else $AZURE_NAT_RULES_ARM_ENDPOINT,
 * else the cloud the azure-native provider is configured for (`azure-native:environment`).
 */
export function armEndpointFor(explicit: string | undefined): string {
    if (explicit) return explicit;
    const fromEnv = process.env[ARM_ENDPOINT_ENV];
    if (fromEnv) return fromEnv;
    const environment = (new pulumi.Config("azure-native").get("environment") ?? "public").toLowerCase();
    return environment === "usgovernment" || environment === "china" ? environment : "public";
}

/** Where one rule's mappings are read from. */
export interface RuleMappingsLocation {
    subscriptionId: string;
    resourceGroupName: string;
    loadBalancerName: string;
    backendPoolName: string;
    ruleName: string;
    endpoint: string;
    /** The longest the read may take; default lookupPortMappings' own (10 minutes). */
    timeoutMs?: number;
}

export interface AzureMappingRequest extends RuleMappingsLocation {
    /** Used when Azure's answer carries no frontend IP. */
    frontendIp: string;
    planned: NatPortMapping[];
}

/** One rule's mappings as Azure has them, read with an ARM access token (the provider's own). */
export function lookupRuleMappings(rule: RuleMappingsLocation, token: string): ReturnType<typeof lookupPortMappings> {
    return lookupPortMappings({
        subscriptionId: rule.subscriptionId,
        resourceGroupName: rule.resourceGroupName,
        loadBalancerName: rule.loadBalancerName,
        backendPoolName: rule.backendPoolName,
        ruleName: rule.ruleName,
        credential: staticTokenCredential(token),
        endpoint: rule.endpoint,
        // lookupPortMappings gives up by itself (10 minutes by default), so `pulumi up` never hangs.
        timeoutMs: rule.timeoutMs,
    });
}

/**
 * Azure's real mappings of one rule, read with the azure-native provider's own credentials
 * (`authorization.getClientToken`), so the user configures nothing twice. When Azure's answer
 * differs from the plan, a warning names the instances. When it cannot be read, a warning says
 * why and the planned mappings stand (marked `planned`): the deployment itself succeeded.
 */
export async function readAzureMappings(request: AzureMappingRequest, resource: pulumi.Resource): Promise<NatPortMapping[]> {
    try {
        const { token } = await authorization.getClientToken({}, { parent: resource });
        const { mappings: entries } = await lookupRuleMappings(request, token ?? "");
        const actual: NatPortMapping[] = labelPoolMappings(entries)
            .map((e) => ({
                instance: e.instance,
                frontendIp: e.frontendIp || request.frontendIp,
                frontendPort: e.frontendPort,
                backendPort: e.backendPort,
                protocol: e.protocol,
                source: "azure",
            }))
            .sort((a, b) => compareInstances(a.instance, b.instance));
        const differs = differingInstances(request.planned, actual);
        if (differs.length > 0) {
            void pulumi.log.warn(
                `Azure's port assignment differs from the plan for ${differs.length} instance(s): ${differs.join("; ")}. ` +
                    "portMappings holds Azure's assignment. (The plan starts from Azure's mappings before the deployment; " +
                    "Azure picks the ids of new instances of an overprovisioning or Flexible scale set, numbers further on after its highest ids were removed, " +
                    "and changes made outside Pulumi during the deployment are not in the plan.)",
                resource,
            );
        }
        return actual;
    } catch (err) {
        void pulumi.log.warn(
            `Could not read Azure's port mappings for rule "${request.ruleName}" (${(err as Error).message}); ` +
                "portMappings holds the planned mappings. Set readAzureMappings: false to skip this read.",
            resource,
        );
        return request.planned;
    }
}

/** Instances whose port differs between two mappings, described for a warning. */
export function differingInstances(planned: NatPortMapping[], actual: NatPortMapping[]): string[] {
    const plannedPorts = new Map(planned.map((m) => [m.instance, m.frontendPort]));
    const actualPorts = new Map(actual.map((m) => [m.instance, m.frontendPort]));
    const out: string[] = [];
    for (const [instance, port] of actualPorts) {
        const want = plannedPorts.get(instance);
        if (want === undefined) out.push(`${instance}: not planned, Azure gave ${port}`);
        else if (want !== port) out.push(`${instance}: planned ${want}, Azure gave ${port}`);
    }
    for (const [instance, port] of plannedPorts) {
        if (!actualPorts.has(instance)) out.push(`${instance}: planned ${port}, Azure has no mapping`);
    }
    return out.sort();
}
