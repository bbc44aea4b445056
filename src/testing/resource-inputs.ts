/**
 * Inputs the simulator accepts, in azure-native's (flattened) shape with plain values, and the
 * defensive readers used on them: Pulumi hands the mocks untyped objects.
 */
import { ARM_ERROR_CODES, ArmError } from "./errors";
import type { Tags } from "./model";

export interface SubResourceInput {
    id: string;
}

export interface ResourceGroupInput {
    resourceGroupName: string;
    location?: string;
    tags?: Tags;
}

export interface PublicIPAddressInput {
    resourceGroupName: string;
    publicIpAddressName: string;
    location?: string;
    sku?: { name?: string; tier?: string };
    publicIPAllocationMethod?: string;
    idleTimeoutInMinutes?: number;
    tags?: Tags;
}

export interface SubnetInlineInput {
    name: string;
    addressPrefix?: string;
    networkSecurityGroup?: SubResourceInput;
}

export interface VirtualNetworkInput {
    resourceGroupName: string;
    virtualNetworkName: string;
    location?: string;
    addressSpace?: { addressPrefixes?: string[] };
    subnets?: SubnetInlineInput[];
    tags?: Tags;
}

export interface SubnetInput {
    resourceGroupName: string;
    virtualNetworkName: string;
    subnetName: string;
    addressPrefix?: string;
    networkSecurityGroup?: SubResourceInput;
}

export interface SecurityRuleProperties {
    priority?: number;
    direction?: string;
    access?: string;
    protocol?: string;
    sourceAddressPrefix?: string;
    sourceAddressPrefixes?: string[];
    sourcePortRange?: string;
    destinationAddressPrefix?: string;
    destinationPortRange?: string;
    destinationPortRanges?: string[];
    description?: string;
}

export interface NetworkSecurityGroupInput {
    resourceGroupName: string;
    networkSecurityGroupName: string;
    location?: string;
    securityRules?: (SecurityRuleProperties & { name: string })[];
    tags?: Tags;
}

export interface SecurityRuleInput extends SecurityRuleProperties {
    resourceGroupName: string;
    networkSecurityGroupName: string;
    securityRuleName: string;
}

export interface FrontendIPConfigurationInput {
    name: string;
    publicIPAddress?: SubResourceInput;
    subnet?: SubResourceInput;
    privateIPAddress?: string;
    privateIPAllocationMethod?: string;
}

export interface BackendAddressInput {
    name: string;
    ipAddress?: string;
    virtualNetwork?: SubResourceInput;
    subnet?: SubResourceInput;
}

export interface BackendAddressPoolInlineInput {
    name: string;
    loadBalancerBackendAddresses?: BackendAddressInput[];
}

export interface InboundNatRuleProperties {
    frontendIPConfiguration?: SubResourceInput;
    backendAddressPool?: SubResourceInput;
    frontendPort?: number;
    frontendPortRangeStart?: number;
    frontendPortRangeEnd?: number;
    backendPort?: number;
    protocol?: string;
    idleTimeoutInMinutes?: number;
    enableFloatingIP?: boolean;
    enableTcpReset?: boolean;
}

export interface InboundNatRuleInlineInput extends InboundNatRuleProperties {
    name: string;
}

export interface InboundNatRuleInput extends InboundNatRuleProperties {
    resourceGroupName: string;
    loadBalancerName: string;
    inboundNatRuleName: string;
}

export interface InboundNatPoolInput {
    name: string;
    frontendIPConfiguration?: SubResourceInput;
    protocol: string;
    frontendPortRangeStart: number;
    frontendPortRangeEnd: number;
    backendPort: number;
    idleTimeoutInMinutes?: number;
    enableFloatingIP?: boolean;
    enableTcpReset?: boolean;
}

export interface LoadBalancingRuleInput {
    name: string;
    frontendIPConfiguration?: SubResourceInput;
    backendAddressPool?: SubResourceInput;
    probe?: SubResourceInput;
    protocol: string;
    frontendPort: number;
    backendPort?: number;
    enableFloatingIP?: boolean;
    enableTcpReset?: boolean;
    idleTimeoutInMinutes?: number;
    disableOutboundSnat?: boolean;
    loadDistribution?: string;
}

export interface ProbeInput {
    name: string;
    protocol: string;
    port: number;
    requestPath?: string;
    intervalInSeconds?: number;
    numberOfProbes?: number;
}

export interface LoadBalancerInput {
    resourceGroupName: string;
    loadBalancerName: string;
    location?: string;
    sku?: { name?: string; tier?: string };
    frontendIPConfigurations?: FrontendIPConfigurationInput[];
    backendAddressPools?: BackendAddressPoolInlineInput[];
    inboundNatRules?: InboundNatRuleInlineInput[];
    inboundNatPools?: InboundNatPoolInput[];
    loadBalancingRules?: LoadBalancingRuleInput[];
    probes?: ProbeInput[];
    tags?: Tags;
}

export interface LoadBalancerBackendAddressPoolInput {
    resourceGroupName: string;
    loadBalancerName: string;
    backendAddressPoolName: string;
    loadBalancerBackendAddresses?: BackendAddressInput[];
}

export interface NetworkInterfaceIPConfigurationInput {
    name: string;
    primary?: boolean;
    subnet?: SubResourceInput;
    privateIPAddress?: string;
    privateIPAllocationMethod?: string;
    publicIPAddress?: SubResourceInput;
    loadBalancerBackendAddressPools?: SubResourceInput[];
    loadBalancerInboundNatRules?: SubResourceInput[];
}

export interface NetworkInterfaceInput {
    resourceGroupName: string;
    networkInterfaceName: string;
    location?: string;
    ipConfigurations?: NetworkInterfaceIPConfigurationInput[];
    networkSecurityGroup?: SubResourceInput;
    tags?: Tags;
}

export interface VirtualMachineInput {
    resourceGroupName: string;
    vmName: string;
    location?: string;
    hardwareProfile?: { vmSize?: string };
    networkProfile?: { networkInterfaces?: SubResourceInput[] };
    tags?: Tags;
}

export interface ScaleSetIPConfigurationInput {
    name: string;
    primary?: boolean;
    subnet?: SubResourceInput;
    loadBalancerBackendAddressPools?: SubResourceInput[];
    loadBalancerInboundNatPools?: SubResourceInput[];
}

export interface ScaleSetNetworkInterfaceConfigurationInput {
    name: string;
    primary?: boolean;
    networkSecurityGroup?: SubResourceInput;
    ipConfigurations?: ScaleSetIPConfigurationInput[];
}

export interface VirtualMachineScaleSetInput {
    resourceGroupName: string;
    vmScaleSetName: string;
    location?: string;
    sku?: { name?: string; tier?: string; capacity?: number };
    /** Azure's default is true. Not simulated: no extra VMs are created during a scale-out. */
    overprovision?: boolean;
    upgradePolicy?: { mode?: string };
    /** "Default" (absent), "OldestVM" or "NewestVM": which instances a scale-in removes. */
    scaleInPolicy?: { rules?: string[] };
    orchestrationMode?: string;
    virtualMachineProfile?: {
        networkProfile?: { networkInterfaceConfigurations?: ScaleSetNetworkInterfaceConfigurationInput[] };
        [other: string]: unknown;
    };
    tags?: Tags;
}

// ---- readers ----------------------------------------------------------------------------

export type Bag = Record<string, unknown>;

function invalid(owner: string, field: string, value: unknown, allowed: string): ArmError {
    return new ArmError(
        ARM_ERROR_CODES.invalidRequestFormat,
        400,
        `${owner}: ${field} = ${JSON.stringify(value)} cannot be parsed: allowed is ${allowed}.`,
    );
}

export function bag(value: unknown): Bag | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Bag) : undefined;
}

export function bags(owner: string, field: string, value: unknown): Bag[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw invalid(owner, field, value, "a list of objects");
    return value.map((item, i) => {
        const b = bag(item);
        if (!b) throw invalid(owner, `${field}[${i}]`, item, "an object");
        return b;
    });
}

export function text(owner: string, field: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") throw invalid(owner, field, value, "a string");
    return value;
}

export function requiredText(owner: string, field: string, value: unknown): string {
    const v = text(owner, field, value);
    if (v === undefined || v === "") {
        throw new ArmError(ARM_ERROR_CODES.invalidParameter, 400, `Required parameter '${field}' is missing (null) in ${owner}.`);
    }
    return v;
}

/** A number; numeric strings are accepted as ARM's JSON binding accepts them. */
export function integer(owner: string, field: string, value: unknown): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "number") return value;
    if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number(value);
    throw invalid(owner, field, value, "a number");
}

export function flag(owner: string, field: string, value: unknown): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "boolean") return value;
    if (value === "true" || value === "false") return value === "true";
    throw invalid(owner, field, value, "true or false");
}

/** A sub-resource reference: `{ id }` (or a bare id string). */
export function reference(owner: string, field: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") return value || undefined;
    const b = bag(value);
    if (b && (b.id === undefined || b.id === null)) return undefined;
    if (b && typeof b.id === "string") return b.id || undefined;
    throw invalid(owner, field, value, "an object { id: string }");
}

export function references(owner: string, field: string, value: unknown): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw invalid(owner, field, value, "a list of { id } objects");
    const ids: string[] = [];
    const seen = new Set<string>();
    value.forEach((item, i) => {
        const id = reference(owner, `${field}[${i}]`, item);
        if (id !== undefined && !seen.has(id.toLowerCase())) {
            seen.add(id.toLowerCase());
            ids.push(id);
        }
    });
    return ids;
}

export function tagsOf(owner: string, value: unknown): Tags | undefined {
    const b = bag(value);
    if (value !== undefined && value !== null && !b) throw invalid(owner, "tags", value, "an object of strings");
    if (!b) return undefined;
    const out: Tags = {};
    for (const [k, v] of Object.entries(b)) out[k] = String(v);
    return out;
}

export function stringList(owner: string, field: string, value: unknown): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw invalid(owner, field, value, "a list of strings");
    return value as string[];
}

/** A resource group given by name, or by its ARM id (azure-native ResourceGroup outputs either). */
export function resourceGroupNameOf(owner: string, value: unknown): string {
    const raw = requiredText(owner, "resourceGroupName", value);
    const m = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/?$/i.exec(raw);
    return m ? m[1] : raw;
}
