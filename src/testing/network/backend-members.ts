/**
 * A backend pool's members as ARM sees them, in the order it hands out ports: scale-set instances
 * (each on the model it runs), standalone NIC ipConfigurations and IP addresses, with the names
 * Azure gives their backend addresses.
 */
// Only id parsing is shared with the library; the order is Azure's own (azure-bounds.ts).
import { instanceFromIpConfigurationId } from "../../core/instances";
import { byInstanceId } from "../azure-bounds";
import { createHash } from "node:crypto";
import { resourceGroupOf } from "../ids";
import { loadBalancerKeyOf, type Membership } from "./membership";
import { instanceIpConfigurationId, instanceNics, isFlexible } from "../compute/scale-sets/instance-model";
import {
    keyOf,
    type BackendAddressRecord,
    type NetworkInterfaceRecord,
    type NicIpConfigurationRecord,
    type ScaleSetRecord,
    type SimulatorState,
} from "../model";

/** A backend pool member: a NIC ipConfiguration (scale-set instance or standalone NIC) or an IP address. */
export interface BackendMember {
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
    return `${resourceGroupOf(nicId)}_${nicName}${ipConfigurationName}`;
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

/** A scale-set instance's member: Uniform under the scale set, Flexible under the VM's own NIC (named as a NIC member is). */
function scaleSetMember(vmss: ScaleSetRecord, instance: ScaleSetRecord["instances"][number], nicName: string, ipName: string): BackendMember {
    const id = instanceIpConfigurationId(vmss, instance, nicName, ipName);
    const flexibleNic = isFlexible(vmss) ? instance.nicNames?.[nicName] : undefined;
    return {
        key: keyOf(id),
        ipConfigurationId: id,
        ipAddress: instance.privateIPAddresses[`${nicName}/${ipName}`],
        label: instance.instanceId,
        addressName: flexibleNic ? nicBackendAddressName(id, flexibleNic, ipName) : scaleSetBackendAddressName(id),
    };
}

/** Per ipConfiguration record: records are replaced, never changed in place, so a member stays right for its record. */
const nicMembers = new WeakMap<NicIpConfigurationRecord, BackendMember>();

function nicMember(nic: NetworkInterfaceRecord, ip: NicIpConfigurationRecord): BackendMember {
    let member = nicMembers.get(ip);
    if (!member) {
        member = {
            key: keyOf(ip.id),
            ipConfigurationId: ip.id,
            ipAddress: ip.privateIPAddress,
            label: instanceFromIpConfigurationId(ip.id),
            addressName: nicBackendAddressName(nic.id, nic.name, ip.name),
        };
        nicMembers.set(ip, member);
    }
    return member;
}

function addressMember(address: BackendAddressRecord): BackendMember {
    return { key: `ip:${address.name.toLowerCase()}`, ipAddress: address.ipAddress, label: address.name, addressName: address.name };
}

/** Standalone NICs and IP addresses come after scale-set instances, ordered by instance label. */
function byLabel(a: BackendMember, b: BackendMember): number {
    return byInstanceId(a.label, b.label) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

const byCreation = (a: ScaleSetRecord, b: ScaleSetRecord): number => a.createdSeq - b.createdSeq;

/**
 * Members of every backend pool, in the order Azure hands out ports (facts §4): all instances of
 * one scale set by instance id, then the next scale set (creation order), then standalone NICs
 * and IP addresses ordered by instance label.
 */
export function backendMembers(state: SimulatorState): Map<string, BackendMember[]> {
    const scaleSetMembers = new Map<string, BackendMember[]>();
    const otherMembers = new Map<string, BackendMember[]>();
    const push = (target: Map<string, BackendMember[]>, pool: string, m: BackendMember): void => {
        const k = keyOf(pool);
        let list = target.get(k);
        if (!list) target.set(k, (list = []));
        list.push(m);
    };
    for (const vmss of Object.values(state.virtualMachineScaleSets).sort(byCreation)) {
        for (const instance of vmss.instances) {
            // Each instance runs its own model (upgrade policy Manual) with its own NICs (Flexible): scale-sets/instance-model.ts.
            for (const nic of instanceNics(vmss, instance)) {
                for (const ip of nic.ipConfigurations) {
                    if (ip.loadBalancerBackendAddressPoolIds.length === 0) continue;
                    const member = scaleSetMember(vmss, instance, nic.name, ip.name);
                    for (const pool of ip.loadBalancerBackendAddressPoolIds) push(scaleSetMembers, pool, member);
                }
            }
        }
    }
    for (const nic of Object.values(state.networkInterfaces)) {
        for (const ip of nic.ipConfigurations) {
            const member = nicMember(nic, ip);
            for (const pool of ip.loadBalancerBackendAddressPoolIds) push(otherMembers, pool, member);
        }
    }
    for (const lb of Object.values(state.loadBalancers)) {
        for (const pool of lb.backendAddressPools) {
            for (const address of pool.addresses) push(otherMembers, pool.id, addressMember(address));
        }
    }
    const result = new Map<string, BackendMember[]>();
    for (const [pool, list] of scaleSetMembers) result.set(pool, list);
    for (const [pool, list] of otherMembers) {
        list.sort(byLabel);
        result.set(pool, [...(result.get(pool) ?? []), ...list]);
    }
    return result;
}

/** Members of one backend pool, in the same order as `backendMembers`, from the NICs and scale sets that reference its load balancer. */
export function backendMembersOf(state: SimulatorState, membership: Membership, poolId: string): BackendMember[] {
    const k = keyOf(poolId);
    const lbKey = loadBalancerKeyOf(poolId);
    const addresses = state.loadBalancers[lbKey]?.backendAddressPools.filter((p) => keyOf(p.id) === k).map((p) => p.addresses) ?? [];
    return membership.backendMembers(lbKey, k, JSON.stringify(addresses), () => computeBackendMembers(state, membership, k, lbKey));
}

function computeBackendMembers(state: SimulatorState, membership: Membership, k: string, lbKey: string): BackendMember[] {
    const fromScaleSets: BackendMember[] = [];
    const scaleSets = [...membership.scaleSetsOf(lbKey)].map((key) => state.virtualMachineScaleSets[key]).filter((v) => v !== undefined).sort(byCreation);
    for (const vmss of scaleSets) {
        for (const instance of vmss.instances) {
            for (const nic of instanceNics(vmss, instance)) {
                for (const ip of nic.ipConfigurations) {
                    const uses = ip.loadBalancerBackendAddressPoolIds.filter((pool) => keyOf(pool) === k).length;
                    if (uses === 0) continue;
                    const member = scaleSetMember(vmss, instance, nic.name, ip.name);
                    for (let i = 0; i < uses; i++) fromScaleSets.push(member);
                }
            }
        }
    }
    const others: BackendMember[] = [];
    for (const nicKey of membership.nicsOf(lbKey)) {
        const nic = state.networkInterfaces[nicKey];
        if (!nic) continue;
        for (const ip of nic.ipConfigurations) {
            for (const pool of ip.loadBalancerBackendAddressPoolIds) if (keyOf(pool) === k) others.push(nicMember(nic, ip));
        }
    }
    for (const pool of state.loadBalancers[lbKey]?.backendAddressPools ?? []) {
        if (keyOf(pool.id) === k) for (const address of pool.addresses) others.push(addressMember(address));
    }
    others.sort(byLabel);
    return [...fromScaleSets, ...others];
}
