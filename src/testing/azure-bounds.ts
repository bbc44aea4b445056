/**
 * Azure's own bounds and orderings, written out here as literals with their sources. The
 * simulator plays Azure, so it never borrows the library's validation, range or allocation code:
 * a wrong bound or a wrong allocation in the library must fail against the simulator, not agree
 * with it by construction.
 */

/**
 * Bounds of an inbound NAT rule, NAT pool and load-balancing rule. Source unless noted:
 * Azure/azure-rest-api-specs `specification/network/resource-manager/Microsoft.Network/stable/2024-05-01/loadBalancer.json`
 * (property descriptions of InboundNatRulePropertiesFormat, InboundNatPoolPropertiesFormat, LoadBalancingRulePropertiesFormat).
 */
export const AZURE_BOUNDS = {
    /** "Acceptable values range from 1 to 65534" (InboundNatRule frontendPort). */
    natRuleFrontendPort: { min: 1, max: 65534 },
    /**
     * frontendPortRangeStart and frontendPortRangeEnd of a NAT rule: the spec says "1 to 65534", but
     * recorded Azure accepted a V2 rule with `frontendPortRangeStart: 0` (end 3) and answered 200
     * (Azure/azure-cli `network/tests/latest/recordings/test_network_lb_nat_rules_v3.yaml`, api 2023-04-01).
     * The simulator accepts what Azure was seen to accept.
     */
    natRuleFrontendRange: { min: 0, max: 65534 },
    /** "Acceptable values range from 1 to 65535" (backendPort of a NAT rule or pool). */
    backendPort: { min: 1, max: 65535 },
    /** NAT pool: start "1 to 65534", end "1 to 65535". */
    natPoolFrontendRangeStart: { min: 1, max: 65534 },
    natPoolFrontendRangeEnd: { min: 1, max: 65535 },
    /** Load-balancing rule: "0 to 65534" frontend, "0 to 65535" backend; 0 means "any port". */
    lbRuleFrontendPort: { min: 0, max: 65534 },
    lbRuleBackendPort: { min: 0, max: 65535 },
    /**
     * idleTimeoutInMinutes: "can be set between 4 and 30 minutes" (spec text; Terraform validates
     * the same). The docs page load-balancer-tcp-idle-timeout now says up to 100; the simulator follows
     * the spec of the API version it speaks (2024-05-01), the stricter of the two.
     */
    idleTimeoutInMinutes: { min: 4, max: 30 },
    /** Health probe port: "Possible values range from 1 to 65535, inclusive." */
    probePort: { min: 1, max: 65535 },
} as const;

/**
 * Limits of a Standard load balancer (learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits,
 * "Load balancer" section).
 */
export const AZURE_LIMITS = {
    /** "Rules (Load Balancer + Inbound NAT) per load balancer": 1,500. */
    rulesPerLoadBalancer: 1500,
    /** "Rules per IP configuration" / per NIC, all kinds: 300 (LoadBalancerRuleCountLimitReachedForNic). */
    rulesPerNic: 300,
} as const;

/** The protocol enum of the spec (TransportProtocol: Udp, Tcp, All). ARM matches enum values case-insensitively. */
export const TRANSPORT_PROTOCOLS = ["Tcp", "Udp", "All"] as const;

/** The spec's spelling of a protocol, or undefined when it is not one of TransportProtocol. */
export function transportProtocol(value: unknown): string | undefined {
    if (typeof value !== "string") return undefined;
    const v = value.trim().toLowerCase();
    return TRANSPORT_PROTOCOLS.find((p) => p.toLowerCase() === v);
}

/**
 * Azure's instance order: "The new port assignment will align sequentially to instance ID numbers"
 * (Azure/AzLoadBalancerMigration, AzureLoadBalancerNATPoolMigration/README.md). Uniform scale-set
 * ids are decimal numbers, so they compare by value ("2" before "10"); other labels (VM names)
 * follow, in code-point order.
 */
export function byInstanceId(a: string, b: string): number {
    const numeric = (s: string): boolean => /^\d+$/.test(s);
    if (numeric(a) && numeric(b)) return Number(a) - Number(b);
    if (numeric(a) !== numeric(b)) return numeric(a) ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One V2 rule's frontend ports for its pool members, the way Azure hands them out (facts §4):
 * - on creation, ports follow member order from the range start: "VM1 got 221 and VM2 got 222 for a
 *   start of 221" (learn.microsoft.com/azure/load-balancer/tutorial-nat-rule-multi-instance-portal);
 * - scale-in: "existing mappings of the remaining VMs persist"; scale-out: new mappings are made
 *   automatically (learn.microsoft.com/azure/load-balancer/inbound-nat-rules);
 * - whether a freed port is reused is not documented. Modelled: a new member takes the lowest free
 *   port of the range, freed ports included, in member order.
 * - what a range change does to existing mappings is not documented either. Modelled: a member whose
 *   port is still in the new range keeps it; the others take the lowest free ports, in member order.
 *
 * `members` are in Azure's order (see `backendMembers` in backend-members.ts); `previous` holds the ports members had
 * before the change. Returns the port of every member, or the members left without one.
 */
export function assignFrontendPorts(
    start: number,
    end: number,
    previous: ReadonlyMap<string, number>,
    members: readonly string[],
): { ports: Map<string, number>; unserved: string[] } {
    const taken = new Set<number>();
    const ports = new Map<string, number>();
    const newcomers: string[] = [];
    for (const member of members) {
        const port = previous.get(member);
        if (port !== undefined && port >= start && port <= end && !taken.has(port)) {
            taken.add(port);
            ports.set(member, port);
        } else {
            newcomers.push(member);
        }
    }
    let next = start;
    const unserved: string[] = [];
    for (const member of newcomers) {
        while (next <= end && taken.has(next)) next++;
        if (next > end) {
            unserved.push(member);
            continue;
        }
        taken.add(next);
        ports.set(member, next);
    }
    return { ports, unserved };
}
