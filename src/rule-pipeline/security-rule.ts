import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import { parseNetworkResourceId } from "../core/arm-ids";
import { NatRuleValidationError, type ValidationIssue } from "../core/errors";
import { managementPortWarnings, planSecurityRule, type PlannedSecurityRule, type SecurityRuleRequest } from "../core/security";
import { settledIdKey, nextTurn, onNatRuleRegistryReset, runRegistryKey } from "../program-registries/conflict-registry";
import { settle } from "../pulumi-sdk/settle";
import { plainOrUnknown } from "./inputs";

/** One NSG rule a component asked for, and the plan it got (or why it got none). */
interface SecurityRuleEntry {
    /** Declaration order: entries that resolve together are planned in this order, so priorities are stable. */
    sequence: number;
    networkSecurityGroupKey: string;
    request: SecurityRuleRequest;
    result?: PlannedSecurityRule | Error;
}

/** The NSG rules of one program run, planned together per NSG so that no two take one priority. */
interface SecurityRuleRun {
    nextSequence: number;
    securityRules: SecurityRuleEntry[];
    /** Explicit NSG rule priorities given as plain values, by NSG id (lower case), known at declaration. */
    declaredPriorities: { networkSecurityGroupKey: string; priority: number; sequence: number }[];
}

/** Per deployment, keyed as the conflict registry is, and forgotten with it. */
const runs = new WeakMap<object, SecurityRuleRun>();
onNatRuleRegistryReset(() => runs.delete(runRegistryKey()));

function currentRun(): SecurityRuleRun {
    const key = runRegistryKey();
    let run = runs.get(key);
    if (!run) runs.set(key, (run = { nextSequence: 0, securityRules: [], declaredPriorities: [] }));
    return run;
}

/** The NSG arguments both NAT-rule components take. */
export interface SecurityArgs {
    networkSecurityGroupId?: pulumi.Input<string>;
    allowedSourceAddressPrefixes?: pulumi.Input<pulumi.Input<string>[]>;
    securityRulePriority?: pulumi.Input<number>;
    existingSecurityRulePriorities?: pulumi.Input<pulumi.Input<number>[]>;
}

/** `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Network/networkSecurityGroups/{name}` parsed. */
export interface NetworkSecurityGroupRef {
    subscriptionId: string;
    resourceGroupName: string;
    networkSecurityGroupName: string;
}

export function parseNetworkSecurityGroupId(id: string): NetworkSecurityGroupRef | undefined {
    const parsed = parseNetworkResourceId(id.trim(), "networkSecurityGroups");
    return parsed ? { subscriptionId: parsed.subscriptionId, resourceGroupName: parsed.resourceGroupName, networkSecurityGroupName: parsed.name } : undefined;
}

export { securityRuleNameFor } from "../core/names";
import { securityRuleNameFor } from "../core/names";

/** Our arg names for the core's request fields. */
const FIELD_NAMES: Record<string, string> = {
    preferredPriority: "securityRulePriority",
    existingPriorities: "existingSecurityRulePriorities",
};

function renamedIssues(error: NatRuleValidationError): ValidationIssue[] {
    return error.issues
        // The backend port and protocol are the NAT rule's; the component reports their issues itself.
        .filter((i) => i.field !== "backendPort" && i.field !== "protocol" && i.field !== "name")
        .map((i) => ({ ...i, field: FIELD_NAMES[i.field] ?? i.field }));
}

/**
 * The issues of the NSG arguments known now (before anything is registered): both or neither of
 * `networkSecurityGroupId` and `allowedSourceAddressPrefixes`, the NSG id's shape, the prefixes,
 * the priorities. Values still unknown are checked when they resolve, by `declareSecurityRule`.
 */
export function securityArgsIssues(args: SecurityArgs): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const nsg = plainOrUnknown(args.networkSecurityGroupId);
    const prefixes = plainOrUnknown(args.allowedSourceAddressPrefixes);
    if (nsg === undefined) {
        if (prefixes !== undefined) {
            issues.push({ field: "networkSecurityGroupId", value: undefined, allowed: "the ARM id of a network security group, given together with allowedSourceAddressPrefixes",
                fix: "pass the id of the NSG on the instances' subnet or NICs, or drop allowedSourceAddressPrefixes" });
        }
        for (const field of ["securityRulePriority", "existingSecurityRulePriorities"] as const) {
            if (args[field] !== undefined) {
                issues.push({ field, value: plainOrUnknown(args[field] as pulumi.Input<unknown>), allowed: "only together with networkSecurityGroupId",
                    fix: "pass networkSecurityGroupId and allowedSourceAddressPrefixes too, or drop this argument" });
            }
        }
        return issues;
    }
    if (prefixes === undefined) {
        issues.push({ field: "allowedSourceAddressPrefixes", value: undefined, allowed: "the addresses that may connect, given together with networkSecurityGroupId",
            fix: 'list who may connect, e.g. ["203.0.113.7/32"], or drop networkSecurityGroupId' });
    }
    if (typeof nsg === "string" && !parseNetworkSecurityGroupId(nsg)) {
        issues.push({ field: "networkSecurityGroupId", value: nsg,
            allowed: "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/networkSecurityGroups/{name}",
            fix: "pass the NSG's `id` output, not its name" });
    } else if (nsg !== undefined && typeof nsg !== "string" && typeof nsg !== "symbol") {
        issues.push({ field: "networkSecurityGroupId", value: nsg, allowed: "an ARM id string", fix: "pass the NSG's `id` output" });
    }

    // The core checks prefixes and priorities; unknown parts stand in as values it accepts.
    const request: SecurityRuleRequest = { name: "check", backendPort: 1, allowedSourceAddressPrefixes: ["*"] };
    if (Array.isArray(prefixes)) request.allowedSourceAddressPrefixes = prefixes.map((p) => (typeof plainOrUnknown(p) === "symbol" ? "*" : p)) as string[];
    else if (prefixes !== undefined && typeof prefixes !== "symbol") request.allowedSourceAddressPrefixes = prefixes as never;
    const existing = plainOrUnknown(args.existingSecurityRulePriorities);
    if (Array.isArray(existing)) request.existingPriorities = existing.filter((p) => typeof p === "number");
    if (existing !== undefined && typeof existing !== "symbol" && (!Array.isArray(existing) || existing.some((p) => typeof plainOrUnknown(p) !== "number" && typeof plainOrUnknown(p) !== "symbol"))) {
        issues.push({ field: "existingSecurityRulePriorities", value: existing, allowed: "a list of integers (the priorities the NSG's other rules use)",
            fix: "list the priorities of the NSG's rules that this program does not create through these components" });
    }
    const preferred = plainOrUnknown(args.securityRulePriority);
    if (preferred !== undefined && typeof preferred !== "symbol") request.preferredPriority = preferred;
    try {
        planSecurityRule(request);
    } catch (error) {
        if (!(error instanceof NatRuleValidationError)) throw error;
        issues.push(...renamedIssues(error));
    }
    return issues;
}

/** What a component needs to create its NSG rule. */
export interface DeclaredSecurityRule {
    /** The NSG rule's name in Azure. */
    name: string;
    /** Where the rule goes: the NSG's resource group and name. */
    networkSecurityGroup: pulumi.Output<NetworkSecurityGroupRef>;
    /** The rule, with a priority no other rule of this program on the NSG has; unknown in preview while its inputs are. */
    plan: pulumi.Output<PlannedSecurityRule>;
    /** `true` once the plan is made (or can't be yet, in preview); fails with the plan's error. Chain it into the NAT rule. */
    checked: pulumi.Output<boolean>;
    /** Warnings for a management port open to everyone, also sent to `pulumi.log.warn`. */
    warnings: pulumi.Output<string[]>;
}

/**
 * Plans the NSG rule of one component: validates what was unknown at construction, picks a
 * priority clear of the NSG's other rules this program adds (and of the given existing ones), and
 * warns when a management port is opened to everyone.
 */
export function declareSecurityRule(
    component: string,
    componentName: string,
    args: SecurityArgs & { networkSecurityGroupId: pulumi.Input<string> },
    backendPort: pulumi.Input<number>,
    protocol: pulumi.Input<string>,
    resource: pulumi.Resource,
): DeclaredSecurityRule {
    const run = currentRun();
    const sequence = run.nextSequence++;
    // A plain explicit priority is reserved now, so no automatic choice that resolves earlier takes it.
    if (typeof args.networkSecurityGroupId === "string" && typeof args.securityRulePriority === "number") {
        run.declaredPriorities.push({ networkSecurityGroupKey: args.networkSecurityGroupId.toLowerCase(), priority: args.securityRulePriority, sequence });
    }
    const name = securityRuleNameFor(componentName);
    const planned = planWhenResolved(run, sequence, component, name, args, backendPort, protocol);
    const networkSecurityGroup = pulumi.output(args.networkSecurityGroupId).apply((id) => {
        const ref = parseNetworkSecurityGroupId(id);
        if (!ref) throw new NatRuleValidationError(component, securityArgsIssues({ ...args, networkSecurityGroupId: id }));
        return ref;
    });
    const warnings = pulumi.output(
        (async () => {
            const [port, prefixes] = await Promise.all([settle(backendPort), settle(pulumi.output(args.allowedSourceAddressPrefixes ?? []))]);
            if (port.state !== "known" || prefixes.state !== "known") return [];
            const found = managementPortWarnings(port.value as number, (prefixes.value ?? []) as string[]).map((w) => `${component}: ${w}`);
            for (const w of found) void pulumi.log.warn(w, resource);
            return found;
        })(),
    );
    return {
        name,
        networkSecurityGroup,
        plan: pulumi.output(planned.then((p) => (p === undefined ? (pulumi.unknown as unknown as PlannedSecurityRule) : p))),
        checked: pulumi.output(planned.then(() => true)),
        warnings,
    };
}

async function planWhenResolved(
    run: SecurityRuleRun,
    sequence: number,
    component: string,
    name: string,
    args: SecurityArgs & { networkSecurityGroupId: pulumi.Input<string> },
    backendPortInput: pulumi.Input<number>,
    protocolInput: pulumi.Input<string>,
): Promise<PlannedSecurityRule | undefined> {
    const [nsgId, prefixes, preferred, existing, backendPort, protocol] = await Promise.all([
        settle<string>(args.networkSecurityGroupId),
        settle(pulumi.output(args.allowedSourceAddressPrefixes)),
        settle<number>(args.securityRulePriority),
        settle(args.existingSecurityRulePriorities === undefined ? undefined : pulumi.output(args.existingSecurityRulePriorities)),
        settle<number>(backendPortInput),
        settle<string>(protocolInput),
    ]);
    for (const s of [nsgId, prefixes, preferred, existing, backendPort, protocol]) if (s.state === "failed") throw s.error;
    const nsgKey = settledIdKey(args.networkSecurityGroupId, nsgId);
    // What was unknown at construction is checked now; what is still unknown stays unchecked until it resolves.
    const known = <T>(s: typeof nsgId | typeof prefixes | typeof preferred | typeof existing, raw: T) => (s.state === "known" ? s.value : raw);
    const late = securityArgsIssues({
        networkSecurityGroupId: known(nsgId, args.networkSecurityGroupId) as pulumi.Input<string>,
        allowedSourceAddressPrefixes: known(prefixes, args.allowedSourceAddressPrefixes) as pulumi.Input<string[]>,
        securityRulePriority: known(preferred, args.securityRulePriority) as pulumi.Input<number>,
        existingSecurityRulePriorities: known(existing, args.existingSecurityRulePriorities) as pulumi.Input<number[]>,
    });
    if (late.length > 0) throw new NatRuleValidationError(component, late);
    if (!nsgKey || prefixes.state !== "known" || preferred.state !== "known" || existing.state !== "known"
        || backendPort.state !== "known" || protocol.state !== "known") return undefined;

    const entry: SecurityRuleEntry = {
        sequence,
        networkSecurityGroupKey: nsgKey.toLowerCase(),
        request: {
            name,
            backendPort: backendPort.value as number,
            protocol: protocol.value as never,
            allowedSourceAddressPrefixes: (prefixes.value ?? []) as string[],
            existingPriorities: (existing.value ?? []) as number[],
            preferredPriority: preferred.value ?? undefined,
        },
    };
    run.securityRules.push(entry);
    await nextTurn();
    planPending(run, entry.networkSecurityGroupKey);
    if (entry.result instanceof NatRuleValidationError) throw new NatRuleValidationError(component, renamedIssues(entry.result));
    if (entry.result instanceof Error) throw entry.result;
    return entry.result;
}

/**
 * Plans every rule of one NSG still waiting, in declaration order, each clear of the priorities
 * already planned, of every existing priority any component listed for this NSG, and (for rules
 * without an explicit priority) of the explicit priorities still waiting.
 */
function planPending(run: SecurityRuleRun, nsgKey: string): void {
    const same = run.securityRules.filter((e) => e.networkSecurityGroupKey === nsgKey);
    const existing = same.flatMap((e) => e.request.existingPriorities ?? []);
    for (const entry of same.filter((e) => !e.result).sort((a, b) => a.sequence - b.sequence)) {
        const planned = same.flatMap((e) => (e.result && !(e.result instanceof Error) ? [e.result.priority] : []));
        const reserved = entry.request.preferredPriority === undefined
            ? [
                  ...same.flatMap((e) => (e !== entry && !e.result && e.request.preferredPriority !== undefined ? [e.request.preferredPriority] : [])),
                  ...run.declaredPriorities.filter((d) => d.networkSecurityGroupKey === nsgKey && d.sequence !== entry.sequence).map((d) => d.priority),
              ]
            : [];
        try {
            entry.result = planSecurityRule({ ...entry.request, existingPriorities: [...existing, ...planned, ...reserved] });
        } catch (error) {
            entry.result = error instanceof Error ? error : new Error(String(error));
        }
    }
}

/**
 * Creates the planned NSG rule as a child of `parent`, once `checked` (every check of the
 * component) passes: a NAT rule that is refused opens nothing either.
 */
export function createSecurityRule(
    componentName: string,
    declared: DeclaredSecurityRule,
    checked: pulumi.Output<unknown>,
    parent: pulumi.Resource,
): { rule: network.SecurityRule; name: pulumi.Output<string>; priority: pulumi.Output<number> } {
    const plan = pulumi.all([declared.plan, checked]).apply(([p]) => p);
    // One source goes in the singular field, as the portal writes it; several in the list.
    const single = (p: PlannedSecurityRule) => p.sourceAddressPrefixes.length === 1;
    const rule = new network.SecurityRule(`${componentName}-allow`, {
        resourceGroupName: declared.networkSecurityGroup.resourceGroupName,
        networkSecurityGroupName: declared.networkSecurityGroup.networkSecurityGroupName,
        securityRuleName: declared.name,
        priority: plan.priority,
        direction: "Inbound",
        access: "Allow",
        protocol: plan.protocol,
        sourceAddressPrefix: plan.apply((p) => (single(p) ? p.sourceAddressPrefixes[0] : undefined)),
        sourceAddressPrefixes: plan.apply((p) => (single(p) ? undefined : p.sourceAddressPrefixes)),
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: plan.destinationPortRange,
    }, { parent });
    return { rule, name: pulumi.output(declared.name), priority: plan.priority };
}
