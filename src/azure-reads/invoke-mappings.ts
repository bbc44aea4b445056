import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as network from "@pulumi/azure-native/network";
import { instanceFromIpConfigurationId } from "../core/instances";
import { labelPoolMappings, scaleSetOfMember } from "../rule-pipeline/pool-labels";

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
export async function readEmbeddedRuleMappings(location: InvokeLocation, resource: pulumi.Resource | undefined): Promise<EmbeddedRuleMapping[] | undefined> {
    const opts = resource ? { parent: resource } : {};
    const config = await authorization.getClientConfig(opts);
    if ((config.subscriptionId ?? "").toLowerCase() !== location.subscriptionId.toLowerCase()) return undefined;
    const pool = (await network.getLoadBalancerBackendAddressPool(
        { resourceGroupName: location.resourceGroupName, loadBalancerName: location.loadBalancerName, backendAddressPoolName: location.backendPoolName },
        opts,
    )) as unknown as InvokedPool;
    return embeddedRuleMappings(pool, location.ruleName);
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
