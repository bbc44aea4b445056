import * as pulumi from "@pulumi/pulumi";
import { parseNetworkResourceId } from "../core/arm-ids";
import { NatRuleValidationError, type ValidationIssue } from "../core/errors";
import { UNKNOWN, type Maybe, type NatRuleSettings, validateNatRule } from "../core/validation";
import { settle } from "../pulumi-sdk/settle";

/** A plain value as is; an Output or Promise as UNKNOWN (checked later, once it resolves). */
export function plainOrUnknown<T>(value: pulumi.Input<T> | undefined): Maybe<T> {
    if (value === undefined || value === null) return undefined;
    if (pulumi.Output.isInstance(value) || value instanceof Promise) return UNKNOWN;
    return value as T;
}

/** Inputs for some of a rule's settings; a field given as required stays required through `validateInputs`. */
export type SettingInputs = { [P in keyof NatRuleSettings]?: pulumi.Input<NonNullable<Exclude<NatRuleSettings[P], typeof UNKNOWN>>> };

/** Field names as the component's args spell them, where they differ from ARM's. */
export type FieldNames = Partial<Record<keyof NatRuleSettings | string, string>>;

function renamed(issues: ValidationIssue[], names: FieldNames): ValidationIssue[] {
    return issues.map((i) => (names[i.field] ? { ...i, field: names[i.field] as string } : i));
}

/** Checks of values not known at declaration; resolves to their issues, never rejects. */
export type LateIssues = () => Promise<ValidationIssue[]>;

/** A settled input as the core judges it: its value, or UNKNOWN when unknown or failed (a failed input fails by itself). */
async function judged(input: pulumi.Input<unknown> | undefined): Promise<unknown> {
    const s = await settle(input);
    return s.state === "known" ? (s.value ?? undefined) : s.state === "unknown" ? UNKNOWN : UNKNOWN;
}

/**
 * Every check of the values that were Outputs at declaration, run once, when all of them have
 * resolved: the settings together (so two late fields are reported in one error), the load
 * balancer's child ids, and `extra` (the names). Unknown values (preview) are skipped.
 */
export function lateIssuesOf(settings: SettingInputs, ids?: LoadBalancerIds, extra?: LateIssues): LateIssues {
    let result: Promise<ValidationIssue[]> | undefined;
    return () => (result ??= (async () => {
        // Started first, so what `extra` does before its first await happens on the first call.
        const extraIssues = extra?.();
        const keys = Object.keys(settings) as (keyof NatRuleSettings)[];
        const late = keys.filter((k) => plainOrUnknown(settings[k] as pulumi.Input<unknown>) === UNKNOWN);
        const values: Record<string, unknown> = {};
        for (const k of keys) values[k] = await judged(settings[k] as pulumi.Input<unknown>);
        const issues = late.length > 0 ? validateNatRule(values as NatRuleSettings) : [];
        if (ids) {
            const idsLate = [ids.loadBalancerId, ...ids.children.map((c) => c.id)].some((v) => plainOrUnknown(v) === UNKNOWN);
            if (idsLate) {
                const children = await Promise.all(ids.children.map(async (c) => ({ ...c, id: await judged(c.id) })));
                issues.push(...loadBalancerIdIssues(await judged(ids.loadBalancerId), children));
            }
        }
        if (extraIssues) issues.push(...(await extraIssues));
        return issues;
    })());
}

/**
 * Two-phase validation. Known values are checked now, before any resource is declared, so
 * `pulumi preview` fails at once. Values that are still Outputs are checked together once they
 * resolve (with `late`, see `lateIssuesOf`); each returned input passes through that check, so a
 * resource built from them is never created with a bad value, every failing input reports the
 * same complete list, and unknowns in preview stay unknown without crashing anything.
 */
export function validateInputs<I extends SettingInputs>(
    component: string,
    inputs: I,
    names: FieldNames = {},
    extraIssues: ValidationIssue[] = [],
    late: LateIssues = lateIssuesOf(inputs),
): I {
    type K = keyof I & keyof NatRuleSettings;
    const keys = Object.keys(inputs) as K[];
    const plain: NatRuleSettings = {};
    for (const k of keys) (plain as Record<string, unknown>)[k] = plainOrUnknown(inputs[k] as pulumi.Input<unknown>);
    const issues = [...extraIssues, ...validateNatRule(plain)];
    if (issues.length > 0) throw new NatRuleValidationError(component, renamed(issues, names));

    const out = {} as Record<K, unknown>;
    for (const k of keys) {
        const value = inputs[k];
        if (plain[k] !== UNKNOWN) {
            out[k] = value;
            continue;
        }
        out[k] = pulumi.output(value as pulumi.Input<string | number | boolean> | undefined).apply(async (resolved) => {
            const found = await late();
            if (found.length > 0) throw new NatRuleValidationError(component, renamed(found, names));
            return resolved;
        });
    }
    return out as never;
}

/** A load balancer id and the child ids (frontend, pool) that must belong to it. */
export interface LoadBalancerIds {
    loadBalancerId: pulumi.Input<string>;
    children: { field: string; id: pulumi.Input<string> | undefined; collection: string }[];
}

/**
 * What `validateInputs` cannot see field by field: combinations of two or more values that were
 * Outputs (say protocol and idle timeout), and child ids of the load balancer that were Outputs.
 * Checked once everything has resolved; unknown values (preview) are skipped, so the check never
 * waits forever and stays known. Chain the result into the resource so a failure creates nothing.
 */
export function checkResolvedInputs(
    component: string,
    inputs: SettingInputs,
    ids: LoadBalancerIds,
    names: FieldNames = {},
    late: LateIssues = lateIssuesOf(inputs, ids),
): pulumi.Output<boolean> {
    return pulumi.output(
        late().then((issues) => {
            if (issues.length > 0) throw new NatRuleValidationError(component, renamed(issues, names));
            return true;
        }),
    );
}

/** `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Network/loadBalancers/{lb}` parsed. */
export interface LoadBalancerRef {
    subscriptionId: string;
    resourceGroupName: string;
    loadBalancerName: string;
}

export function parseLoadBalancerId(id: string): LoadBalancerRef | undefined {
    const parsed = parseNetworkResourceId(id, "loadBalancers");
    return parsed ? { subscriptionId: parsed.subscriptionId, resourceGroupName: parsed.resourceGroupName, loadBalancerName: parsed.name } : undefined;
}

/**
 * Checks that the load balancer id parses and that each child id (frontend, pool) belongs to it.
 * Returns issues rather than throwing, so they join the component's other issues.
 */
export function loadBalancerIdIssues(
    loadBalancerId: unknown,
    children: { field: string; id: unknown; collection: string }[],
): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    if (loadBalancerId === undefined) {
        issues.push({ field: "loadBalancerId", value: undefined, allowed: "the ARM id of a load balancer",
            fix: "pass the load balancer's `id` output" });
        return issues;
    }
    if (typeof loadBalancerId !== "string") return issues; // unknown until deployment
    if (!parseLoadBalancerId(loadBalancerId)) {
        issues.push({ field: "loadBalancerId", value: loadBalancerId,
            allowed: "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/loadBalancers/{name}",
            fix: "pass the load balancer's `id` output, not its name" });
        return issues;
    }
    for (const child of children) {
        if (typeof child.id !== "string") continue;
        const prefix = `${loadBalancerId}/${child.collection}/`.toLowerCase();
        if (!child.id.toLowerCase().startsWith(prefix) || child.id.length <= prefix.length) {
            issues.push({ field: child.field, value: child.id,
                allowed: `an id under ${loadBalancerId}/${child.collection}/`,
                fix: `pass the ${child.collection} id of the same load balancer` });
        }
    }
    return issues;
}

/** Pulumi's unknown-aware `pulumi.all` of a ARM id into its load balancer parts. */
export function loadBalancerParts(component: string, loadBalancerId: pulumi.Input<string>): pulumi.Output<LoadBalancerRef> {
    return pulumi.output(loadBalancerId).apply((id) => {
        const ref = parseLoadBalancerId(id);
        if (!ref) {
            throw new NatRuleValidationError(component, loadBalancerIdIssues(id, []));
        }
        return ref;
    });
}

/**
 * A backend-pool rule's members: exactly one of a scale set and VM names, and the scale set as
 * the azure-native resource (its capacity and overprovisioning are read from it), never its id.
 */
export function memberIssues(scaleSet: unknown, virtualMachineNames: unknown): ValidationIssue[] {
    if ((scaleSet === undefined) === (virtualMachineNames === undefined)) {
        return [{
            field: "scaleSet",
            value: scaleSet === undefined ? undefined : scaleSet,
            allowed: "exactly one of scaleSet and virtualMachineNames",
            fix: "pass the scale set whose instances join the pool, or the names of the VMs in it",
        }];
    }
    if (scaleSet !== undefined && !pulumi.CustomResource.isInstance(scaleSet)) {
        return [{
            field: "scaleSet",
            value: scaleSet,
            allowed: "an azure-native compute.VirtualMachineScaleSet resource, not its id, name or an Output (its capacity and overprovisioning are read from the resource)",
            fix: 'pass the resource: the one the program declares (scaleSet: vmss), or for an existing scale set compute.VirtualMachineScaleSet.get("vmss", "<its ARM id>")',
        }];
    }
    return [];
}
