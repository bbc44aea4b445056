import { describe, expect, it } from "vitest";
import { AzureNatRulesError } from "./errors";
import { instanceFromIpConfigurationId } from "./instances";

const rg = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo";

describe("instanceFromIpConfigurationId", () => {
    it("returns the instance id of a scale-set member", () => {
        const id = `${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/web/virtualMachines/17/networkInterfaces/nic/ipConfigurations/ipconfig`;
        expect(instanceFromIpConfigurationId(id)).toBe("17");
    });

    it("accepts any casing of the provider path, as ARM does", () => {
        const id = `${rg}/providers/microsoft.compute/VirtualMachineScaleSets/web/virtualmachines/3/networkinterfaces/nic/ipconfigurations/ipconfig`;
        expect(instanceFromIpConfigurationId(id)).toBe("3");
    });

    it("returns the NIC name without a trailing -nic for a standalone NIC", () => {
        expect(instanceFromIpConfigurationId(`${rg}/providers/Microsoft.Network/networkInterfaces/admin-vm-nic/ipConfigurations/ipconfig1`)).toBe("admin-vm");
        expect(instanceFromIpConfigurationId(`${rg}/providers/Microsoft.Network/networkInterfaces/jumpbox/ipConfigurations/ipconfig1`)).toBe("jumpbox");
    });

    it("rejects ids that are not NIC ipConfigurations, naming the id", () => {
        const bad = `${rg}/providers/Microsoft.Network/loadBalancers/lb`;
        expect(() => instanceFromIpConfigurationId(bad)).toThrow(AzureNatRulesError);
        expect(() => instanceFromIpConfigurationId(bad)).toThrow(/loadBalancers\/lb/);
    });
});
