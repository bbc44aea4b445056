/** What the simulator's own API takes and answers besides ARM JSON: its options, instances and port mappings. */
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
