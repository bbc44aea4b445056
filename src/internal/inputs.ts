import * as pulumi from "@pulumi/pulumi";
import { NatRuleValidationError, type ValidationIssue } from "../core/errors";
import { UNKNOWN, type Maybe, type NatRuleSettings, validateNatRule } from "../core/validation";
import { settle } from "./settle";

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

/**
 * Two-phase validation. Known values are checked now, before any resource is declared, so
 * `pulumi preview` fails at once. Each value that is still an Output is checked when it resolves;
 * the returned inputs pass through that check, so a resource built from them is never created
 * with a bad value, and unknowns in preview stay unknown without crashing anything.
 */
export function validateInputs<I extends SettingInputs>(
    component: string,
    inputs: I,
    names: FieldNames = {},
    extraIssues: ValidationIssue[] = [],
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
        // Everything else passed with this field unknown, so any issue now is due to its value.
        out[k] = pulumi.output(value as pulumi.Input<string | number | boolean> | undefined).apply((resolved) => {
            const late = validateNatRule({ ...plain, [k]: resolved ?? undefined });
            if (late.length > 0) throw new NatRuleValidationError(component, renamed(late, names));
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
    inputs: Partial<Record<keyof NatRuleSettings, pulumi.Input<unknown> | undefined>>,
    ids: LoadBalancerIds,
    names: FieldNames = {},
): pulumi.Output<boolean> {
    const keys = Object.keys(inputs) as (keyof NatRuleSettings)[];
    const late = keys.filter((k) => plainOrUnknown(inputs[k]) === UNKNOWN);
    const idsLate = [ids.loadBalancerId, ...ids.children.map((c) => c.id)].some((v) => plainOrUnknown(v) === UNKNOWN);
    if (late.length < 2 && !idsLate) return pulumi.output(true); // validateInputs has judged the rest
    return pulumi.output(
        (async () => {
            const resolved = async (v: pulumi.Input<unknown> | undefined): Promise<unknown> => {
                const s = await settle(v);
                // A failed value fails the resource by itself; an unknown one is judged at deployment.
                return s.state === "known" ? (s.value ?? undefined) : s.state === "unknown" ? UNKNOWN : undefined;
            };
            const settings: Record<string, unknown> = {};
            for (const k of keys) settings[k] = await resolved(inputs[k]);
            const issues = late.length >= 2 ? validateNatRule(settings as NatRuleSettings) : [];
            const children = await Promise.all(ids.children.map(async (c) => ({ ...c, id: await resolved(c.id) })));
            issues.push(...loadBalancerIdIssues(await resolved(ids.loadBalancerId), children));
            if (issues.length > 0) throw new NatRuleValidationError(component, renamed(issues, names));
            return true;
        })(),
    );
}

/** `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Network/loadBalancers/{lb}` parsed. */
export interface LoadBalancerRef {
    subscriptionId: string;
    resourceGroupName: string;
    loadBalancerName: string;
}

const LB_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/loadBalancers\/([^/]+)$/i;

export function parseLoadBalancerId(id: string): LoadBalancerRef | undefined {
    const m = LB_ID.exec(id);
    return m ? { subscriptionId: m[1], resourceGroupName: m[2], loadBalancerName: m[3] } : undefined;
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
