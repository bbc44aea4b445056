import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import type * as inputs from "@pulumi/azure-native/types/input";
import { BackendPoolNatRule, MIGRATED_BACKEND_POOL_PREFIX, natPoolRuleArgs } from "azure-nat-rules";

/**
 * What the program declares. Each migration step flips exactly one switch, in this order:
 * step 1 detaches the scale set from the NAT pool, step 2 deletes the pool, step 3 adds the rule.
 */
export interface MigrationLayout {
    /** The load balancer declares the inbound NAT pool. */
    natPoolOnLoadBalancer: boolean;
    /** The scale set's ipConfiguration references the NAT pool (loadBalancerInboundNatPools). */
    scaleSetOnNatPool: boolean;
    /** The backend pool `be_migrated_<pool>` exists, holds the scale set, and a BackendPoolNatRule serves it. */
    backendPoolRule: boolean;
}

export type MigrationStage = "before" | "detach-scale-set" | "delete-nat-pool" | "after";

/** The stages in the only order that works; deploy them one after another. */
export const MIGRATION_STAGES: readonly MigrationStage[] = ["before", "detach-scale-set", "delete-nat-pool", "after"];

export const STAGE_LAYOUTS: Record<MigrationStage, MigrationLayout> = {
    /** Today: a NAT pool gives each instance a port. */
    before: { natPoolOnLoadBalancer: true, scaleSetOnNatPool: true, backendPoolRule: false },
    /** Step 1: the scale set no longer references the pool (instances updated: NAT'ed ports go down here). */
    "detach-scale-set": { natPoolOnLoadBalancer: true, scaleSetOnNatPool: false, backendPoolRule: false },
    /** Step 2: the pool is deleted; Azure refuses this while a scale set still references it. */
    "delete-nat-pool": { natPoolOnLoadBalancer: false, scaleSetOnNatPool: false, backendPoolRule: false },
    /** Step 3: the backend pool and rule replace the pool (ports come back, possibly different ones). */
    after: { natPoolOnLoadBalancer: false, scaleSetOnNatPool: false, backendPoolRule: true },
};

export interface MigrationExampleSettings {
    /** Instances in the scale set. @default 3 */
    instances?: number;
    /** Name prefix of every resource. @default "natmig" */
    prefix?: string;
    /** Read Azure's real mappings after step 3 (BackendPoolNatRule's readAzureMappings). @default true */
    readAzureMappings?: boolean;
    /** Public SSH key of `azureuser`; with it the instances get an OS and disk (real Azure needs them, the simulator does not). */
    sshPublicKey?: string;
}

/** The NAT pool being migrated, as the load balancer declares it today. */
export function sshNatPool(frontendIPConfigurationId: pulumi.Input<string>): inputs.network.InboundNatPoolArgs {
    return {
        name: "ssh",
        frontendIPConfiguration: { id: frontendIPConfigurationId },
        protocol: "Tcp",
        frontendPortRangeStart: 50000,
        frontendPortRangeEnd: 50009,
        backendPort: 22,
        idleTimeoutInMinutes: 4,
    };
}

/**
 * A Linux scale set behind a Standard load balancer whose SSH ports come from an inbound NAT pool
 * (before) or from a backend-pool NAT rule (after), in the shape `layout` describes.
 */
export function declareMigrationExample(layout: MigrationLayout, settings: MigrationExampleSettings = {}) {
    const prefix = settings.prefix ?? "natmig";
    const group = new resources.ResourceGroup(`${prefix}-rg`, { resourceGroupName: `${prefix}-rg` });
    const publicIp = new network.PublicIPAddress(`${prefix}-pip`, {
        resourceGroupName: group.name,
        publicIpAddressName: `${prefix}-pip`,
        sku: { name: "Standard" },
        publicIPAllocationMethod: "Static",
    });
    const vnet = new network.VirtualNetwork(`${prefix}-vnet`, {
        resourceGroupName: group.name,
        virtualNetworkName: `${prefix}-vnet`,
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [{ name: "vmss", addressPrefix: "10.0.1.0/24" }],
    });

    // Child ids are built from the load balancer's id, so they exist whichever children are declared.
    const lbName = `${prefix}-lb`;
    const lbId = pulumi.interpolate`${group.id}/providers/Microsoft.Network/loadBalancers/${lbName}`;
    const frontendId = pulumi.interpolate`${lbId}/frontendIPConfigurations/frontend`;
    const natPool = sshNatPool(frontendId);
    const natPoolId = pulumi.interpolate`${lbId}/inboundNatPools/${natPool.name}`;
    const backendPoolName = `${MIGRATED_BACKEND_POOL_PREFIX}${natPool.name}`;
    const backendPoolId = pulumi.interpolate`${lbId}/backendAddressPools/${backendPoolName}`;

    const lb = new network.LoadBalancer(lbName, {
        resourceGroupName: group.name,
        loadBalancerName: lbName,
        sku: { name: "Standard" },
        frontendIPConfigurations: [{ name: "frontend", publicIPAddress: { id: publicIp.id } }],
        backendAddressPools: layout.backendPoolRule ? [{ name: backendPoolName }] : [],
        inboundNatPools: layout.natPoolOnLoadBalancer ? [natPool] : [],
    });

    const scaleSet = new compute.VirtualMachineScaleSet(`${prefix}-vmss`, {
        resourceGroupName: group.name,
        vmScaleSetName: `${prefix}-vmss`,
        sku: { name: "Standard_B1s", tier: "Standard", capacity: settings.instances ?? 3 },
        overprovision: false,
        // Automatic: each model change reaches the instances without a separate update-instances call.
        upgradePolicy: { mode: "Automatic" },
        virtualMachineProfile: {
            ...(settings.sshPublicKey ? realMachine(prefix, settings.sshPublicKey) : {}),
            networkProfile: {
                networkInterfaceConfigurations: [{
                    name: "nic",
                    primary: true,
                    ipConfigurations: [{
                        name: "ipconfig",
                        subnet: { id: vnet.subnets.apply((s) => s![0].id!) },
                        loadBalancerInboundNatPools: layout.scaleSetOnNatPool ? [{ id: natPoolId }] : [],
                        loadBalancerBackendAddressPools: layout.backendPoolRule ? [{ id: backendPoolId }] : [],
                    }],
                }],
            },
        },
    }, { dependsOn: [lb] }); // the load balancer changes first, so a wrong order fails there and nothing else moves

    const outputs: Record<string, pulumi.Output<unknown>> = {
        loadBalancer: lb.name,
        scaleSet: scaleSet.name,
        frontendIp: publicIp.ipAddress,
    };
    if (layout.backendPoolRule) {
        const ssh = new BackendPoolNatRule(`${prefix}-ssh`, {
            ...natPoolRuleArgs({ natPool, loadBalancerId: lb.id, backendAddressPoolId: backendPoolId, scaleSet }, `${prefix} migration`),
            frontendIpAddress: publicIp.ipAddress.apply((ip) => ip ?? ""),
            readAzureMappings: settings.readAzureMappings ?? true,
        }, { dependsOn: [lb] });
        outputs.rule = ssh.ruleName;
        outputs.frontendPortRange = ssh.frontendPortRange;
        outputs.portMappings = ssh.portMappings;
    }
    return outputs;
}

/** What a real scale set needs besides its network (the simulator needs none of it). */
function realMachine(prefix: string, sshPublicKey: string): Pick<inputs.compute.VirtualMachineScaleSetVMProfileArgs, "osProfile" | "storageProfile"> {
    return {
        osProfile: {
            computerNamePrefix: prefix,
            adminUsername: "azureuser",
            linuxConfiguration: {
                disablePasswordAuthentication: true,
                ssh: { publicKeys: [{ path: "/home/azureuser/.ssh/authorized_keys", keyData: sshPublicKey }] },
            },
        },
        storageProfile: {
            imageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
            osDisk: { createOption: "FromImage", managedDisk: { storageAccountType: "Standard_LRS" } },
        },
    };
}
