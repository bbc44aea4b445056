/** What a port mapping lookup takes and what it gives. */
import type { TokenCredential } from "@azure/identity";
import type { Protocol } from "../core/types";
import type { ArmUsage, LookupClock } from "./arm-pacing";
import type { LookupRetryOptions } from "./client";

export interface LookupPortMappingsOptions {
    subscriptionId: string;
    resourceGroupName: string;
    loadBalancerName: string;
    backendPoolName: string;
    /** Only this inbound NAT rule's mappings. */
    ruleName?: string;
    /** Default: `new DefaultAzureCredential()` (signing in to the cloud of `endpoint` when it is a preset). */
    credential?: TokenCredential;
    /** ARM endpoint URL, or a preset name from `ARM_ENDPOINTS`; default `public`. */
    endpoint?: string;
    /** Requests in flight at the same time; default 16. Members waiting out a Retry-After hold none. */
    concurrency?: number;
    /** Called after each member's query, with the count done, the count to query, and the requests spent so far. */
    onProgress?: (done: number, total: number, usage: ArmUsage) => void;
    signal?: AbortSignal;
    /**
     * The longest the whole lookup may take, in ms; default 10 minutes plus the time Azure's request
     * limits need for the members left to query once the pool is read.
     */
    timeoutMs?: number;
    /** Retry policy of every request. */
    retry?: LookupRetryOptions;
    /** Poll interval of the mapping query when Azure sends no Retry-After; default 1000 ms. */
    pollIntervalMs?: number;
    /** Time source and sleep of the pacing, the polls and the timeout; default real time (a simulation may run it faster). */
    clock?: LookupClock;
}

/** A member whose mappings could not be read, with Azure's reason. */
export interface UnreadMember {
    instance: string;
    ipConfigurationId?: string;
    ipAddress?: string;
    reason: string;
    statusCode?: number;
    code?: string;
}

/** What a lookup spent and what it could not read, beside its entries. */
export interface PortMappingLookupReport extends ArmUsage {
    /** Members whose mappings came embedded in the pool GET. */
    membersFromPool: number;
    /** Members queried one by one (the pool GET lacked their mappings). */
    membersQueried: number;
    unreadMembers: UnreadMember[];
    /** Elapsed time by the lookup's clock, in ms. */
    durationMs: number;
}

/**
 * What a lookup gives: Azure's mappings and the report beside them, one plain object that
 * `JSON.stringify` keeps whole. (Until 0.1.0 the mappings were the result itself, an array with
 * the report as hidden properties that JSON dropped: read `result.mappings` instead.)
 */
export interface PortMappingLookupResult extends PortMappingLookupReport {
    /** One entry per member and rule, sorted by rule, then instance (numeric ids by value). */
    mappings: PortMappingEntry[];
}

/** One frontend port Azure gave one backend pool member for one rule. */
export interface PortMappingEntry {
    /** Scale-set instance id, VM name (NIC name without `-nic`), or the address name of an IP-based member. */
    instance: string;
    /** The member's NIC ipConfiguration id (NIC-based pools). */
    ipConfigurationId?: string;
    /** The member's IP address (IP-based pools). */
    ipAddress?: string;
    rule: string;
    protocol: Protocol;
    /** Frontend IP address of the rule's frontend, or `""` when it has none yet. */
    frontendIp: string;
    frontendPort: number;
    backendPort: number;
}
