/**
 * Migration from inbound NAT pools (retired for scale sets on 30 September 2027) to backend-pool
 * (V2) inbound NAT rules: the equivalent rule of a pool, the ports each instance has before and is
 * expected to have after, and what to look at first. Pure: it reads plain objects (azure-native
 * arguments, ARM JSON, or what `az network lb show` prints) and changes nothing.
 */
import { allocatePorts, compareInstances } from "./allocation";
import { lastSegment, sameArmId } from "./arm-ids";
import { formatIssue, NatRuleValidationError, PortRangeExhaustedError, type ValidationIssue } from "./errors";
import { MAX_BACKEND_PORT, MAX_FRONTEND_PORT, MAX_IDLE_TIMEOUT_MINUTES, MIN_IDLE_TIMEOUT_MINUTES, MIN_PORT } from "./limits";
import { scaleSetDemand } from "./range";
import type { PortAssignment, PortRange, Protocol } from "./types";
import { normalizeProtocol, PROTOCOLS, validateNatRule } from "./validation";

/** Microsoft's script names the rule of pool P `natrule_migrated_P` (AzureLoadBalancerNATPoolMigration). */
export const MIGRATED_RULE_PREFIX = "natrule_migrated_";
/** ... and the backend pool holding the pool's scale sets `be_migrated_P`. */
export const MIGRATED_BACKEND_POOL_PREFIX = "be_migrated_";
/** A legacy NAT pool's range may end at 65535; a NAT rule's may not (loadBalancer.json). */
export const MAX_NAT_POOL_FRONTEND_PORT = 65535;

/** An inbound NAT pool, read and checked. */
export interface InboundNatPool {
    name: string;
    /** ARM id, when read from a deployed load balancer. */
    id?: string;
    frontendIPConfigurationId: string;
    protocol: Protocol;
    frontendPortRangeStart: number;
    /** Inclusive; up to 65535 for a pool. */
    frontendPortRangeEnd: number;
    backendPort: number;
    idleTimeoutInMinutes?: number;
    enableFloatingIP?: boolean;
    enableTcpReset?: boolean;
}

/** A scale set that references a NAT pool, as far as it is known. */
export interface NatPoolScaleSet {
    /** Scale set name; instance labels in the port list are `<name>/<instance id>`. */
    name: string;
    id?: string;
    /** `sku.capacity`. @default the number of `instanceIds`, else 0 */
    capacity?: number;
    /** Azure's default (unset) is on; the port demand counts ×2 then. */
    overprovision?: boolean;
    /** `upgradePolicy.mode`: Manual, Automatic or Rolling. */
    upgradePolicyMode?: string;
    /** Instance ids, when known. @default "0" .. capacity - 1 (a new scale set's ids) */
    instanceIds?: readonly string[];
    /** NAT pool ids its model references (read from its JSON); used to match scale sets to pools. */
    natPoolIds?: readonly string[];
}

/** One instance's frontend port observed on Azure (the pool's per-instance NAT rules). */
export interface ObservedNatPoolPort {
    scaleSet: string;
    instance: string;
    frontendPort: number;
}

export interface NatPoolToRuleOptions {
    /** @default `natrule_migrated_<pool>` */
    ruleName?: string;
    /** @default `be_migrated_<pool>` */
    backendPoolName?: string;
    /** @default `<load balancer id>/backendAddressPools/<backendPoolName>` */
    backendAddressPoolId?: string;
    /** @default taken from the pool's id or its frontend IP configuration id */
    loadBalancerId?: string;
    /** Real ports of the pool's instances, used instead of the model for "before". */
    observedPorts?: readonly ObservedNatPoolPort[];
    /** Who is asking, quoted in errors (a file name, a command). @default "natPoolToRule" */
    source?: string;
}

/** The backend-pool rule that replaces a NAT pool, in the terms of `BackendPoolNatRuleArgs`. */
export interface MigratedNatRule {
    /** Rule name in Azure. */
    name: string;
    /** Backend pool to create for the pool's scale sets (Microsoft's script: `be_migrated_<pool>`). */
    backendPoolName: string;
    backendAddressPoolId: string;
    loadBalancerId: string;
    frontendIPConfigurationId: string;
    protocol: Protocol;
    frontendPortRangeStart: number;
    /** Copied from the pool, never recomputed. */
    frontendPortRangeEnd: number;
    backendPort: number;
    idleTimeoutInMinutes?: number;
    enableFloatingIP?: boolean;
    enableTcpReset?: boolean;
}

/** Where a "before" port comes from: the pool's per-instance NAT rules on Azure, or our model. */
export type PortBeforeSource = "azure" | "model";

/** One instance's frontend port under the pool and under the new rule. */
export interface InstancePortChange {
    scaleSet: string;
    instance: string;
    /** Undefined when the pool's range has no port for it. */
    before?: number;
    beforeSource: PortBeforeSource;
    /** Undefined when the rule's range has no port for it (see the RangeTooSmall warning). */
    after?: number;
    changed: boolean;
}

export type MigrationWarningCode =
    /** The range holds fewer ports than the scale sets need (×2 while overprovisioning). */
    | "RangeTooSmall"
    /** A scale set's upgrade policy is Rolling; Microsoft's script needs Manual or Automatic. */
    | "RollingUpgradePolicy"
    /** A scale set's upgrade policy is not known. */
    | "UpgradePolicyUnknown"
    /** Some instances get another frontend port. */
    | "PortsChange"
    /** No scale set is known to reference the pool. */
    | "NoScaleSet"
    /** A scale set's capacity is not known; its demand is counted from the instances seen. */
    | "CapacityUnknown"
    /** The copied settings break a NAT rule bound (e.g. a range ending at 65535). */
    | "RuleInvalid"
    /** The rule or backend pool name is already taken on the load balancer. */
    | "NameTaken"
    /** The load balancer is not Standard SKU; backend-pool rules need Standard. */
    | "NotStandardSku"
    /** The scale sets could not be read; capacities and upgrade policies are unchecked. */
    | "ScaleSetsUnread";

export interface MigrationWarning {
    code: MigrationWarningCode;
    /** The NAT pool the warning is about, when it is about one. */
    natPool?: string;
    scaleSet?: string;
    message: string;
}

/** The plan for one NAT pool. */
export interface NatPoolMigration {
    natPool: InboundNatPool;
    rule: MigratedNatRule;
    /** Names of the scale sets moved into the rule's backend pool, in port order. */
    scaleSets: string[];
    /** Ports demanded at once: Σ capacity, ×2 per overprovisioning scale set. */
    demand: number;
    ports: InstancePortChange[];
    warnings: MigrationWarning[];
}

// ---------------------------------------------------------------------------------------------
// Reading plain objects in any of the three shapes.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A property of an ARM object in any of its shapes: top level (azure-native args, az's flattened
 * output) or under `properties` (ARM JSON); names compare case-insensitively because az spells
 * `frontendIpConfiguration` where ARM spells `frontendIPConfiguration`.
 */
export function armProperty(obj: unknown, name: string): unknown {
    if (!isObject(obj)) return undefined;
    const lower = name.toLowerCase();
    for (const source of [obj, obj.properties]) {
        if (!isObject(source)) continue;
        for (const key of Object.keys(source)) {
            if (key.toLowerCase() === lower && source[key] !== undefined && source[key] !== null) return source[key];
        }
    }
    return undefined;
}

/** The `id` of a sub-resource reference (`{ id }`), or a plain id string. */
function refId(value: unknown): unknown {
    return isObject(value) ? armProperty(value, "id") : value;
}

/** The load balancer id inside a child id (`.../loadBalancers/{lb}/inboundNatPools/{pool}`). */
function loadBalancerIdOf(childId: string | undefined): string | undefined {
    const match = /^(.*\/providers\/Microsoft\.Network\/loadBalancers\/[^/]+)\/[^/]+\/[^/]+$/i.exec(childId ?? "");
    return match?.[1];
}


/** Issues of one integer field, in a NAT pool's own bounds. */
function integerIssue(issues: ValidationIssue[], field: string, value: unknown, min: number, max: number, required: boolean, fix: string): number | undefined {
    if (value === undefined) {
        if (required) issues.push({ field, value, allowed: `an integer from ${min} to ${max}`, fix });
        return undefined;
    }
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        issues.push({ field, value, allowed: `an integer from ${min} to ${max}`, fix });
        return undefined;
    }
    return value;
}

function booleanIssue(issues: ValidationIssue[], field: string, value: unknown): boolean | undefined {
    if (value === undefined || typeof value === "boolean") return value;
    issues.push({ field, value, allowed: "true or false", fix: `set ${field} to true or false, or leave it out` });
    return undefined;
}

/**
 * Reads one inbound NAT pool: azure-native `InboundNatPoolArgs` (plain values), the ARM JSON of
 * `properties.inboundNatPools[]`, az's flattened form, or an `InboundNatPool`. Checks the pool's own bounds (which
 * differ from a rule's: the end may be 65535) and throws a `NatRuleValidationError` naming
 * `source` and every bad field under `path`.
 */
export function readInboundNatPool(value: unknown, source = "natPoolToRule", path = "natPool"): InboundNatPool {
    if (!isObject(value)) {
        throw new NatRuleValidationError(source, [{ field: path, value, allowed: "an object with the inbound NAT pool's settings",
            fix: "pass one entry of the load balancer's inboundNatPools" }]);
    }
    const issues: ValidationIssue[] = [];
    const at = (field: string): string => `${path}.${field}`;
    const name = armProperty(value, "name");
    if (typeof name !== "string" || name.trim() === "") {
        issues.push({ field: at("name"), value: name, allowed: "a non-empty string", fix: "give the pool's name as Azure shows it" });
    }
    const id = armProperty(value, "id");
    // `frontendIPConfigurationId`: an already read `InboundNatPool` reads as itself.
    const frontendId = refId(armProperty(value, "frontendIPConfiguration")) ?? armProperty(value, "frontendIPConfigurationId");
    if (typeof frontendId !== "string" || frontendId.trim() === "") {
        issues.push({ field: at("frontendIPConfiguration.id"), value: frontendId, allowed: "the ARM id of one of the load balancer's frontend IP configurations",
            fix: "set frontendIPConfiguration: { id } as the pool has it" });
    }
    const rawProtocol = armProperty(value, "protocol");
    const protocol = normalizeProtocol(rawProtocol);
    if (!protocol) {
        issues.push({ field: at("protocol"), value: rawProtocol, allowed: `one of ${PROTOCOLS.join(", ")}`, fix: "copy the pool's protocol" });
    }
    const start = integerIssue(issues, at("frontendPortRangeStart"), armProperty(value, "frontendPortRangeStart"), MIN_PORT, MAX_FRONTEND_PORT, true,
        "copy the pool's first frontend port");
    const end = integerIssue(issues, at("frontendPortRangeEnd"), armProperty(value, "frontendPortRangeEnd"), MIN_PORT, MAX_NAT_POOL_FRONTEND_PORT, true,
        "copy the pool's last frontend port");
    if (start !== undefined && end !== undefined && end < start) {
        issues.push({ field: at("frontendPortRangeEnd"), value: end, allowed: `at least frontendPortRangeStart (${start})`, fix: "copy the pool's range as Azure shows it" });
    }
    const backendPort = integerIssue(issues, at("backendPort"), armProperty(value, "backendPort"), MIN_PORT, MAX_BACKEND_PORT, true,
        "copy the port the instances listen on");
    const idle = integerIssue(issues, at("idleTimeoutInMinutes"), armProperty(value, "idleTimeoutInMinutes"), MIN_IDLE_TIMEOUT_MINUTES, MAX_IDLE_TIMEOUT_MINUTES, false,
        `use ${MIN_IDLE_TIMEOUT_MINUTES}-${MAX_IDLE_TIMEOUT_MINUTES}, or leave it out`);
    const floating = booleanIssue(issues, at("enableFloatingIP"), armProperty(value, "enableFloatingIP"));
    const tcpReset = booleanIssue(issues, at("enableTcpReset"), armProperty(value, "enableTcpReset"));
    if (id !== undefined && typeof id !== "string") {
        issues.push({ field: at("id"), value: id, allowed: "an ARM id string", fix: "leave id out, or copy it as Azure shows it" });
    }
    if (issues.length > 0) throw new NatRuleValidationError(source, issues);
    return {
        name: name as string,
        ...(typeof id === "string" ? { id } : {}),
        frontendIPConfigurationId: frontendId as string,
        protocol: protocol as Protocol,
        frontendPortRangeStart: start as number,
        frontendPortRangeEnd: end as number,
        backendPort: backendPort as number,
        // UDP has no idle timeout or TCP reset; ARM still echoes the defaults on a UDP pool, and the rule must not carry them.
        ...(idle !== undefined && protocol !== "Udp" ? { idleTimeoutInMinutes: idle } : {}),
        ...(floating !== undefined ? { enableFloatingIP: floating } : {}),
        ...(tcpReset !== undefined && !(protocol === "Udp" && tcpReset === false) ? { enableTcpReset: tcpReset } : {}),
    };
}

/**
 * Reads a scale set from its ARM JSON (`az vmss show`, or a GET): name, id, capacity,
 * overprovision, upgrade policy and the NAT pools its network profile references.
 */
export function readScaleSet(value: unknown, source = "readScaleSet", path = "scaleSet"): NatPoolScaleSet {
    const name = armProperty(value, "name");
    if (!isObject(value) || typeof name !== "string" || name === "") {
        throw new NatRuleValidationError(source, [{ field: `${path}.name`, value: isObject(value) ? name : value,
            allowed: "a scale set object with a name", fix: "pass the JSON of a scale set, as `az vmss show` prints it" }]);
    }
    const id = armProperty(value, "id");
    const capacity = armProperty(armProperty(value, "sku"), "capacity");
    const overprovision = armProperty(value, "overprovision");
    const mode = armProperty(armProperty(value, "upgradePolicy"), "mode");
    const natPoolIds: string[] = [];
    const profile = armProperty(armProperty(value, "virtualMachineProfile"), "networkProfile");
    for (const nic of asArray(armProperty(profile, "networkInterfaceConfigurations"))) {
        for (const ip of asArray(armProperty(nic, "ipConfigurations"))) {
            for (const ref of asArray(armProperty(ip, "loadBalancerInboundNatPools"))) {
                const poolId = refId(ref);
                if (typeof poolId === "string") natPoolIds.push(poolId);
            }
        }
    }
    const issues: ValidationIssue[] = [];
    if (capacity !== undefined && (typeof capacity !== "number" || !Number.isInteger(capacity) || capacity < 0)) {
        issues.push({ field: `${path}.sku.capacity`, value: capacity, allowed: "a whole number", fix: "copy the scale set's sku.capacity" });
    }
    if (overprovision !== undefined && typeof overprovision !== "boolean") {
        issues.push({ field: `${path}.overprovision`, value: overprovision, allowed: "true or false", fix: "copy the scale set's overprovision" });
    }
    if (issues.length > 0) throw new NatRuleValidationError(source, issues);
    return {
        name,
        ...(typeof id === "string" ? { id } : {}),
        ...(typeof capacity === "number" ? { capacity } : {}),
        ...(typeof overprovision === "boolean" ? { overprovision } : {}),
        ...(typeof mode === "string" ? { upgradePolicyMode: mode } : {}),
        natPoolIds,
    };
}

function asArray(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

// ---------------------------------------------------------------------------------------------
// One pool.

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

// ---------------------------------------------------------------------------------------------
// A whole load balancer.

/** The plan for every NAT pool of one load balancer. */
export interface LoadBalancerMigrationPlan {
    loadBalancer: { name: string; id: string; sku?: string };
    migrations: NatPoolMigration[];
    /** Every warning: the load balancer's own, then each pool's. */
    warnings: MigrationWarning[];
}

export interface PlanLoadBalancerMigrationOptions {
    /**
     * Scale sets: their ARM JSON, or `NatPoolScaleSet`s with `natPoolIds` (as `readScaleSet` gives);
     * each joins the pools its model references.
     */
    scaleSets?: readonly unknown[];
    /** Set when the scale sets could not be read at all (e.g. no permission); becomes a warning. */
    scaleSetsUnread?: string;
    /** Quoted in errors (a file name, a command). @default "planNatPoolMigration" */
    source?: string;
}

/** `.../virtualMachineScaleSets/{vmss}/virtualMachines/{id}/networkInterfaces/...` */
const SCALE_SET_MEMBER = /\/virtualMachineScaleSets\/([^/]+)\/virtualMachines\/([^/]+)\/networkInterfaces\//i;

/**
 * The plan for every inbound NAT pool of a load balancer, from its JSON in either shape (ARM's
 * `properties`-nested or az's flattened). Scale sets come from `options.scaleSets`; a scale set
 * seen only through the pool's per-instance NAT rules (`<pool>.<n>`, which Azure creates for a
 * pool's instances) is taken with the instances and ports those rules show.
 */
export function planNatPoolMigration(loadBalancer: unknown, options: PlanLoadBalancerMigrationOptions = {}): LoadBalancerMigrationPlan {
    const source = options.source ?? "planNatPoolMigration";
    if (!isObject(loadBalancer)) {
        throw new NatRuleValidationError(source, [{ field: "(top level)", value: Array.isArray(loadBalancer) ? "<array>" : loadBalancer,
            allowed: "one load balancer object", fix: "pass what `az network lb show -g <group> -n <name>` prints" }]);
    }
    const name = armProperty(loadBalancer, "name");
    const id = armProperty(loadBalancer, "id");
    const looksLikeLoadBalancer = typeof name === "string" && (
        armProperty(loadBalancer, "frontendIPConfigurations") !== undefined ||
        armProperty(loadBalancer, "inboundNatPools") !== undefined ||
        /loadBalancers/i.test(String(armProperty(loadBalancer, "type") ?? id ?? "")));
    if (!looksLikeLoadBalancer) {
        throw new NatRuleValidationError(source, [{ field: "(top level)", value: summarize(loadBalancer),
            allowed: "a load balancer: an object with name and frontendIPConfigurations (or properties.frontendIPConfigurations)",
            fix: "pass what `az network lb show -g <group> -n <name>` prints" }]);
    }
    const rawPools = armProperty(loadBalancer, "inboundNatPools");
    if (rawPools !== undefined && !Array.isArray(rawPools)) {
        throw new NatRuleValidationError(source, [{ field: "inboundNatPools", value: summarize(rawPools), allowed: "an array", fix: "pass the load balancer's JSON unchanged" }]);
    }
    const lbId = typeof id === "string" ? id : "";
    const sku = armProperty(armProperty(loadBalancer, "sku"), "name");
    const pools = (rawPools ?? []).map((p, i) => readInboundNatPool(p, source, `inboundNatPools[${i}]`));

    const scaleSets = (options.scaleSets ?? []).map((s, i) => (isScaleSetRead(s) ? s : readScaleSet(s, source, `scaleSets[${i}]`)));
    const observed = observedPortsOf(loadBalancer, pools);
    const warnings: MigrationWarning[] = [];
    if (pools.length > 0 && typeof sku === "string" && sku.toLowerCase() !== "standard") {
        warnings.push({ code: "NotStandardSku", message: `load balancer ${name}: SKU ${sku}; backend-pool NAT rules need a Standard load balancer. ` +
            "Fix: upgrade it to Standard first (Microsoft's Basic-to-Standard upgrade guidance), then migrate the pools." });
    }
    if (pools.length > 0 && options.scaleSetsUnread) {
        warnings.push({ code: "ScaleSetsUnread", message: `load balancer ${name}: the scale sets could not be read (${options.scaleSetsUnread}); ` +
            "capacities and upgrade policies are unchecked." });
    }
    const takenRules = new Set(asArray(armProperty(loadBalancer, "inboundNatRules")).map((r) => String(armProperty(r, "name") ?? "").toLowerCase()));
    const takenPools = new Set(asArray(armProperty(loadBalancer, "backendAddressPools")).map((p) => String(armProperty(p, "name") ?? "").toLowerCase()));

    const migrations = pools.map((pool) => {
        const referencing: NatPoolScaleSet[] = scaleSets.filter((s) => (s.natPoolIds ?? []).some((poolId) => sameArmId(poolId, pool.id) ||
            (pool.id === undefined && lastSegment(poolId).toLowerCase() === pool.name.toLowerCase())));
        const seen = observed.get(pool.name.toLowerCase()) ?? [];
        // Scale sets seen only through the pool's per-instance rules: their instances, nothing else.
        for (const scaleSetName of [...new Set(seen.map((o) => o.scaleSet))]) {
            const known = referencing.find((s) => s.name.toLowerCase() === scaleSetName.toLowerCase());
            const instanceIds = seen.filter((o) => o.scaleSet === scaleSetName).map((o) => o.instance);
            if (known) {
                if (known.instanceIds === undefined) referencing[referencing.indexOf(known)] = { ...known, instanceIds };
            } else {
                referencing.push({ name: scaleSetName, instanceIds });
            }
        }
        const migration = natPoolToRule(pool, referencing, { loadBalancerId: lbId || undefined, observedPorts: seen, source });
        if (takenRules.has(migration.rule.name.toLowerCase())) {
            migration.warnings.push({ code: "NameTaken", natPool: pool.name, message: `NAT pool ${pool.name}: load balancer ${name} already has an inbound NAT rule named ${migration.rule.name}. Fix: pick another rule name.` });
        }
        if (takenPools.has(migration.rule.backendPoolName.toLowerCase())) {
            migration.warnings.push({ code: "NameTaken", natPool: pool.name, message: `NAT pool ${pool.name}: load balancer ${name} already has a backend pool named ${migration.rule.backendPoolName}. ` +
                "Fix: reuse it only if it holds exactly the pool's scale sets, else pick another name." });
        }
        return migration;
    });
    return {
        loadBalancer: { name: name as string, id: lbId, ...(typeof sku === "string" ? { sku } : {}) },
        migrations,
        warnings: [...warnings, ...dedupeScaleSetWarnings(migrations.flatMap((m) => m.warnings))],
    };
}

/** A scale set's own warning (its upgrade policy, its capacity) once, however many of its pools repeat it. */
function dedupeScaleSetWarnings(warnings: readonly MigrationWarning[]): MigrationWarning[] {
    const perScaleSet: readonly MigrationWarningCode[] = ["RollingUpgradePolicy", "UpgradePolicyUnknown", "CapacityUnknown"];
    const seen = new Set<string>();
    const result: MigrationWarning[] = [];
    for (const w of warnings) {
        if (w.scaleSet === undefined || !perScaleSet.includes(w.code)) {
            result.push(w);
            continue;
        }
        const key = `${w.code}\n${w.scaleSet.toLowerCase()}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const { natPool: _pool, ...rest } = w;
        result.push({ ...rest, message: w.message.replace(/^NAT pool [^:]*: /, "") });
    }
    return result;
}

function isScaleSetRead(value: unknown): value is NatPoolScaleSet {
    return isObject(value) && Array.isArray(value.natPoolIds) && typeof value.name === "string" && !("properties" in value);
}

/**
 * Ports the pools gave their instances, from the per-instance NAT rules Azure creates for a pool
 * (named `<pool>.<n>`, each with a scale-set instance's ipConfiguration as backend), keyed by the
 * lower-cased pool name.
 */
function observedPortsOf(loadBalancer: Json, pools: readonly InboundNatPool[]): Map<string, ObservedNatPoolPort[]> {
    const result = new Map<string, ObservedNatPoolPort[]>();
    for (const rule of asArray(armProperty(loadBalancer, "inboundNatRules"))) {
        const ruleName = armProperty(rule, "name");
        const frontendPort = armProperty(rule, "frontendPort");
        const backend = refId(armProperty(rule, "backendIPConfiguration"));
        if (typeof ruleName !== "string" || typeof frontendPort !== "number" || typeof backend !== "string") continue;
        const member = SCALE_SET_MEMBER.exec(backend);
        if (!member) continue;
        const pool = pools.find((p) => ruleName.toLowerCase().startsWith(`${p.name.toLowerCase()}.`) &&
            frontendPort >= p.frontendPortRangeStart && frontendPort <= p.frontendPortRangeEnd);
        if (!pool) continue;
        const list = result.get(pool.name.toLowerCase()) ?? [];
        list.push({ scaleSet: decodeURIComponent(member[1]), instance: decodeURIComponent(member[2]), frontendPort });
        result.set(pool.name.toLowerCase(), list);
    }
    return result;
}

function summarize(value: unknown): unknown {
    if (Array.isArray(value)) return `<array of ${value.length}>`;
    if (isObject(value)) return `<object with keys ${Object.keys(value).slice(0, 6).join(", ")}>`;
    return value;
}

/** The documented order of a NAT pool migration, one line per step (facts §7, Microsoft's script). */
export const NAT_POOL_MIGRATION_STEPS: readonly string[] = [
    "Remove the NAT pool references from each scale set's model (loadBalancerInboundNatPools) and update every instance to the new model.",
    "Delete the NAT pools from the load balancer (all of them: NAT pools and NAT rules cannot coexist on one load balancer).",
    "Create each rule's backend pool and the backend-pool NAT rule, add the scale sets to that backend pool, and update the instances again.",
];
