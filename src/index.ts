/**
 * azure-nat-rules: Pulumi components for Azure Load Balancer inbound NAT rules.
 */
// Registers azure-native's compute resources, so a scale set passed from another Pulumi language
// reaches BackendPoolNatRule as a live VirtualMachineScaleSet rather than as its bare id.
import "@pulumi/azure-native/compute";
import { installSchemaRefinementIfServed } from "./package-schema/schema-refinement";
// Integer ports and the documented defaults in the schema Pulumi serves for other languages.
installSchemaRefinementIfServed("azure-nat-rules");
export { SingleVmNatRule, type SingleVmNatRuleArgs } from "./single-vm-nat-rule";
export { BackendPoolNatRule, type BackendPoolNatRuleArgs } from "./backend-pool-nat-rule";
export { natPoolRuleArgs, type NatPoolRuleArgsInput } from "./nat-pool-rule-args";
export { MIGRATED_RULE_PREFIX, MIGRATED_BACKEND_POOL_PREFIX } from "./core";
export type { NatPortMapping, NatFrontendPortRange } from "./mapping";
export { readNatMappings } from "./read-nat-mappings";
export { hostEntries, formatSshConfig, ansibleInventory, formatInventoryYaml, type HostEntry, type HostNaming } from "./access";
export { StackMappingsError, DEFAULT_MAPPINGS_OUTPUT } from "./stack-mappings";
export type { NatRuleCommonArgs, NatLoadBalancingRuleInfo } from "./nat-rule-args";
export { resetNatRuleRegistry } from "./program-registries/conflict-registry";
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
// What a program needs from the core: the range and planning it builds on, the limits it checks,
// and the errors it may catch. Everything else of the pure core is at `azure-nat-rules/core`.
export { frontendPortRange, planFrontendPorts, PROTOCOLS } from "./core";
export { MIN_PORT, MAX_FRONTEND_PORT, MAX_BACKEND_PORT, MAX_RULES_PER_LOAD_BALANCER, MAX_RULES_PER_NIC } from "./core";
export { AzureNatRulesError, NatRuleValidationError, PortRangeExhaustedError, NatRuleConflictError, FrontendPlanError } from "./core";
export type { PortRange, Protocol, PortAssignment, ValidationIssue } from "./core";
