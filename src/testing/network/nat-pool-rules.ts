/**
 * The per-instance inbound NAT rules Azure derives from an inbound NAT pool for each scale-set
 * instance whose model uses the pool. They are not records: they follow from the pools and the
 * instances, and a GET lists them among the load balancer's inboundNatRules (read-only).
 */
import { ARM_ERROR_CODES, ArmError } from "../errors";
import { keyOf, type InboundNatPoolRecord, type LoadBalancerRecord, type ScaleSetRecord, type SimulatorState } from "../model";
import { instanceIpConfigurationId, instanceNics } from "../compute/scale-sets/instance-model";

export interface DerivedNatRule {
    id: string;
    name: string;
    pool: InboundNatPoolRecord;
    frontendPort: number;
    /** The instance's ipConfiguration (the rule's read-only backendIPConfiguration). */
    backendIPConfigurationId: string;
}

const byCreation = (a: ScaleSetRecord, b: ScaleSetRecord): number => a.createdSeq - b.createdSeq;

/**
 * Derived rules of one load balancer, per pool in pool order, instances in scale-set creation and instance order.
 * Name: `<pool>.<instance id>`, or `<pool>.<instance id>.<nic>.<ipconfig>` "for more than one ipconfig/natpool combo"
 * (Azure/AzLoadBalancerMigration, NatRulesMigration.psm1, which strips `\.\d{1,4}(\..+?)?$` to find the pool;
 * PR #90 widened it because "instance IDs" can pass 999). Model: the long form is used when the instance's model
 * references the pool from more than one ipConfiguration.
 * Frontend port: model, from the pool's start + instance id (what users report: a 3-instance overprovisioned set
 * answered on 50001, 50002 and 50004, MicrosoftDocs/azure-docs#29183; the first instance "may not" be on 50000,
 * #13902); where that port is outside the range or taken, the lowest free port of the range (no source).
 * Backend port, protocol and frontend come from the pool (NatRulesMigration matches a derived rule to its pool by
 * frontend IP configuration and a frontend port inside the pool's range).
 */
export function derivedNatRules(lb: LoadBalancerRecord, scaleSets: readonly ScaleSetRecord[]): DerivedNatRule[] {
    if (lb.inboundNatPools.length === 0) return [];
    const out: DerivedNatRule[] = [];
    const ordered = [...scaleSets].sort(byCreation);
    for (const pool of lb.inboundNatPools) {
        const k = keyOf(pool.id);
        const wanted: { name: string; instanceId: number; ipConfigurationId: string }[] = [];
        for (const vmss of ordered) {
            for (const instance of vmss.instances) {
                // What the instance runs (upgrade policy Manual keeps an old model): Azure creates the rules when instances are updated
                // to a model with the pool (AzureLoadBalancerNATPoolMigration.psm1: "NAT Rules are created automatically when ... the VMSS instances are updated").
                const uses = instanceNics(vmss, instance).flatMap((nic) =>
                    nic.ipConfigurations.filter((ip) => ip.loadBalancerInboundNatPoolIds.some((p) => keyOf(p) === k)).map((ip) => ({ nic: nic.name, ip: ip.name })));
                for (const use of uses) {
                    wanted.push({
                        name: uses.length > 1 ? `${pool.name}.${instance.instanceId}.${use.nic}.${use.ip}` : `${pool.name}.${instance.instanceId}`,
                        instanceId: Number(instance.instanceId),
                        ipConfigurationId: instanceIpConfigurationId(vmss, instance, use.nic, use.ip),
                    });
                }
            }
        }
        const start = pool.frontendPortRangeStart as number;
        const end = pool.frontendPortRangeEnd as number;
        const taken = new Set<number>();
        const ports = wanted.map((w) => {
            const preferred = start + w.instanceId;
            if (Number.isInteger(preferred) && preferred <= end && !taken.has(preferred)) {
                taken.add(preferred);
                return preferred;
            }
            return undefined;
        });
        let next = start;
        wanted.forEach((w, i) => {
            let port = ports[i];
            if (port === undefined) {
                while (next <= end && taken.has(next)) next++;
                if (next > end) return; // No port left: NAT pool capacity is checked on the change (reconcile).
                port = next;
                taken.add(port);
            }
            out.push({ id: `${lb.id}/inboundNatRules/${w.name}`, name: w.name, pool, frontendPort: port, backendIPConfigurationId: w.ipConfigurationId });
        });
    }
    return out;
}

/** The derived rules of a load balancer from every scale set (the filter on pool use is in `derivedNatRules`). */
export function derivedNatRulesOf(state: SimulatorState, lb: LoadBalancerRecord): DerivedNatRule[] {
    return lb.inboundNatPools.length === 0 ? [] : derivedNatRules(lb, Object.values(state.virtualMachineScaleSets));
}

/**
 * ARM's refusal of a NAT rule added, changed or deleted on a load balancer with a NAT pool: code and message quoted in
 * MicrosoftDocs/azure-docs#59705. A delete is refused the same way (model: the docs page update-load-balancer-with-vm-scale-set
 * says "Individual inbound NAT rules can't be deleted"; no source shows the code of that answer).
 */
export function natRulesChangedWithNatPool(lb: LoadBalancerRecord): ArmError {
    return new ArmError(
        ARM_ERROR_CODES.natRulesChangedWithNatPool,
        400,
        `Adding or updating NAT Rules when NAT pool is present on loadbalancer ${lb.id} is not supported. ` +
            "To modify the load balancer, pass in all NAT rules unchanged or remove the LoadBalancerInboundNatRules property from your PUT request.",
    );
}

/** Whether a rule sent back in a load balancer PUT is a derived rule as a GET showed it ("pass in all NAT rules unchanged"). */
export function isUnchangedDerivedRule(rule: DerivedNatRule, sent: { frontendPort?: number; backendPort?: number; protocol?: string; frontendIPConfigurationId?: string }): boolean {
    const same = <T>(given: T | undefined, have: T, eq: (a: T, b: T) => boolean = (a, b) => a === b): boolean => given === undefined || eq(given, have);
    const ci = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
    return same(sent.frontendPort, rule.frontendPort) &&
        same(sent.backendPort, rule.pool.backendPort as number) &&
        same(sent.protocol, rule.pool.protocol, ci) &&
        same(sent.frontendIPConfigurationId, rule.pool.frontendIPConfigurationId ?? "", ci);
}
