import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import { normalizeProtocol } from "./core/validation";
import { checkNatRuleConflicts, loadBalancingRuleIssues } from "./internal/conflict-registry";
import { checkResolvedInputs, loadBalancerIdIssues, loadBalancerParts, plainOrUnknown, validateInputs } from "./internal/inputs";
import { createSecurityRule, declareSecurityRule, securityArgsIssues } from "./internal/security-rule";
import type { NatPortMapping } from "./mapping";
import type { NatRuleCommonArgs } from "./nat-rule-args";

/** Arguments of a {@link SingleVmNatRule}, besides the common ones. */
export interface SingleVmNatRuleArgs extends NatRuleCommonArgs {
    /**
     * Frontend port that reaches the VM. Required; an integer from 1 to 65534, unique on the load
     * balancer for its frontend and protocol.
     */
    frontendPort: pulumi.Input<number>;
    /** Name of the VM, used in the port mapping output. @default the rule name */
    vmName?: pulumi.Input<string>;
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
    /** The NSG rule that lets `allowedSourceAddressPrefixes` in, when `networkSecurityGroupId` is given. */
    public readonly securityRule?: network.SecurityRule;
    /** The NSG rule's name, or undefined without one. */
    public readonly securityRuleName: pulumi.Output<string | undefined>;
    /** The NSG rule's priority, or undefined without one. */
    public readonly securityRulePriority: pulumi.Output<number | undefined>;
    /** Warnings about the NSG rule (a management port open to everyone); also logged with `pulumi.log.warn`. */
    public readonly securityWarnings: pulumi.Output<string[]>;

    constructor(name: string, args: SingleVmNatRuleArgs, opts?: pulumi.ComponentResourceOptions) {
        const component = `SingleVmNatRule "${name}"`;
        const settings = {
            frontendPort: args.frontendPort,
            backendPort: args.backendPort,
            protocol: args.protocol,
            idleTimeoutInMinutes: args.idleTimeoutInMinutes,
            enableTcpReset: args.enableTcpReset,
            enableFloatingIP: args.enableFloatingIP,
        };
        const ids = {
            loadBalancerId: args.loadBalancerId,
            children: [{ field: "frontendIPConfigurationId", id: args.frontendIPConfigurationId, collection: "frontendIPConfigurations" }],
        };
        // Validate before registering anything, so bad input creates nothing.
        const checked = validateInputs(
            component,
            settings,
            {},
            [
                // Ids that are still Outputs are skipped here and checked by checkResolvedInputs.
                ...loadBalancerIdIssues(args.loadBalancerId, ids.children),
                ...loadBalancingRuleIssues(args.loadBalancingRules, plainOrUnknown(args.loadBalancerId)),
                ...securityArgsIssues(args),
            ],
        );
        super("azure-nat-rules:index:SingleVmNatRule", name, {}, opts);

        const lb = loadBalancerParts(component, args.loadBalancerId);
        const protocol = pulumi.output(checked.protocol ?? "Tcp").apply((p) => normalizeProtocol(p) ?? p);
        const ruleName = pulumi.output(args.ruleName ?? name);

        // Checked against every NAT rule of this program on the load balancer, and the given
        // load-balancing rules. The VM counts toward per-VM checks only when vmName is a plain
        // string: an Output (e.g. the VM's name) may depend on this rule through the NIC.
        const vmName = plainOrUnknown(args.vmName);
        const conflictsChecked = checkNatRuleConflicts({
            component,
            name,
            loadBalancerId: args.loadBalancerId,
            frontendIPConfigurationId: args.frontendIPConfigurationId,
            protocol,
            frontendPort: checked.frontendPort,
            backendPort: checked.backendPort as pulumi.Input<number>,
            enableFloatingIP: checked.enableFloatingIP ?? false,
            members: typeof vmName === "string" ? [`VM ${vmName}`] : [],
            loadBalancingRules: args.loadBalancingRules,
        });
        const security = args.networkSecurityGroupId === undefined
            ? undefined
            : declareSecurityRule(component, name, { ...args, networkSecurityGroupId: args.networkSecurityGroupId }, checked.backendPort as pulumi.Input<number>, protocol, this);
        // Every check passes before the rule reaches Azure: a failed one leaves it uncreated.
        const allChecked: pulumi.Output<unknown> = pulumi.all([conflictsChecked, checkResolvedInputs(component, settings, ids), security?.checked ?? true]);
        const frontendPort = pulumi.all([checked.frontendPort as pulumi.Input<number>, allChecked]).apply(([port]) => port);

        this.rule = new network.InboundNatRule(`${name}-rule`, {
            resourceGroupName: lb.resourceGroupName,
            loadBalancerName: lb.loadBalancerName,
            inboundNatRuleName: ruleName,
            frontendIPConfiguration: { id: args.frontendIPConfigurationId },
            frontendPort,
            backendPort: checked.backendPort,
            protocol,
            idleTimeoutInMinutes: checked.idleTimeoutInMinutes,
            enableFloatingIP: checked.enableFloatingIP,
            enableTcpReset: checked.enableTcpReset,
        }, { parent: this });

        // A failed check or input leaves the rule uncreated, so its outputs would never resolve:
        // the component's outputs fail with the same error instead of waiting forever.
        const inputsChecked = pulumi.all([allChecked, frontendPort, ...Object.values(checked)]);
        this.ruleId = pulumi.all([inputsChecked, this.rule.id]).apply(([, id]) => id);
        this.ruleName = ruleName;
        // After an update these are Azure's own values for the rule; in preview, the planned ones.
        const source = pulumi.runtime.isDryRun() ? "planned" : "azure";
        this.portMapping = pulumi
            .all([args.vmName ?? ruleName, args.frontendIpAddress ?? "", pulumi.all([inputsChecked, this.rule.frontendPort]).apply(([, port]) => port), this.rule.backendPort, this.rule.protocol])
            .apply(([instance, frontendIp, frontendPort, backendPort, p]) => ({
                instance,
                frontendIp,
                frontendPort: frontendPort as number,
                backendPort: backendPort as number,
                protocol: p ?? "Tcp",
                source,
            }));

        const nsgRule = security ? createSecurityRule(name, security, allChecked, this) : undefined;
        this.securityRule = nsgRule?.rule;
        this.securityRuleName = nsgRule?.name ?? pulumi.output(undefined);
        this.securityRulePriority = nsgRule?.priority ?? pulumi.output(undefined);
        this.securityWarnings = security?.warnings ?? pulumi.output([]);
        this.registerOutputs({
            ruleId: this.ruleId,
            ruleName: this.ruleName,
            portMapping: this.portMapping,
            securityRuleName: this.securityRuleName,
            securityRulePriority: this.securityRulePriority,
            securityWarnings: this.securityWarnings,
        });
    }
}
