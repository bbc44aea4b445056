import * as pulumi from "@pulumi/pulumi";
import { lastSegment } from "../core/arm-ids";
import type { ValidationIssue } from "../core/errors";
import { ruleNameIssue, securityRuleNameFor, suggestNetworkName } from "../core/names";
import { settledIdKey, nextTurn, onNatRuleRegistryReset, runRegistryKey } from "./conflict-registry";
import { settle } from "../pulumi-sdk/settle";

/**
 * The Azure names every component of one program run sends, so that two components never send
 * the same name to the same parent: Azure would keep one rule and the other would be overwritten
 * without a word. Inbound NAT rule names are unique per load balancer, NSG rule names per NSG,
 * and Azure compares names ignoring case (Microsoft docs, "Naming rules and restrictions for
 * Azure resources"). Keyed like the conflict registry, by the program run.
 */

/** Where a name lives and what it is, compared ignoring case. */
interface NameKey {
    /** The parent's id (lower case), or a token for an id Output not known yet. */
    scope: string;
    /** The parent's name, for messages. */
    scopeName: string;
    /** The name sent to Azure. */
    name: string;
}

interface NameClaim {
    /** `SingleVmNatRule "a"`. */
    component: string;
    /** The component's own name. */
    componentName: string;
    kind: "inbound NAT rule" | "NSG rule";
    /** Known at declaration: plain values (or the id Output object itself). */
    declared?: NameKey;
    /** Known once the values resolve. */
    resolved?: NameKey;
}

const registries = new WeakMap<object, NameClaim[]>();
onNatRuleRegistryReset(() => registries.delete(runRegistryKey()));

function claims(): NameClaim[] {
    const key = runRegistryKey();
    let list = registries.get(key);
    if (!list) {
        list = [];
        registries.set(key, list);
    }
    return list;
}

/** What one component sends to Azure by name. */
export interface NameRequest {
    /** `SingleVmNatRule "a"`, for messages. */
    component: string;
    /** The component's name: the rule's name when `ruleName` is unset, and the NSG rule's name's source. */
    name: string;
    ruleName: pulumi.Input<string> | undefined;
    loadBalancerId: pulumi.Input<string>;
    /** Given when the component adds an NSG rule. */
    networkSecurityGroupId?: pulumi.Input<string>;
}

const isLate = (v: unknown): boolean => pulumi.Output.isInstance(v) || v instanceof Promise;

/** The scope key of an id known now: the id itself, or the token of its Output object. */
function declaredScope(id: unknown): string | undefined {
    if (typeof id === "string") return id.toLowerCase();
    return isLate(id) ? settledIdKey(id, { state: "unknown" }) : undefined;
}

/** The parent's name for messages: the id's last segment, or a note while the id is not known. */
const parentName = (id: unknown): string => (typeof id === "string" && id.includes("/") ? lastSegment(id) : "(not known yet)");

const same = (a: NameKey | undefined, b: NameKey | undefined): boolean =>
    a !== undefined && b !== undefined && a.scope === b.scope && a.name.toLowerCase() === b.name.toLowerCase();

function collisionIssue(self: NameClaim, key: NameKey, other: NameClaim): ValidationIssue {
    if (self.kind === "inbound NAT rule") {
        return {
            field: "ruleName",
            value: key.name,
            allowed: `a name no other NAT rule of this program has on load balancer ${JSON.stringify(key.scopeName)}: ${other.component} ` +
                "sends the same rule name (Azure compares names ignoring case), so one rule would overwrite the other",
            fix: `give ${self.component} or ${other.component} a ruleName of its own, e.g. ruleName: ${JSON.stringify(suggestNetworkName(`${key.name}-2`))}`,
        };
    }
    return {
        field: "name",
        value: self.componentName,
        allowed: `a component name whose NSG rule name ${JSON.stringify(key.name)} no other component sends to network security group ` +
            `${JSON.stringify(key.scopeName)}: ${other.component} derives the same name (characters other than letters, digits, "_", "." and "-" ` +
            "become \"-\", and Azure compares names ignoring case), so one NSG rule would overwrite the other",
        fix: `rename ${self.component} or ${other.component} so the names differ in letters, digits, "_", "." or "-", e.g. ${JSON.stringify(suggestNetworkName(`${self.componentName}-2`))}`,
    };
}

function collisions(self: NameClaim, key: NameKey | undefined, all: readonly NameClaim[]): ValidationIssue[] {
    if (!key) return [];
    const other = all.find((c) => c !== self && c.kind === self.kind && same(c.resolved ?? c.declared, key));
    return other ? [collisionIssue(self, key, other)] : [];
}

/**
 * Checks and claims the names a component sends: the rule name against Azure's naming rule, and
 * both names against every other component of the program. `issues` are found now (plain values);
 * `late` claims the names, then finds the rest once the values resolve; it never rejects, and is
 * to be called once, after the component's known checks have passed, before the next component
 * is declared.
 */
export function claimNames(request: NameRequest): { issues: ValidationIssue[]; late: () => Promise<ValidationIssue[]> } {
    const all = claims();
    const ruleName = request.ruleName ?? request.name;
    const issues: ValidationIssue[] = [];
    const rule: NameClaim = { component: request.component, componentName: request.name, kind: "inbound NAT rule" };
    if (!isLate(ruleName)) {
        const format = ruleNameIssue(ruleName, request.ruleName === undefined ? request.name : undefined);
        if (format) issues.push(format);
        const scope = declaredScope(request.loadBalancerId);
        if (!format && scope) rule.declared = { scope, scopeName: parentName(request.loadBalancerId), name: ruleName as string };
    }
    const nsgRule: NameClaim | undefined = request.networkSecurityGroupId === undefined
        ? undefined
        : { component: request.component, componentName: request.name, kind: "NSG rule" };
    const nsgScope = declaredScope(request.networkSecurityGroupId);
    if (nsgRule && nsgScope) nsgRule.declared = { scope: nsgScope, scopeName: parentName(request.networkSecurityGroupId), name: securityRuleNameFor(request.name) };
    const ruleCollisions = collisions(rule, rule.declared, all);
    const nsgCollisions = nsgRule ? collisions(nsgRule, nsgRule.declared, all) : [];
    issues.push(...ruleCollisions, ...nsgCollisions);
    // A name refused for a collision is still claimed, so the other side refuses it too before its
    // rule is sent: under `pulumi up` nothing is rolled back, and a rule created first would stay.
    if (ruleCollisions.length > 0) all.push(rule);
    if (nsgRule && nsgCollisions.length > 0) all.push(nsgRule);

    const late = async (): Promise<ValidationIssue[]> => {
        // Claimed on the first call (synchronously, before any await), unless a collision claimed it already.
        for (const claim of [rule, ...(nsgRule ? [nsgRule] : [])]) if (!all.includes(claim)) all.push(claim);
        const [name, lbId, nsgId] = await Promise.all([settle<string>(ruleName), settle<string>(request.loadBalancerId), settle<string>(request.networkSecurityGroupId)]);
        const found: ValidationIssue[] = [];
        if (name.state === "known" && isLate(ruleName)) {
            const format = ruleNameIssue(name.value ?? undefined);
            if (format) found.push(format);
        }
        const lbScope = settledIdKey(request.loadBalancerId, lbId);
        if (name.state === "known" && typeof name.value === "string" && !ruleNameIssue(name.value) && lbScope) {
            rule.resolved = { scope: lbScope.toLowerCase(), scopeName: parentName(lbId.state === "known" ? lbId.value : undefined), name: name.value };
        }
        const nsgKey = settledIdKey(request.networkSecurityGroupId, nsgId);
        if (nsgRule && nsgKey) {
            nsgRule.resolved = { scope: nsgKey.toLowerCase(), scopeName: parentName(nsgId.state === "known" ? nsgId.value : undefined), name: securityRuleNameFor(request.name) };
        }
        // Let the components resolving at the same moment claim theirs, so both sides of a collision see it.
        await nextTurn();
        // Against resolved names, and against claims refused at declaration (never resolved) by the same declared key.
        const unresolved = all.filter((c) => c.resolved === undefined);
        const againstBoth = (claim: NameClaim): ValidationIssue[] => {
            const found = collisions(claim, claim.resolved, all);
            return found.length > 0 ? found : collisions(claim, claim.declared, unresolved);
        };
        found.push(...againstBoth(rule));
        if (nsgRule) found.push(...againstBoth(nsgRule));
        return found;
    };
    return { issues, late };
}
