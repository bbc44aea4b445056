/** A whole load balancer: the migration plan of every inbound NAT pool it has. */
import { armProperty, asArray, isObject, refId, summarize, type Json } from "./arm-json";
import { lastSegment, sameArmId, scaleSetMemberOf } from "./arm-ids";
import { NatRuleValidationError } from "./errors";
import type { InboundNatPool, MigrationWarning, MigrationWarningCode, NatPoolMigration, NatPoolScaleSet, ObservedNatPoolPort } from "./migration-types";
import { readInboundNatPool, readScaleSet } from "./nat-pool-read";
import { natPoolToRule } from "./nat-pool-to-rule";

/** The plan for every NAT pool of one load balancer. */
export interface LoadBalancerMigrationPlan {
    loadBalancer: { name: string; id: string; sku?: string };
    migrations: NatPoolMigration[];
    /** Every warning: the load balancer's own, then each pool's. */
    warnings: MigrationWarning[];
}

export interface PlanLoadBalancerMigrationOptions {
    /**
     * Scale sets: their ARM JSON, or `NatPoolScaleSet`s with `natPoolIds` (as `readScaleSet` gives);
     * each joins the pools its model references.
     */
    scaleSets?: readonly unknown[];
    /** Set when the scale sets could not be read at all (e.g. no permission); becomes a warning. */
    scaleSetsUnread?: string;
    /** Quoted in errors (a file name, a command). @default "planNatPoolMigration" */
    source?: string;
}

/**
 * The plan for every inbound NAT pool of a load balancer, from its JSON in either shape (ARM's
 * `properties`-nested or az's flattened). Scale sets come from `options.scaleSets`; a scale set
 * seen only through the pool's per-instance NAT rules (`<pool>.<n>`, which Azure creates for a
 * pool's instances) is taken with the instances and ports those rules show.
 */
export function planNatPoolMigration(loadBalancer: unknown, options: PlanLoadBalancerMigrationOptions = {}): LoadBalancerMigrationPlan {
    const source = options.source ?? "planNatPoolMigration";
    if (!isObject(loadBalancer)) {
        throw new NatRuleValidationError(source, [{ field: "(top level)", value: Array.isArray(loadBalancer) ? "<array>" : loadBalancer,
            allowed: "one load balancer object", fix: "pass what `az network lb show -g <group> -n <name>` prints" }]);
    }
    const name = armProperty(loadBalancer, "name");
    const id = armProperty(loadBalancer, "id");
    const looksLikeLoadBalancer = typeof name === "string" && (
        armProperty(loadBalancer, "frontendIPConfigurations") !== undefined ||
        armProperty(loadBalancer, "inboundNatPools") !== undefined ||
        /loadBalancers/i.test(String(armProperty(loadBalancer, "type") ?? id ?? "")));
    if (!looksLikeLoadBalancer) {
        throw new NatRuleValidationError(source, [{ field: "(top level)", value: summarize(loadBalancer),
            allowed: "a load balancer: an object with name and frontendIPConfigurations (or properties.frontendIPConfigurations)",
            fix: "pass what `az network lb show -g <group> -n <name>` prints" }]);
    }
    const rawPools = armProperty(loadBalancer, "inboundNatPools");
    if (rawPools !== undefined && !Array.isArray(rawPools)) {
        throw new NatRuleValidationError(source, [{ field: "inboundNatPools", value: summarize(rawPools), allowed: "an array", fix: "pass the load balancer's JSON unchanged" }]);
    }
    const lbId = typeof id === "string" ? id : "";
    const sku = armProperty(armProperty(loadBalancer, "sku"), "name");
    const pools = (rawPools ?? []).map((p, i) => readInboundNatPool(p, source, `inboundNatPools[${i}]`));

    const scaleSets = (options.scaleSets ?? []).map((s, i) => (isScaleSetRead(s) ? s : readScaleSet(s, source, `scaleSets[${i}]`)));
    const observed = observedPortsOf(loadBalancer, pools);
    const warnings: MigrationWarning[] = [];
    if (pools.length > 0 && typeof sku === "string" && sku.toLowerCase() !== "standard") {
        warnings.push({ code: "NotStandardSku", message: `load balancer ${name}: SKU ${sku}; backend-pool NAT rules need a Standard load balancer. ` +
            "Fix: upgrade it to Standard first (Microsoft's Basic-to-Standard upgrade guidance), then migrate the pools." });
    }
    if (pools.length > 0 && options.scaleSetsUnread) {
        warnings.push({ code: "ScaleSetsUnread", message: `load balancer ${name}: the scale sets could not be read (${options.scaleSetsUnread}); ` +
            "capacities and upgrade policies are unchecked." });
    }
    const takenRules = new Set(asArray(armProperty(loadBalancer, "inboundNatRules")).map((r) => String(armProperty(r, "name") ?? "").toLowerCase()));
    const takenPools = new Set(asArray(armProperty(loadBalancer, "backendAddressPools")).map((p) => String(armProperty(p, "name") ?? "").toLowerCase()));

    const migrations = pools.map((pool) => {
        const referencing: NatPoolScaleSet[] = scaleSets.filter((s) => (s.natPoolIds ?? []).some((poolId) => sameArmId(poolId, pool.id) ||
            (pool.id === undefined && lastSegment(poolId).toLowerCase() === pool.name.toLowerCase())));
        const seen = observed.get(pool.name.toLowerCase()) ?? [];
        // Scale sets seen only through the pool's per-instance rules: their instances, nothing else.
        for (const scaleSetName of [...new Set(seen.map((o) => o.scaleSet))]) {
            const known = referencing.find((s) => s.name.toLowerCase() === scaleSetName.toLowerCase());
            const instanceIds = seen.filter((o) => o.scaleSet === scaleSetName).map((o) => o.instance);
            if (known) {
                if (known.instanceIds === undefined) referencing[referencing.indexOf(known)] = { ...known, instanceIds };
            } else {
                referencing.push({ name: scaleSetName, instanceIds });
            }
        }
        const migration = natPoolToRule(pool, referencing, { loadBalancerId: lbId || undefined, observedPorts: seen, source });
        if (takenRules.has(migration.rule.name.toLowerCase())) {
            migration.warnings.push({ code: "NameTaken", natPool: pool.name, message: `NAT pool ${pool.name}: load balancer ${name} already has an inbound NAT rule named ${migration.rule.name}. Fix: pick another rule name.` });
        }
        if (takenPools.has(migration.rule.backendPoolName.toLowerCase())) {
            migration.warnings.push({ code: "NameTaken", natPool: pool.name, message: `NAT pool ${pool.name}: load balancer ${name} already has a backend pool named ${migration.rule.backendPoolName}. ` +
                "Fix: reuse it only if it holds exactly the pool's scale sets, else pick another name." });
        }
        return migration;
    });
    return {
        loadBalancer: { name: name as string, id: lbId, ...(typeof sku === "string" ? { sku } : {}) },
        migrations,
        warnings: [...warnings, ...dedupeScaleSetWarnings(migrations.flatMap((m) => m.warnings))],
    };
}

/** A scale set's own warning (its upgrade policy, its capacity) once, however many of its pools repeat it. */
function dedupeScaleSetWarnings(warnings: readonly MigrationWarning[]): MigrationWarning[] {
    const perScaleSet: readonly MigrationWarningCode[] = ["RollingUpgradePolicy", "UpgradePolicyUnknown", "CapacityUnknown"];
    const seen = new Set<string>();
    const result: MigrationWarning[] = [];
    for (const w of warnings) {
        if (w.scaleSet === undefined || !perScaleSet.includes(w.code)) {
            result.push(w);
            continue;
        }
        const key = `${w.code}\n${w.scaleSet.toLowerCase()}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const { natPool: _pool, ...rest } = w;
        result.push({ ...rest, message: w.message.replace(/^NAT pool [^:]*: /, "") });
    }
    return result;
}

function isScaleSetRead(value: unknown): value is NatPoolScaleSet {
    return isObject(value) && Array.isArray(value.natPoolIds) && typeof value.name === "string" && !("properties" in value);
}

/**
 * Ports the pools gave their instances, from the per-instance NAT rules Azure creates for a pool
 * (named `<pool>.<n>`, each with a scale-set instance's ipConfiguration as backend), keyed by the
 * lower-cased pool name.
 */
function observedPortsOf(loadBalancer: Json, pools: readonly InboundNatPool[]): Map<string, ObservedNatPoolPort[]> {
    const result = new Map<string, ObservedNatPoolPort[]>();
    for (const rule of asArray(armProperty(loadBalancer, "inboundNatRules"))) {
        const ruleName = armProperty(rule, "name");
        const frontendPort = armProperty(rule, "frontendPort");
        const backend = refId(armProperty(rule, "backendIPConfiguration"));
        if (typeof ruleName !== "string" || typeof frontendPort !== "number" || typeof backend !== "string") continue;
        const member = scaleSetMemberOf(backend);
        if (!member) continue;
        const pool = pools.find((p) => ruleName.toLowerCase().startsWith(`${p.name.toLowerCase()}.`) &&
            frontendPort >= p.frontendPortRangeStart && frontendPort <= p.frontendPortRangeEnd);
        if (!pool) continue;
        const list = result.get(pool.name.toLowerCase()) ?? [];
        list.push({ scaleSet: member.scaleSet, instance: member.instance, frontendPort });
        result.set(pool.name.toLowerCase(), list);
    }
    return result;
}
