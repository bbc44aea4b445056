import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import type * as compute from "@pulumi/azure-native/compute";
import { allocatePorts, sortInstances } from "./core/allocation";
import { NatRuleValidationError, type ValidationIssue } from "./core/errors";
import { frontendPortRange, scaleSetDemand } from "./core/range";
import { armEndpointFor, readAzureMappings } from "./internal/azure-mappings";
import { memberIssues, plainOrUnknown } from "./internal/inputs";
import { checkRule, createRule, createRuleAccess } from "./internal/rule-pipeline";
import type { NatFrontendPortRange, NatPortMapping } from "./mapping";
import type { NatRuleCommonArgs } from "./nat-rule-args";

/**
 * Arguments of a {@link BackendPoolNatRule}, besides the common ones. `loadBalancerId` must be a
 * Standard SKU load balancer: Azure supports backend-pool rules on Standard only.
 */
export interface BackendPoolNatRuleArgs extends NatRuleCommonArgs {
    /** ARM id of the backend pool whose members get a port each. Required. */
    backendAddressPoolId: pulumi.Input<string>;
    /** First frontend port of the range (the portal's "Frontend port range start"). Required; 1 to 65534. */
    frontendPortRangeStart: pulumi.Input<number>;
    /**
     * Most machines the pool will ever hold (the portal's "Maximum number of machines in backend
     * pool"); the range is `start .. start + maxInstances - 1`. 1 to 65534 - start + 1.
     * @default none: give this or `frontendPortRangeEnd`
     */
    maxInstances?: pulumi.Input<number>;
    /** Last frontend port, inclusive, instead of `maxInstances`. 1 to 65534, at least the start. @default start + maxInstances - 1 */
    frontendPortRangeEnd?: pulumi.Input<number>;
    /**
     * The scale set whose instances are the pool's members. Its `sku.capacity` and
     * `overprovision` size the demand: capacity, ×2 while overprovisioning is on (Azure's default),
     * because Azure creates extra VMs during a scale-out and each takes a port.
     * @default none: give this or `virtualMachineNames`
     */
    scaleSet?: compute.VirtualMachineScaleSet;
    /**
     * Names of the VMs in the pool, for a group of VMs instead of a scale set; distinct. Azure's
     * mappings name a VM by its NIC (the NIC name without a trailing "-nic"), so name each NIC
     * `<vm>-nic`. Put the VMs or their NICs in the component's `dependsOn`, so that after
     * `pulumi up` the read of Azure's mappings waits until they have joined the pool.
     * @default none
     */
    virtualMachineNames?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * After deployment, read Azure's real port mappings (queryInboundNatRulePortMapping) into
     * `portMappings`, with the azure-native provider's credentials. Needs the RBAC action
     * Microsoft.Network/loadBalancers/backendAddressPools/queryInboundNatRulePortMapping/action.
     * @default true
     */
    readAzureMappings?: pulumi.Input<boolean>;
    /**
     * ARM endpoint to read the mappings from: a URL, or "public", "china", "usgovernment".
     * @default $AZURE_NAT_RULES_ARM_ENDPOINT, else the cloud of `azure-native:environment`, else "public"
     */
    armEndpoint?: pulumi.Input<string>;
}

/** Each VM needs its own port, so a name given twice is a mistake. */
function duplicateNameIssues(names: readonly unknown[]): ValidationIssue[] {
    const seen = new Set<unknown>();
    const twice = names.filter((n) => typeof n === "string" && (seen.has(n) || !seen.add(n)));
    return twice.length === 0
        ? []
        : [{ field: "virtualMachineNames", value: names, allowed: "distinct VM names", fix: `list ${[...new Set(twice)].map((n) => JSON.stringify(n)).join(", ")} once` }];
}

/**
 * A V2 inbound NAT rule for a VM scale set or a group of VMs: one rule for the whole backend
 * pool, with a frontend port range that Azure maps to the members one port each.
 */
export class BackendPoolNatRule extends pulumi.ComponentResource {
    /** The azure-native NAT rule. */
    public readonly rule: network.InboundNatRule;
    /** ARM id of the rule. */
    public readonly ruleId: pulumi.Output<string>;
    /** The rule's name in Azure. */
    public readonly ruleName: pulumi.Output<string>;
    /** The frontend port range and how many ports it holds. */
    public readonly frontendPortRange: pulumi.Output<NatFrontendPortRange>;
    /** The mappings this library's model expects for a new rule (instance ids 0..capacity-1, or the VM names). */
    public readonly plannedPortMappings: pulumi.Output<NatPortMapping[]>;
    /** One mapping per instance: planned in preview, Azure's after deployment. */
    public readonly portMappings: pulumi.Output<NatPortMapping[]>;
    /** The NSG rule that lets `allowedSourceAddressPrefixes` in, when `networkSecurityGroupId` is given. */
    public readonly securityRule?: network.SecurityRule;
    /** The NSG rule's name, or undefined without one. */
    public readonly securityRuleName: pulumi.Output<string | undefined>;
    /** The NSG rule's priority, or undefined without one. */
    public readonly securityRulePriority: pulumi.Output<number | undefined>;
    /** Warnings about the NSG rule (a management port open to everyone); also logged with `pulumi.log.warn`. */
    public readonly securityWarnings: pulumi.Output<string[]>;

    constructor(name: string, args: BackendPoolNatRuleArgs, opts?: pulumi.ComponentResourceOptions) {
        const issues = memberIssues(args.scaleSet, args.virtualMachineNames);
        const vmNames = plainOrUnknown(args.virtualMachineNames);
        if (Array.isArray(vmNames)) issues.push(...duplicateNameIssues(vmNames.map(plainOrUnknown)));
        // Validate before registering anything, so bad input creates nothing.
        const checkedRule = checkRule({
            kind: "BackendPoolNatRule",
            name,
            args,
            settings: {
                frontendPortRangeStart: args.frontendPortRangeStart,
                frontendPortRangeEnd: args.frontendPortRangeEnd,
                maxInstances: args.maxInstances,
                backendAddressPool: args.backendAddressPoolId,
                readAzureMappings: args.readAzureMappings,
            },
            names: { backendAddressPool: "backendAddressPoolId" },
            children: [{ field: "backendAddressPoolId", id: args.backendAddressPoolId, collection: "backendAddressPools" }],
            issues,
        });
        super("azure-nat-rules:index:BackendPoolNatRule", name, {}, opts);
        const { component, checked, protocol, ruleName } = checkedRule;

        this.frontendPortRange = pulumi
            .all([checked.frontendPortRangeStart, checked.maxInstances, checked.frontendPortRangeEnd])
            .apply(([start, maxInstances, end]) => frontendPortRange({ start, maxInstances, end }, component));

        // Who needs a port, in Azure's order: scale-set instance ids 0..capacity-1 as Azure numbers
        // a new scale set, or the VM names; and how many ports the pool can take at once.
        const demand = args.scaleSet
            ? pulumi.all([args.scaleSet.sku, args.scaleSet.overprovision]).apply(([sku, overprovision]) => {
                  const capacity = sku?.capacity ?? 0;
                  return {
                      instances: Array.from({ length: capacity }, (_, i) => String(i)),
                      ports: scaleSetDemand(capacity, overprovision),
                      note: overprovision === false ? undefined : `scale set capacity ${capacity} × 2 while overprovisioning is on`,
                  };
              })
            : pulumi.output(args.virtualMachineNames ?? []).apply((names) => {
                  const duplicates = duplicateNameIssues(names);
                  if (duplicates.length > 0) throw new NatRuleValidationError(component, duplicates);
                  const instances = sortInstances(names);
                  return { instances, ports: instances.length, note: undefined as string | undefined };
              });

        const planned = pulumi.all([this.frontendPortRange, demand, ruleName]).apply(([range, d, rule]) => {
            // The whole demand (overprovisioned extras included) must fit, or Azure blocks the scale-out.
            // One allocation serves both: from empty, the instances listed first take the lowest ports.
            const extra = Array.from({ length: Math.max(0, d.ports - d.instances.length) }, (_, i) => `(overprovisioned ${i + 1})`);
            const all = allocatePorts({ rule: `${component} (rule "${rule}")`, range, instances: [...d.instances, ...extra], demandNote: d.note });
            return all.slice(0, d.instances.length);
        });

        // Checked against every NAT rule of this program on the load balancer, and the given
        // load-balancing rules. Members are the instances the plan knows: scale-set instance ids
        // 0..capacity-1 (not the extra VMs of overprovisioning, whose ids are unknown), or the VMs.
        const members = args.scaleSet
            ? pulumi.all([args.scaleSet.urn, demand]).apply(([urn, d]) => d.instances.map((i) => `scale set "${urn.split("::").pop()}" instance ${i}`))
            : demand.apply((d) => d.instances.map((vm) => `VM ${vm}`));
        const range = this.frontendPortRange;
        const created = createRule(this, checkedRule, {
            conflicts: { frontendRange: range, backendPoolId: checked.backendAddressPool, members },
            placement: (allChecked) => ({
                backendAddressPool: { id: checked.backendAddressPool },
                frontendPortRangeStart: checked.frontendPortRangeStart,
                // The end is taken from the checked plan, so an exhausted range never reaches Azure.
                frontendPortRangeEnd: pulumi.all([range, planned, allChecked]).apply(([r]) => r.end),
            }),
            dependsOn: args.scaleSet ? [args.scaleSet] : [],
        });
        this.rule = created.rule;
        this.ruleId = created.ruleId;
        this.ruleName = ruleName;
        this.plannedPortMappings = pulumi
            .all([planned, args.frontendIpAddress ?? "", checked.backendPort, protocol])
            .apply(([assignments, frontendIp, backendPort, p]) =>
                assignments.map((a) => ({
                    instance: a.instance,
                    frontendIp,
                    frontendPort: a.frontendPort,
                    backendPort,
                    protocol: p,
                    source: "planned",
                })),
            );
        // After deployment Azure alone knows the ports: read them once the rule and its members exist.
        const poolName = pulumi.output(args.backendAddressPoolId).apply((id) => id.split("/").pop() ?? id);
        this.portMappings = pulumi.runtime.isDryRun()
            ? this.plannedPortMappings
            : pulumi
                  .output({
                      planned: this.plannedPortMappings,
                      ruleId: this.ruleId, // wait for the rule
                      scaleSetId: args.scaleSet?.id ?? "", // and for its members (a group of VMs: the component's dependsOn orders the rule after them)
                      ref: created.loadBalancer,
                      rule: ruleName,
                      pool: poolName,
                      frontendIp: args.frontendIpAddress ?? "",
                      read: checked.readAzureMappings ?? true,
                      endpoint: args.armEndpoint ?? "",
                  })
                  .apply(async (v) =>
                      v.read
                          ? await readAzureMappings({ ...v.ref, backendPoolName: v.pool, ruleName: v.rule, endpoint: armEndpointFor(v.endpoint || undefined),
                              frontendIp: v.frontendIp, planned: v.planned }, this)
                          : v.planned,
                  );
        const access = createRuleAccess(this, name, created);
        this.securityRule = access.securityRule;
        this.securityRuleName = access.securityRuleName;
        this.securityRulePriority = access.securityRulePriority;
        this.securityWarnings = access.securityWarnings;
        this.registerOutputs({
            securityRuleName: this.securityRuleName,
            securityRulePriority: this.securityRulePriority,
            securityWarnings: this.securityWarnings,
            ruleId: this.ruleId,
            ruleName: this.ruleName,
            frontendPortRange: this.frontendPortRange,
            plannedPortMappings: this.plannedPortMappings,
            portMappings: this.portMappings,
        });
    }

    /** The mapping of one instance (scale-set instance id or VM name), or undefined when it has none. */
    public portMappingFor(instance: string): pulumi.Output<NatPortMapping | undefined> {
        return this.portMappings.apply((all) => all.find((m) => m.instance === String(instance)));
    }
}
