/**
 * When ARM's checks run (arm-checks.ts) and the V2 port mappings it keeps. `reconcileChange` runs
 * on the state a change has just edited, over what the change can have affected: it throws an
 * `ArmError` where ARM would reject the change (and the caller then rolls the change back) and
 * otherwise updates the mappings in place. `reconcile` runs the same checks over a whole state.
 */
// Port assignment is Azure's own (azure-bounds.ts), not the library's allocator.
import { assignFrontendPorts } from "../azure-bounds";
import { ARM_ERROR_CODES } from "../errors";
import { put, type Journal } from "../journal";
import { loadBalancersOfNic, loadBalancersOfScaleSet, type Membership } from "./membership";
import {
    keyOf,
    type LoadBalancerRecord,
    type NatRuleMappingRecord,
    type SimulatorState,
} from "../model";
import { backendMembers, backendMembersOf, type BackendMember } from "./backend-members";
import { checkBackendPortsPerIpConfiguration, checkLoadBalancer, checkMemberReferences, checkNatPoolCapacity, checkRuleCountsPerNic, fail, isV2, type CheckScope } from "./checks";

/** Runs every check and recomputes every V2 mapping. Throws the first ArmError found. */
export function reconcile(state: SimulatorState): void {
    let members: Map<string, BackendMember[]> | undefined;
    const scaleSets = Object.values(state.virtualMachineScaleSets);
    const loadBalancers = Object.values(state.loadBalancers);
    runChecks(state, {
        checked: loadBalancers,
        loadBalancers,
        nics: Object.values(state.networkInterfaces),
        scaleSets,
        membersOf: (poolId) => (members ??= backendMembers(state)).get(keyOf(poolId)) ?? [],
        scaleSetsOf: () => scaleSets,
    });
}

/**
 * The checks and port assignment of one change, over what it can have affected: the load balancers
 * it touched and those its touched NICs and scale sets reference (before or after) get their ports
 * assigned again; those its touched public IPs front are checked too; and the checks of members run
 * for the touched NICs and scale sets and every member of a touched load balancer. The rest of the
 * state passed these checks when it was committed and has not changed. `membership` must already
 * reflect the change.
 */
export function reconcileChange(state: SimulatorState, membership: Membership, journal: Journal): void {
    const touchedLbs = journal.touched("loadBalancers");
    const affected = new Set(touchedLbs);
    const nicKeys = new Set(journal.touched("networkInterfaces"));
    const scaleSetKeys = new Set(journal.touched("virtualMachineScaleSets"));
    for (const k of nicKeys) {
        for (const lb of loadBalancersOfNic(journal.original("networkInterfaces", k))) affected.add(lb);
        for (const lb of loadBalancersOfNic(state.networkInterfaces[k])) affected.add(lb);
    }
    for (const k of scaleSetKeys) {
        for (const lb of loadBalancersOfScaleSet(journal.original("virtualMachineScaleSets", k))) affected.add(lb);
        for (const lb of loadBalancersOfScaleSet(state.virtualMachineScaleSets[k])) affected.add(lb);
    }
    const checked = new Set(affected);
    const publicIps = new Set(journal.touched("publicIPAddresses"));
    if (publicIps.size > 0) {
        for (const [k, lb] of Object.entries(state.loadBalancers)) {
            if (lb.frontendIPConfigurations.some((fe) => fe.publicIPAddressId && publicIps.has(keyOf(fe.publicIPAddressId)))) checked.add(k);
        }
    }
    // A touched (or deleted) load balancer may have changed what any of its members reaches.
    for (const lb of touchedLbs) {
        if (memberFacing(journal.original("loadBalancers", lb)) === memberFacing(state.loadBalancers[lb])) continue;
        for (const k of membership.nicsOf(lb)) nicKeys.add(k);
        for (const k of membership.scaleSetsOf(lb)) scaleSetKeys.add(k);
    }
    // In the state's order, as a full check visits them.
    const inOrder = (keys: Set<string>): LoadBalancerRecord[] => Object.keys(state.loadBalancers).filter((k) => keys.has(k)).map((k) => state.loadBalancers[k]);
    runChecks(state, {
        checked: inOrder(checked),
        loadBalancers: inOrder(affected),
        nics: [...nicKeys].map((k) => state.networkInterfaces[k]).filter((n) => n !== undefined),
        scaleSets: [...scaleSetKeys].map((k) => state.virtualMachineScaleSets[k]).filter((v) => v !== undefined),
        ...indexedReads(state, membership),
    });
}

/**
 * The checks a scale set's instance count reaches, over the load balancers it uses: NAT pool
 * capacity and V2 port assignment (what an overprovisioning peak needs; the change's own
 * reconcile checks the rest when it ends). `membership` must reflect the state as it is now.
 */
export function reconcileScaleSet(state: SimulatorState, membership: Membership, scaleSetKey: string): void {
    const lbs = loadBalancersOfScaleSet(state.virtualMachineScaleSets[scaleSetKey]);
    runChecks(state, {
        checked: [],
        loadBalancers: Object.keys(state.loadBalancers).filter((k) => lbs.has(k)).map((k) => state.loadBalancers[k]),
        nics: [],
        scaleSets: [],
        ...indexedReads(state, membership),
    });
}

/** A scope's reads of pool members and a load balancer's scale sets, through the membership index. */
function indexedReads(state: SimulatorState, membership: Membership): Pick<CheckScope, "membersOf" | "scaleSetsOf"> {
    const members = new Map<string, BackendMember[]>();
    return {
        membersOf: (poolId) => {
            let list = members.get(keyOf(poolId));
            if (!list) members.set(keyOf(poolId), (list = backendMembersOf(state, membership, poolId)));
            return list;
        },
        scaleSetsOf: (lb) => [...membership.scaleSetsOf(keyOf(lb.id))].map((k) => state.virtualMachineScaleSets[k]).filter((v) => v !== undefined),
    };
}

/** What of a load balancer the checks of its members read: its pools, NAT rules, NAT pools and the pools its rules use. */
function memberFacing(lb: LoadBalancerRecord | undefined): string {
    if (!lb) return "";
    return JSON.stringify([
        lb.backendAddressPools.map((p) => p.id),
        lb.inboundNatRules.map((r) => [r.id, r.backendAddressPoolId, r.backendPort, r.protocol, r.enableFloatingIP]),
        lb.inboundNatPools.map((p) => p.id),
        lb.loadBalancingRules.map((r) => r.backendAddressPoolId),
    ]);
}

function runChecks(state: SimulatorState, scope: CheckScope): void {
    for (const lb of scope.checked) checkLoadBalancer(state, lb);
    checkMemberReferences(state, scope);
    checkRuleCountsPerNic(state, scope);
    checkBackendPortsPerIpConfiguration(state, scope);
    checkNatPoolCapacity(scope);
    assignV2Ports(state, scope);
}

// Overprovisioning's extra VMs are members while they exist (scale-sets/scaling.ts checks their ports at the peak).
function assignV2Ports(state: SimulatorState, scope: CheckScope): void {
    for (const lb of scope.loadBalancers) {
        const next = lb.inboundNatRules.map((rule) => {
            if (!isV2(rule)) return [];
            const list = scope.membersOf(rule.backendAddressPoolId as string);
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
            return list.map((m) => ({ member: m.key, frontendPort: ports.get(m.key) as number }));
        });
        const same = (a: NatRuleMappingRecord[], b: NatRuleMappingRecord[]): boolean =>
            a.length === b.length && a.every((m, i) => m.member === b[i].member && m.frontendPort === b[i].frontendPort);
        if (lb.inboundNatRules.every((rule, i) => same(rule.mappings, next[i]))) continue;
        // A shallow copy: the rules are replaced, never changed in place (they may be shared).
        put(state, "loadBalancers", keyOf(lb.id), { ...lb, inboundNatRules: lb.inboundNatRules.map((rule, i) => ({ ...rule, mappings: next[i] })) });
    }
}

function describeMembers(list: BackendMember[]): string {
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
