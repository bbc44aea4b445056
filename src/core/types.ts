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

/** One frontend port given to one backend instance. */
export interface PortAssignment {
    /** Scale-set instance id (`"0"`, `"1"`, ...) or VM name. */
    instance: string;
    frontendPort: number;
}

