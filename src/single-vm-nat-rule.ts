import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import { normalizeProtocol } from "./core/validation";
import { loadBalancerIdIssues, loadBalancerParts, plainOrUnknown, validateInputs } from "./internal/inputs";
import type { NatPortMapping } from "./mapping";

/** Arguments of a {@link SingleVmNatRule}. */
export interface SingleVmNatRuleArgs {
    /**
     * ARM id of the load balancer (its `id` output). Required.
     * The rule is created in that load balancer's resource group.
     */
    loadBalancerId: pulumi.Input<string>;
    /** ARM id of the load balancer's frontend IP configuration the rule listens on. Required. */
    frontendIPConfigurationId: pulumi.Input<string>;
    /**
     * Frontend port that reaches the VM. Required; an integer from 1 to 65534, unique on the load
     * balancer for its frontend and protocol.
     */
    frontendPort: pulumi.Input<number>;
    /** Port the VM listens on. Required; an integer from 1 to 65535 (e.g. 22 for SSH, 3389 for RDP). */
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
    /** Name of the VM, used in the port mapping output. @default the rule name */
    vmName?: pulumi.Input<string>;
    /** Frontend IP address (e.g. the public IP's `ipAddress`), used in the port mapping output. @default "" */
    frontendIpAddress?: pulumi.Input<string>;
}

/**
 * A V1 inbound NAT rule: one frontend port of a load balancer forwarded to one port of one VM.
 * Attach it to the VM's NIC by putting `ruleId` in `ipConfigurations[].loadBalancerInboundNatRules`.
 */
export class SingleVmNatRule extends pulumi.ComponentResource {
    /** The azure-native NAT rule. */
    public readonly rule: network.InboundNatRule;
    /** ARM id of the rule, for the NIC's `loadBalancerInboundNatRules`. */
    public readonly ruleId: pulumi.Output<string>;
    /** The rule's name in Azure. */
    public readonly ruleName: pulumi.Output<string>;
    /** How to reach the VM: frontend IP and port to backend port. */
    public readonly portMapping: pulumi.Output<NatPortMapping>;

    constructor(name: string, args: SingleVmNatRuleArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before registering anything, so bad input creates nothing.
        const checked = validateInputs(
            `SingleVmNatRule "${name}"`,
            {
                frontendPort: args.frontendPort,
                backendPort: args.backendPort,
                protocol: args.protocol,
                idleTimeoutInMinutes: args.idleTimeoutInMinutes,
                enableTcpReset: args.enableTcpReset,
                enableFloatingIP: args.enableFloatingIP,
            },
            {},
            loadBalancerIdIssues(plainOrUnknown(args.loadBalancerId), [
                { field: "frontendIPConfigurationId", id: plainOrUnknown(args.frontendIPConfigurationId), collection: "frontendIPConfigurations" },
            ]),
        );
        super("azure-nat-rules:index:SingleVmNatRule", name, {}, opts);

        const lb = loadBalancerParts(`SingleVmNatRule "${name}"`, args.loadBalancerId);
        const protocol = pulumi.output(checked.protocol ?? "Tcp").apply((p) => normalizeProtocol(p) ?? p);
        const ruleName = pulumi.output(args.ruleName ?? name);
        this.rule = new network.InboundNatRule(`${name}-rule`, {
            resourceGroupName: lb.resourceGroupName,
            loadBalancerName: lb.loadBalancerName,
            inboundNatRuleName: ruleName,
            frontendIPConfiguration: { id: args.frontendIPConfigurationId },
            frontendPort: checked.frontendPort,
            backendPort: checked.backendPort,
            protocol,
            idleTimeoutInMinutes: checked.idleTimeoutInMinutes,
            enableFloatingIP: checked.enableFloatingIP,
            enableTcpReset: checked.enableTcpReset,
        }, { parent: this });

        this.ruleId = this.rule.id;
        this.ruleName = ruleName;
        // After an update these are Azure's own values for the rule; in preview, the planned ones.
        const source = pulumi.runtime.isDryRun() ? "planned" : "azure";
        this.portMapping = pulumi
            .all([args.vmName ?? ruleName, args.frontendIpAddress ?? "", this.rule.frontendPort, this.rule.backendPort, this.rule.protocol])
            .apply(([instance, frontendIp, frontendPort, backendPort, p]) => ({
                instance,
                frontendIp,
                frontendPort: frontendPort as number,
                backendPort: backendPort as number,
                protocol: p ?? "Tcp",
                source,
            }));
        this.registerOutputs({ ruleId: this.ruleId, ruleName: this.ruleName, portMapping: this.portMapping });
    }
}
