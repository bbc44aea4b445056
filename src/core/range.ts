import { NatRuleValidationError } from "./errors";
import { validateFrontendRange } from "./validation";
import type { PortRange } from "./types";

export interface FrontendPortRangeInput {
    /** First frontend port (the portal's "Frontend port range start"). */
    start: number;
    /** The portal's "Maximum number of machines in backend pool". */
    maxInstances?: number;
    /** An explicit last port, inclusive, as the CLI and ARM take it. */
    end?: number;
}

/**
 * The frontend range of a backend-pool rule.
 *
 * Formula: `end = start + maxInstances - 1`, so `capacity = maxInstances`: one port per machine,
 * exactly the portal's promise. The docs also show start 500 / end 1000 for "500 machines", which
 * is 501 ports; we read the portal's count as the meaning and the CLI example as loose. Azure's own
 * `az vmss create` likewise counts inclusively (end = 49999 + count). An explicit `end` is taken as
 * is, with `capacity = end - start + 1`; giving both is allowed only when they agree.
 */
export function frontendPortRange(input: FrontendPortRangeInput, component = "frontendPortRange"): PortRange {
    const issues = validateFrontendRange({ frontendPortRangeStart: input.start, frontendPortRangeEnd: input.end, maxInstances: input.maxInstances });
    if (issues.length > 0) throw new NatRuleValidationError(component, issues);
    const end = input.end ?? input.start + (input.maxInstances as number) - 1;
    return { start: input.start, end, capacity: end - input.start + 1 };
}

/** Whether two inclusive ranges share a port. */
export function rangesOverlap(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
    return a.start <= b.end && b.start <= a.end;
}

/**
 * Ports a scale set needs at once. With overprovisioning (Azure's default when unset) Azure
 * creates extra VMs during a scale-out and each of them takes a port, so we count capacity × 2.
 */
export function scaleSetDemand(capacity: number, overprovision: boolean | undefined): number {
    return overprovision === false ? capacity : capacity * 2;
}
