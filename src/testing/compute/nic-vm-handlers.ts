/** Create-or-update handlers of network interfaces and virtual machines. */
import { ARM_ERROR_CODES } from "../errors";
import { computeId, networkId } from "../ids";
import { bag, bags, flag, reference, references, requiredText, tagsOf, text } from "../resource-inputs";
import { edit, put } from "../journal";
import { allocatePrivateIp, fail, location, requireResourceGroup } from "../lookups";
import { keyOf, type NetworkInterfaceRecord, type NicIpConfigurationRecord } from "../model";
import type { Handler, SimulatedResourceType } from "../resource-types";

export const NIC_VM_HANDLERS: Pick<Record<SimulatedResourceType, Handler>, "network:NetworkInterface" | "compute:VirtualMachine"> = {
    "network:NetworkInterface": (s, pulumiName, inputs) => {
        const name = text("network interface", "networkInterfaceName", inputs.networkInterfaceName) ?? pulumiName;
        const owner = `network interface ${name}`;
        const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
        const newId = networkId(s.subscriptionId, rg.name, "networkInterfaces", name);
        const existing = s.networkInterfaces[keyOf(newId)];
        const id = existing?.id ?? newId;
        const configs = bags(owner, "ipConfigurations", inputs.ipConfigurations);
        if (configs.length === 0) throw fail(ARM_ERROR_CODES.invalidParameter, 400, `${owner}: ipConfigurations is empty: a network interface needs at least one ipConfiguration.`);
        const ipConfigurations: NicIpConfigurationRecord[] = configs.map((c, i) => {
            const ipName = requiredText(owner, `ipConfigurations[${i}].name`, c.name);
            const ipId = `${id}/ipConfigurations/${ipName}`;
            const o = `${owner} ipConfiguration ${ipName}`;
            const old = existing?.ipConfigurations.find((x) => keyOf(x.id) === keyOf(ipId));
            const subnetId = reference(o, "subnet", c.subnet);
            const given = text(o, "privateIPAddress", c.privateIPAddress);
            const publicIPAddressId = reference(o, "publicIPAddress", c.publicIPAddress);
            if (publicIPAddressId && !s.publicIPAddresses[keyOf(publicIPAddressId)]) {
                throw fail(ARM_ERROR_CODES.invalidReference, 400, `Resource ${publicIPAddressId} referenced by resource ${ipId} was not found.`);
            }
            return {
                id: ipId,
                name: ipName,
                primary: flag(o, "primary", c.primary) ?? i === 0,
                subnetId,
                privateIPAddress: given ?? (old && old.subnetId === subnetId ? old.privateIPAddress : allocatePrivateIp(s, ipId, subnetId)),
                privateIPAllocationMethod: given ? "Static" : "Dynamic",
                publicIPAddressId,
                loadBalancerBackendAddressPoolIds: references(o, "loadBalancerBackendAddressPools", c.loadBalancerBackendAddressPools),
                loadBalancerInboundNatRuleIds: references(o, "loadBalancerInboundNatRules", c.loadBalancerInboundNatRules),
            };
        });
        put(s, "networkInterfaces", keyOf(id), {
            id,
            name: existing?.name ?? name,
            resourceGroup: rg.name,
            location: location(inputs, owner, existing, rg),
            tags: tagsOf(owner, inputs.tags),
            ipConfigurations,
            networkSecurityGroupId: reference(owner, "networkSecurityGroup", inputs.networkSecurityGroup),
            virtualMachineId: existing?.virtualMachineId,
        });
        return id;
    },

    "compute:VirtualMachine": (s, pulumiName, inputs) => {
        const name = text("virtual machine", "vmName", inputs.vmName) ?? pulumiName;
        const owner = `virtual machine ${name}`;
        const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
        const newId = computeId(s.subscriptionId, rg.name, "virtualMachines", name);
        const existing = s.virtualMachines[keyOf(newId)];
        const id = existing?.id ?? newId;
        const nicIds = references(owner, "networkProfile.networkInterfaces", bag(inputs.networkProfile)?.networkInterfaces);
        for (const nicId of nicIds) {
            const nic = s.networkInterfaces[keyOf(nicId)];
            if (!nic) throw fail(ARM_ERROR_CODES.invalidReference, 400, `Resource ${nicId} referenced by resource ${id} was not found.`);
            if (nic.virtualMachineId && keyOf(nic.virtualMachineId) !== keyOf(id)) {
                throw fail(ARM_ERROR_CODES.nicInUse, 400, `Network Interface ${nic.id} is used by existing resource ${nic.virtualMachineId}. In order to create a new resource or update an existing resource with this network interface, you must first delete the existing resource or update it to not use this network interface.`);
            }
        }
        for (const nic of Object.values(s.networkInterfaces)) {
            if (nic.virtualMachineId && keyOf(nic.virtualMachineId) === keyOf(id)) {
                (edit<NetworkInterfaceRecord>(s, "networkInterfaces", keyOf(nic.id)) as NetworkInterfaceRecord).virtualMachineId = undefined;
            }
        }
        for (const nicId of nicIds) (edit<NetworkInterfaceRecord>(s, "networkInterfaces", keyOf(nicId)) as NetworkInterfaceRecord).virtualMachineId = id;
        put(s, "virtualMachines", keyOf(id), {
            id,
            name: existing?.name ?? name,
            resourceGroup: rg.name,
            location: location(inputs, owner, existing, rg),
            tags: tagsOf(owner, inputs.tags),
            vmSize: text(owner, "hardwareProfile.vmSize", bag(inputs.hardwareProfile)?.vmSize),
            networkInterfaceIds: nicIds,
        });
        return id;
    },
};
