/**
 * azure-nat-rules: Pulumi components for Azure Load Balancer inbound NAT rules.
 */
// Registers azure-native's compute resources, so a scale set passed from another Pulumi language
// reaches BackendPoolNatRule as a live VirtualMachineScaleSet rather than as its bare id.
import "@pulumi/azure-native/compute";
import { installSchemaRefinementIfServed } from "./internal/schema-refinement";
// Integer ports and the documented defaults in the schema Pulumi serves for other languages.
installSchemaRefinementIfServed("azure-nat-rules");
export { SingleVmNatRule, type SingleVmNatRuleArgs } from "./single-vm-nat-rule";
export { BackendPoolNatRule, type BackendPoolNatRuleArgs } from "./backend-pool-nat-rule";
export { natPoolRuleArgs, type NatPoolRuleArgsInput } from "./migration";
export type { NatPortMapping, NatFrontendPortRange } from "./mapping";
export { readNatMappings } from "./read-nat-mappings";
export { hostEntries, formatSshConfig, ansibleInventory, formatInventoryYaml, type HostEntry, type HostNaming } from "./access";
export { StackMappingsError, DEFAULT_MAPPINGS_OUTPUT } from "./stack-mappings";
export type { NatRuleCommonArgs } from "./nat-rule-args";
export { resetNatRuleRegistry, type NatLoadBalancingRuleInfo } from "./internal/conflict-registry";
export {
    lookupPortMappings,
    readNatPoolMigrationPlan,
    listSubscriptions,
    staticTokenCredential,
    resolveArmEndpoint,
    PortMappingLookupError,
    ARM_ENDPOINTS,
    QUERY_PORT_MAPPING_ACTION,
    READ_LOAD_BALANCER_ACTION,
    type LookupPortMappingsOptions,
    type ReadNatPoolMigrationPlanOptions,
    type LookupRetryOptions,
    type PortMappingEntry,
    type PortMappingLookupResult,
    type PortMappingLookupReport,
    type UnreadMember,
    type LookupClock,
    type ArmEndpointName,
    type SubscriptionSummary,
} from "./azure";
export * from "./core";
