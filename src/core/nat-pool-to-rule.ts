/** One NAT pool: the backend-pool rule equivalent to it, and what the migration does to its instances' ports. */
import { allocatePorts, compareInstances } from "./allocation";
import { loadBalancerIdOf } from "./arm-ids";
import { formatIssue, PortRangeExhaustedError } from "./errors";
import { MAX_FRONTEND_PORT } from "./limits";
import {
    MIGRATED_BACKEND_POOL_PREFIX,
    MIGRATED_RULE_PREFIX,
    type InboundNatPool,
    type InstancePortChange,
    type MigratedNatRule,
    type MigrationWarning,
    type MigrationWarningCode,
    type NatPoolMigration,
    type NatPoolScaleSet,
    type NatPoolToRuleOptions,
} from "./migration-types";
import { readInboundNatPool } from "./nat-pool-read";
import { scaleSetDemand } from "./range";
import type { PortAssignment, PortRange } from "./types";
import { validateNatRule } from "./validation";

/** The pool's range as it stands: a pool may end at 65535, which `frontendPortRange` (rules) refuses. */
function natPoolRange(pool: InboundNatPool): PortRange {
    return { start: pool.frontendPortRangeStart, end: pool.frontendPortRangeEnd, capacity: pool.frontendPortRangeEnd - pool.frontendPortRangeStart + 1 };
}

interface Member {
    scaleSet: string;
    instance: string;
    /** Unique across scale sets, for the allocator. */
    key: string;
}

function membersOf(scaleSet: NatPoolScaleSet): Member[] {
    const ids = scaleSet.instanceIds ?? Array.from({ length: scaleSet.capacity ?? 0 }, (_, i) => String(i));
    return [...ids].sort(compareInstances).map((instance) => ({ scaleSet: scaleSet.name, instance, key: `${scaleSet.name}/${instance}` }));
}

/**
 * Ports for `ordered` members from `range`, lowest first, members keeping `previous` ports; those
 * the range cannot serve get none (the allocator refuses the whole request, so serve the ones that fit).
 */
function allocateWhatFits(rule: string, range: PortRange, ordered: readonly Member[], previous: PortAssignment[] = []): Map<string, number> {
    const keys = ordered.map((m) => m.key);
    let assigned: PortAssignment[];
    try {
        assigned = allocatePorts({ rule, range, previous, instances: keys });
    } catch (err) {
        if (!(err instanceof PortRangeExhaustedError)) throw err;
        const unserved = new Set(err.unassigned);
        assigned = allocatePorts({ rule, range, previous, instances: keys.filter((k) => !unserved.has(k)) });
    }
    return new Map(assigned.map((a) => [a.instance, a.frontendPort]));
}

/**
 * The backend-pool rule equivalent to an inbound NAT pool, and what the migration does to ports.
 *
 * - The rule copies the pool 1:1: frontend IP configuration, protocol, range start AND end (not
 *   recomputed), backend port, idle timeout, floating IP and TCP reset; it targets a new backend
 *   pool holding the scale sets (named like Microsoft's script unless `options` say otherwise).
 * - Ports before: the pool's real ports when `options.observedPorts` has them; otherwise our model,
 *   which Azure does not document: the pool hands out ports sequentially by instance id from the
 *   range start, the scale sets' instances interleaved by id (all "0"s, then all "1"s, ...).
 * - Ports after: sequential by instance id, one scale set after another in the order given
 *   (Microsoft's migration notes), as `allocatePorts` models a new rule.
 * - Warnings: a range too small for the demand (`scaleSetDemand`: ×2 while overprovisioning),
 *   a Rolling upgrade policy, changed ports, settings a rule does not accept.
 */
export function natPoolToRule(pool: unknown, scaleSets: readonly NatPoolScaleSet[] = [], options: NatPoolToRuleOptions = {}): NatPoolMigration {
    const source = options.source ?? "natPoolToRule";
    const natPool = readInboundNatPool(pool, source);
    const ruleName = options.ruleName ?? `${MIGRATED_RULE_PREFIX}${natPool.name}`;
    const backendPoolName = options.backendPoolName ?? `${MIGRATED_BACKEND_POOL_PREFIX}${natPool.name}`;
    const loadBalancerId = options.loadBalancerId ?? loadBalancerIdOf(natPool.id) ?? loadBalancerIdOf(natPool.frontendIPConfigurationId) ?? "";
    const backendAddressPoolId = options.backendAddressPoolId ?? (loadBalancerId ? `${loadBalancerId}/backendAddressPools/${backendPoolName}` : backendPoolName);
    const rule: MigratedNatRule = {
        name: ruleName,
        backendPoolName,
        backendAddressPoolId,
        loadBalancerId,
        frontendIPConfigurationId: natPool.frontendIPConfigurationId,
        protocol: natPool.protocol,
        frontendPortRangeStart: natPool.frontendPortRangeStart,
        frontendPortRangeEnd: natPool.frontendPortRangeEnd,
        backendPort: natPool.backendPort,
        ...(natPool.idleTimeoutInMinutes !== undefined ? { idleTimeoutInMinutes: natPool.idleTimeoutInMinutes } : {}),
        ...(natPool.enableFloatingIP !== undefined ? { enableFloatingIP: natPool.enableFloatingIP } : {}),
        ...(natPool.enableTcpReset !== undefined ? { enableTcpReset: natPool.enableTcpReset } : {}),
    };
    const warnings: MigrationWarning[] = [];
    const warn = (code: MigrationWarningCode, message: string, scaleSet?: string): void => {
        warnings.push({ code, natPool: natPool.name, ...(scaleSet !== undefined ? { scaleSet } : {}), message: `NAT pool ${natPool.name}: ${message}` });
    };

    // The copied settings must make a valid rule; a pool's range may end at 65535, a rule's may not.
    const ruleIssues = validateNatRule({
        frontendPortRangeStart: rule.frontendPortRangeStart,
        frontendPortRangeEnd: rule.frontendPortRangeEnd,
        backendPort: rule.backendPort,
        protocol: rule.protocol,
        idleTimeoutInMinutes: rule.idleTimeoutInMinutes,
        enableFloatingIP: rule.enableFloatingIP,
        enableTcpReset: rule.enableTcpReset,
        backendAddressPool: rule.backendAddressPoolId,
    });
    for (const issue of ruleIssues) warn("RuleInvalid", `rule ${ruleName} would be rejected: ${formatIssue(issue)}`);

    const range = natPoolRange(natPool);
    if (scaleSets.length === 0) {
        warn("NoScaleSet", `no scale set is known to reference it, so the rule's backend pool ${backendPoolName} starts empty and no port is checked. ` +
            "Fix: pass the scale sets that reference the pool (their JSON, or read the load balancer from Azure).");
    }

    // Demand and upgrade policies.
    let demand = 0;
    const demandNotes: string[] = [];
    for (const scaleSet of scaleSets) {
        const capacity = scaleSet.capacity ?? scaleSet.instanceIds?.length ?? 0;
        if (scaleSet.capacity === undefined) {
            warn("CapacityUnknown", `scale set ${scaleSet.name}: capacity unknown; counted as ${capacity} (the instances seen). ` +
                "Fix: pass the scale set's JSON so its sku.capacity and overprovision are checked.", scaleSet.name);
        }
        const ports = scaleSetDemand(capacity, scaleSet.overprovision);
        demand += ports;
        demandNotes.push(`${scaleSet.name}: capacity ${capacity}${ports > capacity ? " × 2 while overprovisioning is on" : ""}`);
        const mode = scaleSet.upgradePolicyMode;
        if (mode === undefined) {
            warn("UpgradePolicyUnknown", `scale set ${scaleSet.name}: upgrade policy unknown. Microsoft's migration script needs Manual or Automatic. ` +
                "Fix: check upgradePolicy.mode before step 1.", scaleSet.name);
        } else if (mode.toLowerCase() === "rolling") {
            warn("RollingUpgradePolicy", `scale set ${scaleSet.name}: upgrade policy is Rolling; Microsoft's migration script requires Manual or Automatic, ` +
                "because step 1 must update every instance before the pool can go. " +
                `Fix: az vmss update -g <group> -n ${scaleSet.name} --set upgradePolicy.mode=Manual, migrate, then set it back.`, scaleSet.name);
        }
    }
    if (demand > range.capacity) {
        const end = natPool.frontendPortRangeStart + demand - 1;
        const fits = end <= MAX_FRONTEND_PORT;
        warn("RangeTooSmall", `range ${range.start}-${range.end} holds ${range.capacity} ports, but its scale sets need ${demand} at once ` +
            `(${demandNotes.join("; ")}). BackendPoolNatRule refuses such a range, and Azure blocks a scale-out it cannot serve. ` +
            `Fix: ${fits ? `end the rule's range at ${end} (after checking that port${end > range.end + 1 ? `s ${range.end + 1}-${end} are` : ` ${end} is`} free), ` : ""}` +
            "turn overprovisioning off, or lower the capacity.");
    }

    // Ports before and after.
    const perScaleSet = scaleSets.map(membersOf);
    const afterOrder = perScaleSet.flat();
    const observed = new Map<string, number>();
    for (const o of options.observedPorts ?? []) {
        const scaleSet = scaleSets.find((s) => s.name.toLowerCase() === o.scaleSet.toLowerCase());
        if (scaleSet) observed.set(`${scaleSet.name}/${o.instance}`, o.frontendPort);
    }
    // Model: interleaved by instance id; a stable sort keeps the scale sets' order among equal ids.
    const beforeOrder = [...afterOrder].sort((a, b) => compareInstances(a.instance, b.instance));
    const previous = [...observed].map(([instance, frontendPort]) => ({ instance, frontendPort }));
    const before = allocateWhatFits(natPool.name, range, beforeOrder, previous);
    const after = allocateWhatFits(ruleName, range, afterOrder);
    const ports: InstancePortChange[] = afterOrder.map((m) => {
        const b = before.get(m.key);
        const a = after.get(m.key);
        return {
            scaleSet: m.scaleSet,
            instance: m.instance,
            ...(b !== undefined ? { before: b } : {}),
            beforeSource: observed.has(m.key) ? "azure" : "model",
            ...(a !== undefined ? { after: a } : {}),
            changed: a !== b,
        };
    });
    const changed = ports.filter((p) => p.changed);
    if (changed.length > 0) {
        const shown = changed.slice(0, 10).map((p) => `${p.scaleSet}/${p.instance} ${p.before ?? "none"} → ${p.after ?? "none"}`).join(", ");
        const more = changed.length > 10 ? `, … (${changed.length - 10} more)` : "";
        const modelled = changed.some((p) => p.beforeSource === "model") ? " (ports before are modelled: sequential by instance id from the range start)" : "";
        warn("PortsChange", `${changed.length} of ${ports.length} instances get another frontend port${modelled}: ${shown}${more}. ` +
            "Fix: tell the users of those ports, or read the new ones after step 3 (azure-nat-rules mappings).");
    }

    return { natPool, rule, scaleSets: scaleSets.map((s) => s.name), demand, ports, warnings };
}
