/**
 * The parts of ARM's JSON (Microsoft.Network, as azure-rest-api-specs' loadBalancer.json,
 * networkInterface.json and publicIpAddress.json define them) that the reads use. ARM nests a
 * resource's fields under `properties`; sub-resource references are `{ id }`.
 */

interface Ref {
    id?: string;
}

export interface ArmInboundNatRule {
    id?: string;
    name?: string;
    properties?: {
        frontendIPConfiguration?: Ref;
        backendAddressPool?: Ref;
        backendIPConfiguration?: Ref;
        protocol?: string;
    };
}

export interface ArmFrontendIpConfiguration {
    id?: string;
    name?: string;
    properties?: {
        privateIPAddress?: string;
        publicIPAddress?: Ref & { properties?: { ipAddress?: string } };
    };
}

export interface ArmLoadBalancer {
    id?: string;
    name?: string;
    properties?: {
        frontendIPConfigurations?: ArmFrontendIpConfiguration[];
        inboundNatRules?: ArmInboundNatRule[];
        inboundNatPools?: Ref[];
    };
}

/** A mapping as the pool GET embeds it per backend address (no protocol: it is the rule's). */
export interface ArmNatRulePortMapping {
    inboundNatRuleName?: string;
    frontendPort?: number;
    backendPort?: number;
}

export interface ArmBackendPool {
    id?: string;
    name?: string;
    properties?: {
        backendIPConfigurations?: Ref[];
        loadBalancerBackendAddresses?: {
            name?: string;
            properties?: {
                ipAddress?: string;
                networkInterfaceIPConfiguration?: Ref;
                inboundNatRulesPortMapping?: ArmNatRulePortMapping[];
            };
        }[];
    };
}

/** The answer of queryInboundNatRulePortMapping (BackendAddressInboundNatRulePortMappings). */
export interface ArmPortMappingsResult {
    inboundNatRulePortMappings?: (ArmNatRulePortMapping & { protocol?: string })[];
}

export interface ArmPublicIp {
    properties?: { ipAddress?: string };
}

export interface ArmNetworkInterface {
    id?: string;
    properties?: { virtualMachine?: Ref };
}
