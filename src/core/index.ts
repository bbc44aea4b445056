/**
 * The pure core of azure-nat-rules: ranges, validation and the port model. No Pulumi import, so
 * it runs anywhere (CLI, tests, other tools).
 */
export * from "./types";
export * from "./limits";
// Not the helpers that format messages or mark unknown values: they are the library's own.
export { AzureNatRulesError, NatRuleValidationError, PortRangeExhaustedError, type ValidationIssue, type InputPropertyIssue } from "./errors";
export { normalizeProtocol, validateNatRule, validateFrontendRange, assertValidNatRule, PROTOCOLS, type NatRuleSettings } from "./validation";
export * from "./range";
export * from "./allocation";
export * from "./instances";
export * from "./planner";
export * from "./pool-plan";
export * from "./conflicts";
export * from "./security";
export {
    readInboundNatPool,
    readScaleSet,
    natPoolToRule,
    planNatPoolMigration,
    MIGRATED_RULE_PREFIX,
    MIGRATED_BACKEND_POOL_PREFIX,
    MAX_NAT_POOL_FRONTEND_PORT,
    NAT_POOL_MIGRATION_STEPS,
    type InboundNatPool,
    type NatPoolScaleSet,
    type ObservedNatPoolPort,
    type NatPoolToRuleOptions,
    type MigratedNatRule,
    type PortBeforeSource,
    type InstancePortChange,
    type MigrationWarningCode,
    type MigrationWarning,
    type NatPoolMigration,
    type LoadBalancerMigrationPlan,
    type PlanLoadBalancerMigrationOptions,
} from "./migration";
export * from "./names";
