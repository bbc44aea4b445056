import type { ValidationIssue } from "./errors";

/**
 * Azure's rule for the names we send: an inbound NAT rule (`loadBalancers / inboundNatRules`) and
 * an NSG security rule (`networkSecurityGroups / securityRules`) both take 1-80 characters of
 * alphanumerics (a-z, A-Z, 0-9), underscores, periods and hyphens, starting with an alphanumeric
 * and ending with an alphanumeric or underscore. Names are case-insensitive, so two names that
 * differ only in case are the same rule. Source: Microsoft docs, "Naming rules and restrictions
 * for Azure resources" (azure-resource-manager/management/resource-name-rules), Microsoft.Network.
 */
export const NETWORK_NAME_MAX_LENGTH = 80;
export const NETWORK_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
export const NETWORK_NAME_RULE = "1-80 letters, digits, \"_\", \".\" or \"-\", starting with a letter or digit and ending with a letter, digit or \"_\"";

/** Whether Azure accepts `name` as an inbound NAT rule or security rule name. */
export function isValidNetworkName(name: unknown): name is string {
    return typeof name === "string" && name.length <= NETWORK_NAME_MAX_LENGTH && NETWORK_NAME_PATTERN.test(name);
}

/**
 * A valid name close to `name`: each run of characters Azure refuses becomes one "-", leading
 * characters other than letters and digits are dropped, the end is trimmed to 80 characters and
 * to a letter, digit or "_". `fallback` when nothing is left.
 */
export function suggestNetworkName(name: string, fallback = "nat-rule"): string {
    const base = name
        .replace(/[^A-Za-z0-9_.-]+/g, "-")
        .replace(/^[^A-Za-z0-9]+/, "")
        .slice(0, NETWORK_NAME_MAX_LENGTH)
        .replace(/[.-]+$/, "");
    return base || fallback;
}

/** Why `name` breaks Azure's rule, in words; undefined when it does not. */
function whatIsWrong(name: string): string | undefined {
    if (name.length === 0) return "it is empty";
    if (name.length > NETWORK_NAME_MAX_LENGTH) return `it has ${name.length} characters`;
    const bad = [...new Set(name.replace(/[A-Za-z0-9_.-]/g, ""))];
    if (bad.length > 0) return `it contains ${bad.map((c) => JSON.stringify(c)).join(", ")}`;
    if (!/^[A-Za-z0-9]/.test(name)) return `it starts with ${JSON.stringify(name[0])}`;
    if (!/[A-Za-z0-9_]$/.test(name)) return `it ends with ${JSON.stringify(name[name.length - 1])}`;
    return undefined;
}

/**
 * The issue of an inbound NAT rule name, or undefined when Azure accepts it. `defaultedFrom` is
 * the component's name when no `ruleName` was given and the rule takes the component's name.
 */
export function ruleNameIssue(name: unknown, defaultedFrom?: string): ValidationIssue | undefined {
    if (typeof name !== "string") {
        return { field: "ruleName", value: name, allowed: `a string of ${NETWORK_NAME_RULE}`, fix: "pass the rule's name as a string, or leave ruleName unset to use the component's name" };
    }
    const why = whatIsWrong(name);
    if (!why) return undefined;
    const suggestion = JSON.stringify(suggestNetworkName(name));
    return {
        field: "ruleName",
        value: name,
        allowed: `${NETWORK_NAME_RULE} (Azure's rule for inbound NAT rule names; ${why}${defaultedFrom === undefined ? "" : ", and the rule takes the component's name when ruleName is unset"})`,
        fix: defaultedFrom === undefined
            ? `set ruleName to a valid name, e.g. ${suggestion}`
            : `set ruleName to a valid name, e.g. ruleName: ${suggestion}, or give the component a valid name`,
    };
}

/**
 * The NSG rule name for a component: its name with characters Azure does not allow replaced by
 * `-`, cut to Azure's 80 characters, starting with a letter or digit and ending with one or `_`,
 * then "-allow". Always valid; two component names can map to the same rule name (`web/x` and
 * `web:x` both give `web-x-allow`), which the program-wide name check refuses.
 */
export function securityRuleNameFor(componentName: string): string {
    const suffix = "-allow";
    const base = componentName.replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, NETWORK_NAME_MAX_LENGTH - suffix.length).replace(/[.-]+$/, "");
    return `${base || "nat-rule"}${suffix}`;
}
