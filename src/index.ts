/**
 * azure-nat-rules: Pulumi components for Azure Load Balancer inbound NAT rules.
 */
export { SingleVmNatRule, type SingleVmNatRuleArgs } from "./single-vm-nat-rule";
export { BackendPoolNatRule, type BackendPoolNatRuleArgs } from "./backend-pool-nat-rule";
export type { NatPortMapping, NatFrontendPortRange } from "./mapping";
export * from "./core";
