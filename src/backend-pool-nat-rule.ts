import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import type * as compute from "@pulumi/azure-native/compute";
import type * as monitor from "@pulumi/azure-native/monitor";
import { lastSegment } from "./core/arm-ids";
import { NatRuleValidationError, type ValidationIssue } from "./core/errors";
import { planScaleSetPorts, planVmGroupPorts, type PoolPlan, type ScaleSetCeiling } from "./core/pool-plan";
import { frontendPortRange } from "./core/range";
import { armEndpointFor, readAzureMappings } from "./azure-reads/azure-mappings";
import { type CurrentMappings, readCurrentMappings } from "./azure-reads/current-mappings";
import { exposeResourcesForConstruct, handleOwnRejections } from "./pulumi-sdk/construct-scope";
import { memberIssues, parseLoadBalancerId, plainOrUnknown } from "./rule-pipeline/inputs";
import { knownOr, settle } from "./pulumi-sdk/settle";
import { qualifiedLabel, shareOfScaleSet } from "./rule-pipeline/pool-labels";
import { checkRule, createRule, createRuleAccess } from "./rule-pipeline/pipeline";
import { declaredName, handleFailureLater, inputOutputOf, readOutput } from "./pulumi-sdk/pulumi-internals";
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
     * The scale set's autoscale setting. Autoscale changes the capacity outside Pulumi, up to its
     * profiles' maxima, so the range must hold the largest maximum (× 2 while a Uniform scale set
     * overprovisions); a range too small fails every preview and names the profile. The maxima are
     * read from the `profiles` the setting is declared with, so an update of the setting is checked
     * in its preview too; a maximum built from values not known yet is checked at `pulumi up`, and
     * the preview warns so (give `autoscaleMaxCapacity` too to check it in preview).
     * With this (or `autoscaleMaxCapacity`), a deployed scale set keeps the instances Azure has:
     * put `ignoreChanges: ["sku.capacity"]` on the scale set, as autoscale requires.
     * @default none: only the scale set's capacity (and `autoscaleMaxCapacity`) count
     */
    autoscaleSetting?: monitor.AutoscaleSetting;
    /**
     * The most instances the scale set may reach outside Pulumi (autoscale, `az vmss scale`), when
     * no `autoscaleSetting` is given or to add to it. An integer from 0 to 1000.
     * @default none
     */
    autoscaleMaxCapacity?: pulumi.Input<number>;
    /**
     * Names of the VMs in the pool, for a group of VMs instead of a scale set; distinct. Azure's
     * mappings name a VM by its NIC (the NIC name without a trailing "-nic"), so name each NIC
     * `<vm>-nic`. Put the VMs or their NICs in the component's `dependsOn`, so that after
     * `pulumi up` the read of Azure's mappings waits until they have joined the pool.
     * @default none
     */
    virtualMachineNames?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Read Azure's port mappings with the azure-native provider's credentials: in preview and
     * update the rule's current ones, which the plan starts from (read-only), and after deployment
     * the real ones, into `portMappings`. Needs the RBAC action
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
    /**
     * The mappings this deployment will leave, planned from Azure's current ones: survivors keep
     * their ports, new instances take the lowest free ones. `frontendIp` is "" while the address is
     * not known (a first preview); `labelGuessed` is true where Azure picks the label: every new
     * instance (Uniform ids come with no numbering guarantee, Flexible VMs get random names) and
     * every survivor of a scale-in (the scale-in policy's choice). Its port is planned; while
     * overprovisioning, a new instance's port is a guess too (Azure keeps k of 2k VMs, so k new
     * instances hold some k of the 2k lowest free ports). docs/planning.md lists every case.
     */
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
        handleOwnRejections();
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

        // What Azure has now: the plan keeps every survivor's port. Unknown ids (a load balancer
        // being created) mean the rule does not exist yet.
        const current = pulumi.output(this.currentMappings(args, ruleName));
        const planned: pulumi.Output<PoolPlan> = args.scaleSet
            ? scaleSetPlan(this, component, args, args.scaleSet, this.frontendPortRange, current, ruleName)
            : pulumi.all([this.frontendPortRange, current, args.virtualMachineNames ?? [], ruleName]).apply(([range, now, names, rule]) => {
                  const duplicates = duplicateNameIssues(names);
                  if (duplicates.length > 0) throw new NatRuleValidationError(component, duplicates);
                  return planVmGroupPorts({ rule: `${component} (rule "${rule}")`, range, current: now.mappings, vmNames: names });
              });

        // A new range that no longer holds a live instance's port moves it: say which, in the preview.
        planned.apply((plan) => {
            if (plan.moved.length > 0) void pulumi.log.warn(movedPortsWarning(component, plan.moved), this);
        });
        // Instances that keep a model without the pool (upgrade policy Manual) get no port until upgraded: say which, and how.
        if (args.scaleSet) {
            const vmss = args.scaleSet;
            pulumi.all([planned, vmss.id, knownOr<string | undefined>(vmss.name, undefined)]).apply(([plan, id, vmssName]) => {
                const pending = plan.instances.filter((i) => i.upgradePending).map((i) => i.instance);
                if (pending.length > 0) void pulumi.log.warn(pendingUpgradeWarning(component, id, vmssName, pending), this);
            });
        }

        // Checked against every NAT rule of this program on the load balancer, and the given
        // load-balancing rules. The members come from what the program declares, never from the
        // plan: the plan waits for the read of Azure's mappings, and a check that waited for it would
        // let a conflicting rule that resolves first be checked alone and created. A scale set counts
        // as one member standing for each of its instances (every instance gets the same rules).
        const members = args.scaleSet
            ? pulumi.output([scaleSetMember(args.scaleSet)])
            : pulumi.output(args.virtualMachineNames ?? []).apply((names) => names.map((vm) => `VM ${vm}`));
        const range = this.frontendPortRange;
        // That the plan passed is what the rule waits for; pulumi.all over the plan itself would deep-copy every entry.
        const planPassed = planned.apply(() => true);
        const created = createRule(this, checkedRule, {
            conflicts: { frontendRange: range, backendPoolId: checked.backendAddressPool, members },
            placement: (allChecked) => ({
                backendAddressPool: { id: checked.backendAddressPool },
                frontendPortRangeStart: checked.frontendPortRangeStart,
                // The end is taken from the checked plan, so an exhausted range never reaches Azure.
                frontendPortRangeEnd: pulumi.all([range, planPassed, allChecked]).apply(([r]) => r.end),
            }),
            dependsOn: args.scaleSet ? [args.scaleSet] : [],
        });
        this.rule = created.rule;
        this.ruleId = created.ruleId;
        this.ruleName = ruleName;
        // The ports never wait for the frontend address: it is "" while unknown (a first preview).
        const frontendIp = knownOr(args.frontendIpAddress, "");
        // The plan is read inside apply, not passed to pulumi.all, which would deep-copy its entries once more.
        this.plannedPortMappings = planned.apply((plan) =>
            pulumi.all([frontendIp, checked.backendPort, protocol]).apply(([ip, backendPort, p]) =>
                plan.instances.map((a): NatPortMapping => ({
                    instance: a.instance,
                    frontendIp: ip,
                    frontendPort: a.frontendPort,
                    backendPort,
                    protocol: p,
                    source: "planned",
                    ...(a.labelGuessed ? { labelGuessed: true } : {}),
                    ...(a.upgradePending ? { upgradePending: true } : {}),
                    ...(a.portGuessed ? { portGuessed: true } : {}),
                })),
            ),
        );
        // After deployment Azure alone knows the ports: read them once the rule and its members exist.
        const poolName = pulumi.output(args.backendAddressPoolId).apply((id) => lastSegment(id));
        // A rule that fails its checks rejects ruleId at once, and the apply below reads it only
        // later: handled now, so Node does not warn of a late-handled rejection in the user's program.
        const readInputs = handleFailureLater(pulumi.output({
            ruleId: this.ruleId, // wait for the rule
            scaleSetId: args.scaleSet?.id ?? "", // and for its members (a group of VMs: the component's dependsOn orders the rule after them)
            ref: created.loadBalancer,
            rule: ruleName,
            pool: poolName,
            frontendIp,
            read: checked.readAzureMappings ?? true,
            endpoint: args.armEndpoint ?? "",
        }));
        this.portMappings = pulumi.runtime.isDryRun()
            ? this.plannedPortMappings
            // The plan is read inside apply: pulumi.output over it would deep-copy every entry.
            : this.plannedPortMappings.apply((planned) =>
                  readInputs.apply(async (v) =>
                      v.read
                          ? await readAzureMappings({ ...v.ref, backendPoolName: v.pool, ruleName: v.rule, endpoint: armEndpointFor(v.endpoint || undefined),
                              frontendIp: v.frontendIp, planned }, this)
                          : planned,
                  ),
              );
        const access = createRuleAccess(this, name, created);
        this.securityRule = access.securityRule;
        this.securityRuleName = access.securityRuleName;
        this.securityRulePriority = access.securityRulePriority;
        this.securityWarnings = access.securityWarnings;
        // The mapping lists stay properties (what programs, stack exports and the component
        // provider read) and out of the component's saved state: nothing reads a component's state
        // outputs, and two more copies of a list per member cost about 0.5 s per preview at 5,000
        // members (bench/README.md). Export `portMappings` to keep them in the stack's outputs.
        this.registerOutputs({
            securityRuleName: this.securityRuleName,
            securityRulePriority: this.securityRulePriority,
            securityWarnings: this.securityWarnings,
            ruleId: this.ruleId,
            ruleName: this.ruleName,
            frontendPortRange: this.frontendPortRange,
        });
        exposeResourcesForConstruct(this, created.inputsChecked, ["rule", "securityRule"]);
    }

    /** Azure's mappings of the rule before this deployment, read-only; none for a rule not created yet. */
    private async currentMappings(args: BackendPoolNatRuleArgs, ruleName: pulumi.Output<string>): Promise<CurrentMappings> {
        const none: CurrentMappings = { exists: false, mappings: [] };
        const [read, lbId, poolId, rule, endpoint] = await Promise.all([
            settle(args.readAzureMappings ?? true), settle(args.loadBalancerId), settle(args.backendAddressPoolId), settle(ruleName), settle(args.armEndpoint ?? ""),
        ]);
        if (read.state !== "known" || read.value === false) return none;
        if (lbId.state !== "known" || poolId.state !== "known" || rule.state !== "known" || endpoint.state !== "known") return none;
        const ref = parseLoadBalancerId(lbId.value ?? "");
        if (!ref || !rule.value || !poolId.value) return none;
        // In an update, read once the scale set has changed, so the plan sees what the rule will.
        if (!pulumi.runtime.isDryRun() && args.scaleSet) await settle(args.scaleSet.id);
        return readCurrentMappings({ ...ref, backendPoolName: lastSegment(poolId.value), ruleName: rule.value,
            endpoint: armEndpointFor(endpoint.value || undefined), manualScaleSetId: await manualScaleSetId(args.scaleSet) }, this);
    }

    /** The mapping of one instance (scale-set instance id or VM name), or undefined when it has none. */
    public portMappingFor(instance: string): pulumi.Output<NatPortMapping | undefined> {
        return this.portMappings.apply((all) => all.find((m) => m.instance === String(instance)));
    }
}

/** The warning for live instances whose frontend port a range change moves; every one is listed. */
export function movedPortsWarning(component: string, moved: PoolPlan["moved"]): string {
    return `${component}: the new frontend range moves the port of ${moved.length} live instance(s): ` +
        `${moved.map((m) => `${m.instance} ${m.from}→${m.to}`).join(", ")}. ` +
        "Connections to the old ports stop once the rule is updated; hand out the new ones (portMappings, `azure-nat-rules ssh-config`). " +
        "Azure's docs do not say how a range change reassigns live ports: these are planned with a model (ports still in the range stay, " +
        "the rest take the lowest free ones), and portMappings holds Azure's own after the update.";
}

/**
 * The id of a deployed Uniform scale set with upgrade policy Manual (whose instances keep their
 * model until upgraded), else undefined. A scale set being created has no id in a preview.
 */
async function manualScaleSetId(scaleSet: compute.VirtualMachineScaleSet | undefined): Promise<string | undefined> {
    if (!scaleSet) return undefined;
    // The policy with unknowns kept in place: its other settings may be unknown in a preview, its mode is declared.
    const [id, policy, mode] = await Promise.all([settle(scaleSet.id), readOutput(scaleSet.upgradePolicy, true), settle(scaleSet.orchestrationMode)]);
    if (id.state !== "known" || !id.value) return undefined;
    if (String((policy.value as { mode?: unknown } | undefined)?.mode ?? "").toLowerCase() !== "manual") return undefined;
    return mode.state === "known" && String(mode.value ?? "").toLowerCase() === "flexible" ? undefined : id.value;
}

/** The warning for a Manual scale set's instances that run a model without the pool, with the command that upgrades them. */
function pendingUpgradeWarning(component: string, scaleSetId: string, name: string | undefined, pending: string[]): string {
    const rg = /\/resourceGroups\/([^/]+)\//i.exec(scaleSetId)?.[1] ?? "<resource group>";
    const vmss = name ?? lastSegment(scaleSetId);
    return `${component}: scale set ${vmss} has upgrade policy Manual, and instance(s) ${pending.join(", ")} run a model that does not put them ` +
        "in the rule's backend pool, so Azure gives them no port until they are upgraded (new instances take the latest model and get one). " +
        `After \`pulumi up\`, run \`az vmss update-instances --resource-group ${rg} --name ${vmss} --instance-ids ${pending.join(" ")}\`. ` +
        "The plan marks them upgradePending, with the port each would take then.";
}

/** A scale set as a conflict-check member: its logical name, known as soon as it is declared. */
function scaleSetMember(scaleSet: compute.VirtualMachineScaleSet): string {
    return `scale set "${declaredName(scaleSet) ?? "(unnamed)"}" (each instance)`;
}

/** An autoscale profile as the program declares it, or as Azure returns it. */
interface DeclaredProfile {
    name?: string;
    capacity?: { maximum?: unknown };
}

/**
 * The autoscale profiles' maxima, from what the program declares: the `profiles` the setting was
 * declared with (the SDK keeps an Output for each input of a resource, pulumi-internals.ts), else
 * its outputs' `properties.profiles`. The declared ones are known in every preview, an update of
 * the setting included, where azure-native marks the outputs under `properties` unknown. When
 * neither is known (profiles built from unknown values), a warning says the check waits for
 * `pulumi up`, and how to have it in preview.
 */
function autoscaleCeilings(resource: pulumi.Resource, component: string, setting: monitor.AutoscaleSetting | undefined,
    plainMax: pulumi.Input<number> | undefined): pulumi.Output<ScaleSetCeiling[]> {
    const read = async (): Promise<DeclaredProfile[]> => {
        if (!setting) return [];
        const declared = inputOutputOf(setting, "profiles");
        for (const source of [declared, setting.properties.apply((p) => p?.profiles)]) {
            if (!source) continue;
            // With unknowns kept in place: a profile's rules name the scale set's id, unknown in a first preview, while its maximum is known.
            const { value } = await readOutput(source, true);
            if (!Array.isArray(value)) continue;
            const profiles = value as DeclaredProfile[];
            if (profiles.every((p) => typeof p === "object" && p !== null && !pulumi.containsUnknowns(p.capacity?.maximum) && !pulumi.isUnknown(p.name))) {
                // Only the names and maxima: the rest may hold unknowns, which would make the whole list unknown.
                return profiles.map((p) => ({ name: p.name, capacity: { maximum: p.capacity?.maximum } }));
            }
        }
        if (plainMax === undefined) {
            void pulumi.log.warn(`${component}: the autoscale setting's profiles are not known in this preview (they are built from values Pulumi does not know yet); ` +
                "`pulumi up` checks the frontend port range against their maxima before it creates or updates the rule. " +
                "To check in preview as well, set autoscaleMaxCapacity to the largest profile maximum.", resource);
        }
        return [];
    };
    const profiles = pulumi.output(read());
    return pulumi.all([profiles, plainMax]).apply(([list, max]) => {
        const ceilings: ScaleSetCeiling[] = [];
        for (const profile of list) {
            const maximum = Number(profile.capacity?.maximum);
            if (!Number.isInteger(maximum) || maximum < 0) {
                throw new NatRuleValidationError(component, [{ field: "autoscaleSetting", value: profile.capacity?.maximum,
                    allowed: "profiles whose capacity.maximum is a whole number", fix: `give autoscale profile "${profile.name}" a numeric capacity.maximum` }]);
            }
            ceilings.push({ maximum, source: `autoscale profile "${profile.name}"` });
        }
        if (max !== undefined) {
            if (!Number.isInteger(max) || max < 0 || max > 1000) {
                throw new NatRuleValidationError(component, [{ field: "autoscaleMaxCapacity", value: max, allowed: "an integer from 0 to 1000 (a scale set's most instances)",
                    fix: "give the most instances autoscale may reach, e.g. the profile's maximum" }]);
            }
            ceilings.push({ maximum: max, source: "autoscaleMaxCapacity" });
        }
        return ceilings;
    });
}

/** A scale set's plan: its capacity and mode as declared, its ceilings, and Azure's current mappings. */
function scaleSetPlan(
    resource: pulumi.Resource,
    component: string,
    args: BackendPoolNatRuleArgs,
    scaleSet: compute.VirtualMachineScaleSet,
    range: pulumi.Output<NatFrontendPortRange>,
    current: pulumi.Output<CurrentMappings>,
    ruleName: pulumi.Output<string>,
): pulumi.Output<PoolPlan> {
    // Settings Azure defaults when they are not given are unknown in a first preview: take Azure's defaults then.
    const overprovision = knownOr<boolean | undefined>(scaleSet.overprovision, undefined);
    const orchestrationMode = knownOr<string | undefined>(scaleSet.orchestrationMode, undefined);
    const scaleInPolicy = knownOr<string | undefined>(scaleSet.scaleInPolicy.apply((p) => p?.rules?.[0]), undefined);
    const autoscaled = args.autoscaleSetting !== undefined || args.autoscaleMaxCapacity !== undefined;
    const knownName = knownOr<string | undefined>(scaleSet.name, undefined);
    const scaleSetName = pulumi.all([knownName, scaleSet.urn]).apply(([n, urn]) => n || urn.split("::").pop() || "vmss");
    // A scale set whose id is unknown in a preview is being created (a replacement, for one): the pool's mappings are others'.
    const identity = pulumi.all([knownName, pulumi.output(settle(scaleSet.id).then((s) => s.state === "unknown" && pulumi.runtime.isDryRun()))]);
    // In a preview, a scale set whose computed outputs are known is a "same" step: its inputs match
    // Pulumi's state, so nothing is sent to it, whatever Azure has now (an update's preview leaves
    // provisioningState unknown: azure-native previewOutputs.go).
    const sameStep = pulumi.output(settle(scaleSet.provisioningState).then((s) => pulumi.runtime.isDryRun() && s.state === "known"));
    // The capacity as declared: the sku's other outputs (its tier) may be unknown in a preview of a new scale set.
    const capacity = pulumi.output(readOutput(scaleSet.sku, true).then(({ value }) => {
        const c = (value as { capacity?: unknown } | undefined)?.capacity;
        return pulumi.isUnknown(c) ? (pulumi.unknown as unknown as number) : typeof c === "number" ? c : 0;
    }));
    return pulumi
        .all([range, current, capacity, overprovision, pulumi.all([orchestrationMode, scaleInPolicy]), pulumi.all([scaleSetName, identity, sameStep]),
            autoscaleCeilings(resource, component, args.autoscaleSetting, args.autoscaleMaxCapacity), ruleName])
        .apply(([r, now, declared, over, [mode, policy], [vmssName, [name, isNew], unchanged], ceilings, rule]) => {
            const share = shareOfScaleSet(now.mappings, name, isNew);
            const inAzure = share.ours.length + (now.pendingUpgrade?.length ?? 0);
            // Instances added or deleted outside Pulumi while the program kept its capacity: the
            // update sends nothing, so Azure keeps its count until the state is refreshed.
            const drifted = unchanged && now.exists && !isNew && !autoscaled && typeof declared === "number" && declared !== inAzure;
            if (drifted) {
                void pulumi.log.warn(
                    `${component}: scale set "${vmssName}" has ${inAzure} instance(s) in Azure, but Pulumi's state says ${declared} and this program ` +
                        `does not change it, so this update sends nothing to the scale set and Azure keeps ${inAzure}; the plan shows those. ` +
                        `Fix: run \`pulumi up --refresh\` (Pulumi then reads ${inAzure} and sends the program's ${declared}), or set the capacity to ${inAzure}.`,
                    resource,
                );
            }
            const plan = planScaleSetPorts({
                rule: `${component} (rule "${rule}")`,
                range: r,
                current: share.ours,
                // Autoscale owns the capacity of a deployed scale set (the program ignores changes to
                // it), so the instances stay as Azure has them; the declared capacity counts for a new rule.
                capacity: (autoscaled && now.exists && !isNew) || drifted ? share.ours.length : declared,
                orchestrationMode: mode,
                overprovision: over,
                scaleSetName: vmssName,
                ceilings,
                currentRange: now.range,
                scaleInPolicy: policy,
                reserved: share.others.map((o) => o.frontendPort),
                pendingUpgrade: now.pendingUpgrade,
            });
            if (share.others.length === 0) return plan;
            // The pool holds other members too: theirs stay as Azure has them; ours are qualified when another scale set is there.
            const label = (i: string) => (share.qualify && /^\d+$/.test(i) ? qualifiedLabel(vmssName, i) : i);
            return {
                ...plan,
                instances: [...share.others.map((o) => ({ ...o, labelGuessed: false })), ...plan.instances.map((i) => ({ ...i, instance: label(i.instance) }))],
                moved: plan.moved.map((m) => ({ ...m, instance: label(m.instance) })),
            };
        });
}
