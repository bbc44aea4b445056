import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import { instanceFromIpConfigurationId } from "../core/instances";
import { labelPoolMappings, scaleSetInstancesInPool, scaleSetOfMember } from "../rule-pipeline/pool-labels";

/** Where a rule's mappings are, as readAzureMappings and readCurrentMappings take it. */
export interface InvokeLocation {
    subscriptionId: string;
    resourceGroupName: string;
    loadBalancerName: string;
    backendPoolName: string;
    ruleName: string;
}

/** One member's mapping for the rule, as the pool embeds it. */
export interface EmbeddedRuleMapping {
    instance: string;
    ipConfigurationId: string;
    scaleSet?: string;
    frontendPort: number;
    backendPort: number;
}

interface InvokedPool {
    id?: string;
    backendIPConfigurations?: { id?: string }[];
    loadBalancerBackendAddresses?: {
        networkInterfaceIPConfiguration?: { id?: string };
        ipAddress?: string;
        inboundNatRulesPortMapping?: { inboundNatRuleName?: string; frontendPort?: number; backendPort?: number }[];
    }[];
}

/**
 * The provider invokes one read of a rule makes, each sent once however many questions need it
 * (the subscription check, the rule, the pool, the scale set), with the program's own provider options.
 */
export class ProviderReads {
    private readonly answers = new Map<string, Promise<unknown>>();
    private readonly opts: pulumi.InvokeOptions;

    constructor(private readonly location: InvokeLocation, resource: pulumi.Resource | undefined) {
        this.opts = resource ? { parent: resource } : {};
    }

    private once<T>(key: string, read: () => Promise<T>): Promise<T> {
        if (!this.answers.has(key)) this.answers.set(key, read());
        return this.answers.get(key) as Promise<T>;
    }

    /** Whether the provider reads the load balancer's subscription (else its answers are another's). */
    async sameSubscription(): Promise<boolean> {
        const config = await this.once("config", () => authorization.getClientConfig(this.opts));
        return (config.subscriptionId ?? "").toLowerCase() === this.location.subscriptionId.toLowerCase();
    }

    pool(): Promise<InvokedPool> {
        const { resourceGroupName, loadBalancerName, backendPoolName } = this.location;
        return this.once("pool", () => network.getLoadBalancerBackendAddressPool({ resourceGroupName, loadBalancerName, backendAddressPoolName: backendPoolName }, this.opts) as unknown as Promise<InvokedPool>);
    }

    rule(): Promise<InvokedRule> {
        const { resourceGroupName, loadBalancerName, ruleName } = this.location;
        return this.once("rule", () => network.getInboundNatRule({ resourceGroupName, loadBalancerName, inboundNatRuleName: ruleName }, this.opts) as unknown as Promise<InvokedRule>);
    }

    scaleSet(resourceGroupName: string, vmScaleSetName: string): Promise<{ id?: string; sku?: { capacity?: number } }> {
        return this.once(`scaleSet ${resourceGroupName}/${vmScaleSetName}`, () =>
            compute.getVirtualMachineScaleSet({ resourceGroupName, vmScaleSetName }, this.opts) as unknown as Promise<{ id?: string; sku?: { capacity?: number } }>);
    }
}

/**
 * The rule's mappings through the azure-native provider's own `getLoadBalancerBackendAddressPool`
 * invoke, so the read uses the program's credentials, cloud and provider options, in every
 * language. Azure's pool GET embeds each member's mappings (`loadBalancerBackendAddresses[]
 * .inboundNatRulesPortMapping`, Microsoft.Network 2024-05-01 `BackendAddressPool`). The answer is
 * used only when it is complete: every member is a Uniform scale set instance (its label comes from
 * its ipConfiguration id; a standalone NIC's label needs the NIC list, which the invoke does not
 * give) and embeds a mapping for this rule. Otherwise (and when the provider's subscription is not
 * the load balancer's) it answers undefined, and the caller reads through its own ARM client, which
 * queries only the members whose mappings are not embedded.
 */
export async function readEmbeddedRuleMappings(location: InvokeLocation, resource: pulumi.Resource | undefined, reads = new ProviderReads(location, resource)): Promise<EmbeddedRuleMapping[] | undefined> {
    if (!(await reads.sameSubscription())) return undefined;
    return embeddedRuleMappings(await reads.pool(), location.ruleName);
}

interface InvokedRule {
    id?: string;
    frontendPortRangeStart?: number;
    frontendPortRangeEnd?: number;
}

/**
 * A failed invoke that says the rule (or its load balancer) is not there. Azure answers 404 with
 * code NotFound or ResourceNotFound ("... was not found"), and the engine passes the provider's
 * error text on ("invocation of <token> returned an error: ..."); any other failure is not taken
 * as an answer.
 */
function saysNotFound(err: unknown): boolean {
    const text = err instanceof Error ? err.message : String(err);
    return /\b404\b|NotFound|was not found|could not be found/i.test(text);
}

/**
 * Whether Azure has the rule, and its frontend range, through the provider's own
 * `getInboundNatRule` invoke: one small answer, whatever the size of the load balancer. Undefined
 * when the provider reads another subscription, the answer is not a rule's (a test double echoing
 * its inputs) or the invoke failed for another reason than a missing rule; the caller then reads
 * through its own ARM client.
 */
export async function readRuleThroughInvoke(location: InvokeLocation, resource: pulumi.Resource | undefined, reads = new ProviderReads(location, resource)): Promise<{ exists: boolean; range?: { start: number; end: number } } | undefined> {
    if (!(await reads.sameSubscription())) return undefined;
    let rule: InvokedRule;
    try {
        rule = await reads.rule();
    } catch (err) {
        return saysNotFound(err) ? { exists: false } : undefined;
    }
    if (typeof rule.id !== "string" || !/\/inboundNatRules\/[^/]+$/i.test(rule.id)) return undefined;
    const { frontendPortRangeStart: start, frontendPortRangeEnd: end } = rule;
    return { exists: true, ...(typeof start === "number" && typeof end === "number" ? { range: { start, end } } : {}) };
}

/**
 * Whether every instance of a Uniform scale set is in the pool, through the provider's invokes:
 * the pool's members under the scale set (distinct instance ids) number at least the scale set's
 * capacity as Azure has it now. Members are a subset of the instances, so then none is outside.
 * False when fewer are (the caller lists the instances to name them); undefined when the invokes
 * cannot answer (another subscription, or answers that are not a pool's and a scale set's).
 */
export async function scaleSetCoveredByPool(location: InvokeLocation, scaleSetId: string, resource: pulumi.Resource | undefined, reads = new ProviderReads(location, resource)): Promise<boolean | undefined> {
    if (!(await reads.sameSubscription())) return undefined;
    const scaleSet = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachineScaleSets\/([^/]+)$/i.exec(scaleSetId);
    if (!scaleSet) return undefined;
    const [pool, vmss] = await Promise.all([reads.pool(), reads.scaleSet(scaleSet[1], scaleSet[2])]);
    const capacity = vmss.sku?.capacity;
    if (typeof pool.id !== "string" || !/\/backendAddressPools\//i.test(pool.id) || typeof vmss.id !== "string" || typeof capacity !== "number") return undefined;
    return scaleSetInstancesInPool(pool.backendIPConfigurations ?? [], scaleSetId).size >= capacity;
}

/** {@link readEmbeddedRuleMappings}'s reading of the invoke's answer (undefined: not complete). */
export function embeddedRuleMappings(pool: InvokedPool, ruleName: string): EmbeddedRuleMapping[] | undefined {
    // Not a pool's answer (a test double echoing its inputs): nothing to trust.
    if (typeof pool.id !== "string" || !/\/backendAddressPools\//i.test(pool.id)) return undefined;
    const rule = ruleName.toLowerCase();
    const byConfiguration = new Map<string, { id: string; mapping?: { frontendPort?: number; backendPort?: number } }>();
    for (const c of pool.backendIPConfigurations ?? []) if (c.id) byConfiguration.set(c.id.toLowerCase(), { id: c.id });
    for (const address of pool.loadBalancerBackendAddresses ?? []) {
        const id = address.networkInterfaceIPConfiguration?.id;
        if (!id) return undefined; // an IP-address member: the invoke names no instance for it
        const mapping = (address.inboundNatRulesPortMapping ?? []).find((m) => (m.inboundNatRuleName ?? "").toLowerCase() === rule);
        byConfiguration.set(id.toLowerCase(), { id, mapping: mapping ?? byConfiguration.get(id.toLowerCase())?.mapping });
    }
    const entries: { instance: string; ipConfigurationId: string; frontendPort: number; backendPort: number }[] = [];
    for (const { id, mapping } of byConfiguration.values()) {
        if (!scaleSetOfMember(id)) return undefined;
        if (typeof mapping?.frontendPort !== "number" || typeof mapping.backendPort !== "number") return undefined;
        entries.push({ instance: instanceFromIpConfigurationId(id), ipConfigurationId: id, frontendPort: mapping.frontendPort, backendPort: mapping.backendPort });
    }
    return labelPoolMappings(entries);
}
