/**
 * The simulator's state: plain JSON-serialisable records keyed by lower-cased ARM id (ARM ids are
 * case-insensitive). Saved files hold exactly this shape.
 */

import type { AutoscaleSettingRecord } from "./insights/autoscale-model";

export const STATE_FORMAT = "azure-nat-rules-simulator/1";
export const DEFAULT_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000";
export const DEFAULT_TENANT_ID = "11111111-1111-1111-1111-111111111111";
export const DEFAULT_CLIENT_ID = "22222222-2222-2222-2222-222222222222";
export const DEFAULT_OBJECT_ID = "33333333-3333-3333-3333-333333333333";
export const DEFAULT_LOCATION = "westeurope";

export type Tags = Record<string, string>;

interface TopLevelResource {
    id: string;
    name: string;
    resourceGroup: string;
    location: string;
    tags?: Tags;
}

export interface ResourceGroupRecord {
    id: string;
    name: string;
    location: string;
    tags?: Tags;
}

export interface PublicIpRecord extends TopLevelResource {
    sku: string;
    allocationMethod: string;
    ipAddress: string;
    idleTimeoutInMinutes: number;
}

export interface SubnetRecord {
    id: string;
    name: string;
    addressPrefix: string;
    networkSecurityGroupId?: string;
    /** Next host offset to hand out; offsets 0-3 and the last address are Azure-reserved. */
    nextHost: number;
    /** Declared as a separate Subnet resource (kept when the virtual network is re-declared). */
    standalone: boolean;
}

export interface VirtualNetworkRecord extends TopLevelResource {
    addressPrefixes: string[];
    subnets: SubnetRecord[];
}

export interface SecurityRuleRecord {
    id: string;
    name: string;
    /** Stored as given (lightly checked): priority, direction, access, protocol, prefixes, ports. */
    properties: Record<string, unknown>;
    standalone: boolean;
}

export interface NetworkSecurityGroupRecord extends TopLevelResource {
    securityRules: SecurityRuleRecord[];
}

export interface FrontendIpConfigurationRecord {
    id: string;
    name: string;
    publicIPAddressId?: string;
    subnetId?: string;
    privateIPAddress?: string;
    privateIPAllocationMethod: string;
}

/** A member of an IP-based backend pool. */
export interface BackendAddressRecord {
    name: string;
    ipAddress?: string;
    virtualNetworkId?: string;
    subnetId?: string;
}

export interface BackendPoolRecord {
    id: string;
    name: string;
    addresses: BackendAddressRecord[];
    standalone: boolean;
}

/** One member's port on a backend-pool (V2) rule; `member` is the member key (see simulator.ts). */
export interface NatRuleMappingRecord {
    member: string;
    frontendPort: number;
}

export interface InboundNatRuleRecord {
    id: string;
    name: string;
    frontendIPConfigurationId?: string;
    backendAddressPoolId?: string;
    frontendPort?: number;
    frontendPortRangeStart?: number;
    frontendPortRangeEnd?: number;
    backendPort?: number;
    protocol: string;
    idleTimeoutInMinutes?: number;
    enableFloatingIP: boolean;
    enableTcpReset: boolean;
    standalone: boolean;
    /** V2 rules only: member ports, in member order. */
    mappings: NatRuleMappingRecord[];
}

export interface InboundNatPoolRecord {
    id: string;
    name: string;
    frontendIPConfigurationId?: string;
    protocol: string;
    frontendPortRangeStart?: number;
    frontendPortRangeEnd?: number;
    backendPort?: number;
    idleTimeoutInMinutes: number;
    enableFloatingIP: boolean;
    enableTcpReset: boolean;
}

export interface LoadBalancingRuleRecord {
    id: string;
    name: string;
    frontendIPConfigurationId?: string;
    backendAddressPoolId?: string;
    probeId?: string;
    protocol: string;
    frontendPort?: number;
    backendPort?: number;
    enableFloatingIP: boolean;
    enableTcpReset: boolean;
    idleTimeoutInMinutes: number;
    disableOutboundSnat: boolean;
    loadDistribution: string;
}

export interface ProbeRecord {
    id: string;
    name: string;
    protocol: string;
    port?: number;
    requestPath?: string;
    intervalInSeconds: number;
    numberOfProbes: number;
}

export interface LoadBalancerRecord extends TopLevelResource {
    sku: string;
    frontendIPConfigurations: FrontendIpConfigurationRecord[];
    backendAddressPools: BackendPoolRecord[];
    inboundNatRules: InboundNatRuleRecord[];
    inboundNatPools: InboundNatPoolRecord[];
    loadBalancingRules: LoadBalancingRuleRecord[];
    probes: ProbeRecord[];
}

export interface NicIpConfigurationRecord {
    id: string;
    name: string;
    primary: boolean;
    subnetId?: string;
    privateIPAddress: string;
    privateIPAllocationMethod: string;
    publicIPAddressId?: string;
    loadBalancerBackendAddressPoolIds: string[];
    loadBalancerInboundNatRuleIds: string[];
}

export interface NetworkInterfaceRecord extends TopLevelResource {
    ipConfigurations: NicIpConfigurationRecord[];
    networkSecurityGroupId?: string;
    virtualMachineId?: string;
}

export interface VirtualMachineRecord extends TopLevelResource {
    vmSize?: string;
    networkInterfaceIds: string[];
}

export interface ScaleSetIpConfigurationRecord {
    name: string;
    primary: boolean;
    subnetId?: string;
    loadBalancerBackendAddressPoolIds: string[];
    loadBalancerInboundNatPoolIds: string[];
}

export interface ScaleSetNicConfigurationRecord {
    name: string;
    primary: boolean;
    networkSecurityGroupId?: string;
    ipConfigurations: ScaleSetIpConfigurationRecord[];
}

export interface ScaleSetInstanceRecord {
    instanceId: string;
    /** Private IP per `{nicConfig}/{ipConfig}`. */
    privateIPAddresses: Record<string, string>;
    /** Flexible only: the VM's NIC name per NIC configuration (`<nic config>-<8 hex>`). */
    nicNames?: Record<string, string>;
    /** The model the instance runs while it is behind the scale set's (upgrade policy Manual); absent: the latest. */
    model?: ScaleSetNicConfigurationRecord[];
    /** When it was created (the state's sequence), for the scale-in policies that pick by age; absent in older states: its place in the list. */
    created?: number;
}

export interface ScaleSetRecord extends TopLevelResource {
    skuName: string;
    skuTier: string;
    overprovision: boolean;
    upgradePolicyMode: string;
    orchestrationMode: string;
    platformFaultDomainCount?: number;
    networkInterfaceConfigurations: ScaleSetNicConfigurationRecord[];
    /** Uniform: sorted by instance id, numerically; Flexible: VMs in creation order. */
    instances: ScaleSetInstanceRecord[];
    /** The highest Uniform instance id ever given + 1 (ids are given after it, unless the state reuses ids: `uniformInstanceIds`). */
    nextInstanceId: number;
    /** `scaleInPolicy.rules[0]`: "Default" (absent), "OldestVM" or "NewestVM". */
    scaleInPolicy?: string;
    /** Creation order across scale sets: ports go to one scale set's instances, then the next one's. */
    createdSeq: number;
}

export interface SimulatorState {
    format: string;
    subscriptionId: string;
    subscriptionName: string;
    tenantId: string;
    clientId: string;
    objectId: string;
    defaultLocation: string;
    /** Creation counter (scale-set order). */
    sequence: number;
    /**
     * How new Uniform instance ids are given: "increasing" (after the highest ever given, the
     * default) or "reuse" (the lowest id no instance holds). Microsoft's docs allow both: "The
     * instance IDs may be reused for new instances once old instances are deleted" and "there is
     * no guarantee on the way instance IDs are assigned" (learn.microsoft.com/azure/virtual-machine-scale-sets/virtual-machine-scale-sets-instance-ids).
     */
    uniformInstanceIds?: "increasing" | "reuse";
    /** Next host offset in the implicit 10.0.0.0/16 used by ipConfigurations without a subnet. */
    defaultSubnetNextHost: number;
    resourceGroups: Record<string, ResourceGroupRecord>;
    publicIPAddresses: Record<string, PublicIpRecord>;
    virtualNetworks: Record<string, VirtualNetworkRecord>;
    networkSecurityGroups: Record<string, NetworkSecurityGroupRecord>;
    loadBalancers: Record<string, LoadBalancerRecord>;
    networkInterfaces: Record<string, NetworkInterfaceRecord>;
    virtualMachines: Record<string, VirtualMachineRecord>;
    virtualMachineScaleSets: Record<string, ScaleSetRecord>;
    /**
     * Seed and draw count of what Azure picks at random (scale-sets/random.ts); absent: seed 0, no
     * draws yet. Replaced on every draw, never changed in place (states share it, as they share records).
     */
    random?: { readonly seed: number; readonly draws: number };
    /** Autoscale settings (scale-sets/autoscale.ts), keyed by lower-cased id; states saved before they were simulated read as none. */
    autoscaleSettings: Record<string, AutoscaleSettingRecord>;
}

export const RESOURCE_MAPS = [
    "resourceGroups",
    "publicIPAddresses",
    "virtualNetworks",
    "networkSecurityGroups",
    "loadBalancers",
    "networkInterfaces",
    "virtualMachines",
    "virtualMachineScaleSets",
    "autoscaleSettings",
] as const;

export interface SimulatorIdentity {
    subscriptionId?: string;
    subscriptionName?: string;
    tenantId?: string;
    clientId?: string;
    objectId?: string;
    /** Location of resources that give none and whose resource group gives none. */
    defaultLocation?: string;
}

export function emptyState(identity: SimulatorIdentity = {}): SimulatorState {
    return {
        format: STATE_FORMAT,
        subscriptionId: identity.subscriptionId ?? DEFAULT_SUBSCRIPTION_ID,
        subscriptionName: identity.subscriptionName ?? "Simulated subscription",
        tenantId: identity.tenantId ?? DEFAULT_TENANT_ID,
        clientId: identity.clientId ?? DEFAULT_CLIENT_ID,
        objectId: identity.objectId ?? DEFAULT_OBJECT_ID,
        defaultLocation: identity.defaultLocation ?? DEFAULT_LOCATION,
        sequence: 0,
        defaultSubnetNextHost: 4,
        resourceGroups: {},
        publicIPAddresses: {},
        virtualNetworks: {},
        networkSecurityGroups: {},
        loadBalancers: {},
        networkInterfaces: {},
        virtualMachines: {},
        virtualMachineScaleSets: {},
        autoscaleSettings: {},
    };
}

/** ARM ids compare case-insensitively; records are keyed by the lower-cased id. */
export function keyOf(id: string): string {
    return id.toLowerCase();
}
