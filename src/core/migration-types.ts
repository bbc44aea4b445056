/** The shapes of a NAT pool migration: the pool, its scale sets, the rule replacing it and the plan's warnings. */
import type { Protocol } from "./types";

export const MIGRATED_RULE_PREFIX = "natrule_migrated_";
/** ... and the backend pool holding the pool's scale sets `be_migrated_P`. */
export const MIGRATED_BACKEND_POOL_PREFIX = "be_migrated_";
/** A legacy NAT pool's range may end at 65535; a NAT rule's may not (loadBalancer.json). */
export const MAX_NAT_POOL_FRONTEND_PORT = 65535;

/** The settings of a NAT pool, which the rule replacing it copies unchanged. */
export interface NatPoolSettings {
    frontendIPConfigurationId: string;
    protocol: Protocol;
    frontendPortRangeStart: number;
    /** Inclusive; up to 65535 for a pool. Copied from the pool, never recomputed. */
    frontendPortRangeEnd: number;
    backendPort: number;
    idleTimeoutInMinutes?: number;
    enableFloatingIP?: boolean;
    enableTcpReset?: boolean;
}

/** An inbound NAT pool, read and checked. */
export interface InboundNatPool extends NatPoolSettings {
    name: string;
    /** ARM id, when read from a deployed load balancer. */
    id?: string;
}

/** A scale set that references a NAT pool, as far as it is known. */
export interface NatPoolScaleSet {
    /** Scale set name; instance labels in the port list are `<name>/<instance id>`. */
    name: string;
    id?: string;
    /** `sku.capacity`. @default the number of `instanceIds`, else 0 */
    capacity?: number;
    /** Azure's default (unset) is on; the port demand counts ×2 then. */
    overprovision?: boolean;
    /** `upgradePolicy.mode`: Manual, Automatic or Rolling. */
    upgradePolicyMode?: string;
    /** Instance ids, when known. @default "0" .. capacity - 1 (a new scale set's ids) */
    instanceIds?: readonly string[];
    /** NAT pool ids its model references (read from its JSON); used to match scale sets to pools. */
    natPoolIds?: readonly string[];
}

/** One instance's frontend port observed on Azure (the pool's per-instance NAT rules). */
export interface ObservedNatPoolPort {
    scaleSet: string;
    instance: string;
    frontendPort: number;
}

export interface NatPoolToRuleOptions {
    /** @default `natrule_migrated_<pool>` */
    ruleName?: string;
    /** @default `be_migrated_<pool>` */
    backendPoolName?: string;
    /** @default `<load balancer id>/backendAddressPools/<backendPoolName>` */
    backendAddressPoolId?: string;
    /** @default taken from the pool's id or its frontend IP configuration id */
    loadBalancerId?: string;
    /** Real ports of the pool's instances, used instead of the model for "before". */
    observedPorts?: readonly ObservedNatPoolPort[];
    /** Who is asking, quoted in errors (a file name, a command). @default "natPoolToRule" */
    source?: string;
}

/** The backend-pool rule that replaces a NAT pool, in the terms of `BackendPoolNatRuleArgs`. */
export interface MigratedNatRule extends NatPoolSettings {
    /** Rule name in Azure. */
    name: string;
    /** Backend pool to create for the pool's scale sets (Microsoft's script: `be_migrated_<pool>`). */
    backendPoolName: string;
    backendAddressPoolId: string;
    loadBalancerId: string;
}

/** Where a "before" port comes from: the pool's per-instance NAT rules on Azure, or our model. */
export type PortBeforeSource = "azure" | "model";

/** One instance's frontend port under the pool and under the new rule. */
export interface InstancePortChange {
    scaleSet: string;
    instance: string;
    /** Undefined when the pool's range has no port for it. */
    before?: number;
    beforeSource: PortBeforeSource;
    /** Undefined when the rule's range has no port for it (see the RangeTooSmall warning). */
    after?: number;
    changed: boolean;
}

export type MigrationWarningCode =
    /** The range holds fewer ports than the scale sets need (×2 while overprovisioning). */
    | "RangeTooSmall"
    /** A scale set's upgrade policy is Rolling; Microsoft's script needs Manual or Automatic. */
    | "RollingUpgradePolicy"
    /** A scale set's upgrade policy is not known. */
    | "UpgradePolicyUnknown"
    /** Some instances get another frontend port. */
    | "PortsChange"
    /** No scale set is known to reference the pool. */
    | "NoScaleSet"
    /** A scale set's capacity is not known; its demand is counted from the instances seen. */
    | "CapacityUnknown"
    /** The copied settings break a NAT rule bound (e.g. a range ending at 65535). */
    | "RuleInvalid"
    /** The rule or backend pool name is already taken on the load balancer. */
    | "NameTaken"
    /** The load balancer is not Standard SKU; backend-pool rules need Standard. */
    | "NotStandardSku"
    /** The scale sets could not be read; capacities and upgrade policies are unchecked. */
    | "ScaleSetsUnread";

export interface MigrationWarning {
    code: MigrationWarningCode;
    /** The NAT pool the warning is about, when it is about one. */
    natPool?: string;
    scaleSet?: string;
    message: string;
}

/** The plan for one NAT pool. */
export interface NatPoolMigration {
    natPool: InboundNatPool;
    rule: MigratedNatRule;
    /** Names of the scale sets moved into the rule's backend pool, in port order. */
    scaleSets: string[];
    /** Ports demanded at once: Σ capacity, ×2 per overprovisioning scale set. */
    demand: number;
    ports: InstancePortChange[];
    warnings: MigrationWarning[];
}

/** The documented order of a NAT pool migration, one line per step (facts §7, Microsoft's script). */
export const NAT_POOL_MIGRATION_STEPS: readonly string[] = [
    "Remove the NAT pool references from each scale set's model (loadBalancerInboundNatPools) and update every instance to the new model.",
    "Delete the NAT pools from the load balancer (all of them: NAT pools and NAT rules cannot coexist on one load balancer).",
    "Create each rule's backend pool and the backend-pool NAT rule, add the scale sets to that backend pool, and update the instances again.",
];
