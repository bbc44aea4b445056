/**
 * What ARM checks after every change, and the V2 port mappings it keeps. `reconcile` runs on a
 * draft copy of the state: it throws an `ArmError` where ARM would reject the change (and the
 * caller then drops the draft) and otherwise updates the mappings in place.
 */
import { allocatePorts, compareInstances } from "../core/allocation";
import { formatIssue, PortRangeExhaustedError } from "../core/errors";
import { instanceFromIpConfigurationId } from "../core/instances";
import { MAX_RULES_PER_LOAD_BALANCER, MAX_RULES_PER_NIC } from "../core/limits";
import { frontendPortRange, rangesOverlap } from "../core/range";
import { normalizeProtocol, validateNatRule } from "../core/validation";
import { ARM_ERROR_CODES, ArmError } from "./errors";
import { scaleSetIpConfigurationId } from "./ids";
import {
    keyOf,
    type InboundNatRuleRecord,
    type LoadBalancerRecord,
    type ScaleSetRecord,
    type SimulatorState,
} from "./model";


const fail = (code: string, message: string, status = 400): ArmError => new ArmError(code, status, message);

export function isV2(rule: InboundNatRuleRecord): boolean {
    return rule.backendAddressPoolId !== undefined;
}

/** A backend pool member: a NIC ipConfiguration (scale-set instance or standalone NIC) or an IP address. */
export interface PoolMember {
    /** Unique within the pool: the lower-cased ipConfiguration id, or `ip:{name}` for an IP member. */
    key: string;
    ipConfigurationId?: string;
    ipAddress?: string;
    /** Instance id, VM name (NIC name minus `-nic`), or the backend address name. */
    label: string;
    /** Display name of the backend address (as the pool's loadBalancerBackendAddresses shows it). */
    addressName: string;
}

/**
 * Members of every backend pool, in the order Azure hands out ports (facts §4): all instances of
 * one scale set by instance id, then the next scale set (creation order), then standalone NICs
 * and IP addresses ordered by instance label.
 */
export function poolMembers(state: SimulatorState): Map<string, PoolMember[]> {
    const scaleSetMembers = new Map<string, PoolMember[]>();
    const otherMembers = new Map<string, PoolMember[]>();
    const push = (target: Map<string, PoolMember[]>, pool: string, m: PoolMember): void => {
        const k = keyOf(pool);
        let list = target.get(k);
        if (!list) target.set(k, (list = []));
        list.push(m);
    };
    const scaleSets = Object.values(state.virtualMachineScaleSets).sort((a, b) => a.createdSeq - b.createdSeq);
    for (const vmss of scaleSets) {
        for (const instance of vmss.instances) {
            for (const nic of vmss.networkInterfaceConfigurations) {
                for (const ip of nic.ipConfigurations) {
                    if (ip.loadBalancerBackendAddressPoolIds.length === 0) continue;
                    const id = scaleSetIpConfigurationId(vmss.id, instance.instanceId, nic.name, ip.name);
                    const member: PoolMember = {
                        key: keyOf(id),
                        ipConfigurationId: id,
                        ipAddress: instance.privateIPAddresses[`${nic.name}/${ip.name}`],
                        label: instance.instanceId,
                        addressName: `${vmss.name}_${instance.instanceId}`,
                    };
                    for (const pool of ip.loadBalancerBackendAddressPoolIds) push(scaleSetMembers, pool, member);
                }
            }
        }
    }
    for (const nic of Object.values(state.networkInterfaces)) {
        for (const ip of nic.ipConfigurations) {
            const member: PoolMember = {
                key: keyOf(ip.id),
                ipConfigurationId: ip.id,
                ipAddress: ip.privateIPAddress,
                label: instanceFromIpConfigurationId(ip.id),
                addressName: `${nic.name}_${ip.name}`,
            };
            for (const pool of ip.loadBalancerBackendAddressPoolIds) push(otherMembers, pool, member);
        }
    }
    for (const lb of Object.values(state.loadBalancers)) {
        for (const pool of lb.backendAddressPools) {
            for (const address of pool.addresses) {
                push(otherMembers, pool.id, {
                    key: `ip:${address.name.toLowerCase()}`,
                    ipAddress: address.ipAddress,
                    label: address.name,
                    addressName: address.name,
                });
            }
        }
    }
    const result = new Map<string, PoolMember[]>();
    for (const [pool, list] of scaleSetMembers) result.set(pool, list);
    for (const [pool, list] of otherMembers) {
        list.sort((a, b) => compareInstances(a.label, b.label) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        result.set(pool, [...(result.get(pool) ?? []), ...list]);
    }
    return result;
}

/** Runs every check and recomputes every V2 mapping. Throws the first ArmError found. */
export function reconcile(state: SimulatorState): void {
    const pools = new Map<string, { lb: LoadBalancerRecord; name: string }>();
    const natRules = new Map<string, { lb: LoadBalancerRecord; rule: InboundNatRuleRecord }>();
    const natPools = new Map<string, { lb: LoadBalancerRecord; name: string }>();
    for (const lb of Object.values(state.loadBalancers)) {
        for (const p of lb.backendAddressPools) pools.set(keyOf(p.id), { lb, name: p.name });
        for (const r of lb.inboundNatRules) natRules.set(keyOf(r.id), { lb, rule: r });
        for (const p of lb.inboundNatPools) natPools.set(keyOf(p.id), { lb, name: p.name });
    }
    for (const lb of Object.values(state.loadBalancers)) checkLoadBalancer(state, lb);
    checkMemberReferences(state, pools, natRules, natPools);
    checkRuleCountsPerNic(state);
    checkNatPoolCapacity(state);
    assignV2Ports(state);
}

function referenceMissing(ref: string, owner: string): ArmError {
    return fail(
        ARM_ERROR_CODES.invalidReference,
        `Resource ${ref} referenced by resource ${owner} was not found. ` +
            "Please make sure that the referenced resource exists, and that both resources are in the same region.",
    );
}

function protocolsOverlap(a: string, b: string): boolean {
    return a === b || a === "All" || b === "All";
}

function checkPortField(owner: string, field: string, value: number | undefined, min: number, max: number, required: boolean): void {
    if (value === undefined) {
        if (required) throw fail(ARM_ERROR_CODES.invalidParameter, `${owner}: ${field} is required: allowed is an integer from ${min} to ${max}. Fix: set ${field}.`);
        return;
    }
    if (!Number.isInteger(value) || value < min || value > max) {
        throw fail(
            ARM_ERROR_CODES.invalidParameter,
            `${owner}: ${field} = ${JSON.stringify(value)} is out of range: allowed is an integer from ${min} to ${max}. Fix: use a value in ${min}-${max}.`,
        );
    }
}

function checkProtocol(owner: string, value: string): void {
    if (!normalizeProtocol(value)) {
        throw fail(ARM_ERROR_CODES.invalidParameter, `${owner}: protocol = ${JSON.stringify(value)} is not valid: allowed is Tcp, Udp or All.`);
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

function checkLoadBalancer(state: SimulatorState, lb: LoadBalancerRecord): void {
    const lbLabel = `load balancer ${lb.name}`;
    if (!["Basic", "Standard", "Gateway"].includes(lb.sku)) {
        throw fail(ARM_ERROR_CODES.invalidParameter, `${lbLabel}: sku.name = ${JSON.stringify(lb.sku)} is not valid: allowed is Basic, Standard or Gateway.`);
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
                    `Load balancer ${lb.id} (SKU ${lb.sku}) and public IP address ${ip.id} (SKU ${ip.sku}) must have the same SKU. Fix: give both the same SKU; Standard is recommended.`,
                );
            }
        }
    }

    const ruleCount = lb.loadBalancingRules.length + lb.inboundNatRules.length;
    if (ruleCount > MAX_RULES_PER_LOAD_BALANCER) {
        throw fail(
            ARM_ERROR_CODES.ruleCountPerLoadBalancer,
            `${lbLabel} has ${ruleCount} load-balancing and inbound NAT rules; at most ${MAX_RULES_PER_LOAD_BALANCER} are allowed. Fix: remove rules or use another load balancer.`,
        );
    }
    if (lb.inboundNatRules.length > 0 && lb.inboundNatPools.length > 0) {
        throw fail(
            ARM_ERROR_CODES.natRulesWithNatPools,
            `${lbLabel} cannot have both inbound NAT rules (${lb.inboundNatRules.map((r) => r.name).join(", ")}) and inbound NAT pools ` +
                `(${lb.inboundNatPools.map((p) => p.name).join(", ")}). Fix: migrate the NAT pools to backend-pool NAT rules first, or use another load balancer.`,
        );
    }

    const claims: FrontendClaim[] = [];
    for (const rule of lb.inboundNatRules) {
        const owner = `inbound NAT rule ${rule.name} of ${lbLabel}`;
        const hasRange = rule.frontendPortRangeStart !== undefined || rule.frontendPortRangeEnd !== undefined;
        if (rule.frontendPort !== undefined && hasRange) {
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
        const issues = validateNatRule({
            frontendPort: rule.frontendPort,
            frontendPortRangeStart: rule.frontendPortRangeStart,
            frontendPortRangeEnd: rule.frontendPortRangeEnd,
            backendPort: rule.backendPort,
            protocol: rule.protocol,
            idleTimeoutInMinutes: rule.idleTimeoutInMinutes,
            enableTcpReset: rule.enableTcpReset,
            enableFloatingIP: rule.enableFloatingIP,
            backendAddressPool: rule.backendAddressPoolId,
        });
        if (issues.length > 0) {
            throw fail(ARM_ERROR_CODES.invalidParameter, `${owner}: ${issues.map(formatIssue).join("; ")}`);
        }
        if (!rule.frontendIPConfigurationId) {
            throw fail(ARM_ERROR_CODES.invalidParameter, `${owner}: frontendIPConfiguration is required. Fix: reference one of the load balancer's frontend IP configurations.`);
        }
        if (!frontends.has(keyOf(rule.frontendIPConfigurationId))) throw referenceMissing(rule.frontendIPConfigurationId, rule.id);
        if (rule.backendAddressPoolId !== undefined) {
            if (!poolIds.has(keyOf(rule.backendAddressPoolId))) throw referenceMissing(rule.backendAddressPoolId, rule.id);
            if (lb.sku === "Basic") {
                throw fail(
                    ARM_ERROR_CODES.v2OnBasicSku,
                    `${owner}: a backend-pool (V2) inbound NAT rule needs a Standard SKU load balancer; ${lb.name} is Basic. Fix: use a Standard load balancer.`,
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
        checkPortField(owner, "frontendPortRangeStart", pool.frontendPortRangeStart, 1, 65534, true);
        checkPortField(owner, "frontendPortRangeEnd", pool.frontendPortRangeEnd, 1, 65535, true);
        checkPortField(owner, "backendPort", pool.backendPort, 1, 65535, true);
        if ((pool.frontendPortRangeEnd as number) < (pool.frontendPortRangeStart as number)) {
            throw fail(ARM_ERROR_CODES.invalidParameter,
                `${owner}: frontendPortRangeEnd ${pool.frontendPortRangeEnd} is below frontendPortRangeStart ${pool.frontendPortRangeStart}. Fix: end the range at or after its start.`);
        }
        if (!pool.frontendIPConfigurationId) throw fail(ARM_ERROR_CODES.invalidParameter, `${owner}: frontendIPConfiguration is required.`);
        if (!frontends.has(keyOf(pool.frontendIPConfigurationId))) throw referenceMissing(pool.frontendIPConfigurationId, pool.id);
        claims.push({ owner, frontend: keyOf(pool.frontendIPConfigurationId), protocol: pool.protocol,
            start: pool.frontendPortRangeStart as number, end: pool.frontendPortRangeEnd as number });
    }

    for (const rule of lb.loadBalancingRules) {
        const owner = `load-balancing rule ${rule.name} of ${lbLabel}`;
        checkProtocol(owner, rule.protocol);
        checkPortField(owner, "frontendPort", rule.frontendPort, 0, 65534, true);
        checkPortField(owner, "backendPort", rule.backendPort, 0, 65535, false);
        if (!rule.frontendIPConfigurationId) throw fail(ARM_ERROR_CODES.invalidParameter, `${owner}: frontendIPConfiguration is required.`);
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
        checkPortField(`probe ${probe.name} of ${lbLabel}`, "port", probe.port, 1, 65535, true);
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
                    `${describeClaim(claims[i])} and ${describeClaim(claims[j])} use overlapping frontend ports on frontend IP configuration ${fe}. ` +
                        "Fix: move one of them to free ports, or to another frontend IP configuration.",
                );
            }
        }
    }
}

function checkMemberReferences(
    state: SimulatorState,
    pools: Map<string, unknown>,
    natRules: Map<string, { lb: LoadBalancerRecord; rule: InboundNatRuleRecord }>,
    natPools: Map<string, unknown>,
): void {
    for (const nic of Object.values(state.networkInterfaces)) {
        for (const ip of nic.ipConfigurations) {
            for (const pool of ip.loadBalancerBackendAddressPoolIds) if (!pools.has(keyOf(pool))) throw referenceMissing(pool, ip.id);
            for (const rule of ip.loadBalancerInboundNatRuleIds) {
                const found = natRules.get(keyOf(rule));
                if (!found) throw referenceMissing(rule, ip.id);
                if (isV2(found.rule)) {
                    throw fail(
                        ARM_ERROR_CODES.invalidParameter,
                        `${ip.id} references backend-pool (V2) inbound NAT rule ${found.rule.name}; only single-VM rules are attached to a NIC. ` +
                            "Fix: add the NIC to the rule's backend pool instead.",
                    );
                }
            }
        }
    }
    for (const vmss of Object.values(state.virtualMachineScaleSets)) {
        for (const nic of vmss.networkInterfaceConfigurations) {
            for (const ip of nic.ipConfigurations) {
                for (const pool of ip.loadBalancerBackendAddressPoolIds) if (!pools.has(keyOf(pool))) throw referenceMissing(pool, vmss.id);
                for (const pool of ip.loadBalancerInboundNatPoolIds) if (!natPools.has(keyOf(pool))) throw referenceMissing(pool, vmss.id);
            }
        }
    }
}

function checkRuleCountsPerNic(state: SimulatorState): void {
    const rulesPerPool = new Map<string, number>();
    const add = (pool: string | undefined): void => {
        if (pool) rulesPerPool.set(keyOf(pool), (rulesPerPool.get(keyOf(pool)) ?? 0) + 1);
    };
    for (const lb of Object.values(state.loadBalancers)) {
        for (const r of lb.loadBalancingRules) add(r.backendAddressPoolId);
        for (const r of lb.inboundNatRules) if (isV2(r)) add(r.backendAddressPoolId);
    }
    const check = (nic: string, count: number): void => {
        if (count > MAX_RULES_PER_NIC) {
            throw fail(
                ARM_ERROR_CODES.ruleCountPerNic,
                `Network interface ${nic} would be associated with ${count} load balancer rules; a backend pool member's NIC can't be associated with more than ${MAX_RULES_PER_NIC} rules. ` +
                    "Fix: reduce the number of rules or use another load balancer.",
            );
        }
    };
    for (const nic of Object.values(state.networkInterfaces)) {
        let count = 0;
        for (const ip of nic.ipConfigurations) {
            for (const pool of ip.loadBalancerBackendAddressPoolIds) count += rulesPerPool.get(keyOf(pool)) ?? 0;
            count += ip.loadBalancerInboundNatRuleIds.length;
        }
        check(nic.id, count);
    }
    for (const vmss of Object.values(state.virtualMachineScaleSets)) {
        for (const nic of vmss.networkInterfaceConfigurations) {
            let count = 0;
            for (const ip of nic.ipConfigurations) {
                for (const pool of ip.loadBalancerBackendAddressPoolIds) count += rulesPerPool.get(keyOf(pool)) ?? 0;
                count += ip.loadBalancerInboundNatPoolIds.length;
            }
            check(`${vmss.id} (network interface configuration ${nic.name})`, count);
        }
    }
}

function checkNatPoolCapacity(state: SimulatorState): void {
    const demand = new Map<string, { count: number; scaleSets: string[] }>();
    for (const vmss of Object.values(state.virtualMachineScaleSets)) {
        for (const nic of vmss.networkInterfaceConfigurations) {
            for (const ip of nic.ipConfigurations) {
                for (const pool of ip.loadBalancerInboundNatPoolIds) {
                    const d = demand.get(keyOf(pool)) ?? { count: 0, scaleSets: [] };
                    d.count += vmss.instances.length;
                    d.scaleSets.push(vmss.name);
                    demand.set(keyOf(pool), d);
                }
            }
        }
    }
    for (const lb of Object.values(state.loadBalancers)) {
        for (const pool of lb.inboundNatPools) {
            const d = demand.get(keyOf(pool.id));
            const capacity = (pool.frontendPortRangeEnd as number) - (pool.frontendPortRangeStart as number) + 1;
            if (d && d.count > capacity) {
                throw fail(
                    ARM_ERROR_CODES.natPoolRangeTooSmall,
                    `Inbound NAT pool ${pool.name} of load balancer ${lb.name} has frontend port range ${pool.frontendPortRangeStart}-${pool.frontendPortRangeEnd} ` +
                        `(${capacity} ports), smaller than the ${d.count} ports requested by scale set ${d.scaleSets.join(", ")}. Fix: widen the range or lower the capacity.`,
                );
            }
        }
    }
}

// Overprovisioning is not simulated: Azure's temporary extra VMs are not created; the ×2 planning check belongs to the component.
function assignV2Ports(state: SimulatorState): void {
    let members: Map<string, PoolMember[]> | undefined;
    for (const lb of Object.values(state.loadBalancers)) {
        for (const rule of lb.inboundNatRules) {
            if (!isV2(rule)) {
                rule.mappings = [];
                continue;
            }
            members ??= poolMembers(state);
            const list = members.get(keyOf(rule.backendAddressPoolId as string)) ?? [];
            const label = `${lb.name}/${rule.name}`;
            const range = frontendPortRange({ start: rule.frontendPortRangeStart as number, end: rule.frontendPortRangeEnd as number }, label);
            try {
                const assigned = allocatePorts({
                    rule: label,
                    range,
                    previous: rule.mappings.map((m) => ({ instance: m.member, frontendPort: m.frontendPort })),
                    instances: list.map((m) => m.key),
                });
                rule.mappings = assigned.map((a) => ({ member: a.instance, frontendPort: a.frontendPort }));
            } catch (err) {
                if (!(err instanceof PortRangeExhaustedError)) throw err;
                const labels = new Map(list.map((m) => [m.key, m.label]));
                const quoted = new PortRangeExhaustedError(label, range, err.requested, err.unassigned.map((k) => labels.get(k) ?? k), describeMembers(list));
                throw fail(
                    ARM_ERROR_CODES.portRangeExhausted,
                    `Inbound NAT rule ${rule.name} of load balancer ${lb.name} cannot map every backend pool member; the operation was blocked. ${quoted.message}`,
                );
            }
        }
    }
}

function describeMembers(list: PoolMember[]): string {
    const perScaleSet = new Map<string, number>();
    let others = 0;
    for (const m of list) {
        const vmss = /\/virtualMachineScaleSets\/([^/]+)\//i.exec(m.ipConfigurationId ?? "");
        if (vmss) perScaleSet.set(vmss[1], (perScaleSet.get(vmss[1]) ?? 0) + 1);
        else others++;
    }
    const parts = [...perScaleSet].map(([name, n]) => `scale set ${name}: ${n} instance${n === 1 ? "" : "s"}`);
    if (others > 0) parts.push(`${others} other member${others === 1 ? "" : "s"}`);
    return parts.join(", ");
}

/** Scale sets whose model references the NAT pool (facts §7: such a pool cannot be removed). */
export function scaleSetsReferencingNatPool(state: SimulatorState, natPoolId: string): ScaleSetRecord[] {
    const k = keyOf(natPoolId);
    return Object.values(state.virtualMachineScaleSets).filter((vmss) =>
        vmss.networkInterfaceConfigurations.some((nic) => nic.ipConfigurations.some((ip) => ip.loadBalancerInboundNatPoolIds.some((p) => keyOf(p) === k))),
    );
}
