/**
 * What the simulator's own API takes and answers besides ARM JSON (its options, instances and port
 * mappings), and the part of it the Pulumi mocks drive, so mocks.ts and preview.ts need not import
 * the class that builds them.
 */
import type { SimulatorIdentity } from "./model";

/** A V2 mapping of one pool member, as the simulator holds it. */
export interface SimulatedPortMapping {
    rule: string;
    /** Scale-set instance id, VM name (NIC name minus `-nic`) or backend address name. */
    instance: string;
    ipConfigurationId?: string;
    ipAddress?: string;
    protocol: string;
    /** The frontend's public IP address, or its private IP address; "" when it has none. */
    frontendIp: string;
    frontendPort: number;
    backendPort: number;
}

export interface ScaleSetInstanceInfo {
    instanceId: string;
    /** `{vmssId}/virtualMachines/{id}/networkInterfaces/{nic}/ipConfigurations/{ipConfig}` per ipConfiguration. */
    ipConfigurationIds: string[];
    /** Private IP of the primary ipConfiguration. */
    privateIPAddress?: string;
}

/** The query API's body: one of the two (facts §5). */
export interface PortMappingQuery {
    ipConfiguration?: { id: string };
    ipAddress?: string;
}

export interface SimulatorOptions extends SimulatorIdentity {
    /**
     * Seed of what Azure picks at random: which overprovisioned VMs survive a scale-out, Flexible
     * VM and NIC name suffixes. The same seed and the same changes give the same state. Default 0.
     */
    seed?: number;
}

/** What the Pulumi mocks (mocks.ts, preview.ts) use of a simulator; AzureSimulator implements it. */
export interface MockedSimulator {
    readonly subscriptionId: string;
    /** Identity answered by getClientConfig. */
    readonly identity: Required<SimulatorIdentity>;
    /** An independent copy, where a preview applies its changes. */
    clone(): MockedSimulator;
    /** ARM JSON of `GET {path}`. */
    get(path: string): unknown;
    has(id: string): boolean;
    /** What a Pulumi resource's outputs hold. */
    pulumiState(id: string, inputs?: Record<string, unknown>): Record<string, unknown>;
    /** Creates or updates one resource from azure-native inputs. */
    upsert(type: string, name: string, inputs: Record<string, unknown>): { id: string; state: Record<string, unknown> };
    /** As `upsert`, telling whether anything changed. */
    apply(type: string, name: string, inputs: Record<string, unknown>): { id: string; changed: boolean };
}
