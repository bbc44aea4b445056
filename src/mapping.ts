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
     * Set (true) on a planned mapping whose instance label Azure chooses at deployment: every new
     * instance (Uniform ids have no numbering guarantee and may be reused, Flexible VMs get random
     * names), and every instance the plan keeps in a scale-in (the scale-in policy picks, after
     * balancing zones and fault domains). Its port is planned; its label is a guess. Absent otherwise.
     */
    labelGuessed?: boolean;
    /**
     * Set (true) on a planned mapping of a scale-set instance that runs a model without the rule's
     * pool (upgrade policy Manual): Azure gives it no port until it is upgraded
     * (`az vmss update-instances`); the port is the one it would take then. Absent otherwise.
     */
    upgradePending?: boolean;
    /**
     * Set (true) on a planned mapping of a Flexible VM whose port a range change moves, when more
     * than one moves: which moved VM takes which freed port follows an order no source gives.
     * Absent otherwise.
     */
    portGuessed?: boolean;
}

/** An inclusive frontend port range. */
export interface NatFrontendPortRange {
    start: number;
    /** Last port, inclusive. */
    end: number;
    /** Ports in the range: end - start + 1. */
    capacity: number;
}
