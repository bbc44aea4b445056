/** Deletes by ARM id with ARM's checks: in-use load balancers and NICs, and child resources of their parents. */
import { ARM_ERROR_CODES } from "./errors";
import { put, removeRecord } from "./journal";
import { fail } from "./lookups";
import { loadBalancersOfScaleSet } from "./network/membership";
import { derivedNatRulesOf, natRulesChangedWithNatPool } from "./network/nat-pool-rules";
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
                const backendAddressPools = lb.backendAddressPools.filter((p) => keyOf(p.id) !== k);
                if (backendAddressPools.length === lb.backendAddressPools.length) return false;
                put(s, "loadBalancers", parentKey, { ...lb, backendAddressPools });
                return true;
            }
            if (childType === "inboundnatrules") {
                // A NAT pool's per-instance rules go only with the pool or the instance (docs update-load-balancer-with-vm-scale-set).
                if (derivedNatRulesOf(s, lb).some((r) => keyOf(r.id) === k)) throw natRulesChangedWithNatPool(lb);
                const inboundNatRules = lb.inboundNatRules.filter((r) => keyOf(r.id) !== k);
                if (inboundNatRules.length === lb.inboundNatRules.length) return false;
                put(s, "loadBalancers", parentKey, { ...lb, inboundNatRules });
                return true;
            }
        }
        if (parentType === "virtualnetworks" && childType === "subnets" && s.virtualNetworks[parentKey]) {
            const vnet = s.virtualNetworks[parentKey];
            const subnets = vnet.subnets.filter((sn) => keyOf(sn.id) !== k);
            if (subnets.length === vnet.subnets.length) return false;
            put(s, "virtualNetworks", parentKey, { ...vnet, subnets });
            return true;
        }
        if (parentType === "networksecuritygroups" && childType === "securityrules" && s.networkSecurityGroups[parentKey]) {
            const nsg = s.networkSecurityGroups[parentKey];
            const securityRules = nsg.securityRules.filter((r) => keyOf(r.id) !== k);
            if (securityRules.length === nsg.securityRules.length) return false;
            put(s, "networkSecurityGroups", parentKey, { ...nsg, securityRules });
            return true;
        }
        throw fail(ARM_ERROR_CODES.notSimulated, 400, `AzureSimulator.delete: deleting ${id} is not simulated.`);
    }
    if (s.resourceGroups[k]) {
        for (const map of RESOURCE_MAPS) {
            if (map === "resourceGroups") continue;
            const records = s[map] as Record<string, unknown>;
            for (const rk of Object.keys(records)) if (rk.startsWith(`${k}/`)) removeRecord(s, map, rk);
        }
        removeRecord(s, "resourceGroups", k);
        return true;
    }
    if (s.loadBalancers[k]) {
        const lb = s.loadBalancers[k];
        // The scale set's model, or the older one an instance still runs (upgrade policy Manual).
        const users = Object.values(s.virtualMachineScaleSets).filter((vmss) => loadBalancersOfScaleSet(vmss).has(k));
        if (users.length > 0) {
            throw fail(ARM_ERROR_CODES.loadBalancerInUse, 400,
                `Load balancer ${lb.id} is in use by virtual machine scale set ${users.map((u) => u.id).join(", ")} and can't be deleted.`);
        }
    }
    if (s.virtualMachines[k]) {
        for (const nic of Object.values(s.networkInterfaces)) {
            if (nic.virtualMachineId && keyOf(nic.virtualMachineId) === k) put(s, "networkInterfaces", keyOf(nic.id), { ...nic, virtualMachineId: undefined });
        }
    }
    if (s.networkInterfaces[k]?.virtualMachineId) {
        const nic = s.networkInterfaces[k];
        throw fail(ARM_ERROR_CODES.nicInUse, 400, `Network Interface ${nic.id} is used by existing resource ${nic.virtualMachineId}. Delete the VM first.`);
    }
    for (const map of RESOURCE_MAPS) {
        const records = s[map] as Record<string, unknown>;
        if (records[k]) {
            removeRecord(s, map, k);
            return true;
        }
    }
    return false;
}
