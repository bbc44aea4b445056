import { AzureNatRulesError, NatRuleValidationError, type ValidationIssue } from "./errors";
import { MAX_FRONTEND_PORT, MIN_PORT } from "./limits";
import { frontendPortRange, rangesOverlap, scaleSetDemand } from "./range";
import type { Protocol } from "./types";
import { normalizeProtocol, validateFrontendRange, validateNatRule } from "./validation";

/** One backend-pool NAT rule that needs a frontend port range. */
export interface FrontendRuleRequest {
    /** The NAT rule (or component) name; unique within the request. */
    name: string;
    /** The port the instances listen on. */
    backendPort: number;
    /** Default `Tcp`. */
    protocol?: Protocol;
    /** The most instances the pool will ever hold. */
    maxInstances: number;
    /**
     * A scale set that overprovisions needs a port for each extra VM too, so the demand doubles
     * (see `scaleSetDemand`). Default `false` here, because a rule may serve plain VMs; pass `true`
     * for a scale set whose `overprovision` is unset or true (Azure's default).
     */
    overprovision?: boolean;
    /** Extra capacity as a fraction of the demand for this rule; overrides the request's `headroom`. */
    headroom?: number;
}

/** An inclusive port span: a load-balancing rule's frontend port, or a range the user reserves. */
export interface PortSpan {
    start: number;
    end: number;
}

/** A rule that is already deployed with this frontend range. */
export interface ExistingFrontendRange extends PortSpan {
    name: string;
}

export interface FrontendPlanRequest {
    /** The lowest port any new range may use. */
    frontendStart: number;
    /** New (or re-planned) rules, packed first-fit in this order. */
    rules: readonly FrontendRuleRequest[];
    /** New ranges begin at multiples of this. Default 1. */
    align?: number;
    /** Ports no new range may touch: load-balancing rules' frontend ports, reserved ranges. */
    avoid?: readonly PortSpan[];
    /** Extra capacity as a fraction of each rule's demand (0.2 = +20%, rounded up). Default 0. */
    headroom?: number;
    /**
     * Rules already deployed. A rule of `rules` with the same name keeps exactly this range, so no
     * live mapping moves; every existing range is also an obstacle for new rules. Existing ranges are
     * taken as facts: they are not checked against each other or `avoid` (`findConflicts` does that).
     */
    existing?: readonly ExistingFrontendRange[];
}

export interface PlannedFrontendRule {
    name: string;
    backendPort: number;
    protocol: Protocol;
    /** First frontend port, inclusive. */
    start: number;
    /** Last frontend port, inclusive. */
    end: number;
    /** `end - start + 1`: the most instances (overprovisioned VMs included) the rule can serve. */
    capacity: number;
}

export interface FrontendPlan {
    /** One entry per requested rule, in request order. */
    rules: PlannedFrontendRule[];
}

/** A rule that cannot be given a frontend range: it names the rule, how many ports it needs and from where. */
export class FrontendPlanError extends AzureNatRulesError {
    constructor(
        readonly component: string,
        /** The rule that did not fit. */
        readonly rule: string,
        /** Ports the rule needs in one run. */
        readonly needed: number,
        /** The first port the search (or the deployed range) starts from. */
        readonly from: number,
        /** Why it did not fit and how to fix it. */
        readonly reason: string,
    ) {
        super(`${component}: rule "${rule}" does not fit: ${reason}`);
    }
}

/** Fraction from which a product is still rounded down: 100 × 0.2 is 20.000000000000004 in floating point. */
const ROUNDING_SLACK = 1e-9;

/** Ports a rule needs: maxInstances (× 2 when overprovisioning) plus headroom, rounded up. */
export function frontendDemand(rule: Pick<FrontendRuleRequest, "maxInstances" | "overprovision">, headroom = 0): number {
    const base = scaleSetDemand(rule.maxInstances, rule.overprovision === true);
    return base + Math.max(0, Math.ceil(base * headroom - ROUNDING_SLACK));
}

function describeDemand(rule: FrontendRuleRequest, headroom: number): string {
    const parts = [`maxInstances ${rule.maxInstances}`];
    if (rule.overprovision === true) parts.push("× 2 for overprovisioning");
    if (headroom > 0) parts.push(`+ ${+(headroom * 100).toFixed(4)}% headroom`);
    return parts.join(" ");
}

const alignUp = (port: number, align: number): number => Math.ceil(port / align) * align;

/** Field checks for a span; the core's range rules, with the core's field names mapped to ours. */
function spanIssues(field: string, span: PortSpan | undefined): ValidationIssue[] {
    if (span === null || typeof span !== "object") {
        return [{ field, value: span, allowed: "an object { start, end }", fix: "give the first and last port of the span" }];
    }
    const rename: Record<string, string> = { frontendPortRangeStart: "start", frontendPortRangeEnd: "end" };
    const issues = validateFrontendRange({ frontendPortRangeStart: span.start, frontendPortRangeEnd: span.end ?? span.start });
    const ours = (text: string): string => text.replace(/frontendPortRange(Start|End)/g, (_, which: string) => which.toLowerCase());
    return issues.map((i) => ({ ...i, field: `${field}.${rename[i.field] ?? i.field}`, allowed: ours(i.allowed), fix: ours(i.fix) }));
}

function validateRequest(request: FrontendPlanRequest): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const startIssues = validateFrontendRange({ frontendPortRangeStart: request.frontendStart, maxInstances: 1 });
    for (const i of startIssues) issues.push({ ...i, field: "frontendStart" });
    if (request.align !== undefined && (!Number.isInteger(request.align) || request.align < 1 || request.align > MAX_FRONTEND_PORT)) {
        issues.push({ field: "align", value: request.align, allowed: `an integer from 1 to ${MAX_FRONTEND_PORT}`,
            fix: "use 1 for no alignment, or a round step such as 10 or 100" });
    }
    const headroomIssue = (field: string, value: unknown): void => {
        if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value < 0)) {
            issues.push({ field, value, allowed: "a fraction of 0 or more (0.2 = 20% more ports)",
                fix: "use 0 for none, or e.g. 0.2 for 20% spare capacity" });
        }
    };
    headroomIssue("headroom", request.headroom);
    if (!Array.isArray(request.rules)) {
        issues.push({ field: "rules", value: request.rules, allowed: "an array of rules", fix: "pass the rules to plan" });
    }
    const names = new Set<string>();
    (Array.isArray(request.rules) ? request.rules : []).forEach((rule, index) => {
        const field = `rules[${index}]`;
        if (rule === null || typeof rule !== "object") {
            issues.push({ field, value: rule, allowed: "an object { name, backendPort, maxInstances, ... }", fix: "describe the rule" });
            return;
        }
        if (typeof rule.name !== "string" || rule.name.trim() === "") {
            issues.push({ field: `${field}.name`, value: rule.name, allowed: "a non-empty string", fix: "name the rule, e.g. \"ssh\"" });
        } else if (names.has(rule.name)) {
            issues.push({ field: `${field}.name`, value: rule.name, allowed: "a name no other rule of the request uses",
                fix: "give each rule its own name" });
        } else {
            names.add(rule.name);
        }
        const core = validateNatRule({ backendPort: rule.backendPort, protocol: rule.protocol, maxInstances: rule.maxInstances,
            frontendPortRangeStart: MIN_PORT, backendAddressPool: "pool" });
        for (const i of core) {
            if (i.field === "backendPort" || i.field === "protocol" || i.field === "maxInstances") issues.push({ ...i, field: `${field}.${i.field}` });
        }
        if (rule.overprovision !== undefined && typeof rule.overprovision !== "boolean") {
            issues.push({ field: `${field}.overprovision`, value: rule.overprovision, allowed: "true or false",
                fix: "true for a scale set that overprovisions (Azure's default), false otherwise" });
        }
        headroomIssue(`${field}.headroom`, rule.headroom);
    });
    (request.avoid ?? []).forEach((span, index) => issues.push(...spanIssues(`avoid[${index}]`, span)));
    const existingNames = new Set<string>();
    (request.existing ?? []).forEach((range, index) => {
        const field = `existing[${index}]`;
        issues.push(...spanIssues(field, range));
        if (range === null || typeof range !== "object") return;
        if (typeof range.name !== "string" || range.name.trim() === "") {
            issues.push({ field: `${field}.name`, value: range.name, allowed: "a non-empty string", fix: "give the deployed rule's name" });
        } else if (existingNames.has(range.name)) {
            issues.push({ field: `${field}.name`, value: range.name, allowed: "a name no other existing range uses",
                fix: "list each deployed rule once" });
        } else {
            existingNames.add(range.name);
        }
    });
    return issues;
}

/**
 * Packs backend-pool NAT rules' frontend ranges, first-fit in request order from `frontendStart`.
 *
 * - Every range is disjoint from every other, whatever the protocols: Azure would allow a Tcp and a
 *   Udp rule to share ports, but one port per purpose is simpler to read, firewall and audit.
 * - New ranges skip `avoid` and `existing` ranges, start at multiples of `align` and end by 65534.
 * - A rule named in `existing` keeps that range exactly (no live mapping moves); it must still
 *   hold the rule's demand, or the plan fails rather than silently moving it.
 * - Capacity is `frontendDemand`: maxInstances, × 2 when overprovisioning, plus headroom rounded up.
 *
 * Throws `NatRuleValidationError` listing every invalid field, or `FrontendPlanError` naming the
 * first rule (in request order) that does not fit.
 */
export function planFrontendPorts(request: FrontendPlanRequest, component = "planFrontendPorts"): FrontendPlan {
    const issues = validateRequest(request);
    if (issues.length > 0) throw new NatRuleValidationError(component, issues);

    const align = request.align ?? 1;
    const firstStart = alignUp(request.frontendStart, align);
    const existingByName = new Map((request.existing ?? []).map((e) => [e.name, e]));
    // Taken spans, kept sorted by start: avoided ports, then every deployed range, then each new range as it is placed.
    const taken: PortSpan[] = [
        ...(request.avoid ?? []).map((s) => ({ start: s.start, end: s.end ?? s.start })),
        ...(request.existing ?? []).map((e) => ({ start: e.start, end: e.end })),
    ].sort((a, b) => a.start - b.start);

    const planned = new Array<PlannedFrontendRule>(request.rules.length);
    const pending: number[] = [];
    request.rules.forEach((rule, index) => {
        const deployed = existingByName.get(rule.name);
        if (!deployed) {
            pending.push(index);
            return;
        }
        const headroom = rule.headroom ?? request.headroom ?? 0;
        const needed = frontendDemand(rule, headroom);
        const range = frontendPortRange({ start: deployed.start, end: deployed.end }, `${component}: existing "${rule.name}"`);
        if (range.capacity < needed) {
            throw new FrontendPlanError(component, rule.name, needed, range.start,
                `it needs ${needed} ports (${describeDemand(rule, headroom)}), but it is deployed with ${range.start}-${range.end} ` +
                `(${range.capacity} ports) and keeps that range so no mapping moves. Fix: lower maxInstances or headroom to fit ${range.capacity} ports, ` +
                `or drop "${rule.name}" from existing to re-plan it (its instances' frontend ports will change).`);
        }
        planned[index] = { name: rule.name, backendPort: rule.backendPort, protocol: normalizeProtocol(rule.protocol ?? "Tcp") as Protocol,
            start: range.start, end: range.end, capacity: range.capacity };
    });

    for (const index of pending) {
        const rule = request.rules[index];
        const headroom = rule.headroom ?? request.headroom ?? 0;
        const needed = frontendDemand(rule, headroom);
        const start = firstFit(taken, firstStart, needed, align);
        if (start === undefined) {
            const largest = largestFreeRun(taken, firstStart, align);
            throw new FrontendPlanError(component, rule.name, needed, firstStart,
                `it needs ${needed} ports (${describeDemand(rule, headroom)}) in one run` +
                (align > 1 ? ` starting at a multiple of ${align}` : "") +
                ` from ${firstStart} to ${MAX_FRONTEND_PORT}, but ` +
                (largest ? `the largest free run there is ${largest.end - largest.start + 1} ports (${largest.start}-${largest.end})` : "no port there is free") +
                ` once avoided, deployed and earlier planned ranges are skipped. ` +
                `Fix: lower frontendStart, maxInstances or headroom${align > 1 ? ", use a smaller align" : ""}, or free some avoided ports.`);
        }
        const range = frontendPortRange({ start, maxInstances: needed }, `${component}: rule "${rule.name}"`);
        insertSorted(taken, { start: range.start, end: range.end });
        planned[index] = { name: rule.name, backendPort: rule.backendPort, protocol: normalizeProtocol(rule.protocol ?? "Tcp") as Protocol,
            start: range.start, end: range.end, capacity: range.capacity };
    }
    return { rules: planned };
}

/** The lowest aligned start ≥ `from` whose `needed` ports touch no taken span, or `undefined`. */
function firstFit(taken: readonly PortSpan[], from: number, needed: number, align: number): number | undefined {
    let start = from;
    for (;;) {
        const end = start + needed - 1;
        if (end > MAX_FRONTEND_PORT) return undefined;
        let blockedUntil = 0;
        for (const span of taken) {
            if (span.start > end) break; // sorted by start: nothing later can overlap
            if (rangesOverlap(span, { start, end })) blockedUntil = Math.max(blockedUntil, span.end);
        }
        if (blockedUntil === 0) return start;
        start = alignUp(blockedUntil + 1, align);
    }
}

/** The longest free run that begins at an aligned port ≥ `from`, for the error message. */
function largestFreeRun(taken: readonly PortSpan[], from: number, align: number): PortSpan | undefined {
    let best: PortSpan | undefined;
    let cursor = from; // first port not yet known to be taken
    const consider = (gapEnd: number): void => {
        const start = alignUp(cursor, align);
        if (start <= gapEnd && (!best || gapEnd - start > best.end - best.start)) best = { start, end: gapEnd };
    };
    for (const span of taken) {
        if (span.end < cursor) continue;
        if (span.start > cursor) consider(Math.min(span.start - 1, MAX_FRONTEND_PORT));
        cursor = Math.max(cursor, span.end + 1);
    }
    if (cursor <= MAX_FRONTEND_PORT) consider(MAX_FRONTEND_PORT);
    return best;
}

function insertSorted(spans: PortSpan[], span: PortSpan): void {
    let i = spans.length;
    while (i > 0 && spans[i - 1].start > span.start) i--;
    spans.splice(i, 0, span);
}
