/** The azure-native resource types the simulator models, and the shape of their create-or-update handlers. */
import type { Bag } from "./resource-inputs";
import type { SimulatorState } from "./model";

/** azure-native resource types the simulator models, without the `azure-native:` prefix. */
export const SIMULATED_RESOURCE_TYPES = [
    "resources:ResourceGroup",
    "network:PublicIPAddress",
    "network:VirtualNetwork",
    "network:Subnet",
    "network:NetworkSecurityGroup",
    "network:SecurityRule",
    "network:LoadBalancer",
    "network:LoadBalancerBackendAddressPool",
    "network:InboundNatRule",
    "network:NetworkInterface",
    "compute:VirtualMachine",
    "compute:VirtualMachineScaleSet",
    "monitor:AutoscaleSetting",
] as const;
export type SimulatedResourceType = (typeof SIMULATED_RESOURCE_TYPES)[number];

/** `azure-native:network:LoadBalancer` or `azure-native:network/v20240501:LoadBalancer` → `network:LoadBalancer`. */
export function simulatedTypeOf(token: string): SimulatedResourceType | undefined {
    const m = /^azure-native:([a-z0-9]+)(?:\/v[0-9a-z]+)?:([A-Za-z0-9]+)$/.exec(token);
    if (!m) return undefined;
    const type = `${m[1]}:${m[2]}`;
    return (SIMULATED_RESOURCE_TYPES as readonly string[]).includes(type) ? (type as SimulatedResourceType) : undefined;
}

/** Creates or updates one resource of a type on the state; returns its ARM id. */
export type Handler = (s: SimulatorState, pulumiName: string, inputs: Bag) => string;
