/**
 * What ARM checks after every change, and the V2 port mappings it keeps. `reconcile` runs on a
 * draft copy of the state: it throws an `ArmError` where ARM would reject the change (and the
 * caller then drops the draft) and otherwise updates the mappings in place.
 */
// Only id parsing is shared with the library; bounds, order and port assignment are Azure's own (azure-bounds.ts).
import { instanceFromIpConfigurationId } from "../core/instances";
import { assignFrontendPorts, AZURE_BOUNDS, AZURE_LIMITS, byInstanceId, transportProtocol } from "./azure-bounds";
import { createHash } from "node:crypto";
import { ARM_ERROR_CODES, ArmError } from "./errors";
import { instanceIpConfigurationId, instanceNics, isFlexible } from "./scale-sets/instance-model";
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
    /** Name of the backend address, as the pool's loadBalancerBackendAddresses shows it (see `backendAddressName`). */
    addressName: string;
}

/**
 * The name Azure gives a pool's backend address for a NIC member: `<resource group>_<nic name><ipconfig name>`
 * (hashicorp/terraform-provider-azurerm#29775; real GETs show e.g. `az-rg-sm-srv-homepage_webNic1ipconfig1`).
 */
export function nicBackendAddressName(nicId: string, nicName: string, ipConfigurationName: string): string {
    const resourceGroup = /\/resourceGroups\/([^/]+)\//i.exec(nicId)?.[1] ?? "";
    return `${resourceGroup}_${nicName}${ipConfigurationName}`;
}

/**
 * Scale-set instances appear under GUID names (a real pool GET of an AKS load balancer lists its
 * scale-set members as e.g. `60466b70-b5fd-4289-9dfa-95d0da48f33e`). Azure's GUIDs are random; ours
 * are derived from the ipConfiguration id so a saved state reads the same on every run.
 */
function scaleSetBackendAddressName(ipConfigurationId: string): string {
    const h = createHash("sha256").update(ipConfigurationId.toLowerCase()).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[parseInt(h[16], 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
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
            // Each instance runs its own model (upgrade policy Manual) with its own NICs (Flexible): scale-sets/instance-model.ts.
            for (const nic of instanceNics(vmss, instance)) {
                for (const ip of nic.ipConfigurations) {
                    if (ip.loadBalancerBackendAddressPoolIds.length === 0) continue;
                    const id = instanceIpConfigurationId(vmss, instance, nic.name, ip.name);
                    const flexibleNic = isFlexible(vmss) ? instance.nicNames?.[nic.name] : undefined;
                    const member: PoolMember = {
                        key: keyOf(id),
                        ipConfigurationId: id,
                        ipAddress: instance.privateIPAddresses[`${nic.name}/${ip.name}`],
                        label: instance.instanceId,
                        addressName: flexibleNic ? nicBackendAddressName(id, flexibleNic, ip.name) : scaleSetBackendAddressName(id),
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
                addressName: nicBackendAddressName(nic.id, nic.name, ip.name),
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
        list.sort((a, b) => byInstanceId(a.label, b.label) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
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
    checkBackendPortsPerIpConfiguration(state);
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

function checkLoadBalancer(state: SimulatorState, lb: LoadBalancerRecord): void {
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
                        `${ip.id} references backend-pool (V2) inbound NAT rule ${found.rule.name}; only single-VM rules are attached to a NIC.`,
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

/**
 * Two NAT rules with floating IP disabled, the same backend port and the same protocol may not reach
 * one backend IP configuration: `RulesUseSameBackendPortProtocolAndIPConfig` (code and message quoted
 * in hashicorp/terraform-provider-azurerm#84, for two single-VM rules on one NIC ipconfig; the docs
 * page load-balancer-nat-pool-migration says "Multiple NAT rules can't exist if they ... have the same
 * backend port"). The same check runs per member of a backend-pool rule, where every member is reached.
 * Modelled: only exact protocol equality conflicts, and a rule with floating IP enabled conflicts with none.
 */
function checkBackendPortsPerIpConfiguration(state: SimulatorState): void {
    const reaching = new Map<string, { target: string; rules: InboundNatRuleRecord[] }>();
    const reach = (key: string, target: string, rule: InboundNatRuleRecord): void => {
        let entry = reaching.get(key);
        if (!entry) reaching.set(key, (entry = { target, rules: [] }));
        if (!entry.rules.includes(rule)) entry.rules.push(rule);
    };
    const rulesById = new Map<string, InboundNatRuleRecord>();
    const rulesByPool = new Map<string, InboundNatRuleRecord[]>();
    for (const lb of Object.values(state.loadBalancers)) {
        for (const rule of lb.inboundNatRules) {
            if (rule.enableFloatingIP) continue;
            rulesById.set(keyOf(rule.id), rule);
            if (isV2(rule)) {
                const k = keyOf(rule.backendAddressPoolId as string);
                rulesByPool.set(k, [...(rulesByPool.get(k) ?? []), rule]);
            }
        }
    }
    if (rulesById.size < 2) return;
    for (const nic of Object.values(state.networkInterfaces)) {
        for (const ip of nic.ipConfigurations) {
            for (const ruleId of ip.loadBalancerInboundNatRuleIds) {
                const rule = rulesById.get(keyOf(ruleId));
                if (rule) reach(keyOf(ip.id), ip.id, rule);
            }
        }
    }
    if (rulesByPool.size > 0) {
        for (const [pool, members] of poolMembers(state)) {
            for (const rule of rulesByPool.get(pool) ?? []) {
                for (const m of members) reach(m.key, m.ipConfigurationId ?? m.ipAddress ?? m.label, rule);
            }
        }
    }
    for (const { target, rules } of reaching.values()) {
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
        if (count > AZURE_LIMITS.rulesPerNic) {
            throw fail(
                ARM_ERROR_CODES.ruleCountPerNic,
                `Network interface ${nic} would be associated with ${count} load balancer rules; a backend pool member's NIC can't be associated with more than ${AZURE_LIMITS.rulesPerNic} rules.`,
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
        for (const instance of vmss.instances) {
            const pools = new Set(instanceNics(vmss, instance).flatMap((nic) => nic.ipConfigurations.flatMap((ip) => ip.loadBalancerInboundNatPoolIds.map(keyOf))));
            for (const pool of pools) {
                const d = demand.get(pool) ?? { count: 0, scaleSets: [] };
                d.count += 1;
                if (!d.scaleSets.includes(vmss.name)) d.scaleSets.push(vmss.name);
                demand.set(pool, d);
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
                        `(${capacity} ports), smaller than the ${d.count} ports requested by scale set ${d.scaleSets.join(", ")}.`,
                );
            }
        }
    }
}

// Overprovisioning's extra VMs are members while they exist (scale-sets/scaling.ts runs this at the peak).
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
            const start = rule.frontendPortRangeStart as number;
            const end = rule.frontendPortRangeEnd as number;
            const previous = new Map(rule.mappings.map((m) => [m.member, m.frontendPort]));
            const { ports, unserved } = assignFrontendPorts(start, end, previous, list.map((m) => m.key));
            if (unserved.length > 0) {
                // The docs say only that the scale-out is blocked when ports run out (inbound-nat-rules); code and wording are ours, in ARM's voice.
                const labels = new Map(list.map((m) => [m.key, m.label]));
                const shown = unserved.slice(0, 20).map((k) => labels.get(k) ?? k).join(", ") + (unserved.length > 20 ? `, and ${unserved.length - 20} more` : "");
                throw fail(
                    ARM_ERROR_CODES.portRangeExhausted,
                    `Inbound NAT rule ${rule.id} has frontend port range ${start}-${end} (${end - start + 1} ports), fewer than the ${list.length} backend addresses ` +
                        `of backend address pool ${rule.backendAddressPoolId} (${describeMembers(list)}). No frontend port is left for: ${shown}.`,
                );
            }
            rule.mappings = list.map((m) => ({ member: m.key, frontendPort: ports.get(m.key) as number }));
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
