import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { compareInstances } from "../core/allocation";
import { lookupPortMappings, staticTokenCredential } from "../azure";
import type { NatPortMapping } from "../mapping";
import { readEmbeddedRuleMappings } from "./invoke-mappings";
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
        const entries = (await readThroughInvoke(request, resource)) ?? (await lookupRuleMappings(request, await providerToken(resource))).mappings;
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

/** The azure-native provider's ARM token, for the reads the invoke cannot answer. */
async function providerToken(resource: pulumi.Resource): Promise<string> {
    const { token } = await authorization.getClientToken({}, { parent: resource });
    return token ?? "";
}

/**
 * Azure's mappings of the rule through the provider's `getLoadBalancerBackendAddressPool` invoke
 * (./invoke-mappings.ts), when the component reads the provider's own cloud (no armEndpoint of its
 * own), the pool embeds every member's mapping and the rule's protocol is known; else undefined.
 */
async function readThroughInvoke(request: AzureMappingRequest, resource: pulumi.Resource): Promise<{ instance: string; frontendIp: string; frontendPort: number; backendPort: number; protocol: NatPortMapping["protocol"] }[] | undefined> {
    if (request.endpoint !== armEndpointFor(undefined)) return undefined;
    const protocol = request.planned[0]?.protocol;
    const embedded = await readEmbeddedRuleMappings(request, resource).catch(() => undefined);
    if (embedded === undefined || (embedded.length > 0 && protocol === undefined)) return undefined;
    return embedded.map((m) => ({ instance: m.instance, frontendIp: "", frontendPort: m.frontendPort, backendPort: m.backendPort, protocol: protocol! }));
}

/**
 * Instances whose port differs between the plan and Azure, described for a warning. Only what the
 * plan claimed is compared: a label marked guessed (Azure names new instances and picks which
 * survive a scale-in) is matched by its port, a port marked guessed is not compared, and an
 * instance marked upgradePending was planned to have no mapping until it is upgraded.
 */
export function differingInstances(planned: NatPortMapping[], actual: NatPortMapping[]): string[] {
    const sure = new Map(planned.filter((m) => !m.labelGuessed).map((m) => [m.instance, m]));
    const guessed = planned.filter((m) => m.labelGuessed);
    const out: string[] = [];
    const unlabelled: NatPortMapping[] = [];
    for (const got of actual) {
        const want = sure.get(got.instance);
        if (want === undefined) {
            unlabelled.push(got);
            continue;
        }
        sure.delete(got.instance);
        if (!want.portGuessed && want.frontendPort !== got.frontendPort) out.push(`${got.instance}: planned ${want.frontendPort}, Azure gave ${got.frontendPort}`);
    }
    for (const got of unlabelled) {
        const byPort = guessed.findIndex((m) => m.frontendPort === got.frontendPort);
        const match = byPort >= 0 ? byPort : guessed.findIndex((m) => m.portGuessed);
        if (match >= 0) guessed.splice(match, 1);
        else out.push(`${got.instance}: not planned, Azure gave ${got.frontendPort}`);
    }
    for (const missing of [...sure.values(), ...guessed]) {
        if (!missing.upgradePending) out.push(`${missing.instance}: planned ${missing.frontendPort}, Azure has no mapping`);
    }
    return out.sort();
}
