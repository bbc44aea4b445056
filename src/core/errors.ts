import type { PortRange } from "./types";

/**
 * An error Pulumi prints by its message alone, the message kept as written through Pulumi's
 * serializer: the base of the library's errors and of the simulator's Azure errors, two families
 * apart (an Azure error is not one the library threw on purpose).
 *
 * `__pulumiRunError` makes the Pulumi engine print the message alone, without a stack trace,
 * as it does for `pulumi.RunError`; the core sets it by name so that it needs no Pulumi import.
 */
export class PulumiMessageError extends Error {
    readonly __pulumiRunError = true;

    /**
     * Where Pulumi met this error while serializing Outputs, e.g. `error serializing property
     * "outputs": error serializing property "frontendPortRangeEnd"`; undefined if it did not.
     */
    declare readonly serializationContext?: string;

    constructor(message: string) {
        super(message);
        this.name = new.target.name;
        // Pulumi's serializer rewrites a failing Output's error in place, prefixing the path of the
        // property it was serializing (`error serializing property "outputs": ...`), and prints that
        // message. Keep ours first: record the prefix apart and leave the message as written.
        let own = message;
        Object.defineProperty(this, "message", {
            configurable: true,
            enumerable: false,
            get: () => own,
            set: (value: string) => {
                const text = String(value);
                if (text.endsWith(own) && text.length > own.length) {
                    const prefix = text.slice(0, text.length - own.length).replace(/:\s*$/, "");
                    // Nested properties are prefixed from the inside out.
                    const inner = this.serializationContext;
                    const context = inner === undefined ? prefix : `${prefix}: ${inner}`;
                    Object.defineProperty(this, "serializationContext", { value: context, configurable: true, enumerable: false, writable: true });
                } else {
                    own = text;
                }
            },
        });
    }
}

/** Base of every error this library throws on purpose. */
export class AzureNatRulesError extends PulumiMessageError {}

/** One invalid argument: what it is, what it holds, what Azure allows and how to fix it. */
export interface ValidationIssue {
    /** Path of the field, e.g. `frontendPortRangeStart` or `rules[2].backendPort`. */
    field: string;
    /** The value given (rendered with `formatValue` in messages). */
    value: unknown;
    /** What Azure allows, in words: `an integer from 1 to 65534`. */
    allowed: string;
    /** How to fix it, in words the user can act on. */
    fix: string;
}

/**
 * A value as a message shows it: strings quoted, numbers as JavaScript writes them (`NaN`,
 * `Infinity`, which JSON would print as `null`), arrays and plain objects with their contents,
 * and any other object by its class, e.g. `<Output>`, since its JSON is noise or circular.
 */
export function formatValue(value: unknown, depth = 0): string {
    if (value === undefined) return "undefined";
    if (value === null) return "null";
    switch (typeof value) {
        case "string":
            return JSON.stringify(value);
        case "number":
            return Object.is(value, -0) ? "-0" : String(value);
        case "bigint":
            return `${value}n`;
        case "boolean":
        case "symbol":
            return String(value);
        case "function":
            return "<function>";
    }
    if (depth > 3) return "…";
    if (Array.isArray(value)) return `[${value.map((v) => formatValue(v, depth + 1)).join(",")}]`;
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto !== Object.prototype && proto !== null) {
        const name = (value as { constructor?: { name?: string } }).constructor?.name;
        return `<${name === "OutputImpl" ? "Output" : name || "object"}>`;
    }
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}:${formatValue(v, depth + 1)}`);
    return `{${entries.join(",")}}`;
}

export function formatIssue(issue: ValidationIssue): string {
    return `${issue.field} = ${formatValue(issue.value)}: allowed is ${issue.allowed}. Fix: ${issue.fix}`;
}

/** One invalid property as Pulumi's InputPropertiesError lists it: its path and what is wrong with it. */
export interface InputPropertyIssue {
    /** Pulumi's property path, e.g. `frontendPort` or `loadBalancingRules[2].backendPort`. */
    propertyPath: string;
    reason: string;
}

/**
 * Invalid arguments of one component, all reported at once. It is a Pulumi `InputPropertiesError`
 * (`InputPropertiesError.isInstance` reads the flag, set by name so the core needs no Pulumi
 * import): over the provider protocol the engine gets one entry per property, which Python, Go
 * and other SDKs show against the property, with the message unchanged.
 */
export class NatRuleValidationError extends AzureNatRulesError {
    readonly __pulumiInputPropertiesError = true;
    /** One entry per issue, in the order of `issues`. */
    readonly errors: readonly InputPropertyIssue[];

    constructor(
        /** The component (or resource) name the arguments belong to. */
        readonly component: string,
        readonly issues: readonly ValidationIssue[],
    ) {
        const count = issues.length === 1 ? "1 invalid argument" : `${issues.length} invalid arguments`;
        super(`${component}: ${count}:\n${issues.map((i) => `  - ${formatIssue(i)}`).join("\n")}`);
        this.errors = issues.map((i) => ({ propertyPath: i.field, reason: `${formatValue(i.value)}: allowed is ${i.allowed}. Fix: ${i.fix}` }));
    }
}

/**
 * A backend-pool rule's frontend range holds fewer free ports than instances need. Azure blocks
 * such a scale-out and leaves the new instances unreachable.
 */
export class PortRangeExhaustedError extends AzureNatRulesError {
    constructor(
        /** The NAT rule (or component) whose range is too small. */
        readonly rule: string,
        readonly range: PortRange,
        /** How many instances asked for a port, survivors included. */
        readonly requested: number,
        /** Instances left without a port, in instance order. */
        readonly unassigned: readonly string[],
        /** Why the demand is what it is, e.g. "capacity 60 × 2 for overprovisioning". */
        readonly demandNote?: string,
        /**
         * How to fix it, when the default (raise maxInstances or the range end, or lower the
         * instance count) is not the whole story: an autoscale maximum to lower, for example.
         */
        fix?: string,
    ) {
        const shown = unassigned.slice(0, 20).join(", ") + (unassigned.length > 20 ? `, … (${unassigned.length - 20} more)` : "");
        // Unassigned instances are named; at an autoscale or overprovisioning peak they don't exist yet, so only their count is given.
        const short = unassigned.length > 0 ? unassigned.length : Math.max(0, requested - range.capacity);
        const left = unassigned.length > 0 ? `${short} would be left without one: ${shown}` : `${short} would be left without one at the peak`;
        super(
            `${rule}: frontend port range ${range.start}-${range.end} (capacity ${range.capacity}) is exhausted: ` +
                `${requested} instances need a port${demandNote ? ` (${demandNote})` : ""}, ${left}. ` +
                `Fix: ${fix ?? `raise maxInstances to at least ${range.capacity + short} (or frontendPortRangeEnd to at least ${range.end + short}), or lower the instance count`}.`,
        );
    }
}
