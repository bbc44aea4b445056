import { AzureNatRulesError, PulumiMessageError } from "../core/errors";

/**
 * An error as Azure Resource Manager returns it: an error `code`, the HTTP `statusCode` and a
 * message. The simulator throws it wherever ARM would reject a request; the ARM server sends it as
 * `{"error":{"code","message","details":[]}}`. Azure's error, so not an `AzureNatRulesError`: a
 * catch of the library's own errors does not take it for one.
 */
export class ArmError extends PulumiMessageError {
    constructor(
        readonly code: string,
        readonly statusCode: number,
        message: string,
    ) {
        super(message);
    }

    /** The ARM response body for this error; Microsoft.Network answers carry `details: []` (`Details=[]` in hashicorp/terraform-provider-azurerm#84). */
    toBody(): { error: { code: string; message: string; details: unknown[] } } {
        return { error: { code: this.code, message: this.message, details: [] } };
    }

    override toString(): string {
        return `${this.name} ${this.statusCode} (${this.code}): ${this.message}`;
    }
}

/** A saved simulator state that cannot be read: the file and what is wrong with it. */
export class SimulatorStateError extends AzureNatRulesError {
    constructor(
        readonly file: string,
        readonly problem: string,
    ) {
        super(`simulator state ${JSON.stringify(file)}: ${problem}`);
    }
}

/**
 * Error codes the simulator returns. "real" codes are ones Azure is documented or reported to
 * return; "guess" codes are ours where no source gives the real one (message wording follows ARM).
 */
export const ARM_ERROR_CODES = {
    /** real: Azure/azure-cli#21583 */
    missedV2Properties: "MissedInboundNatRuleV2Properties",
    /** real: Azure/azure-cli#21583 */
    frontendPortWithRange: "UnsupportedSetOfInboundNatRulePropertiesWhenFrontendPortIsSpecified",
    /**
     * guess for NAT rule bounds: ARM's generic code for a bad parameter value (real for other
     * resources, e.g. Compute's sku.capacity "is out of range"); no recording shows a NAT rule bound refused.
     */
    invalidParameter: "InvalidParameter",
    /** guess: no source gives the code for overlapping frontend ports on one frontend IP configuration. */
    frontendPortOverlap: "FrontendPortOverlapsAnotherRule",
    /** guess: V2 rules are documented for Standard SKU only (docs: inbound-nat-rules). */
    v2OnBasicSku: "InboundNatRuleV2NotSupportedOnBasicSkuLoadBalancer",
    /** guess: the spec says NAT rules and NAT pools on one load balancer are mutually exclusive (here: a NAT pool added beside NAT rules). */
    natRulesWithNatPools: "LoadBalancerCannotHaveBothInboundNatRulesAndInboundNatPools",
    /**
     * real: code and message quoted in MicrosoftDocs/azure-docs#59705 ("Adding or updating NAT Rules when NAT pool is present on
     * loadbalancer ... is not supported. To modify the load balancer, pass in all NAT rules unchanged or remove the
     * LoadBalancerInboundNatRules property from your PUT request.").
     */
    natRulesChangedWithNatPool: "AddingOrUpdatingNatRulesWhenNatPoolIsPresentOnLoadbalancerIsNotSupported",
    /** guess code; message as reported in Azure/azure-powershell#4698. */
    natPoolInUse: "InboundNatPoolInUseByVirtualMachineScaleSet",
    /** real: code and message quoted in hashicorp/terraform-provider-azurerm#84 (raised on the NIC PUT). */
    rulesUseSameBackendPort: "RulesUseSameBackendPortProtocolAndIPConfig",
    /** real: docs load-balancer-common-deployment-errors. */
    ruleCountPerNic: "LoadBalancerRuleCountLimitReachedForNic",
    /** guess: rules per load balancer over 1,500 (subscription limits page). */
    ruleCountPerLoadBalancer: "LoadBalancerRuleCountLimitReached",
    /**
     * guess, modelled on the real NAT-pool code below: a scale-out a V2 range cannot serve. The docs
     * (inbound-nat-rules) say only that such a scale-out is blocked; no recorded answer shows the code.
     */
    portRangeExhausted: "InboundNatRulePortRangeExhausted",
    /** real: MicrosoftDocs/azure-docs#119323. */
    natPoolRangeTooSmall: "InboundNatPoolFrontendPortRangeSmallerThanRequestedPorts",
    /** real: docs load-balancer-common-deployment-errors. */
    differentSku: "DifferentSkuLoadBalancersAndPublicIPAddressNotAllowed",
    /** real: ARM's dangling-reference error. */
    invalidReference: "InvalidResourceReference",
    /** real: ARM's answer to a PUT of a child whose parent does not exist. */
    parentNotFound: "ParentResourceNotFound",
    /** real */
    resourceGroupNotFound: "ResourceGroupNotFound",
    /** real */
    resourceNotFound: "ResourceNotFound",
    /** real */
    subscriptionNotFound: "SubscriptionNotFound",
    /** real: a NIC already attached to another VM. */
    nicInUse: "NicInUse",
    /** real: docs load-balancer-common-deployment-errors. */
    loadBalancerInUse: "LoadBalancerInUseByVirtualMachineScaleSet",
    /** real */
    subnetIsFull: "SubnetIsFull",
    /** real (our range holds 254 addresses). */
    publicIpLimit: "PublicIPCountLimitReached",
    /** real */
    securityRulePriority: "SecurityRuleInvalidPriority",
    /** guess: a malformed CIDR. */
    invalidAddressPrefix: "InvalidAddressPrefixFormat",
    /** real: a value of the wrong JSON type. */
    invalidRequestFormat: "InvalidRequestFormat",
    /** real: a body that is not JSON. */
    invalidRequestContent: "InvalidRequestContent",
    /** guess: the port-mapping query for an address that is not in the pool. */
    notInBackendPool: "BackendAddressNotInBackendPool",
    /** ours: a resource type the simulator does not model. */
    notSimulated: "InvalidResourceType",
    /** real */
    authenticationFailed: "AuthenticationFailed",
} as const;
