import type * as pulumi from "@pulumi/pulumi";

/** Arguments both NAT-rule components take: where the rule lives, its settings, checks and access. */
export interface NatRuleCommonArgs {
    /**
     * ARM id of the load balancer (its `id` output). Required.
     * The rule is created in that load balancer's resource group.
     */
    loadBalancerId: pulumi.Input<string>;
    /** ARM id of the load balancer's frontend IP configuration the rule listens on. Required. */
    frontendIPConfigurationId: pulumi.Input<string>;
    /** Port the VM or instances listen on. Required; an integer from 1 to 65535 (e.g. 22 for SSH, 3389 for RDP). */
    backendPort: pulumi.Input<number>;
    /** Transport protocol: "Tcp", "Udp" or "All" (any casing). @default "Tcp" */
    protocol?: pulumi.Input<string>;
    /** TCP idle timeout in minutes, 4 to 30; TCP only. @default 4 (Azure's default) */
    idleTimeoutInMinutes?: pulumi.Input<number>;
    /** Floating IP (direct server return); can't be changed after creation. @default false */
    enableFloatingIP?: pulumi.Input<boolean>;
    /** Send TCP reset on idle timeout; TCP only. @default false */
    enableTcpReset?: pulumi.Input<boolean>;
    /** Name of the NAT rule in Azure. @default the component's name */
    ruleName?: pulumi.Input<string>;
    /** Frontend IP address (e.g. the public IP's `ipAddress`), used in the port mapping outputs. @default "" */
    frontendIpAddress?: pulumi.Input<string>;
    /**
     * The load balancer's load-balancing rules, checked against this rule at preview (shared
     * frontend ports, shared backend ports, rule limits); those on a backend-pool rule's pool are
     * counted on its members. Every NAT-rule component of the program on the same load balancer is
     * checked too, without listing them. @default [] (none)
     */
    loadBalancingRules?: pulumi.Input<pulumi.Input<NatLoadBalancingRuleInfo>[]>;
    /**
     * Who may connect: CIDRs ("203.0.113.0/24"), single IPs, service tags ("VirtualNetwork") or "*".
     * With `networkSecurityGroupId`, an NSG rule allows exactly these sources to the backend port.
     * At least one entry. @default none: no NSG rule (a Standard load balancer then lets nothing in)
     */
    allowedSourceAddressPrefixes?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * ARM id of the NSG (on the backends' subnet or NICs) to add the allow rule to. Give it together
     * with `allowedSourceAddressPrefixes`, or neither. @default none: no NSG rule
     */
    networkSecurityGroupId?: pulumi.Input<string>;
    /**
     * Priority of the NSG rule, 100 to 4096, free in the NSG.
     * @default the first free of 1000, 1010, ..., 4090 (then 100, ..., 990), clear of the NSG's other rules this program adds and of `existingSecurityRulePriorities`
     */
    securityRulePriority?: pulumi.Input<number>;
    /**
     * Priorities used by the NSG's rules that this program does not add through these components
     * (each 100 to 4096; others are ignored). @default [] (none)
     */
    existingSecurityRulePriorities?: pulumi.Input<pulumi.Input<number>[]>;
}

/**
 * A load-balancing rule on the same load balancer, as the NAT-rule components take it for their
 * conflict checks. A plain interface (no unions), so Pulumi can infer a schema for other languages.
 */
export interface NatLoadBalancingRuleInfo {
    /** The rule's name, quoted in conflict messages. Required. */
    name: string;
    /** ARM id of the frontend IP configuration the rule listens on; must belong to the same load balancer. Required. */
    frontendIPConfigurationId: string;
    /** "Tcp", "Udp" or "All" (any casing). @default "Tcp" */
    protocol?: string;
    /** Frontend port, 0 to 65534; 0 with protocol "All" is an HA-ports rule, which takes every port. Required. */
    frontendPort: number;
    /** Backend port, 0 to 65535 (0 only for an HA-ports rule). Required. */
    backendPort: number;
    /** Floating IP; two rules may share a backend port only when both enable it. @default false */
    enableFloatingIP?: boolean;
    /**
     * ARM id of the backend pool the rule sends traffic to. Needed to compare backend ports and to
     * count the rule on the pool's members. @default none: the rule is compared on its frontend only
     */
    backendAddressPoolId?: string;
}
