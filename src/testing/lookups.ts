/** Lookups on the simulator state with ARM's not-found errors, and private and public IP allocation. */
import { instanceNics } from "./compute/scale-sets/instance-model";
import { FIRST_HOST_OFFSET, IMPLICIT_SUBNET, numberToIpv4, parseCidr, PUBLIC_IP_BASE } from "./network/addresses";
import { ARM_ERROR_CODES, ArmError } from "./errors";
import { computeId, networkId, parentOf, resourceGroupId } from "./ids";
import { resourceGroupNameOf, text, type Bag } from "./resource-inputs";
import { edit } from "./journal";
import { keyOf, type LoadBalancerRecord, type ResourceGroupRecord, type ScaleSetRecord, type SimulatorState, type SubnetRecord, type VirtualNetworkRecord } from "./model";

export const fail = (code: string, status: number, message: string): ArmError => new ArmError(code, status, message);

export function parentMissing(what: string, parentId: string): ArmError {
    return fail(ARM_ERROR_CODES.parentNotFound, 404, `Can not perform requested operation on nested resource ${what}. Parent resource '${parentId}' not found.`);
}

// ---- lookups -------------------------------------------------------------------------------

export function requireResourceGroup(s: SimulatorState, owner: string, value: unknown): ResourceGroupRecord {
    const name = resourceGroupNameOf(owner, value);
    const rg = s.resourceGroups[keyOf(resourceGroupId(s.subscriptionId, name))];
    if (!rg) throw fail(ARM_ERROR_CODES.resourceGroupNotFound, 404, `Resource group '${name}' could not be found.`);
    return rg;
}

export function requireLoadBalancer(s: SimulatorState, resourceGroup: string, name: string): LoadBalancerRecord {
    const rg = requireResourceGroup(s, `load balancer ${name}`, resourceGroup);
    const lb = s.loadBalancers[keyOf(networkId(s.subscriptionId, rg.name, "loadBalancers", name))];
    if (!lb) throw fail(ARM_ERROR_CODES.resourceNotFound, 404, `The Resource 'Microsoft.Network/loadBalancers/${name}' under resource group '${rg.name}' was not found.`);
    return lb;
}

export function requireScaleSet(s: SimulatorState, resourceGroup: string, name: string): ScaleSetRecord {
    const rg = requireResourceGroup(s, `scale set ${name}`, resourceGroup);
    const vmss = s.virtualMachineScaleSets[keyOf(computeId(s.subscriptionId, rg.name, "virtualMachineScaleSets", name))];
    if (!vmss) throw fail(ARM_ERROR_CODES.resourceNotFound, 404, `The Resource 'Microsoft.Compute/virtualMachineScaleSets/${name}' under resource group '${rg.name}' was not found.`);
    return vmss;
}

export function frontendAddress(s: SimulatorState, lb: LoadBalancerRecord, frontendId: string | undefined): string {
    const fe = lb.frontendIPConfigurations.find((f) => frontendId && keyOf(f.id) === keyOf(frontendId));
    if (!fe) return "";
    if (fe.publicIPAddressId) return s.publicIPAddresses[keyOf(fe.publicIPAddressId)]?.ipAddress ?? "";
    return fe.privateIPAddress ?? "";
}

export function findSubnet(s: SimulatorState, subnetId: string): SubnetRecord | undefined {
    const vnet = s.virtualNetworks[keyOf(parentOf(subnetId))];
    return vnet?.subnets.find((sn) => keyOf(sn.id) === keyOf(subnetId));
}

// ---- addresses -----------------------------------------------------------------------------

export function usedAddresses(s: SimulatorState, subnetKey: string): Set<string> {
    const used = new Set<string>();
    for (const nic of Object.values(s.networkInterfaces)) {
        for (const ip of nic.ipConfigurations) if (ip.subnetId && keyOf(ip.subnetId) === subnetKey) used.add(ip.privateIPAddress);
    }
    for (const vmss of Object.values(s.virtualMachineScaleSets)) {
        for (const inst of vmss.instances) {
            for (const nic of instanceNics(vmss, inst)) {
                for (const ip of nic.ipConfigurations) {
                    if (!ip.subnetId || keyOf(ip.subnetId) !== subnetKey) continue;
                    const a = inst.privateIPAddresses[`${nic.name}/${ip.name}`];
                    if (a) used.add(a);
                }
            }
        }
    }
    for (const lb of Object.values(s.loadBalancers)) {
        for (const fe of lb.frontendIPConfigurations) if (fe.subnetId && keyOf(fe.subnetId) === subnetKey && fe.privateIPAddress) used.add(fe.privateIPAddress);
    }
    return used;
}

/** Next private address of a subnet (Azure's first usable is .4); reuses freed ones when the subnet wraps. */
export function allocatePrivateIp(s: SimulatorState, owner: string, subnetId: string | undefined): string {
    if (subnetId === undefined) {
        if (s.defaultSubnetNextHost >= IMPLICIT_SUBNET.size - 1) throw fail(ARM_ERROR_CODES.subnetIsFull, 400, `${owner}: the implicit address space (no subnet given) is full.`);
        return numberToIpv4(IMPLICIT_SUBNET.base + s.defaultSubnetNextHost++);
    }
    const subnet = findSubnet(s, subnetId);
    if (!subnet) {
        throw fail(ARM_ERROR_CODES.invalidReference, 400, `Resource ${subnetId} referenced by resource ${owner} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`);
    }
    const cidr = parseCidr(subnet.id, subnet.addressPrefix);
    const last = cidr.size - 2;
    if (subnet.nextHost <= last) {
        const vnet = edit<VirtualNetworkRecord>(s, "virtualNetworks", keyOf(parentOf(subnet.id))) as VirtualNetworkRecord;
        const own = vnet.subnets.find((sn) => keyOf(sn.id) === keyOf(subnet.id)) as SubnetRecord;
        return numberToIpv4(cidr.base + own.nextHost++);
    }
    const used = usedAddresses(s, keyOf(subnet.id));
    for (let offset = FIRST_HOST_OFFSET; offset <= last; offset++) {
        const ip = numberToIpv4(cidr.base + offset);
        if (!used.has(ip)) return ip;
    }
    throw fail(ARM_ERROR_CODES.subnetIsFull, 400, `Subnet ${subnet.name} with address prefix ${subnet.addressPrefix} does not have enough capacity for 1 IP addresses (${owner}).`);
}

export function allocatePublicIp(s: SimulatorState, owner: string): string {
    const used = new Set(Object.values(s.publicIPAddresses).map((p) => p.ipAddress));
    for (let host = 1; host <= 254; host++) {
        const ip = numberToIpv4(PUBLIC_IP_BASE + host);
        if (!used.has(ip)) return ip;
    }
    throw fail(ARM_ERROR_CODES.publicIpLimit, 400, `${owner}: the simulated public range 203.0.113.0/24 is exhausted (254 addresses).`);
}

/** A resource's location: the inputs', else the existing resource's, else its resource group's. */
export const location = (inputs: Bag, owner: string, existing: { location: string } | undefined, rg: ResourceGroupRecord): string =>
    text(owner, "location", inputs.location) ?? existing?.location ?? rg.location;
