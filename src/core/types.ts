/** Transport protocols an inbound NAT rule accepts (ARM `TransportProtocol`). */
export type Protocol = "Tcp" | "Udp" | "All";

/** An inclusive frontend port range and how many ports it holds. */
export interface PortRange {
    /** First frontend port of the range. */
    start: number;
    /** Last frontend port of the range, inclusive. */
    end: number;
    /** Number of ports in the range: `end - start + 1`. */
    capacity: number;
}

/** Where a port mapping comes from: our model of Azure (`planned`) or Azure's own answer (`azure`). */
export type MappingSource = "planned" | "azure";

/** One frontend port given to one backend instance. */
export interface PortAssignment {
    /** Scale-set instance id (`"0"`, `"1"`, ...) or VM name. */
    instance: string;
    frontendPort: number;
}

/** What a user needs to reach one instance through the load balancer. */
export interface PortMapping {
    /** Scale-set instance id or VM name. */
    instance: string;
    /** Frontend IP address, or `""` while it is not known (before the public IP exists). */
    frontendIp: string;
    frontendPort: number;
    backendPort: number;
    protocol: Protocol;
    /** `planned` by this library's model, or read back from `azure`. */
    source: MappingSource;
}
