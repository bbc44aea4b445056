/**
 * Migration from inbound NAT pools (retired for scale sets on 30 September 2027) to backend-pool
 * (V2) inbound NAT rules: the equivalent rule of a pool, the ports each instance has before and is
 * expected to have after, and what to look at first. Pure: it reads plain objects (azure-native
 * arguments, ARM JSON, or what `az network lb show` prints) and changes nothing.
 */
export * from "./migration-types";
export { armProperty } from "./arm-json";
export { readInboundNatPool, readScaleSet } from "./nat-pool-read";
export { natPoolToRule } from "./nat-pool-to-rule";
export { planNatPoolMigration, type LoadBalancerMigrationPlan, type PlanLoadBalancerMigrationOptions } from "./load-balancer-migration";
