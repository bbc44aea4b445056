/** The Python program of the folder above (../__main__.py), resource for resource, in TypeScript. */
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import { BackendPoolNatRule, SingleVmNatRule } from "azure-nat-rules";

const config = new pulumi.Config();
const vmFrontendPort = config.getNumber("vmFrontendPort") ?? 50022;

const group = new resources.ResourceGroup("pyrules-rg", { resourceGroupName: "pyrules-rg" });
const vnet = new network.VirtualNetwork("pyrules-vnet", {
    resourceGroupName: group.name,
    virtualNetworkName: "pyrules-vnet",
    addressSpace: { addressPrefixes: ["10.1.0.0/16"] },
    subnets: [{ name: "vmss", addressPrefix: "10.1.1.0/24" }],
});
const publicIp = new network.PublicIPAddress("pyrules-pip", {
    resourceGroupName: group.name,
    publicIpAddressName: "pyrules-pip",
    sku: { name: "Standard" },
    publicIPAllocationMethod: "Static",
});
const lb = new network.LoadBalancer("pyrules-lb", {
    resourceGroupName: group.name,
    loadBalancerName: "pyrules-lb",
    sku: { name: "Standard" },
    frontendIPConfigurations: [{ name: "frontend", publicIPAddress: { id: publicIp.id } }],
    backendAddressPools: [{ name: "pool" }],
});
const frontendId = lb.frontendIPConfigurations.apply((f) => f![0].id!);
const poolId = lb.backendAddressPools.apply((p) => p![0].id!);

const scaleSet = new compute.VirtualMachineScaleSet("pyrules-vmss", {
    resourceGroupName: group.name,
    vmScaleSetName: "pyrules-vmss",
    sku: { name: "Standard_B1s", tier: "Standard", capacity: 2 },
    overprovision: false,
    upgradePolicy: { mode: "Manual" },
    virtualMachineProfile: {
        osProfile: {
            computerNamePrefix: "pyrules",
            adminUsername: "azureuser",
            linuxConfiguration: {
                disablePasswordAuthentication: true,
                ssh: { publicKeys: [{ path: "/home/azureuser/.ssh/authorized_keys", keyData: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPythonProgramTestKeyOnly python@test" }] },
            },
        },
        storageProfile: {
            imageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
            osDisk: { createOption: "FromImage", managedDisk: { storageAccountType: "Standard_LRS" } },
        },
        networkProfile: {
            networkInterfaceConfigurations: [{
                name: "nic",
                primary: true,
                ipConfigurations: [{ name: "ipconfig", subnet: { id: vnet.subnets.apply((s) => s![0].id!) }, loadBalancerBackendAddressPools: [{ id: poolId }] }],
            }],
        },
    },
}, { dependsOn: [lb] });

const poolRule = new BackendPoolNatRule("pyrules-ssh", {
    loadBalancerId: lb.id,
    frontendIPConfigurationId: frontendId,
    backendAddressPoolId: poolId,
    frontendPortRangeStart: 50000,
    maxInstances: 10,
    backendPort: 22,
    scaleSet,
    frontendIpAddress: publicIp.ipAddress.apply((ip) => ip ?? ""),
});
const vmRule = new SingleVmNatRule("pyrules-vm1-ssh", {
    loadBalancerId: lb.id,
    frontendIPConfigurationId: frontendId,
    frontendPort: vmFrontendPort,
    backendPort: 22,
    vmName: "vm1",
});

export const poolRuleName = poolRule.ruleName;
export const frontendPortRange = poolRule.frontendPortRange;
export const portMappings = poolRule.portMappings;
export const plannedPortMappings = poolRule.plannedPortMappings;
export const vmRuleName = vmRule.ruleName;
export const vmPortMapping = vmRule.portMapping;
