/**
 * Output shapes shared by the components. Plain interfaces with string fields (no unions), so
 * Pulumi can infer a schema for other languages.
 */

/** One instance reachable through the load balancer. */
export interface NatPortMapping {
    /** Scale-set instance id ("0", "1", ...) or VM name. */
    instance: string;
    /** Frontend IP address; "" while unknown (e.g. in a first preview, before the public IP exists). */
    frontendIp: string;
    frontendPort: number;
    backendPort: number;
    /** "Tcp", "Udp" or "All". */
    protocol: string;
    /** "planned" (this library's model) or "azure" (read back from Azure after deployment). */
    source: string;
    /**
     * Set (true) on a planned mapping whose instance label Azure chooses at deployment: a new
     * instance of an overprovisioning Uniform scale set, a new VM of a Flexible one, or a VM the
     * plan keeps in a Flexible scale-in (Azure removes the oldest VMs, which the mappings don't
     * show). Its port is planned; its label is a guess. Absent otherwise.
     */
    labelGuessed?: boolean;
}

/** An inclusive frontend port range. */
export interface NatFrontendPortRange {
    start: number;
    /** Last port, inclusive. */
    end: number;
    /** Ports in the range: end - start + 1. */
    capacity: number;
}
