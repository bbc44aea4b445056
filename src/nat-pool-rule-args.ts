/**
 * The Pulumi side of the NAT pool migration: `BackendPoolNatRuleArgs` for the rule that replaces
 * an inbound NAT pool declared on an azure-native `LoadBalancer`, copied 1:1 by the core's
 * `natPoolToRule`, with its warnings logged at preview.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as compute from "@pulumi/azure-native/compute";
import type * as inputs from "@pulumi/azure-native/types/input";
import type { BackendPoolNatRuleArgs } from "./backend-pool-nat-rule";
import { natPoolToRule, type MigratedNatRule, type MigrationWarning, type NatPoolScaleSet } from "./core/migration";

/** Arguments of {@link natPoolRuleArgs}. */
export interface NatPoolRuleArgsInput {
    /**
     * The inbound NAT pool as the LoadBalancer declared it (`inboundNatPools[i]`). Its settings may
     * be plain values (checked at once) or Outputs (checked when known).
     */
    natPool: pulumi.Input<inputs.network.InboundNatPoolArgs>;
    /** ARM id of the load balancer. */
    loadBalancerId: pulumi.Input<string>;
    /** ARM id of the backend pool that holds the scale set now (e.g. `be_migrated_<pool>` on the load balancer). */
    backendAddressPoolId: pulumi.Input<string>;
    /** The scale set that referenced the pool; its capacity, overprovisioning and upgrade policy are checked. */
    scaleSet: compute.VirtualMachineScaleSet;
    /** @default `natrule_migrated_<pool>`, as Microsoft's migration script names it */
    ruleName?: pulumi.Input<string>;
}

/** Stands in for a frontend id the core cannot see yet (an Output); the real Input goes to the rule. */
const PENDING_FRONTEND_ID = "(frontend IP configuration id, known at deployment)";

/**
 * `BackendPoolNatRuleArgs` equivalent to an inbound NAT pool: same frontend IP configuration,
 * protocol, frontend range (start and end copied, not recomputed), backend port, idle timeout,
 * floating IP and TCP reset, on the given backend pool and scale set. Spread it into
 * `new BackendPoolNatRule(name, { ...natPoolRuleArgs(...), frontendIpAddress })`.
 *
 * The core's warnings (a Rolling upgrade policy, a range too small for the scale set) are logged
 * with `pulumi.log.warn`; the component itself rejects a range that cannot serve the scale set.
 */
export function natPoolRuleArgs(args: NatPoolRuleArgsInput, component = "natPoolRuleArgs"): BackendPoolNatRuleArgs {
    const pool = args.natPool;
    const frontendIPConfigurationId = pulumi.output(pool).apply((p) => p.frontendIPConfiguration?.id ?? "");
    const toRule = (plain: inputs.network.InboundNatPoolArgs | pulumi.Unwrap<inputs.network.InboundNatPoolArgs>): MigratedNatRule => {
        const frontendId: unknown = (plain.frontendIPConfiguration as { id?: unknown } | undefined)?.id;
        // The core checks that the frontend id is there; its value may still be an Output, which the rule gets as is.
        const present = frontendId !== undefined && frontendId !== null && frontendId !== "";
        const readable = { ...plain, frontendIPConfiguration: present ? { id: PENDING_FRONTEND_ID } : undefined };
        return natPoolToRule(readable, [], { source: component, backendAddressPoolId: "(given)" }).rule;
    };
    // Plain settings are checked now, so a bad pool fails before anything is registered.
    const rule: pulumi.Output<MigratedNatRule> | MigratedNatRule = isPlain(pool) ? toRule(pool) : pulumi.output(pool).apply(toRule);
    const field = <K extends keyof MigratedNatRule>(key: K): pulumi.Input<NonNullable<MigratedNatRule[K]>> | undefined =>
        pulumi.Output.isInstance(rule)
            ? (rule as pulumi.Output<MigratedNatRule>).apply((r) => r[key] as NonNullable<MigratedNatRule[K]>)
            : ((rule as MigratedNatRule)[key] as NonNullable<MigratedNatRule[K]> | undefined);

    logWarnings(pool, args.scaleSet, component);
    return {
        loadBalancerId: args.loadBalancerId,
        frontendIPConfigurationId,
        backendAddressPoolId: args.backendAddressPoolId,
        frontendPortRangeStart: field("frontendPortRangeStart") as pulumi.Input<number>,
        frontendPortRangeEnd: field("frontendPortRangeEnd"),
        backendPort: field("backendPort") as pulumi.Input<number>,
        protocol: field("protocol"),
        idleTimeoutInMinutes: field("idleTimeoutInMinutes"),
        enableFloatingIP: field("enableFloatingIP"),
        enableTcpReset: field("enableTcpReset"),
        ruleName: args.ruleName ?? field("name"),
        scaleSet: args.scaleSet,
    };
}

/** Whether every setting the core reads is a plain value (the frontend id may still be an Output). */
function isPlain(pool: pulumi.Input<inputs.network.InboundNatPoolArgs>): pool is inputs.network.InboundNatPoolArgs {
    if (pulumi.Output.isInstance(pool) || pool instanceof Promise) return false;
    const p = pool as unknown as Record<string, unknown>;
    const settings = ["name", "frontendIPConfiguration", "protocol", "frontendPortRangeStart", "frontendPortRangeEnd", "backendPort", "idleTimeoutInMinutes", "enableFloatingIP", "enableTcpReset"];
    return settings.every((key) => !pulumi.Output.isInstance(p[key]) && !(p[key] instanceof Promise));
}

/** Logs the core's warnings about the pool and its scale set once their values are known. */
function logWarnings(pool: pulumi.Input<inputs.network.InboundNatPoolArgs>, scaleSet: compute.VirtualMachineScaleSet, component: string): void {
    pulumi
        .all([pool, scaleSet.name, scaleSet.urn, scaleSet.sku, scaleSet.overprovision, scaleSet.upgradePolicy])
        .apply(([p, name, urn, sku, overprovision, upgradePolicy]) => {
            const known: NatPoolScaleSet = {
                // The Azure name, else the Pulumi name (the last part of the URN).
                name: name ?? urn.slice(urn.lastIndexOf("::") + 2),
                ...(sku?.capacity !== undefined ? { capacity: sku.capacity } : {}),
                ...(overprovision !== undefined ? { overprovision } : {}),
                ...(upgradePolicy?.mode !== undefined ? { upgradePolicyMode: upgradePolicy.mode } : {}),
            };
            let warnings: MigrationWarning[];
            try {
                warnings = natPoolToRule({ ...p, frontendIPConfiguration: { id: p.frontendIPConfiguration?.id ?? PENDING_FRONTEND_ID } }, [known],
                    { source: component, backendAddressPoolId: "(given)" }).warnings;
            } catch {
                return; // a bad pool is reported by natPoolRuleArgs itself
            }
            for (const w of warnings) {
                // An unknown upgrade policy here only means the program leaves it to Azure's default (Manual).
                if (w.code === "UpgradePolicyUnknown" || w.code === "CapacityUnknown") continue;
                void pulumi.log.warn(`${component}: ${w.message}`, scaleSet);
            }
        });
}
