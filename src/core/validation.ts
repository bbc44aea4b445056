import { NatRuleValidationError, type ValidationIssue } from "./errors";
import {
    MAX_BACKEND_PORT,
    MAX_FRONTEND_PORT,
    MAX_IDLE_TIMEOUT_MINUTES,
    MIN_IDLE_TIMEOUT_MINUTES,
    MIN_PORT,
} from "./limits";
import type { Protocol } from "./types";

/**
 * Stands for a value Pulumi does not know yet (an unresolved Output during preview). Field checks
 * skip it; combination checks count it as given.
 */
export const UNKNOWN: unique symbol = Symbol("azure-nat-rules.unknown");
export type Unknown = typeof UNKNOWN;
export type Maybe<T> = T | Unknown | undefined;

export const PROTOCOLS: readonly Protocol[] = ["Tcp", "Udp", "All"];

/** Maps any casing of a protocol name to ARM's spelling; `undefined` when it is not one. */
export function normalizeProtocol(value: unknown): Protocol | undefined {
    if (typeof value !== "string") return undefined;
    return PROTOCOLS.find((p) => p.toLowerCase() === value.trim().toLowerCase());
}

/**
 * The settings of one inbound NAT rule, in ARM's terms, as the core checks them. Each field may
 * be a value, `UNKNOWN` (not known yet) or `undefined` (not given).
 */
export interface NatRuleSettings {
    frontendPort?: Maybe<number>;
    frontendPortRangeStart?: Maybe<number>;
    frontendPortRangeEnd?: Maybe<number>;
    /** The portal's "maximum number of machines in backend pool"; sets the range end. */
    maxInstances?: Maybe<number>;
    backendPort?: Maybe<number>;
    protocol?: Maybe<string>;
    idleTimeoutInMinutes?: Maybe<number>;
    enableTcpReset?: Maybe<boolean>;
    enableFloatingIP?: Maybe<boolean>;
    /** Not an ARM property: whether a backend-pool component reads Azure's mappings after deployment. */
    readAzureMappings?: Maybe<boolean>;
    /** Whether a backend pool is referenced (a range needs one). */
    backendAddressPool?: Maybe<string>;
}

const given = (v: unknown): boolean => v !== undefined;
const known = <T>(v: Maybe<T>): v is T => v !== undefined && v !== UNKNOWN;

function checkInteger(
    issues: ValidationIssue[],
    field: string,
    value: Maybe<number>,
    min: number,
    max: number,
    fix: string,
): void {
    if (!known(value)) return;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        issues.push({ field, value, allowed: `an integer from ${min} to ${max}`, fix });
    }
}

/** A flag must be a real boolean: a string such as "yes" or "false" would reach Azure, or read as true. */
export function checkBoolean(issues: ValidationIssue[], field: string, value: unknown, fix: string): void {
    if (!known(value as Maybe<boolean>)) return;
    if (typeof value !== "boolean") {
        issues.push({ field, value, allowed: "true or false (a boolean, not a string or number)", fix });
    }
}

/**
 * Checks one rule against Azure's bounds and combination rules. Returns every problem found;
 * an empty list means the rule is valid as far as its known values go.
 */
export function validateNatRule(s: NatRuleSettings): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const ports = `${MIN_PORT}-${MAX_FRONTEND_PORT}`;

    checkInteger(issues, "frontendPort", s.frontendPort, MIN_PORT, MAX_FRONTEND_PORT,
        `pick a frontend port in ${ports} that no other rule on this load balancer uses`);
    checkInteger(issues, "backendPort", s.backendPort, MIN_PORT, MAX_BACKEND_PORT,
        `use the port the instances listen on, ${MIN_PORT}-${MAX_BACKEND_PORT}`);
    checkInteger(issues, "idleTimeoutInMinutes", s.idleTimeoutInMinutes, MIN_IDLE_TIMEOUT_MINUTES, MAX_IDLE_TIMEOUT_MINUTES,
        `use ${MIN_IDLE_TIMEOUT_MINUTES}-${MAX_IDLE_TIMEOUT_MINUTES} minutes, or leave it unset for Azure's default of 4`);

    checkBoolean(issues, "enableFloatingIP", s.enableFloatingIP,
        "pass true or false (e.g. enableFloatingIP: true), or leave it unset for false");
    checkBoolean(issues, "enableTcpReset", s.enableTcpReset,
        "pass true or false (e.g. enableTcpReset: true), or leave it unset for false");
    checkBoolean(issues, "readAzureMappings", s.readAzureMappings,
        "pass true or false (e.g. readAzureMappings: false), or leave it unset for true");

    if (!given(s.backendPort)) {
        issues.push({ field: "backendPort", value: undefined, allowed: `an integer from ${MIN_PORT} to ${MAX_BACKEND_PORT}`,
            fix: "set the port the instances listen on, e.g. 22 for SSH or 3389 for RDP" });
    }

    let protocol: Protocol | undefined;
    if (known(s.protocol)) {
        protocol = normalizeProtocol(s.protocol);
        if (!protocol) {
            issues.push({ field: "protocol", value: s.protocol, allowed: `one of ${PROTOCOLS.join(", ")}`,
                fix: 'use "Tcp" for SSH and RDP' });
        }
    } else if (!given(s.protocol)) {
        protocol = "Tcp"; // our default
    }

    // One frontend port, or a range: ARM rejects both together and neither.
    const hasRange = given(s.frontendPortRangeStart) || given(s.frontendPortRangeEnd) || given(s.maxInstances);
    if (given(s.frontendPort) && hasRange) {
        issues.push({ field: "frontendPort", value: s.frontendPort,
            allowed: "either frontendPort (one VM) or a frontend port range (a backend pool), never both",
            fix: "drop frontendPort for a backend-pool rule, or drop the range for a single-VM rule" });
    }
    if (!given(s.frontendPort) && !hasRange) {
        issues.push({ field: "frontendPort", value: undefined,
            allowed: "frontendPort (one VM) or frontendPortRangeStart with maxInstances or frontendPortRangeEnd (a backend pool)",
            fix: "set frontendPort, or a frontend port range" });
    }
    if (hasRange) {
        issues.push(...validateFrontendRange(s));
        if (!given(s.backendAddressPool)) {
            issues.push({ field: "backendAddressPoolId", value: undefined,
                allowed: "a backend pool id when a frontend port range is set",
                fix: "pass the backend pool whose members the range serves" });
        }
    }

    if (protocol === "Udp") {
        if (known(s.idleTimeoutInMinutes)) {
            issues.push({ field: "idleTimeoutInMinutes", value: s.idleTimeoutInMinutes,
                allowed: 'only with protocol "Tcp" or "All" (UDP has no idle timeout)',
                fix: "remove idleTimeoutInMinutes, or use a TCP protocol" });
        }
        if (s.enableTcpReset === true) {
            issues.push({ field: "enableTcpReset", value: true,
                allowed: 'only with protocol "Tcp" or "All"',
                fix: "remove enableTcpReset, or use a TCP protocol" });
        }
    }
    return issues;
}

/**
 * The frontend range alone: each of start, end and maxInstances within bounds, a start and a size
 * given, end after start, start + maxInstances inside the port space, and both forms agreeing.
 */
export function validateFrontendRange(s: Pick<NatRuleSettings, "frontendPortRangeStart" | "frontendPortRangeEnd" | "maxInstances">): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const ports = `${MIN_PORT}-${MAX_FRONTEND_PORT}`;
    checkInteger(issues, "frontendPortRangeStart", s.frontendPortRangeStart, MIN_PORT, MAX_FRONTEND_PORT,
        `start the range inside ${ports}`);
    checkInteger(issues, "frontendPortRangeEnd", s.frontendPortRangeEnd, MIN_PORT, MAX_FRONTEND_PORT,
        `end the range inside ${ports}`);
    checkInteger(issues, "maxInstances", s.maxInstances, 1, MAX_FRONTEND_PORT,
        "give the largest number of instances the pool will ever hold (×2 for an overprovisioning scale set)");
    if (!given(s.frontendPortRangeStart)) {
        issues.push({ field: "frontendPortRangeStart", value: undefined, allowed: `an integer from ${ports}`,
            fix: "set the first port of the range, e.g. 50000" });
    }
    if (!given(s.maxInstances) && !given(s.frontendPortRangeEnd)) {
        issues.push({ field: "maxInstances", value: undefined,
            allowed: "maxInstances or frontendPortRangeEnd",
            fix: "set maxInstances (the most instances the pool will hold) or an explicit frontendPortRangeEnd" });
    }
    rangeIssues(issues, s);
    return issues;
}

/** Range-specific checks: end after start, start + maxInstances inside the port space, and both forms agreeing. */
function rangeIssues(issues: ValidationIssue[], s: Pick<NatRuleSettings, "frontendPortRangeStart" | "frontendPortRangeEnd" | "maxInstances">): void {
    const start = s.frontendPortRangeStart;
    const end = s.frontendPortRangeEnd;
    const max = s.maxInstances;
    const intIn = (v: unknown, lo: number, hi: number): v is number =>
        typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi;
    if (!intIn(start, MIN_PORT, MAX_FRONTEND_PORT)) return;
    if (intIn(end, MIN_PORT, MAX_FRONTEND_PORT) && end < start) {
        issues.push({ field: "frontendPortRangeEnd", value: end, allowed: `at least frontendPortRangeStart (${start})`,
            fix: `set frontendPortRangeEnd to ${start} or more` });
    }
    if (intIn(max, 1, MAX_FRONTEND_PORT)) {
        const implied = start + max - 1;
        if (implied > MAX_FRONTEND_PORT) {
            issues.push({ field: "maxInstances", value: max,
                allowed: `at most ${MAX_FRONTEND_PORT - start + 1} when the range starts at ${start} (ports end at ${MAX_FRONTEND_PORT})`,
                fix: `lower maxInstances, or lower frontendPortRangeStart to ${MAX_FRONTEND_PORT - max + 1} or less` });
        } else if (intIn(end, MIN_PORT, MAX_FRONTEND_PORT) && end >= start && end !== implied) {
            issues.push({ field: "frontendPortRangeEnd", value: end,
                allowed: `${implied}, which maxInstances ${max} implies from start ${start} (or leave one of the two unset)`,
                fix: "set only one of maxInstances and frontendPortRangeEnd" });
        }
    }
}

/** Throws a `NatRuleValidationError` naming `component` when `settings` has any problem. */
export function assertValidNatRule(component: string, settings: NatRuleSettings): void {
    const issues = validateNatRule(settings);
    if (issues.length > 0) throw new NatRuleValidationError(component, issues);
}
