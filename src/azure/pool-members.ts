/** A backend pool's members as the port mapping query takes them, each labelled by its instance or VM. */
import type { ArmBackendPool, ArmNetworkInterface } from "./arm-types";
import { NETWORK_API_VERSION, type ArmClient } from "./client";
import { lastSegment, standaloneNicOf } from "../core/arm-ids";
import { instanceFromIpConfigurationId } from "../core/instances";
import { isAbort } from "./errors";

/** The member's instance label; an id of an unexpected shape is its own label rather than a failure. */
function instanceOfConfiguration(id: string): string {
    try {
        return instanceFromIpConfigurationId(id);
    } catch {
        return id;
    }
}

/** One pool member as the query API takes it, with the mappings the pool GET embeds for it, if any. */
export interface PoolMember {
    instance: string;
    ipConfigurationId?: string;
    ipAddress?: string;
    embedded?: RawMapping[];
}

/** NIC ipConfigurations and IP addresses of the pool, each once. */
export function poolMembers(pool: ArmBackendPool): PoolMember[] {
    const members: PoolMember[] = [];
    const seen = new Set<string>();
    const byConfiguration = new Map<string, PoolMember>();
    const addConfiguration = (id: string | undefined): PoolMember | undefined => {
        if (!id) return undefined;
        const key = id.toLowerCase();
        if (seen.has(key)) return byConfiguration.get(key);
        seen.add(key);
        const member: PoolMember = { instance: instanceOfConfiguration(id), ipConfigurationId: id };
        byConfiguration.set(key, member);
        members.push(member);
        return member;
    };
    for (const configuration of pool.properties?.backendIPConfigurations ?? []) addConfiguration(configuration.id);
    for (const address of pool.properties?.loadBalancerBackendAddresses ?? []) {
        const properties = address.properties ?? {};
        let member: PoolMember | undefined;
        if (properties.networkInterfaceIPConfiguration?.id) {
            member = addConfiguration(properties.networkInterfaceIPConfiguration.id);
        } else if (properties.ipAddress && !seen.has(properties.ipAddress)) {
            seen.add(properties.ipAddress);
            member = { instance: address.name || properties.ipAddress, ipAddress: properties.ipAddress };
            members.push(member);
        }
        if (member && properties.inboundNatRulesPortMapping !== undefined) member.embedded = properties.inboundNatRulesPortMapping;
    }
    return members;
}

/**
 * Labels each member on a standalone NIC by the VM the NIC is attached to: a Flexible scale set's
 * VMs (`<scale set>_<8 hex>`) and a group of VMs are known by VM name, which the pool does not
 * show. One NIC list per resource group; where it cannot be read (e.g. no
 * Microsoft.Network/networkInterfaces/read), members keep the label their NIC gives.
 */
export async function labelByVirtualMachine(client: ArmClient, members: PoolMember[], signal: AbortSignal | undefined): Promise<void> {
    const onNics: { member: PoolMember; nicKey: string }[] = [];
    const groups = new Set<string>();
    for (const member of members) {
        const nic = standaloneNicOf(member.ipConfigurationId ?? "");
        if (!nic) continue;
        onNics.push({ member, nicKey: nic.nicId.toLowerCase() });
        // The NIC's own subscription and resource group: `/subscriptions/{s}/resourceGroups/{g}`.
        groups.add(nic.nicId.split("/").slice(0, 5).join("/"));
    }
    if (onNics.length === 0) return;
    const vmOfNic = new Map<string, string>();
    for (const group of groups) {
        try {
            const path = `${group}/providers/Microsoft.Network/networkInterfaces`;
            for (const nic of await client.listAll<ArmNetworkInterface>(path, { apiVersion: NETWORK_API_VERSION, signal })) {
                const vm = nic.properties?.virtualMachine?.id;
                if (nic.id && vm) vmOfNic.set(nic.id.toLowerCase(), lastSegment(vm));
            }
        } catch (err) {
            if (isAbort(err, signal)) throw err;
        }
    }
    for (const { member, nicKey } of onNics) {
        const vm = vmOfNic.get(nicKey);
        if (vm !== undefined) member.instance = vm;
    }
}

export interface RawMapping {
    inboundNatRuleName?: string;
    protocol?: string;
    frontendPort?: number;
    backendPort?: number;
}
