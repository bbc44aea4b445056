import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import { exposeResourcesForConstruct, handleOwnRejections } from "./pulumi-sdk/construct-scope";
import { plainOrUnknown } from "./rule-pipeline/inputs";
import { checkRule, createRule, createRuleAccess } from "./rule-pipeline/pipeline";
import { knownOr } from "./pulumi-sdk/settle";
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
        handleOwnRejections();
        // Validate before registering anything, so bad input creates nothing.
        const checkedRule = checkRule({ kind: "SingleVmNatRule", name, args, settings: { frontendPort: args.frontendPort } });
        super("azure-nat-rules:index:SingleVmNatRule", name, {}, opts);
        const { checked } = checkedRule;

        // Checked against every NAT rule of this program on the load balancer, and the given
        // load-balancing rules. The VM counts toward per-VM checks only when vmName is a plain
        // string: an Output (e.g. the VM's name) may depend on this rule through the NIC.
        const vmName = plainOrUnknown(args.vmName);
        const created = createRule(this, checkedRule, {
            conflicts: { frontendPort: checked.frontendPort, members: typeof vmName === "string" ? [`VM ${vmName}`] : [] },
            placement: (allChecked) => ({ frontendPort: pulumi.all([checked.frontendPort, allChecked]).apply(([port]) => port) }),
        });
        this.rule = created.rule;
        this.ruleId = created.ruleId;
        this.ruleName = created.ruleName;
        // After an update these are Azure's own values for the rule; in preview, the planned ones.
        const source = pulumi.runtime.isDryRun() ? "planned" : "azure";
        this.portMapping = pulumi
            // The frontend IP is "" while unknown (a first preview, before the public IP has an
            // address), as in BackendPoolNatRule's plan, so the port is shown all the same.
            .all([args.vmName ?? created.ruleName, knownOr(args.frontendIpAddress, ""), created.inputsChecked, this.rule.frontendPort, checked.frontendPort,
                this.rule.backendPort, checked.backendPort, this.rule.protocol])
            .apply(([instance, frontendIp, , frontendPort, plannedFrontendPort, backendPort, plannedBackendPort, p]) => ({
                instance,
                frontendIp,
                frontendPort: frontendPort ?? plannedFrontendPort,
                backendPort: backendPort ?? plannedBackendPort,
                protocol: p ?? "Tcp",
                source,
            }));

        const access = createRuleAccess(this, name, created);
        this.securityRule = access.securityRule;
        this.securityRuleName = access.securityRuleName;
        this.securityRulePriority = access.securityRulePriority;
        this.securityWarnings = access.securityWarnings;
        this.registerOutputs({
            ruleId: this.ruleId,
            ruleName: this.ruleName,
            portMapping: this.portMapping,
            securityRuleName: this.securityRuleName,
            securityRulePriority: this.securityRulePriority,
            securityWarnings: this.securityWarnings,
        });
        exposeResourcesForConstruct(this, created.inputsChecked, ["rule", "securityRule"]);
    }
}
