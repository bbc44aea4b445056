/** Deletes by ARM id with ARM's checks: in-use load balancers and NICs, and child resources of their parents. */
import { ARM_ERROR_CODES } from "./errors";
import { fail } from "./lookups";
import { keyOf, RESOURCE_MAPS, type SimulatorState } from "./model";

export function deleteResource(s: SimulatorState, id: string): boolean {
    const k = keyOf(id.replace(/\/+$/, ""));
    const childMatch = /^(.*\/providers\/microsoft\.network\/(loadbalancers|virtualnetworks|networksecuritygroups)\/[^/]+)\/([^/]+)\/[^/]+$/.exec(k);
    if (childMatch) {
        const [, parentKey, parentType, childType] = childMatch;
        if (parentType === "loadbalancers") {
            const lb = s.loadBalancers[parentKey];
            if (!lb) return false;
            if (childType === "backendaddresspools") {
                const before = lb.backendAddressPools.length;
                lb.backendAddressPools = lb.backendAddressPools.filter((p) => keyOf(p.id) !== k);
                return lb.backendAddressPools.length !== before;
            }
            if (childType === "inboundnatrules") {
                const before = lb.inboundNatRules.length;
                lb.inboundNatRules = lb.inboundNatRules.filter((r) => keyOf(r.id) !== k);
                return lb.inboundNatRules.length !== before;
            }
        }
        if (parentType === "virtualnetworks" && childType === "subnets" && s.virtualNetworks[parentKey]) {
            const vnet = s.virtualNetworks[parentKey];
            const before = vnet.subnets.length;
            vnet.subnets = vnet.subnets.filter((sn) => keyOf(sn.id) !== k);
            return vnet.subnets.length !== before;
        }
        if (parentType === "networksecuritygroups" && childType === "securityrules" && s.networkSecurityGroups[parentKey]) {
            const nsg = s.networkSecurityGroups[parentKey];
            const before = nsg.securityRules.length;
            nsg.securityRules = nsg.securityRules.filter((r) => keyOf(r.id) !== k);
            return nsg.securityRules.length !== before;
        }
        throw fail(ARM_ERROR_CODES.notSimulated, 400, `AzureSimulator.delete: deleting ${id} is not simulated.`);
    }
    if (s.resourceGroups[k]) {
        for (const map of RESOURCE_MAPS) {
            if (map === "resourceGroups") continue;
            const records = s[map] as Record<string, unknown>;
            for (const rk of Object.keys(records)) if (rk.startsWith(`${k}/`)) delete records[rk];
        }
        delete s.resourceGroups[k];
        return true;
    }
    if (s.loadBalancers[k]) {
        const lb = s.loadBalancers[k];
        const users = Object.values(s.virtualMachineScaleSets).filter((vmss) =>
            vmss.networkInterfaceConfigurations.some((nic) => nic.ipConfigurations.some((ip) =>
                [...ip.loadBalancerBackendAddressPoolIds, ...ip.loadBalancerInboundNatPoolIds].some((ref) => keyOf(ref).startsWith(`${k}/`)))));
        if (users.length > 0) {
            throw fail(ARM_ERROR_CODES.loadBalancerInUse, 400,
                `Load balancer ${lb.id} is in use by virtual machine scale set ${users.map((u) => u.id).join(", ")} and can't be deleted.`);
        }
    }
    if (s.virtualMachines[k]) {
        for (const nic of Object.values(s.networkInterfaces)) if (nic.virtualMachineId && keyOf(nic.virtualMachineId) === k) nic.virtualMachineId = undefined;
    }
    if (s.networkInterfaces[k]?.virtualMachineId) {
        const nic = s.networkInterfaces[k];
        throw fail(ARM_ERROR_CODES.nicInUse, 400, `Network Interface ${nic.id} is used by existing resource ${nic.virtualMachineId}. Delete the VM first.`);
    }
    for (const map of RESOURCE_MAPS) {
        const records = s[map] as Record<string, unknown>;
        if (records[k]) {
            delete records[k];
            return true;
        }
    }
    return false;
}
