/** The simulator's own reads for tests and the ARM server: instances, V2 mappings and the port-mapping query (facts §5). */
import type { ArmView, MemberPortMapping } from "./arm-view";
import { isV2 } from "./network/checks";
import { ARM_ERROR_CODES } from "./errors";
import { fail, frontendAddress, requireLoadBalancer, requireScaleSet } from "./lookups";
import { keyOf, type SimulatorState } from "./model";
import { instanceIpConfigurationId, instanceNics } from "./compute/scale-sets/instance-model";

/** A V2 mapping of one pool member, as the simulator holds it. */
export interface SimulatedPortMapping {
    rule: string;
    /** Scale-set instance id, VM name (NIC name minus `-nic`) or backend address name. */
    instance: string;
    ipConfigurationId?: string;
    ipAddress?: string;
    protocol: string;
    /** The frontend's public IP address, or its private IP address; "" when it has none. */
    frontendIp: string;
    frontendPort: number;
    backendPort: number;
}

export interface ScaleSetInstanceInfo {
    instanceId: string;
    /** `{vmssId}/virtualMachines/{id}/networkInterfaces/{nic}/ipConfigurations/{ipConfig}` per ipConfiguration. */
    ipConfigurationIds: string[];
    /** Private IP of the primary ipConfiguration. */
    privateIPAddress?: string;
}

/** The query API's body: one of the two (facts §5). */
export interface PortMappingQuery {
    ipConfiguration?: { id: string };
    ipAddress?: string;
}

/** The instances: Uniform instance ids, or Flexible VM names (`<scale set>_<8 hex>`). */
export function listInstances(state: SimulatorState, resourceGroup: string, scaleSet: string): ScaleSetInstanceInfo[] {
    const vmss = requireScaleSet(state, resourceGroup, scaleSet);
    return vmss.instances.map((inst) => {
        const ids: string[] = [];
        const nics = instanceNics(vmss, inst);
        for (const nic of nics) {
            for (const ip of nic.ipConfigurations) ids.push(instanceIpConfigurationId(vmss, inst, nic.name, ip.name));
        }
        const primaryNic = nics.find((n) => n.primary) ?? nics[0];
        const primaryIp = primaryNic?.ipConfigurations.find((i) => i.primary) ?? primaryNic?.ipConfigurations[0];
        return {
            instanceId: inst.instanceId,
            ipConfigurationIds: ids,
            privateIPAddress: primaryNic && primaryIp ? inst.privateIPAddresses[`${primaryNic.name}/${primaryIp.name}`] : undefined,
        };
    });
}

/** Every V2 mapping of a load balancer (optionally one rule), by rule then member order. */
export function portMappings(s: SimulatorState, view: ArmView, resourceGroup: string, loadBalancer: string, options: { rule?: string } = {}): SimulatedPortMapping[] {
    const lb = requireLoadBalancer(s, resourceGroup, loadBalancer);
    const out: SimulatedPortMapping[] = [];
    for (const rule of lb.inboundNatRules) {
        if (!isV2(rule)) continue;
        if (options.rule !== undefined && rule.name.toLowerCase() !== options.rule.toLowerCase()) continue;
        const members = new Map(view.membersOf(rule.backendAddressPoolId as string).map((m) => [m.key, m]));
        const frontendIp = frontendAddress(s, lb, rule.frontendIPConfigurationId);
        for (const mapping of rule.mappings) {
            const m = members.get(mapping.member);
            out.push({
                rule: rule.name,
                instance: m?.label ?? mapping.member,
                ipConfigurationId: m?.ipConfigurationId,
                ipAddress: m?.ipAddress,
                protocol: rule.protocol,
                frontendIp,
                frontendPort: mapping.frontendPort,
                backendPort: rule.backendPort as number,
            });
        }
    }
    return out;
}

/**
 * `LoadBalancers_ListInboundNatRulePortMappings` (facts §5): the V2 mappings of one pool
 * member, given by NIC ipConfiguration id or by IP address.
 */
export function queryInboundNatRulePortMapping(
    s: SimulatorState,
    view: ArmView,
    resourceGroup: string,
    loadBalancer: string,
    backendPool: string,
    query: PortMappingQuery,
): { inboundNatRulePortMappings: MemberPortMapping[] } {
    const lb = requireLoadBalancer(s, resourceGroup, loadBalancer);
    const pool = lb.backendAddressPools.find((p) => p.name.toLowerCase() === backendPool.toLowerCase());
    if (!pool) {
        throw fail(ARM_ERROR_CODES.resourceNotFound, 404, `The Resource 'Microsoft.Network/loadBalancers/${lb.name}/backendAddressPools/${backendPool}' under resource group '${resourceGroup}' was not found.`);
    }
    const ipConfigurationId = query.ipConfiguration?.id;
    const ipAddress = query.ipAddress;
    if ((ipConfigurationId === undefined) === (ipAddress === undefined)) {
        throw fail(ARM_ERROR_CODES.invalidRequestFormat, 400, `queryInboundNatRulePortMapping: give exactly one of ipConfiguration.id and ipAddress (got ${ipConfigurationId === undefined ? "neither" : "both"}).`);
    }
    const members = view.membersOf(pool.id);
    const wanted = ipConfigurationId !== undefined ? keyOf(ipConfigurationId) : undefined;
    const member = wanted !== undefined
        ? members.find((m) => m.key === wanted)
        : members.find((m) => m.ipAddress === ipAddress);
    if (!member) {
        throw fail(
            ARM_ERROR_CODES.notInBackendPool,
            400,
            `${ipConfigurationId !== undefined ? `IP configuration ${ipConfigurationId}` : `IP address ${ipAddress}`} is not a member of backend address pool ${pool.id}.`,
        );
    }
    return { inboundNatRulePortMappings: view.poolPortMappings(lb, pool.id).get(member.key) ?? [] };
}
