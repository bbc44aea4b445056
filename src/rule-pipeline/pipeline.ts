import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import type { ValidationIssue } from "../core/errors";
import { normalizeProtocol } from "../core/validation";
import type { NatRuleCommonArgs } from "../nat-rule-args";
import { checkNatRuleConflicts, loadBalancingRuleIssues, type NatRuleDescription } from "../program-registries/conflict-registry";
import {
    checkResolvedInputs,
    type FieldNames,
    type LoadBalancerIds,
    type LateIssues,
    lateIssuesOf,
    type LoadBalancerRef,
    loadBalancerIdIssues,
    loadBalancerParts,
    plainOrUnknown,
    type SettingInputs,
    validateInputs,
} from "./inputs";
import { claimNames } from "../program-registries/name-registry";
import { createSecurityRule, declareSecurityRule, type DeclaredSecurityRule, securityArgsIssues } from "./security-rule";

/** The settings every NAT rule has, as the common args give them. */
export interface CommonSettingInputs {
    backendPort: pulumi.Input<number>;
    protocol: pulumi.Input<string> | undefined;
    idleTimeoutInMinutes: pulumi.Input<number> | undefined;
    enableTcpReset: pulumi.Input<boolean> | undefined;
    enableFloatingIP: pulumi.Input<boolean> | undefined;
}

/** What a component tells the pipeline before it registers itself. */
export interface RuleCheckRequest<S extends SettingInputs> {
    /** The component's class, e.g. "BackendPoolNatRule". */
    kind: string;
    /** The component's name. */
    name: string;
    args: NatRuleCommonArgs;
    /** The settings only this kind of rule has (a frontend port, or a range and a pool). */
    settings: S;
    /** Arg names where they differ from the core's field names. */
    names?: FieldNames;
    /** Ids besides the frontend that must belong to the load balancer (the pool). */
    children?: LoadBalancerIds["children"];
    /** Problems the component found in its own args. */
    issues?: ValidationIssue[];
}

/** A rule whose known inputs passed validation; every field keeps the type the args gave it. */
export interface CheckedRule<S extends SettingInputs> {
    /** `BackendPoolNatRule "name"`, for error messages. */
    component: string;
    name: string;
    args: NatRuleCommonArgs;
    /** The inputs, each passing through its check when it resolves. */
    checked: CommonSettingInputs & S;
    settings: CommonSettingInputs & S;
    names: FieldNames;
    ids: LoadBalancerIds;
    /** Every check of the values that were Outputs at declaration (settings, ids, names), run together. */
    late: LateIssues;
    /** The rule's name in Azure. */
    ruleName: pulumi.Output<string>;
    /** ARM's spelling of the protocol. */
    protocol: pulumi.Output<string>;
}

/**
 * Step one, before the component registers itself: validate every known input and combination,
 * the ids, the load-balancing rules and the NSG args, so bad input creates nothing.
 */
export function checkRule<S extends SettingInputs>(request: RuleCheckRequest<S>): CheckedRule<S> {
    const { args } = request;
    const component = `${request.kind} "${request.name}"`;
    const settings: CommonSettingInputs & S = {
        ...request.settings,
        backendPort: args.backendPort,
        protocol: args.protocol,
        idleTimeoutInMinutes: args.idleTimeoutInMinutes,
        enableTcpReset: args.enableTcpReset,
        enableFloatingIP: args.enableFloatingIP,
    };
    const names = request.names ?? {};
    const ids: LoadBalancerIds = {
        loadBalancerId: args.loadBalancerId,
        children: [
            { field: "frontendIPConfigurationId", id: args.frontendIPConfigurationId, collection: "frontendIPConfigurations" },
            ...(request.children ?? []),
        ],
    };
    // Names are checked against Azure's naming rule and claimed program-wide, so no two components send one name.
    const claimed = claimNames({ component, name: request.name, ruleName: args.ruleName, loadBalancerId: args.loadBalancerId,
        networkSecurityGroupId: args.networkSecurityGroupId });
    const late = lateIssuesOf(settings, ids, claimed.late);
    const checked = validateInputs(component, settings, names, [
        ...(request.issues ?? []),
        ...claimed.issues,
        // Ids that are still Outputs are skipped here and checked by checkResolvedInputs.
        ...loadBalancerIdIssues(args.loadBalancerId, ids.children),
        ...loadBalancingRuleIssues(args.loadBalancingRules, plainOrUnknown(args.loadBalancerId)),
        ...securityArgsIssues(args),
    ], late);
    return {
        component,
        name: request.name,
        args,
        checked,
        settings,
        names,
        ids,
        late,
        ruleName: pulumi.output(args.ruleName ?? request.name),
        protocol: pulumi.output(checked.protocol ?? "Tcp").apply((p) => normalizeProtocol(p) ?? p),
    };
}

/** Where the rule sends traffic, as ARM takes it: a frontend port (V1), or a range over a pool (V2). */
export interface RulePlacement {
    frontendPort?: pulumi.Input<number>;
    frontendPortRangeStart?: pulumi.Input<number>;
    frontendPortRangeEnd?: pulumi.Input<number>;
    backendAddressPool?: { id: pulumi.Input<string> };
}

/** What only the component knows about the rule it creates. */
export interface RuleTarget {
    /** The rule's frontend and members, for the program-wide conflict checks. */
    conflicts: Pick<NatRuleDescription, "frontendPort" | "frontendRange" | "backendPoolId" | "members">;
    /**
     * The placement properties. Build the frontend port, or the range end, from `allChecked` (and
     * anything else that must hold first, such as a backend-pool rule's plan), so a failed check
     * keeps the rule uncreated.
     */
    placement: (allChecked: pulumi.Output<unknown>) => RulePlacement;
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The NAT rule both components create, and what its NSG rule still needs. */
export interface CreatedRule {
    rule: network.InboundNatRule;
    ruleId: pulumi.Output<string>;
    ruleName: pulumi.Output<string>;
    protocol: pulumi.Output<string>;
    loadBalancer: pulumi.Output<LoadBalancerRef>;
    /** Resolves once every check and input has; fails with the first error. */
    inputsChecked: pulumi.Output<unknown>;
    /** Every check of the component; the NSG rule waits for it. */
    allChecked: pulumi.Output<unknown>;
    security?: DeclaredSecurityRule;
}

/** The NSG rule's resource and outputs. */
export interface CreatedSecurityRule {
    securityRule?: network.SecurityRule;
    securityRuleName: pulumi.Output<string | undefined>;
    securityRulePriority: pulumi.Output<number | undefined>;
    securityWarnings: pulumi.Output<string[]>;
}

/**
 * Step two, once the component is registered: check the rule against the program's other rules,
 * plan its NSG rule, create the NAT rule once every check passes, then the NSG rule.
 */
export function createRule<S extends SettingInputs>(parent: pulumi.ComponentResource, rule: CheckedRule<S>, target: RuleTarget): CreatedRule {
    const { component, name, args, checked, protocol, ruleName } = rule;
    const loadBalancer = loadBalancerParts(component, args.loadBalancerId);
    const conflictsChecked = checkNatRuleConflicts({
        component,
        name,
        loadBalancerId: args.loadBalancerId,
        frontendIPConfigurationId: args.frontendIPConfigurationId,
        protocol,
        backendPort: checked.backendPort,
        enableFloatingIP: checked.enableFloatingIP ?? false,
        loadBalancingRules: args.loadBalancingRules,
        ...target.conflicts,
    });
    const nsgId = args.networkSecurityGroupId;
    const security = nsgId === undefined
        ? undefined
        : declareSecurityRule(component, name, { ...args, networkSecurityGroupId: nsgId }, checked.backendPort, protocol, parent);
    // Every check passes before the rule reaches Azure: a failed one leaves it uncreated.
    const allChecked: pulumi.Output<unknown> = pulumi.all([
        conflictsChecked,
        checkResolvedInputs(component, rule.settings, rule.ids, rule.names, rule.late),
        security?.checked ?? true,
    ]);
    const placement = target.placement(allChecked);
    const natRule = new network.InboundNatRule(`${name}-rule`, {
        resourceGroupName: loadBalancer.resourceGroupName,
        loadBalancerName: loadBalancer.loadBalancerName,
        inboundNatRuleName: ruleName,
        frontendIPConfiguration: { id: args.frontendIPConfigurationId },
        ...placement,
        backendPort: checked.backendPort,
        protocol,
        idleTimeoutInMinutes: checked.idleTimeoutInMinutes,
        enableFloatingIP: checked.enableFloatingIP,
        enableTcpReset: checked.enableTcpReset,
    }, { parent, dependsOn: target.dependsOn ?? [] });

    // A failed check or input leaves the rule uncreated, so its outputs would never resolve:
    // the component's outputs fail with the same error instead of waiting forever.
    const inputsChecked: pulumi.Output<unknown> = pulumi.all([allChecked, placement.frontendPort, placement.frontendPortRangeEnd, ...Object.values(checked)]);
    return {
        rule: natRule,
        ruleId: pulumi.all([inputsChecked, natRule.id]).apply(([, id]) => id),
        ruleName,
        protocol,
        loadBalancer,
        inputsChecked,
        allChecked,
        security,
    };
}

/**
 * Last step, once the component has declared its outputs: the NSG rule, created only when every
 * check passes, so a NAT rule that is refused opens nothing either.
 */
export function createRuleAccess(parent: pulumi.ComponentResource, name: string, created: CreatedRule): CreatedSecurityRule {
    const { security } = created;
    const nsgRule = security ? createSecurityRule(name, security, created.allChecked, parent) : undefined;
    return {
        securityRule: nsgRule?.rule,
        securityRuleName: nsgRule?.name ?? pulumi.output(undefined),
        securityRulePriority: nsgRule?.priority ?? pulumi.output(undefined),
        securityWarnings: security?.warnings ?? pulumi.output([]),
    };
}
