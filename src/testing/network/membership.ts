/**
 * Which NICs and scale sets reference each load balancer (its backend pools, inbound NAT rules or
 * NAT pools): the reverse of their references, kept up to date per change so that a change checks
 * and reads only the load balancers it reaches instead of scanning every NIC.
 */
import { parentOf } from "../ids";
import type { Journal } from "../journal";
import { keyOf, type NetworkInterfaceRecord, type ScaleSetNicConfigurationRecord, type ScaleSetRecord, type SimulatorState } from "../model";

const loadBalancerKeys = new Map<string, string>();

/** Key of the load balancer a child id (pool, NAT rule, NAT pool) belongs to; memoised, as thousands of members name one pool. */
export function loadBalancerKeyOf(childId: string): string {
    let k = loadBalancerKeys.get(childId);
    if (k === undefined) {
        k = keyOf(parentOf(childId));
        if (loadBalancerKeys.size >= 100_000) loadBalancerKeys.clear();
        loadBalancerKeys.set(childId, k);
    }
    return k;
}

/** Keys of the load balancers a NIC's ipConfigurations reference. */
export function loadBalancersOfNic(nic: NetworkInterfaceRecord | undefined): Set<string> {
    const out = new Set<string>();
    for (const ip of nic?.ipConfigurations ?? []) {
        for (const ref of ip.loadBalancerBackendAddressPoolIds) out.add(loadBalancerKeyOf(ref));
        for (const ref of ip.loadBalancerInboundNatRuleIds) out.add(loadBalancerKeyOf(ref));
    }
    return out;
}

/**
 * Keys of the load balancers a scale set's model references, and those of the older models its
 * instances still run (upgrade policy Manual: an instance keeps its model until it is upgraded).
 */
export function loadBalancersOfScaleSet(vmss: ScaleSetRecord | undefined): Set<string> {
    const out = new Set<string>();
    const add = (nics: ScaleSetNicConfigurationRecord[]): void => {
        for (const nic of nics) {
            for (const ip of nic.ipConfigurations) {
                for (const ref of ip.loadBalancerBackendAddressPoolIds) out.add(loadBalancerKeyOf(ref));
                for (const ref of ip.loadBalancerInboundNatPoolIds) out.add(loadBalancerKeyOf(ref));
            }
        }
    };
    add(vmss?.networkInterfaceConfigurations ?? []);
    const seen = new Set<ScaleSetNicConfigurationRecord[]>();
    for (const instance of vmss?.instances ?? []) {
        if (instance.model && !seen.has(instance.model)) {
            seen.add(instance.model);
            add(instance.model);
        }
    }
    return out;
}

export class Membership {
    private readonly nics = new Map<string, Set<string>>();
    private readonly scaleSets = new Map<string, Set<string>>();
    /** Members per load balancer and pool, dropped when a NIC or scale set using the load balancer changes. */
    private readonly members = new Map<string, Map<string, { addresses: string; list: readonly unknown[] }>>();

    static of(state: SimulatorState): Membership {
        const m = new Membership();
        for (const [k, nic] of Object.entries(state.networkInterfaces)) m.updateNic(k, undefined, nic);
        for (const [k, vmss] of Object.entries(state.virtualMachineScaleSets)) m.updateScaleSet(k, undefined, vmss);
        return m;
    }

    /** An independent copy (for a copy of the state). */
    copy(): Membership {
        const m = new Membership();
        for (const [lb, users] of this.nics) m.nics.set(lb, new Set(users));
        for (const [lb, users] of this.scaleSets) m.scaleSets.set(lb, new Set(users));
        for (const [lb, pools] of this.members) m.members.set(lb, new Map(pools));
        return m;
    }

    /** Keys of the NICs that reference the load balancer (some may no longer exist). */
    nicsOf(lbKey: string): ReadonlySet<string> {
        return this.nics.get(lbKey) ?? new Set();
    }

    /** Keys of the scale sets that reference the load balancer (some may no longer exist). */
    scaleSetsOf(lbKey: string): ReadonlySet<string> {
        return this.scaleSets.get(lbKey) ?? new Set();
    }

    /**
     * A pool's members as `compute` gives them, kept until a NIC or scale set using its load
     * balancer changes or the pool's own IP addresses (`addresses`, as JSON) differ.
     */
    backendMembers<T>(lbKey: string, poolKey: string, addresses: string, compute: () => T[]): T[] {
        let pools = this.members.get(lbKey);
        if (!pools) this.members.set(lbKey, (pools = new Map()));
        const cached = pools.get(poolKey);
        if (cached && cached.addresses === addresses) return cached.list as T[];
        const list = compute();
        pools.set(poolKey, { addresses, list });
        return list;
    }

    updateNic(key: string, before: NetworkInterfaceRecord | undefined, after: NetworkInterfaceRecord | undefined): void {
        this.moveNic(key, loadBalancersOfNic(before), loadBalancersOfNic(after));
    }

    updateScaleSet(key: string, before: ScaleSetRecord | undefined, after: ScaleSetRecord | undefined): void {
        this.moveScaleSet(key, loadBalancersOfScaleSet(before), loadBalancersOfScaleSet(after));
    }

    /** A NIC now references the load balancers `after` instead of `before`. */
    moveNic(key: string, before: Set<string>, after: Set<string>): void {
        this.move(this.nics, key, before, after);
    }

    /** A scale set (or an instance of it) now references the load balancers `after` instead of `before`. */
    moveScaleSet(key: string, before: Set<string>, after: Set<string>): void {
        this.move(this.scaleSets, key, before, after);
    }

    private move(index: Map<string, Set<string>>, key: string, before: Set<string>, after: Set<string>): void {
        for (const lb of before) {
            this.members.delete(lb);
            if (!after.has(lb)) index.get(lb)?.delete(key);
        }
        for (const lb of after) {
            this.members.delete(lb);
            let users = index.get(lb);
            if (!users) index.set(lb, (users = new Set()));
            users.add(key);
        }
    }
}

/**
 * Keeps a Membership in step with a running change, also part-way through it (a scale-out's
 * overprovisioning peak reads pool members before the change ends). It holds which load balancers
 * the index has for each touched NIC and scale set, since a change edits its own copies in place.
 */
export class ChangeIndex {
    private readonly nics = new Map<string, Set<string>>();
    private readonly scaleSets = new Map<string, Set<string>>();

    constructor(readonly membership: Membership, private readonly journal: Journal, private readonly state: SimulatorState) {}

    /** Brings the index in line with the change so far; member lists of the load balancers reached are dropped. */
    sync(): Membership {
        for (const k of this.journal.touched("networkInterfaces")) {
            const before = this.nics.get(k) ?? loadBalancersOfNic(this.journal.original("networkInterfaces", k));
            const after = loadBalancersOfNic(this.state.networkInterfaces[k]);
            this.membership.moveNic(k, before, after);
            this.nics.set(k, after);
        }
        for (const k of this.journal.touched("virtualMachineScaleSets")) {
            const before = this.scaleSets.get(k) ?? loadBalancersOfScaleSet(this.journal.original("virtualMachineScaleSets", k));
            const after = loadBalancersOfScaleSet(this.state.virtualMachineScaleSets[k]);
            this.membership.moveScaleSet(k, before, after);
            this.scaleSets.set(k, after);
        }
        return this.membership;
    }

    /** Puts the index back as it was before the change (call before the journal's rollback). */
    undo(): void {
        for (const [k, held] of this.nics) this.membership.moveNic(k, held, loadBalancersOfNic(this.journal.original("networkInterfaces", k)));
        for (const [k, held] of this.scaleSets) {
            this.membership.moveScaleSet(k, held, loadBalancersOfScaleSet(this.journal.original("virtualMachineScaleSets", k)));
        }
        this.nics.clear();
        this.scaleSets.clear();
    }
}

const runningIndexes = new WeakMap<SimulatorState, ChangeIndex>();

/** Makes `index` the one `membershipNow` gives for `state` while its change runs (undefined: the change ended). */
export function setChangeIndex(state: SimulatorState, index: ChangeIndex | undefined): void {
    if (index) runningIndexes.set(state, index);
    else runningIndexes.delete(state);
}

/** The membership index of `state` as it is now, mid-change included; built afresh when no change keeps one. */
export function membershipNow(state: SimulatorState): Membership {
    return runningIndexes.get(state)?.sync() ?? Membership.of(state);
}
