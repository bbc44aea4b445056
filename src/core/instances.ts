import { AzureNatRulesError } from "./errors";

/** `.../virtualMachineScaleSets/{vmss}/virtualMachines/{instanceId}/networkInterfaces/{nic}/ipConfigurations/{name}` */
const SCALE_SET_IP_CONFIGURATION =
    /\/providers\/Microsoft\.Compute\/virtualMachineScaleSets\/[^/]+\/virtualMachines\/([^/]+)\/networkInterfaces\/[^/]+\/ipConfigurations\/[^/]+\/?$/i;
/** `.../providers/Microsoft.Network/networkInterfaces/{nic}/ipConfigurations/{name}` */
const NIC_IP_CONFIGURATION = /\/providers\/Microsoft\.Network\/networkInterfaces\/([^/]+)\/ipConfigurations\/[^/]+\/?$/i;

/**
 * The instance label of a backend pool member, from its NIC ipConfiguration id: the scale-set
 * instance id (`"0"`, `"1"`, ...) for a scale-set member, or the NIC name without a trailing
 * `-nic` for a standalone NIC (our examples name a VM's NIC `<vm>-nic`, so this gives the VM name).
 */
export function instanceFromIpConfigurationId(id: string): string {
    const scaleSet = SCALE_SET_IP_CONFIGURATION.exec(id);
    if (scaleSet) return decodeURIComponent(scaleSet[1]);
    const nic = NIC_IP_CONFIGURATION.exec(id);
    if (nic) return decodeURIComponent(nic[1]).replace(/-nic$/i, "");
    throw new AzureNatRulesError(
        `instanceFromIpConfigurationId: ${JSON.stringify(id)} is not a NIC ipConfiguration id. Allowed: ` +
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachineScaleSets/{vmss}/virtualMachines/{instanceId}/networkInterfaces/{nic}/ipConfigurations/{name} " +
            "or /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/networkInterfaces/{nic}/ipConfigurations/{name}. " +
            "Fix: pass the ipConfiguration id of a backend pool member.",
    );
}
