/** Create-or-update handlers of load balancers and their separately declared backend pools and inbound NAT rules. */
import { transportProtocol } from "../azure-bounds";
import { ARM_ERROR_CODES } from "../errors";
import { networkId } from "../ids";
import { bag, bags, flag, integer, reference, references, requiredText, tagsOf, text, type Bag } from "../resource-inputs";
import { put } from "../journal";
import { allocatePrivateIp, fail, location, parentMissing, requireResourceGroup } from "../lookups";
import { keyOf, type BackendAddressRecord, type BackendPoolRecord, type InboundNatRuleRecord, type LoadBalancerRecord, type SimulatorState } from "../model";
import { derivedNatRulesOf, isUnchangedDerivedRule, natRulesChangedWithNatPool } from "./nat-pool-rules";
import { scaleSetsReferencingNatPool } from "./checks";
import type { Handler, SimulatedResourceType } from "../resource-types";

export const LOAD_BALANCER_HANDLERS: Pick<Record<SimulatedResourceType, Handler>, "network:LoadBalancer" | "network:LoadBalancerBackendAddressPool" | "network:InboundNatRule"> = {
    "network:LoadBalancer": (s, pulumiName, inputs) => {
        const name = text("load balancer", "loadBalancerName", inputs.loadBalancerName) ?? pulumiName;
        const owner = `load balancer ${name}`;
        const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
        const newId = networkId(s.subscriptionId, rg.name, "loadBalancers", name);
        const existing = s.loadBalancers[keyOf(newId)];
        const id = existing?.id ?? newId;
        // Basic SKU load balancers retired on 30 September 2025, so an unset SKU means Standard.
        const sku = text(owner, "sku.name", bag(inputs.sku)?.name) ?? existing?.sku ?? "Standard";

        const frontends = bags(owner, "frontendIPConfigurations", inputs.frontendIPConfigurations).map((fe, i) => {
            const feName = requiredText(owner, `frontendIPConfigurations[${i}].name`, fe.name);
            const feId = `${id}/frontendIPConfigurations/${feName}`;
            const old = existing?.frontendIPConfigurations.find((o) => keyOf(o.id) === keyOf(feId));
            const subnetId = reference(owner, `frontendIPConfigurations[${i}].subnet`, fe.subnet);
            const publicIPAddressId = reference(owner, `frontendIPConfigurations[${i}].publicIPAddress`, fe.publicIPAddress);
            const givenPrivate = text(owner, `frontendIPConfigurations[${i}].privateIPAddress`, fe.privateIPAddress);
            const privateIPAddress = publicIPAddressId
                ? undefined
                : givenPrivate ?? (old?.subnetId === subnetId ? old?.privateIPAddress : undefined) ?? (subnetId ? allocatePrivateIp(s, feId, subnetId) : undefined);
            return {
                id: feId,
                name: feName,
                publicIPAddressId,
                subnetId,
                privateIPAddress,
                privateIPAllocationMethod: givenPrivate ? "Static" : (text(owner, "privateIPAllocationMethod", fe.privateIPAllocationMethod) ?? "Dynamic"),
            };
        });

        const inlinePools = bags(owner, "backendAddressPools", inputs.backendAddressPools).map((p, i) =>
            backendPool(owner, id, requiredText(owner, `backendAddressPools[${i}].name`, p.name), p.loadBalancerBackendAddresses, false));
        const keptPools = (existing?.backendAddressPools ?? []).filter((o) => o.standalone && !inlinePools.some((n) => keyOf(n.id) === keyOf(o.id)));

        // Present before this PUT: a pool and new rules sent together meet the spec's exclusion in reconcile instead.
        const natPoolPresent = (existing?.inboundNatPools.length ?? 0) > 0;
        const derived = existing ? derivedNatRulesOf(s, existing) : [];
        const inlineRules = bags(owner, "inboundNatRules", inputs.inboundNatRules).flatMap((r, i) => {
            const ruleName = requiredText(owner, `inboundNatRules[${i}].name`, r.name);
            const old = existing?.inboundNatRules.find((o) => o.name.toLowerCase() === ruleName.toLowerCase());
            const record = natRule(`inbound NAT rule ${ruleName} of ${owner}`, id, ruleName, r, false, old);
            // A read-modify-write PUT sends the pool's derived rules back; unchanged they are accepted and stay derived (azure-docs#59705).
            const derivedRule = derived.find((d) => d.name.toLowerCase() === ruleName.toLowerCase());
            if (derivedRule && isUnchangedDerivedRule(derivedRule, record)) return [];
            if (existing && natPoolPresent && (derivedRule || !(old && sameRule(old, record)))) throw natRulesChangedWithNatPool(existing);
            return [record];
        });
        // Rules and pools declared as separate resources survive a re-declared parent.
        const keptRules = (existing?.inboundNatRules ?? []).filter((o) => o.standalone && !inlineRules.some((n) => keyOf(n.id) === keyOf(o.id)));

        const natPools = bags(owner, "inboundNatPools", inputs.inboundNatPools).map((p, i) => {
            const poolName = requiredText(owner, `inboundNatPools[${i}].name`, p.name);
            const o = `inbound NAT pool ${poolName} of ${owner}`;
            return {
                id: `${id}/inboundNatPools/${poolName}`,
                name: poolName,
                frontendIPConfigurationId: reference(o, "frontendIPConfiguration", p.frontendIPConfiguration),
                protocol: transportProtocol(p.protocol) ?? String(p.protocol),
                frontendPortRangeStart: integer(o, "frontendPortRangeStart", p.frontendPortRangeStart),
                frontendPortRangeEnd: integer(o, "frontendPortRangeEnd", p.frontendPortRangeEnd),
                backendPort: integer(o, "backendPort", p.backendPort),
                idleTimeoutInMinutes: integer(o, "idleTimeoutInMinutes", p.idleTimeoutInMinutes) ?? 4,
                enableFloatingIP: flag(o, "enableFloatingIP", p.enableFloatingIP) ?? false,
                enableTcpReset: flag(o, "enableTcpReset", p.enableTcpReset) ?? false,
            };
        });
        for (const removed of existing?.inboundNatPools ?? []) {
            if (natPools.some((p) => keyOf(p.id) === keyOf(removed.id))) continue;
            const users = scaleSetsReferencingNatPool(s, removed.id);
            if (users.length > 0) {
                throw fail(
                    ARM_ERROR_CODES.natPoolInUse,
                    400,
                    `Cannot remove inbound nat pool ${removed.name} from load balancer since it is in use by virtual machine scale set ${users.map((u) => u.id).join(", ")}.`,
                );
            }
        }

        const probes = bags(owner, "probes", inputs.probes).map((p, i) => {
            const probeName = requiredText(owner, `probes[${i}].name`, p.name);
            const o = `probe ${probeName} of ${owner}`;
            return {
                id: `${id}/probes/${probeName}`,
                name: probeName,
                protocol: text(o, "protocol", p.protocol) ?? "Tcp",
                port: integer(o, "port", p.port),
                requestPath: text(o, "requestPath", p.requestPath),
                intervalInSeconds: integer(o, "intervalInSeconds", p.intervalInSeconds) ?? 15,
                numberOfProbes: integer(o, "numberOfProbes", p.numberOfProbes) ?? 2,
            };
        });

        const lbRules = bags(owner, "loadBalancingRules", inputs.loadBalancingRules).map((r, i) => {
            const ruleName = requiredText(owner, `loadBalancingRules[${i}].name`, r.name);
            const o = `load-balancing rule ${ruleName} of ${owner}`;
            const pools = references(o, "backendAddressPools", r.backendAddressPools);
            return {
                id: `${id}/loadBalancingRules/${ruleName}`,
                name: ruleName,
                frontendIPConfigurationId: reference(o, "frontendIPConfiguration", r.frontendIPConfiguration),
                backendAddressPoolId: reference(o, "backendAddressPool", r.backendAddressPool) ?? pools[0],
                probeId: reference(o, "probe", r.probe),
                protocol: transportProtocol(r.protocol) ?? String(r.protocol),
                frontendPort: integer(o, "frontendPort", r.frontendPort),
                backendPort: integer(o, "backendPort", r.backendPort),
                enableFloatingIP: flag(o, "enableFloatingIP", r.enableFloatingIP) ?? false,
                enableTcpReset: flag(o, "enableTcpReset", r.enableTcpReset) ?? false,
                idleTimeoutInMinutes: integer(o, "idleTimeoutInMinutes", r.idleTimeoutInMinutes) ?? 4,
                disableOutboundSnat: flag(o, "disableOutboundSnat", r.disableOutboundSnat) ?? false,
                loadDistribution: text(o, "loadDistribution", r.loadDistribution) ?? "Default",
            };
        });

        put(s, "loadBalancers", keyOf(id), {
            id,
            name: existing?.name ?? name,
            resourceGroup: rg.name,
            location: location(inputs, owner, existing, rg),
            tags: tagsOf(owner, inputs.tags),
            sku,
            frontendIPConfigurations: frontends,
            backendAddressPools: [...inlinePools, ...keptPools],
            inboundNatRules: [...inlineRules, ...keptRules],
            inboundNatPools: natPools,
            loadBalancingRules: lbRules,
            probes,
        });
        return id;
    },

    "network:LoadBalancerBackendAddressPool": (s, pulumiName, inputs) => {
        const name = text("backend address pool", "backendAddressPoolName", inputs.backendAddressPoolName) ?? text("backend address pool", "name", inputs.name) ?? pulumiName;
        const lb = requireParentLoadBalancer(s, `backendAddressPools/${name}`, inputs);
        const record = backendPool(`backend address pool ${name}`, lb.id, name, inputs.loadBalancerBackendAddresses, true);
        const old = lb.backendAddressPools.find((o) => keyOf(o.id) === keyOf(record.id));
        put(s, "loadBalancers", keyOf(lb.id), { ...lb, backendAddressPools: old ? lb.backendAddressPools.map((o) => (o === old ? record : o)) : [...lb.backendAddressPools, record] });
        return record.id;
    },

    "network:InboundNatRule": (s, pulumiName, inputs) => {
        const name = text("inbound NAT rule", "inboundNatRuleName", inputs.inboundNatRuleName) ?? text("inbound NAT rule", "name", inputs.name) ?? pulumiName;
        const lb = requireParentLoadBalancer(s, `inboundNatRules/${name}`, inputs);
        if (lb.inboundNatPools.length > 0) throw natRulesChangedWithNatPool(lb);
        const old = lb.inboundNatRules.find((o) => o.name.toLowerCase() === name.toLowerCase());
        const record = natRule(`inbound NAT rule ${name} of load balancer ${lb.name}`, lb.id, old?.name ?? name, inputs, true, old);
        put(s, "loadBalancers", keyOf(lb.id), { ...lb, inboundNatRules: old ? lb.inboundNatRules.map((o) => (o === old ? record : o)) : [...lb.inboundNatRules, record] });
        return record.id;
    },
};

function requireParentLoadBalancer(s: SimulatorState, what: string, inputs: Bag): LoadBalancerRecord {
    const rg = requireResourceGroup(s, what, inputs.resourceGroupName);
    const lbName = requiredText(what, "loadBalancerName", inputs.loadBalancerName);
    const lbId = networkId(s.subscriptionId, rg.name, "loadBalancers", lbName);
    const lb = s.loadBalancers[keyOf(lbId)];
    if (!lb) throw parentMissing(what, lbId);
    return lb;
}

function backendPool(owner: string, lbId: string, name: string, addresses: unknown, standalone: boolean): BackendPoolRecord {
    const o = `backend address pool ${name} of ${owner}`;
    const list: BackendAddressRecord[] = bags(o, "loadBalancerBackendAddresses", addresses).map((a, i) => ({
        name: text(o, `loadBalancerBackendAddresses[${i}].name`, a.name) ?? `address-${i}`,
        ipAddress: text(o, `loadBalancerBackendAddresses[${i}].ipAddress`, a.ipAddress),
        virtualNetworkId: reference(o, `loadBalancerBackendAddresses[${i}].virtualNetwork`, a.virtualNetwork),
        subnetId: reference(o, `loadBalancerBackendAddresses[${i}].subnet`, a.subnet),
    }));
    return { id: `${lbId}/backendAddressPools/${name}`, name, addresses: list, standalone };
}

function natRule(owner: string, lbId: string, name: string, r: Bag, standalone: boolean, old: InboundNatRuleRecord | undefined): InboundNatRuleRecord {
    const protocol = text(owner, "protocol", r.protocol) ?? "Tcp";
    return {
        id: `${lbId}/inboundNatRules/${name}`,
        name,
        frontendIPConfigurationId: reference(owner, "frontendIPConfiguration", r.frontendIPConfiguration),
        backendAddressPoolId: reference(owner, "backendAddressPool", r.backendAddressPool),
        frontendPort: integer(owner, "frontendPort", r.frontendPort),
        frontendPortRangeStart: integer(owner, "frontendPortRangeStart", r.frontendPortRangeStart),
        frontendPortRangeEnd: integer(owner, "frontendPortRangeEnd", r.frontendPortRangeEnd),
        backendPort: integer(owner, "backendPort", r.backendPort),
        protocol: transportProtocol(protocol) ?? protocol,
        idleTimeoutInMinutes: integer(owner, "idleTimeoutInMinutes", r.idleTimeoutInMinutes),
        enableFloatingIP: flag(owner, "enableFloatingIP", r.enableFloatingIP) ?? false,
        enableTcpReset: flag(owner, "enableTcpReset", r.enableTcpReset) ?? false,
        standalone,
        // Survivors keep their ports: the previous mapping feeds the next allocation.
        mappings: old?.mappings ?? [],
    };
}

/** Whether a re-sent rule changes nothing ARM stores (its port mappings are ARM's, not the request's). */
function sameRule(a: InboundNatRuleRecord, b: InboundNatRuleRecord): boolean {
    const { mappings: _a, standalone: _sa, ...left } = a;
    const { mappings: _b, standalone: _sb, ...right } = b;
    return JSON.stringify(left) === JSON.stringify(right);
}
