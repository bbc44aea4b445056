/**
 * The checks ARM makes on a change, each from Azure's sources: a load balancer's own values, the
 * references and backend ports of its members, rules per NIC, NAT pool capacity and NAT pools in use.
 * Each throws the `ArmError` ARM answers with.
 */
// Only id parsing is shared with the library; bounds are Azure's own (azure-bounds.ts).
import { AZURE_BOUNDS, AZURE_LIMITS, transportProtocol } from "../azure-bounds";
import type { BackendMember } from "./backend-members";
import { ARM_ERROR_CODES, ArmError } from "../errors";
import { loadBalancerKeyOf } from "./membership";
import { instanceIpConfigurationId, modelsInUse } from "../compute/scale-sets/instance-model";
import {
    keyOf,
    type BackendPoolRecord,
    type InboundNatRuleRecord,
    type LoadBalancerRecord,
    type NetworkInterfaceRecord,
    type ScaleSetNicConfigurationRecord,
    type ScaleSetRecord,
    type SimulatorState,
} from "../model";

export const fail = (code: string, message: string, status = 400): ArmError => new ArmError(code, status, message);

export function isV2(rule: InboundNatRuleRecord): boolean {
    return rule.backendAddressPoolId !== undefined;
}

/** What one run of the checks covers, and how it finds a pool's members and the scale sets using a load balancer. */
export interface CheckScope {
    /** Load balancers whose own checks run. */
    checked: LoadBalancerRecord[];
    /** Load balancers whose ports are assigned again and whose NAT pools and IP members are checked. */
    loadBalancers: LoadBalancerRecord[];
    nics: NetworkInterfaceRecord[];
    scaleSets: ScaleSetRecord[];
    membersOf: (poolId: string) => BackendMember[];
    scaleSetsOf: (lb: LoadBalancerRecord) => ScaleSetRecord[];
}

/** A child of a load balancer (pool, NAT rule, NAT pool) by id, found through its parent. */
function childOf<T extends { id: string }>(state: SimulatorState, id: string, children: (lb: LoadBalancerRecord) => T[]): T | undefined {
    const lb = state.loadBalancers[loadBalancerKeyOf(id)];
    if (!lb) return undefined;
    const k = keyOf(id);
    return children(lb).find((c) => keyOf(c.id) === k);
}

function referenceMissing(ref: string, owner: string): ArmError {
    return fail(
        ARM_ERROR_CODES.invalidReference,
        `Resource ${ref} referenced by resource ${owner} was not found. ` +
            "Please make sure that the referenced resource exists, and that both resources are in the same region.",
    );
}

function rangesOverlap(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
    return a.start <= b.end && b.start <= a.end;
}

function protocolsOverlap(a: string, b: string): boolean {
    return a === b || a === "All" || b === "All";
}

/** ARM's out-of-range wording, as Compute words it for sku.capacity ("The value 1001 of parameter 'sku.capacity' is out of range. The value must be between 0 and 1000, inclusive."). */
function checkPortField(owner: string, field: string, value: number | undefined, bound: { min: number; max: number }, required: boolean): void {
    const { min, max } = bound;
    if (value === undefined) {
        if (required) throw fail(ARM_ERROR_CODES.invalidParameter, `Required parameter '${field}' is missing (null) in ${owner}.`);
        return;
    }
    if (!Number.isInteger(value) || value < min || value > max) {
        throw fail(
            ARM_ERROR_CODES.invalidParameter,
            `The value ${JSON.stringify(value)} of parameter '${field}' of ${owner} is out of range. The value must be between ${min} and ${max}, inclusive.`,
        );
    }
}

function checkProtocol(owner: string, value: string): void {
    if (!transportProtocol(value)) {
        throw fail(ARM_ERROR_CODES.invalidParameter, `The value ${JSON.stringify(value)} of parameter 'protocol' of ${owner} is not valid. Allowed values are Tcp, Udp, All.`);
    }
}

interface FrontendClaim {
    owner: string;
    frontend: string;
    protocol: string;
    start: number;
    end: number;
}

function describeClaim(c: FrontendClaim): string {
    return `${c.owner} (${c.protocol} ${c.start === c.end ? c.start : `${c.start}-${c.end}`})`;
}

/**
 * One NAT rule's own values against the spec's bounds (AZURE_BOUNDS). The spec says the idle
 * timeout and TCP reset are "only used when the protocol is set to TCP"; no source shows ARM
 * refusing them on a UDP rule, so they are accepted and ignored there.
 */
function checkNatRuleValues(owner: string, rule: InboundNatRuleRecord): void {
    checkProtocol(owner, rule.protocol);
    if (isV2(rule)) {
        checkPortField(owner, "frontendPortRangeStart", rule.frontendPortRangeStart, AZURE_BOUNDS.natRuleFrontendRange, true);
        checkPortField(owner, "frontendPortRangeEnd", rule.frontendPortRangeEnd, AZURE_BOUNDS.natRuleFrontendRange, true);
        const start = rule.frontendPortRangeStart as number;
        const end = rule.frontendPortRangeEnd as number;
        if (end < start) {
            // Guess: no source shows ARM's answer to a reversed range; worded as ARM words parameter errors.
            throw fail(
                ARM_ERROR_CODES.invalidParameter,
                `The value ${end} of parameter 'frontendPortRangeEnd' of ${owner} is less than the value ${start} of parameter 'frontendPortRangeStart'.`,
            );
        }
    } else {
        checkPortField(owner, "frontendPort", rule.frontendPort, AZURE_BOUNDS.natRuleFrontendPort, true);
    }
    checkPortField(owner, "backendPort", rule.backendPort, AZURE_BOUNDS.backendPort, true);
    checkPortField(owner, "idleTimeoutInMinutes", rule.idleTimeoutInMinutes, AZURE_BOUNDS.idleTimeoutInMinutes, false);
}

export function checkLoadBalancer(state: SimulatorState, lb: LoadBalancerRecord): void {
    const lbLabel = `load balancer ${lb.name}`;
    if (!["Basic", "Standard", "Gateway"].includes(lb.sku)) {
        throw fail(ARM_ERROR_CODES.invalidParameter, `The value ${JSON.stringify(lb.sku)} of parameter 'sku.name' of ${lbLabel} is not valid. Allowed values are Basic, Standard, Gateway.`);
    }
    const frontends = new Set(lb.frontendIPConfigurations.map((f) => keyOf(f.id)));
    const poolIds = new Set(lb.backendAddressPools.map((p) => keyOf(p.id)));
    const probeIds = new Set(lb.probes.map((p) => keyOf(p.id)));

    for (const fe of lb.frontendIPConfigurations) {
        if (fe.publicIPAddressId) {
            const ip = state.publicIPAddresses[keyOf(fe.publicIPAddressId)];
            if (!ip) throw referenceMissing(fe.publicIPAddressId, fe.id);
            if (ip.sku.toLowerCase() !== lb.sku.toLowerCase()) {
                throw fail(
                    ARM_ERROR_CODES.differentSku,
                    `Load balancer ${lb.id} (SKU ${lb.sku}) and public IP address ${ip.id} (SKU ${ip.sku}) must have the same SKU.`,
                );
            }
        }
    }

    const ruleCount = lb.loadBalancingRules.length + lb.inboundNatRules.length;
    if (ruleCount > AZURE_LIMITS.rulesPerLoadBalancer) {
        throw fail(
            ARM_ERROR_CODES.ruleCountPerLoadBalancer,
            `${lbLabel} has ${ruleCount} load-balancing and inbound NAT rules; at most ${AZURE_LIMITS.rulesPerLoadBalancer} are allowed.`,
        );
    }
    if (lb.inboundNatRules.length > 0 && lb.inboundNatPools.length > 0) {
        throw fail(
            ARM_ERROR_CODES.natRulesWithNatPools,
            `${lbLabel} cannot have both inbound NAT rules (${lb.inboundNatRules.map((r) => r.name).join(", ")}) and inbound NAT pools ` +
                `(${lb.inboundNatPools.map((p) => p.name).join(", ")}).`,
        );
    }

    const claims: FrontendClaim[] = [];
    for (const rule of lb.inboundNatRules) {
        const owner = `inbound NAT rule ${rule.name} of ${lbLabel}`;
        const hasRange = rule.frontendPortRangeStart !== undefined || rule.frontendPortRangeEnd !== undefined;
        // A GET of a V2 rule returns frontendPort 0, and recorded Azure took it back together with the
        // range on an update PUT (azure-cli recording test_network_lb_nat_rules_v3.yaml): only a non-zero port is refused.
        if (rule.frontendPort !== undefined && rule.frontendPort !== 0 && hasRange) {
            throw fail(
                ARM_ERROR_CODES.frontendPortWithRange,
                `If FrontendPort ${rule.frontendPort} is set, properties FrontendPortRangeStart, FrontendPortRangeEnd should be null. (${owner})`,
            );
        }
        if (rule.backendAddressPoolId !== undefined && (rule.frontendPortRangeStart === undefined || rule.frontendPortRangeEnd === undefined)) {
            throw fail(
                ARM_ERROR_CODES.missedV2Properties,
                `For inbound Nat rule V2 properties FrontendPortRangeStart, FrontendPortRangeEnd should not be null. (${owner})`,
            );
        }
        if (rule.backendAddressPoolId === undefined && hasRange) {
            // Our wording: ARM's answer to a range without a pool is not documented.
            throw fail(
                ARM_ERROR_CODES.missedV2Properties,
                `For inbound Nat rule V2 properties BackendAddressPool should not be null when FrontendPortRangeStart, FrontendPortRangeEnd are set. (${owner})`,
            );
        }
        checkNatRuleValues(owner, rule);
        if (!rule.frontendIPConfigurationId) {
            throw fail(ARM_ERROR_CODES.invalidParameter, `Required parameter 'frontendIPConfiguration' is missing (null) in ${owner}.`);
        }
        if (!frontends.has(keyOf(rule.frontendIPConfigurationId))) throw referenceMissing(rule.frontendIPConfigurationId, rule.id);
        if (rule.backendAddressPoolId !== undefined) {
            if (!poolIds.has(keyOf(rule.backendAddressPoolId))) throw referenceMissing(rule.backendAddressPoolId, rule.id);
            if (lb.sku === "Basic") {
                throw fail(
                    ARM_ERROR_CODES.v2OnBasicSku,
                    `${owner}: a backend-pool (V2) inbound NAT rule needs a Standard SKU load balancer; ${lb.name} is Basic.`,
                );
            }
            claims.push({ owner, frontend: keyOf(rule.frontendIPConfigurationId), protocol: rule.protocol,
                start: rule.frontendPortRangeStart as number, end: rule.frontendPortRangeEnd as number });
        } else {
            claims.push({ owner, frontend: keyOf(rule.frontendIPConfigurationId), protocol: rule.protocol,
                start: rule.frontendPort as number, end: rule.frontendPort as number });
        }
    }

    for (const pool of lb.inboundNatPools) {
        const owner = `inbound NAT pool ${pool.name} of ${lbLabel}`;
        checkProtocol(owner, pool.protocol);
        checkPortField(owner, "frontendPortRangeStart", pool.frontendPortRangeStart, AZURE_BOUNDS.natPoolFrontendRangeStart, true);
        checkPortField(owner, "frontendPortRangeEnd", pool.frontendPortRangeEnd, AZURE_BOUNDS.natPoolFrontendRangeEnd, true);
        checkPortField(owner, "backendPort", pool.backendPort, AZURE_BOUNDS.backendPort, true);
        if ((pool.frontendPortRangeEnd as number) < (pool.frontendPortRangeStart as number)) {
            throw fail(ARM_ERROR_CODES.invalidParameter,
                `The value ${pool.frontendPortRangeEnd} of parameter 'frontendPortRangeEnd' of ${owner} is less than the value ${pool.frontendPortRangeStart} of parameter 'frontendPortRangeStart'.`);
        }
        if (!pool.frontendIPConfigurationId) throw fail(ARM_ERROR_CODES.invalidParameter, `Required parameter 'frontendIPConfiguration' is missing (null) in ${owner}.`);
        if (!frontends.has(keyOf(pool.frontendIPConfigurationId))) throw referenceMissing(pool.frontendIPConfigurationId, pool.id);
        claims.push({ owner, frontend: keyOf(pool.frontendIPConfigurationId), protocol: pool.protocol,
            start: pool.frontendPortRangeStart as number, end: pool.frontendPortRangeEnd as number });
    }

    for (const rule of lb.loadBalancingRules) {
        const owner = `load-balancing rule ${rule.name} of ${lbLabel}`;
        checkProtocol(owner, rule.protocol);
        checkPortField(owner, "frontendPort", rule.frontendPort, AZURE_BOUNDS.lbRuleFrontendPort, true);
        checkPortField(owner, "backendPort", rule.backendPort, AZURE_BOUNDS.lbRuleBackendPort, false);
        if (!rule.frontendIPConfigurationId) throw fail(ARM_ERROR_CODES.invalidParameter, `Required parameter 'frontendIPConfiguration' is missing (null) in ${owner}.`);
        if (!frontends.has(keyOf(rule.frontendIPConfigurationId))) throw referenceMissing(rule.frontendIPConfigurationId, rule.id);
        if (rule.backendAddressPoolId && !poolIds.has(keyOf(rule.backendAddressPoolId))) throw referenceMissing(rule.backendAddressPoolId, rule.id);
        if (rule.probeId && !probeIds.has(keyOf(rule.probeId))) throw referenceMissing(rule.probeId, rule.id);
        // Port 0 is "HA ports" (every port of an internal load balancer); not modelled as a claim.
        if (rule.frontendPort !== 0) {
            claims.push({ owner, frontend: keyOf(rule.frontendIPConfigurationId), protocol: rule.protocol,
                start: rule.frontendPort as number, end: rule.frontendPort as number });
        }
    }

    for (const probe of lb.probes) {
        checkPortField(`probe ${probe.name} of ${lbLabel}`, "port", probe.port, AZURE_BOUNDS.probePort, true);
    }

    // Frontend ports and ranges may not overlap on one frontend IP configuration and protocol.
    claims.sort((a, b) => (a.frontend < b.frontend ? -1 : a.frontend > b.frontend ? 1 : a.start - b.start));
    for (let i = 0; i < claims.length; i++) {
        for (let j = i + 1; j < claims.length && claims[j].frontend === claims[i].frontend; j++) {
            if (claims[j].start > claims[i].end) continue;
            if (protocolsOverlap(claims[i].protocol, claims[j].protocol) && rangesOverlap(claims[i], claims[j])) {
                const fe = lb.frontendIPConfigurations.find((f) => keyOf(f.id) === claims[i].frontend)?.name ?? claims[i].frontend;
                throw fail(
                    ARM_ERROR_CODES.frontendPortOverlap,
                    `${describeClaim(claims[i])} and ${describeClaim(claims[j])} use overlapping frontend ports on frontend IP configuration ${fe}.`,
                );
            }
        }
    }
}

export function checkMemberReferences(state: SimulatorState, scope: CheckScope): void {
    const pools = new Map<string, BackendPoolRecord | undefined>();
    const pool = (id: string): BackendPoolRecord | undefined => {
        if (!pools.has(id)) pools.set(id, childOf(state, id, (lb) => lb.backendAddressPools));
        return pools.get(id);
    };
    for (const nic of scope.nics) {
        for (const ip of nic.ipConfigurations) {
            for (const p of ip.loadBalancerBackendAddressPoolIds) if (!pool(p)) throw referenceMissing(p, ip.id);
            for (const r of ip.loadBalancerInboundNatRuleIds) {
                const rule = childOf(state, r, (lb) => lb.inboundNatRules);
                if (!rule) throw referenceMissing(r, ip.id);
                if (isV2(rule)) {
                    throw fail(
                        ARM_ERROR_CODES.invalidParameter,
                        `${ip.id} references backend-pool (V2) inbound NAT rule ${rule.name}; only single-VM rules are attached to a NIC.`,
                    );
                }
            }
        }
    }
    for (const vmss of scope.scaleSets) {
        for (const nic of modelsInUse(vmss).flatMap((m) => m.nics)) {
            for (const ip of nic.ipConfigurations) {
                for (const p of ip.loadBalancerBackendAddressPoolIds) if (!pool(p)) throw referenceMissing(p, vmss.id);
                for (const p of ip.loadBalancerInboundNatPoolIds) if (!childOf(state, p, (lb) => lb.inboundNatPools)) throw referenceMissing(p, vmss.id);
            }
        }
    }
}

/**
 * Two NAT rules with floating IP disabled, the same backend port and the same protocol may not reach
 * one backend IP configuration: `RulesUseSameBackendPortProtocolAndIPConfig` (code and message quoted
 * in hashicorp/terraform-provider-azurerm#84, for two single-VM rules on one NIC ipconfig; the docs
 * page load-balancer-nat-pool-migration says "Multiple NAT rules can't exist if they ... have the same
 * backend port"). The same check runs per member of a backend-pool rule, where every member is reached.
 * Modelled: only exact protocol equality conflicts, and a rule with floating IP enabled conflicts with none.
 */
export function checkBackendPortsPerIpConfiguration(state: SimulatorState, scope: CheckScope): void {
    const poolRules = new Map<string, InboundNatRuleRecord[]>();
    /** The pool's backend-pool (V2) rules with floating IP disabled. */
    const rulesOfPool = (poolId: string): InboundNatRuleRecord[] => {
        const k = keyOf(poolId);
        let rules = poolRules.get(k);
        if (!rules) {
            const lb = state.loadBalancers[loadBalancerKeyOf(poolId)];
            rules = (lb?.inboundNatRules ?? []).filter((r) => !r.enableFloatingIP && isV2(r) && keyOf(r.backendAddressPoolId as string) === k);
            poolRules.set(k, rules);
        }
        return rules;
    };
    const add = (rules: InboundNatRuleRecord[], rule: InboundNatRuleRecord | undefined): void => {
        if (rule && !rule.enableFloatingIP && !rules.includes(rule)) rules.push(rule);
    };
    const check = (target: string, rules: InboundNatRuleRecord[]): void => {
        const seen = new Map<string, InboundNatRuleRecord>();
        for (const rule of rules) {
            const k = `${rule.protocol.toLowerCase()}/${rule.backendPort}`;
            const other = seen.get(k);
            if (other) {
                throw fail(
                    ARM_ERROR_CODES.rulesUseSameBackendPort,
                    `Load balancer rules ${other.id} and ${rule.id} with floating IP disabled use the same backend port ${rule.backendPort} and protocol ${rule.protocol}, ` +
                        `and must not be used with the same backend IP ${target}.`,
                );
            }
            seen.set(k, rule);
        }
    };
    for (const nic of scope.nics) {
        for (const ip of nic.ipConfigurations) {
            const rules: InboundNatRuleRecord[] = [];
            for (const r of ip.loadBalancerInboundNatRuleIds) add(rules, childOf(state, r, (lb) => lb.inboundNatRules));
            for (const pool of ip.loadBalancerBackendAddressPoolIds) for (const r of rulesOfPool(pool)) add(rules, r);
            if (rules.length > 1) check(ip.id, rules);
        }
    }
    // Instances running one model have the same rules; the first of them is the one named. Each model an instance runs counts (upgrade policy Manual).
    for (const vmss of scope.scaleSets) {
        for (const { nics, instance } of modelsInUse(vmss)) {
            if (!instance) continue;
            for (const nic of nics) {
                for (const ip of nic.ipConfigurations) {
                    const rules: InboundNatRuleRecord[] = [];
                    for (const pool of ip.loadBalancerBackendAddressPoolIds) for (const r of rulesOfPool(pool)) add(rules, r);
                    if (rules.length > 1) check(instanceIpConfigurationId(vmss, instance, nic.name, ip.name), rules);
                }
            }
        }
    }
    for (const lb of scope.loadBalancers) {
        for (const pool of lb.backendAddressPools) {
            const rules = rulesOfPool(pool.id);
            if (rules.length < 2) continue;
            for (const address of pool.addresses) check(address.ipAddress ?? address.name, rules);
        }
    }
}

export function checkRuleCountsPerNic(state: SimulatorState, scope: CheckScope): void {
    const rulesPerPool = new Map<string, number>();
    const rulesOn = (poolId: string): number => {
        const k = keyOf(poolId);
        let count = rulesPerPool.get(k);
        if (count === undefined) {
            const lb = state.loadBalancers[loadBalancerKeyOf(poolId)];
            const on = (pool: string | undefined): boolean => pool !== undefined && keyOf(pool) === k;
            count = (lb?.loadBalancingRules.filter((r) => on(r.backendAddressPoolId)).length ?? 0) +
                (lb?.inboundNatRules.filter((r) => isV2(r) && on(r.backendAddressPoolId)).length ?? 0);
            rulesPerPool.set(k, count);
        }
        return count;
    };
    const check = (nic: string, count: number): void => {
        if (count > AZURE_LIMITS.rulesPerNic) {
            throw fail(
                ARM_ERROR_CODES.ruleCountPerNic,
                `Network interface ${nic} would be associated with ${count} load balancer rules; a backend pool member's NIC can't be associated with more than ${AZURE_LIMITS.rulesPerNic} rules.`,
            );
        }
    };
    for (const nic of scope.nics) {
        let count = 0;
        for (const ip of nic.ipConfigurations) {
            for (const pool of ip.loadBalancerBackendAddressPoolIds) count += rulesOn(pool);
            count += ip.loadBalancerInboundNatRuleIds.length;
        }
        check(nic.id, count);
    }
    for (const vmss of scope.scaleSets) {
        for (const { nics, instance } of modelsInUse(vmss)) {
            for (const nic of nics) {
                let count = 0;
                for (const ip of nic.ipConfigurations) {
                    for (const pool of ip.loadBalancerBackendAddressPoolIds) count += rulesOn(pool);
                    count += ip.loadBalancerInboundNatPoolIds.length;
                }
                const on = instance && nics !== vmss.networkInterfaceConfigurations ? `, as instance ${instance.instanceId} runs it` : "";
                check(`${vmss.id} (network interface configuration ${nic.name}${on})`, count);
            }
        }
    }
}

export function checkNatPoolCapacity(scope: CheckScope): void {
    for (const lb of scope.loadBalancers) {
        if (lb.inboundNatPools.length === 0) continue;
        const demand = new Map<string, { count: number; scaleSets: string[] }>();
        for (const vmss of scope.scaleSetsOf(lb)) {
            // Per instance: each runs its own model (upgrade policy Manual), so some may not use the pool yet.
            const natPoolsOf = (nics: ScaleSetNicConfigurationRecord[]): Set<string> =>
                new Set(nics.flatMap((nic) => nic.ipConfigurations.flatMap((ip) => ip.loadBalancerInboundNatPoolIds.map(keyOf))));
            const latest = natPoolsOf(vmss.networkInterfaceConfigurations);
            for (const instance of vmss.instances) {
                for (const pool of instance.model ? natPoolsOf(instance.model) : latest) {
                    const d = demand.get(pool) ?? { count: 0, scaleSets: [] };
                    d.count += 1;
                    if (!d.scaleSets.includes(vmss.name)) d.scaleSets.push(vmss.name);
                    demand.set(pool, d);
                }
            }
        }
        for (const pool of lb.inboundNatPools) {
            const d = demand.get(keyOf(pool.id));
            const capacity = (pool.frontendPortRangeEnd as number) - (pool.frontendPortRangeStart as number) + 1;
            if (d && d.count > capacity) {
                throw fail(
                    ARM_ERROR_CODES.natPoolRangeTooSmall,
                    `Inbound NAT pool ${pool.name} of load balancer ${lb.name} has frontend port range ${pool.frontendPortRangeStart}-${pool.frontendPortRangeEnd} ` +
                        `(${capacity} ports), smaller than the ${d.count} ports requested by scale set ${d.scaleSets.join(", ")}.`,
                );
            }
        }
    }
}

/**
 * Scale sets whose model, or the older model an instance still runs, references the NAT pool (facts §7: such a pool
 * cannot be removed; the documented path removes the reference and updates the instances first).
 */
export function scaleSetsReferencingNatPool(state: SimulatorState, natPoolId: string): ScaleSetRecord[] {
    const k = keyOf(natPoolId);
    return Object.values(state.virtualMachineScaleSets).filter((vmss) =>
        modelsInUse(vmss).some((m) => m.nics.some((nic) => nic.ipConfigurations.some((ip) => ip.loadBalancerInboundNatPoolIds.some((p) => keyOf(p) === k)))),
    );
}
