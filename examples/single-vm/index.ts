// Two VMs behind a Standard load balancer, each reached over SSH through its own single-VM NAT rule.
// Run it from this directory (its Pulumi.yaml is here):
//   pulumi config set sshPublicKey "$(cat ~/.ssh/id_ed25519.pub)" && pulumi up
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import { SingleVmNatRule } from "azure-nat-rules";

const config = new pulumi.Config();
const sshPublicKey = config.require("sshPublicKey");
const adminUsername = config.get("adminUsername") ?? "azureuser";
// Who may reach SSH; the default is a documentation range (RFC 5737), so set your own address.
const sshSourceCidr = config.get("sshSourceCidr") ?? "203.0.113.0/24";
const prefix = "natvm";

const group = new resources.ResourceGroup(`${prefix}-rg`, { resourceGroupName: `${prefix}-rg` });
const nsg = new network.NetworkSecurityGroup(`${prefix}-nsg`, { resourceGroupName: group.name, networkSecurityGroupName: `${prefix}-nsg` });
const vnet = new network.VirtualNetwork(`${prefix}-vnet`, {
    resourceGroupName: group.name,
    virtualNetworkName: `${prefix}-vnet`,
    addressSpace: { addressPrefixes: ["10.1.0.0/16"] },
    subnets: [{ name: "vms", addressPrefix: "10.1.1.0/24", networkSecurityGroup: { id: nsg.id } }],
});
const publicIp = new network.PublicIPAddress(`${prefix}-pip`, {
    resourceGroupName: group.name,
    publicIpAddressName: `${prefix}-pip`,
    sku: { name: "Standard" },
    publicIPAllocationMethod: "Static",
});
const lbName = `${prefix}-lb`;
const lb = new network.LoadBalancer(lbName, {
    resourceGroupName: group.name,
    loadBalancerName: lbName,
    sku: { name: "Standard" },
    frontendIPConfigurations: [{ name: "frontend", publicIPAddress: { id: publicIp.id } }],
    backendAddressPools: [{ name: "vms" }],
});
const frontendId = lb.frontendIPConfigurations.apply((f) => f![0].id!);

const vmNames = ["vm1", "vm2"];
export const portMappings = vmNames.map((vmName, i) => {
    // One rule per VM: frontend 50001 reaches vm1:22, 50002 reaches vm2:22.
    const ssh = new SingleVmNatRule(`${prefix}-ssh-${vmName}`, {
        loadBalancerId: lb.id,
        frontendIPConfigurationId: frontendId,
        frontendPort: 50001 + i,
        backendPort: 22,
        vmName,
        frontendIpAddress: publicIp.ipAddress.apply((ip) => ip ?? ""),
        // Both rules add an NSG rule to the subnet's NSG; they get different priorities.
        networkSecurityGroupId: nsg.id,
        allowedSourceAddressPrefixes: [sshSourceCidr],
    });
    // The rule is attached on the NIC side: its id goes into the ipConfiguration.
    const nic = new network.NetworkInterface(`${vmName}-nic`, {
        resourceGroupName: group.name,
        networkInterfaceName: `${vmName}-nic`,
        ipConfigurations: [{
            name: "ipconfig",
            subnet: { id: vnet.subnets.apply((s) => s![0].id!) },
            loadBalancerInboundNatRules: [{ id: ssh.ruleId }],
        }],
    });
    new compute.VirtualMachine(vmName, {
        resourceGroupName: group.name,
        vmName,
        hardwareProfile: { vmSize: "Standard_B1s" },
        osProfile: {
            computerName: vmName,
            adminUsername,
            linuxConfiguration: {
                disablePasswordAuthentication: true,
                ssh: { publicKeys: [{ path: `/home/${adminUsername}/.ssh/authorized_keys`, keyData: sshPublicKey }] },
            },
        },
        storageProfile: {
            imageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
            osDisk: { createOption: "FromImage", managedDisk: { storageAccountType: "Standard_LRS" } },
        },
        networkProfile: { networkInterfaces: [{ id: nic.id, primary: true }] },
    });
    return ssh.portMapping;
});
export const sshCommands = portMappings.map((m) => m.apply((x) => `ssh -p ${x.frontendPort} ${adminUsername}@${x.frontendIp}`));
