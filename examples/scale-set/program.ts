import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import * as monitor from "@pulumi/azure-native/monitor";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import { BackendPoolNatRule } from "azure-nat-rules";

// `azure-nat-rules demo` deploys this very program to the local simulator (the build ships this one
// file for it); it imports the package by its name only, as a user's program does.

/** What the scale-set example can be tuned with (stack config, or the demo's flags). */
export interface ScaleSetStackSettings {
    /** Instances in the scale set. @default 3 */
    instances?: number;
    /** Most instances the NAT rule's frontend range serves. @default 10 */
    maxInstances?: number;
    /**
     * Let autoscale run the scale set, up to this many instances: the example then declares an
     * autoscale setting (one profile, "default") and ignores changes to the capacity, as autoscale
     * requires, and the NAT rule checks its range against the profile's maximum.
     * @default none: no autoscale, the capacity is `instances`
     */
    autoscaleMaximum?: number;
    /**
     * Flexible orchestration: the instances are VMs named `<scale set>_<8 hex>`, each with its own
     * NIC, and the mappings are labelled by those names. Flexible runs no extra VMs, so the range
     * needs one port per VM. @default false (Uniform, with overprovisioning off)
     */
    flexible?: boolean;
    /** First frontend port of the range. @default 50000 */
    frontendPortRangeStart?: number;
    /** Public SSH key of `adminUsername`. */
    sshPublicKey: string;
    /** Admin user on the instances. @default "azureuser" */
    adminUsername?: string;
    /** Name prefix of every resource. @default "natdemo" */
    prefix?: string;
    /**
     * Who may reach SSH: a CIDR (or IP) allowed by the NSG rule the NAT rule adds. Use your own
     * address ("198.51.100.7/32"). @default "203.0.113.0/24" (a documentation range, so the demo runs unchanged)
     */
    sshSourceCidr?: string;
}

/** The SSH source when none is configured: TEST-NET-3, a range reserved for documentation (RFC 5737). */
export const DEFAULT_SSH_SOURCE_CIDR = "203.0.113.0/24";

/**
 * A Linux scale set behind a Standard load balancer, with SSH to each instance through one
 * backend-pool NAT rule. Returns the stack outputs.
 */
export function declareScaleSetStack(settings: ScaleSetStackSettings) {
    const prefix = settings.prefix ?? "natdemo";
    const adminUsername = settings.adminUsername ?? "azureuser";
    const sshSourceCidr = settings.sshSourceCidr ?? DEFAULT_SSH_SOURCE_CIDR;

    const group = new resources.ResourceGroup(`${prefix}-rg`, { resourceGroupName: `${prefix}-rg` });
    const nsg = new network.NetworkSecurityGroup(`${prefix}-nsg`, {
        resourceGroupName: group.name,
        networkSecurityGroupName: `${prefix}-nsg`,
    });
    const vnet = new network.VirtualNetwork(`${prefix}-vnet`, {
        resourceGroupName: group.name,
        virtualNetworkName: `${prefix}-vnet`,
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [{ name: "vmss", addressPrefix: "10.0.1.0/24", networkSecurityGroup: { id: nsg.id } }],
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
        backendAddressPools: [{ name: "vmss-pool" }],
    });
    const frontendId = lb.frontendIPConfigurations.apply((f) => f![0].id!);
    const poolId = lb.backendAddressPools.apply((p) => p![0].id!);

    const scaleSet = new compute.VirtualMachineScaleSet(`${prefix}-vmss`, {
        resourceGroupName: group.name,
        vmScaleSetName: `${prefix}-vmss`,
        sku: { name: "Standard_B1s", tier: "Standard", capacity: settings.instances ?? 3 },
        ...(settings.flexible
            // Flexible needs a fault domain count, and runs no extra VMs (overprovisioning is Uniform's).
            ? { orchestrationMode: compute.OrchestrationMode.Flexible, platformFaultDomainCount: 1 }
            // Off, so instance ids stay sequential and the range only needs one port per instance.
            : { overprovision: false }),
        upgradePolicy: { mode: compute.UpgradeMode.Manual },
        virtualMachineProfile: {
            osProfile: {
                computerNamePrefix: prefix,
                adminUsername,
                linuxConfiguration: {
                    disablePasswordAuthentication: true,
                    ssh: { publicKeys: [{ path: `/home/${adminUsername}/.ssh/authorized_keys`, keyData: settings.sshPublicKey }] },
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
                    ipConfigurations: [{
                        name: "ipconfig",
                        subnet: { id: vnet.subnets.apply((s) => s![0].id!) },
                        loadBalancerBackendAddressPools: [{ id: poolId }],
                    }],
                }],
            },
        },
    }, {
        dependsOn: [lb],
        // Autoscale changes the capacity outside Pulumi; without this, every `pulumi up` would undo it.
        ignoreChanges: settings.autoscaleMaximum === undefined ? [] : ["sku.capacity"],
    });

    // Scale out on CPU above 70%, in below 25%, between 1 and autoscaleMaximum instances.
    const cpuRule = (direction: monitor.ScaleDirection, operator: monitor.ComparisonOperationType, threshold: number) => ({
        metricTrigger: {
            metricName: "Percentage CPU",
            metricResourceUri: scaleSet.id,
            timeGrain: "PT1M",
            statistic: monitor.MetricStatisticType.Average,
            timeWindow: "PT5M",
            timeAggregation: monitor.TimeAggregationType.Average,
            operator,
            threshold,
        },
        scaleAction: { direction, type: monitor.ScaleType.ChangeCount, value: "1", cooldown: "PT5M" },
    });
    const autoscale = settings.autoscaleMaximum === undefined
        ? undefined
        : new monitor.AutoscaleSetting(`${prefix}-autoscale`, {
              resourceGroupName: group.name,
              autoscaleSettingName: `${prefix}-autoscale`,
              targetResourceUri: scaleSet.id,
              enabled: true,
              profiles: [{
                  name: "default",
                  capacity: { minimum: "1", maximum: String(settings.autoscaleMaximum), default: String(settings.instances ?? 3) },
                  rules: [
                      cpuRule(monitor.ScaleDirection.Increase, monitor.ComparisonOperationType.GreaterThan, 70),
                      cpuRule(monitor.ScaleDirection.Decrease, monitor.ComparisonOperationType.LessThan, 25),
                  ],
              }],
          });

    const ssh = new BackendPoolNatRule(`${prefix}-ssh`, {
        loadBalancerId: lb.id,
        frontendIPConfigurationId: frontendId,
        backendAddressPoolId: poolId,
        frontendPortRangeStart: settings.frontendPortRangeStart ?? 50000,
        maxInstances: settings.maxInstances ?? 10,
        backendPort: 22,
        protocol: "Tcp",
        scaleSet,
        // Autoscale may grow the scale set to its profile's maximum: the range must hold that many.
        autoscaleSetting: autoscale,
        frontendIpAddress: publicIp.ipAddress.apply((ip) => ip ?? ""),
        // A Standard load balancer lets nothing in until an NSG allows it: allow SSH from one range only.
        networkSecurityGroupId: nsg.id,
        allowedSourceAddressPrefixes: [sshSourceCidr],
    });

    return {
        resourceGroup: group.name,
        loadBalancer: lb.name,
        backendPool: "vmss-pool",
        rule: ssh.ruleName,
        frontendIp: publicIp.ipAddress,
        frontendPortRange: ssh.frontendPortRange,
        portMappings: ssh.portMappings,
        plannedPortMappings: ssh.plannedPortMappings,
        sshAllowedFrom: sshSourceCidr,
        sshSecurityRule: ssh.securityRuleName,
        sshSecurityRulePriority: ssh.securityRulePriority,
        sshCommands: pulumi
            .all([ssh.portMappings, adminUsername])
            .apply(([mappings, user]) => mappings.map((m) => `ssh -p ${m.frontendPort} ${user}@${m.frontendIp}`)),
    };
}
