/**
 * The stack `azure-nat-rules demo` deploys to the local simulator: a Linux scale set behind a
 * Standard load balancer, with SSH to each instance through one backend-pool NAT rule.
 */
// Mirrors examples/scale-set/program.ts: the example is a user's program, read on its own, and the package ships no example code.
import * as compute from "@pulumi/azure-native/compute";
import * as monitor from "@pulumi/azure-native/monitor";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import { BackendPoolNatRule } from "../backend-pool-nat-rule";

/** What the demo's flags tune. */
export interface DemoStackSettings {
    /** Instances in the scale set. */
    instances: number;
    /**
     * Let autoscale run the scale set, up to this many instances (`--autoscale-max`): the stack then
     * declares an autoscale setting (one profile, "default") and ignores changes to the capacity, as
     * autoscale requires, and the NAT rule checks its range against the profile's maximum.
     */
    autoscaleMaximum?: number;
    /** Public SSH key of `adminUsername` (the simulator logs in to nothing). */
    sshPublicKey: string;
    /** Admin user on the instances. */
    adminUsername: string;
    /** Name prefix of every resource. */
    prefix: string;
}

/** First frontend port and size of the rule's range: 50000-50009, as the demo's help says. */
export const DEMO_FRONTEND_PORT_RANGE_START = 50000;
export const DEMO_MAX_INSTANCES = 10;
/** Who may reach SSH: TEST-NET-3, a range reserved for documentation (RFC 5737). */
export const DEMO_SSH_SOURCE_CIDR = "203.0.113.0/24";

/** Declares the demo's stack and returns its outputs. */
export function declareDemoStack(settings: DemoStackSettings) {
    const { prefix, adminUsername } = settings;

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
        sku: { name: "Standard_B1s", tier: "Standard", capacity: settings.instances },
        // Off, so instance ids stay sequential and the range only needs one port per instance.
        overprovision: false,
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
        // Autoscale changes the capacity outside Pulumi; without this, every deployment would undo it.
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
                  capacity: { minimum: "1", maximum: String(settings.autoscaleMaximum), default: String(settings.instances) },
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
        frontendPortRangeStart: DEMO_FRONTEND_PORT_RANGE_START,
        maxInstances: DEMO_MAX_INSTANCES,
        backendPort: 22,
        protocol: "Tcp",
        scaleSet,
        // Autoscale may grow the scale set to its profile's maximum: the range must hold that many.
        autoscaleSetting: autoscale,
        frontendIpAddress: publicIp.ipAddress.apply((ip) => ip ?? ""),
        // A Standard load balancer lets nothing in until an NSG allows it: allow SSH from one range only.
        networkSecurityGroupId: nsg.id,
        allowedSourceAddressPrefixes: [DEMO_SSH_SOURCE_CIDR],
    });

    return {
        resourceGroup: group.name,
        loadBalancer: lb.name,
        backendPool: "vmss-pool",
        rule: ssh.ruleName,
        frontendPortRange: ssh.frontendPortRange,
        portMappings: ssh.portMappings,
        plannedPortMappings: ssh.plannedPortMappings,
    };
}
