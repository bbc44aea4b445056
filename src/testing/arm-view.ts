/**
 * The simulator state as ARM returns it: the JSON of `GET` on any simulated resource, in the same
 * shape `az ... show` prints, and a router from a request path to that JSON.
 */
import { compact, etag, guidFor, ref, refs, SUCCEEDED, type Json } from "./arm-json";
import { isV2 } from "./network/checks";
import { backendMembers, backendMembersOf, type BackendMember } from "./network/backend-members";
import { scaleSetJson, scaleSetVmJson, scaleSetVmNicJson, virtualMachineJson } from "./compute/views";
import { ARM_ERROR_CODES, ArmError } from "./errors";
import { parentOf, resourceGroupId } from "./ids";
import { loadBalancersOfScaleSet, type Membership } from "./network/membership";
import {
    keyOf,
    type BackendPoolRecord,
    type FrontendIpConfigurationRecord,
    type InboundNatRuleRecord,
    type LoadBalancerRecord,
    type ScaleSetRecord,
    type SimulatorState,
} from "./model";
import { derivedNatRules, derivedNatRulesOf, type DerivedNatRule } from "./network/nat-pool-rules";
import { networkInterfaceJson, networkSecurityGroupJson, resourceGroupJson, subnetJson, virtualNetworkJson } from "./network/views";
import { instanceNics } from "./compute/scale-sets/instance-model";

/** One V2 mapping as the pool GET embeds it and the query API returns it. */
export interface MemberPortMapping {
    inboundNatRuleName: string;
    protocol: string;
    frontendPort: number;
    backendPort: number;
}

function notFound(what: string, rg: string): ArmError {
    return new ArmError(
        ARM_ERROR_CODES.resourceNotFound,
        404,
        `The Resource '${what}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
}

export class ArmView {
    private members?: Map<string, BackendMember[]>;
    private readonly membersByPool = new Map<string, BackendMember[]>();
    /** Per load balancer key (one entry, "", without a membership index). */
    private readonly natRuleBackends = new Map<string, Map<string, string>>();

    /** With `membership`, a read looks only at the NICs and scale sets using the load balancer it reads. */
    constructor(readonly state: SimulatorState, private readonly membership?: Membership) {}

    /** Members of a backend pool, in port-assignment order. */
    membersOf(poolId: string): BackendMember[] {
        const k = keyOf(poolId);
        if (this.membership) {
            let list = this.membersByPool.get(k);
            if (!list) this.membersByPool.set(k, (list = backendMembersOf(this.state, this.membership, poolId)));
            return list;
        }
        this.members ??= backendMembers(this.state);
        return this.members.get(k) ?? [];
    }

    /** For V1 rules: the NIC ipConfiguration that references the rule (ARM's read-only backendIPConfiguration). */
    private backendOfNatRule(ruleId: string): string | undefined {
        const lbKey = this.membership ? keyOf(parentOf(ruleId)) : "";
        let backends = this.natRuleBackends.get(lbKey);
        if (!backends) {
            this.natRuleBackends.set(lbKey, (backends = new Map()));
            const nics = this.membership
                ? [...this.membership.nicsOf(lbKey)].map((k) => this.state.networkInterfaces[k]).filter((n) => n !== undefined)
                : Object.values(this.state.networkInterfaces);
            for (const nic of nics) {
                for (const ip of nic.ipConfigurations) {
                    for (const r of ip.loadBalancerInboundNatRuleIds) backends.set(keyOf(r), ip.id);
                }
            }
        }
        return backends.get(keyOf(ruleId));
    }

    private readonly portMappingsByPool = new Map<string, Map<string, MemberPortMapping[]>>();

    /** V2 mappings of one pool, per member key. */
    poolPortMappings(lb: LoadBalancerRecord, poolId: string): Map<string, MemberPortMapping[]> {
        const cached = this.portMappingsByPool.get(keyOf(poolId));
        if (cached) return cached;
        const byMember = new Map<string, MemberPortMapping[]>();
        this.portMappingsByPool.set(keyOf(poolId), byMember);
        for (const rule of lb.inboundNatRules) {
            if (!isV2(rule) || keyOf(rule.backendAddressPoolId as string) !== keyOf(poolId)) continue;
            for (const m of rule.mappings) {
                let list = byMember.get(m.member);
                if (!list) byMember.set(m.member, (list = []));
                list.push({ inboundNatRuleName: rule.name, protocol: rule.protocol, frontendPort: m.frontendPort, backendPort: rule.backendPort as number });
            }
        }
        return byMember;
    }

    publicIPAddress(key: string): Json {
        const ip = this.state.publicIPAddresses[key];
        const user = Object.values(this.state.loadBalancers)
            .flatMap((lb) => lb.frontendIPConfigurations)
            .find((fe) => fe.publicIPAddressId && keyOf(fe.publicIPAddressId) === key);
        return compact({
            id: ip.id,
            name: ip.name,
            type: "Microsoft.Network/publicIPAddresses",
            location: ip.location,
            tags: ip.tags,
            etag: etag(ip.id),
            sku: { name: ip.sku, tier: "Regional" },
            properties: compact({
                provisioningState: SUCCEEDED,
                resourceGuid: guidFor(ip.id),
                ipAddress: ip.ipAddress,
                publicIPAddressVersion: "IPv4",
                publicIPAllocationMethod: ip.allocationMethod,
                idleTimeoutInMinutes: ip.idleTimeoutInMinutes,
                ipConfiguration: ref(user?.id),
            }),
        });
    }

    /** `derived`: the load balancer's NAT-pool rules, which the frontend lists among its inboundNatRules as it lists records. */
    frontendIPConfiguration(lb: LoadBalancerRecord, fe: FrontendIpConfigurationRecord, derived: DerivedNatRule[] = this.derivedNatRules(lb)): Json {
        const k = keyOf(fe.id);
        const uses = <T extends { id: string; frontendIPConfigurationId?: string }>(list: T[]): { id: string }[] | undefined => {
            const ids = list.filter((r) => r.frontendIPConfigurationId && keyOf(r.frontendIPConfigurationId) === k).map((r) => r.id);
            return ids.length > 0 ? refs(ids) : undefined;
        };
        return {
            id: fe.id,
            name: fe.name,
            type: "Microsoft.Network/loadBalancers/frontendIPConfigurations",
            etag: etag(lb.id),
            properties: compact({
                provisioningState: SUCCEEDED,
                privateIPAddress: fe.privateIPAddress,
                privateIPAllocationMethod: fe.privateIPAllocationMethod,
                publicIPAddress: ref(fe.publicIPAddressId),
                subnet: ref(fe.subnetId),
                inboundNatRules: uses([...lb.inboundNatRules, ...derived.map((r) => ({ id: r.id, frontendIPConfigurationId: r.pool.frontendIPConfigurationId }))]),
                inboundNatPools: uses(lb.inboundNatPools),
                loadBalancingRules: uses(lb.loadBalancingRules),
            }),
        };
    }

    backendAddressPool(lb: LoadBalancerRecord, pool: BackendPoolRecord): Json {
        const members = this.membersOf(pool.id);
        const mappings = this.poolPortMappings(lb, pool.id);
        const k = keyOf(pool.id);
        const lbRules = lb.loadBalancingRules.filter((r) => r.backendAddressPoolId && keyOf(r.backendAddressPoolId) === k).map((r) => r.id);
        const natRules = lb.inboundNatRules.filter((r) => r.backendAddressPoolId && keyOf(r.backendAddressPoolId) === k).map((r) => r.id);
        const ipMembers = new Map(pool.addresses.map((a) => [`ip:${a.name.toLowerCase()}`, a]));
        return {
            id: pool.id,
            name: pool.name,
            type: "Microsoft.Network/loadBalancers/backendAddressPools",
            etag: etag(lb.id),
            properties: compact({
                provisioningState: SUCCEEDED,
                backendIPConfigurations: refs(members.filter((m) => m.ipConfigurationId).map((m) => m.ipConfigurationId as string)),
                loadBalancerBackendAddresses: members.map((m) => {
                    const portMapping = (mappings.get(m.key) ?? []).map((p) => ({
                        inboundNatRuleName: p.inboundNatRuleName,
                        frontendPort: p.frontendPort,
                        backendPort: p.backendPort,
                    }));
                    const address = ipMembers.get(m.key);
                    return {
                        name: m.addressName,
                        id: `${pool.id}/loadBalancerBackendAddresses/${m.addressName}`,
                        type: "Microsoft.Network/loadBalancers/backendAddressPools/loadBalancerBackendAddresses",
                        // The mappings live only inside `properties`, as in every real ARM answer (spec: LoadBalancerBackendAddressPropertiesFormat).
                        properties: compact({
                            networkInterfaceIPConfiguration: ref(m.ipConfigurationId),
                            ipAddress: address ? address.ipAddress : undefined,
                            virtualNetwork: ref(address?.virtualNetworkId),
                            subnet: ref(address?.subnetId),
                            inboundNatRulesPortMapping: portMapping,
                        }),
                    };
                }),
                loadBalancingRules: lbRules.length > 0 ? refs(lbRules) : undefined,
                inboundNatRules: natRules.length > 0 ? refs(natRules) : undefined,
            }),
        };
    }

    /** The NAT-pool rules that reach one ipConfiguration of a scale-set instance (its NIC lists them in loadBalancerInboundNatRules). */
    natRulesReaching(vmss: ScaleSetRecord, ipConfigurationId: string): string[] {
        const k = keyOf(ipConfigurationId);
        return [...loadBalancersOfScaleSet(vmss)]
            .map((lbKey) => this.state.loadBalancers[lbKey])
            .filter((lb) => lb !== undefined)
            .flatMap((lb) => this.derivedNatRules(lb).filter((r) => keyOf(r.backendIPConfigurationId) === k).map((r) => r.id));
    }

    /** The rules Azure derives from the load balancer's NAT pools (nat-pool-rules.ts), from the scale sets using it. */
    derivedNatRules(lb: LoadBalancerRecord): DerivedNatRule[] {
        if (!this.membership || lb.inboundNatPools.length === 0) return derivedNatRulesOf(this.state, lb);
        return derivedNatRules(lb, [...this.membership.scaleSetsOf(keyOf(lb.id))].map((k) => this.state.virtualMachineScaleSets[k]).filter((v) => v !== undefined));
    }

    /** A derived rule as a GET shows it (the shape of a single-VM rule: issue Azure/AzLoadBalancerMigration#6 shows such a dump). */
    derivedNatRule(lb: LoadBalancerRecord, rule: DerivedNatRule): Json {
        return {
            id: rule.id,
            name: rule.name,
            type: "Microsoft.Network/loadBalancers/inboundNatRules",
            etag: etag(lb.id),
            properties: compact({
                provisioningState: SUCCEEDED,
                frontendIPConfiguration: ref(rule.pool.frontendIPConfigurationId),
                backendIPConfiguration: { id: rule.backendIPConfigurationId },
                frontendPort: rule.frontendPort,
                backendPort: rule.pool.backendPort,
                protocol: rule.pool.protocol,
                idleTimeoutInMinutes: rule.pool.idleTimeoutInMinutes,
                enableFloatingIP: rule.pool.enableFloatingIP,
                enableTcpReset: rule.pool.enableTcpReset,
            }),
        };
    }

    inboundNatRule(lb: LoadBalancerRecord, rule: InboundNatRuleRecord): Json {
        const v2 = isV2(rule);
        return {
            id: rule.id,
            name: rule.name,
            type: "Microsoft.Network/loadBalancers/inboundNatRules",
            etag: etag(lb.id),
            properties: compact({
                provisioningState: SUCCEEDED,
                frontendIPConfiguration: ref(rule.frontendIPConfigurationId),
                backendAddressPool: ref(rule.backendAddressPoolId),
                backendIPConfiguration: v2 ? undefined : ref(this.backendOfNatRule(rule.id)),
                // A GET of a V2 rule returns frontendPort 0 (facts §1).
                frontendPort: v2 ? 0 : rule.frontendPort,
                frontendPortRangeStart: rule.frontendPortRangeStart,
                frontendPortRangeEnd: rule.frontendPortRangeEnd,
                backendPort: rule.backendPort,
                protocol: rule.protocol,
                idleTimeoutInMinutes: rule.idleTimeoutInMinutes ?? 4,
                enableFloatingIP: rule.enableFloatingIP,
                enableTcpReset: rule.enableTcpReset,
            }),
        };
    }

    loadBalancer(key: string): Json {
        const lb = this.state.loadBalancers[key];
        const derived = this.derivedNatRules(lb);
        return compact({
            id: lb.id,
            name: lb.name,
            type: "Microsoft.Network/loadBalancers",
            location: lb.location,
            tags: lb.tags,
            etag: etag(lb.id),
            sku: { name: lb.sku, tier: "Regional" },
            properties: {
                provisioningState: SUCCEEDED,
                resourceGuid: guidFor(lb.id),
                frontendIPConfigurations: lb.frontendIPConfigurations.map((fe) => this.frontendIPConfiguration(lb, fe, derived)),
                backendAddressPools: lb.backendAddressPools.map((p) => this.backendAddressPool(lb, p)),
                inboundNatRules: [
                    ...lb.inboundNatRules.map((r) => this.inboundNatRule(lb, r)),
                    ...derived.map((r) => this.derivedNatRule(lb, r)),
                ],
                inboundNatPools: lb.inboundNatPools.map((p) => ({
                    id: p.id,
                    name: p.name,
                    type: "Microsoft.Network/loadBalancers/inboundNatPools",
                    etag: etag(lb.id),
                    properties: compact({
                        provisioningState: SUCCEEDED,
                        frontendIPConfiguration: ref(p.frontendIPConfigurationId),
                        protocol: p.protocol,
                        frontendPortRangeStart: p.frontendPortRangeStart,
                        frontendPortRangeEnd: p.frontendPortRangeEnd,
                        backendPort: p.backendPort,
                        idleTimeoutInMinutes: p.idleTimeoutInMinutes,
                        enableFloatingIP: p.enableFloatingIP,
                        enableTcpReset: p.enableTcpReset,
                    }),
                })),
                loadBalancingRules: lb.loadBalancingRules.map((r) => ({
                    id: r.id,
                    name: r.name,
                    type: "Microsoft.Network/loadBalancers/loadBalancingRules",
                    etag: etag(lb.id),
                    properties: compact({
                        provisioningState: SUCCEEDED,
                        frontendIPConfiguration: ref(r.frontendIPConfigurationId),
                        backendAddressPool: ref(r.backendAddressPoolId),
                        backendAddressPools: r.backendAddressPoolId ? refs([r.backendAddressPoolId]) : undefined,
                        probe: ref(r.probeId),
                        protocol: r.protocol,
                        frontendPort: r.frontendPort,
                        backendPort: r.backendPort ?? r.frontendPort,
                        enableFloatingIP: r.enableFloatingIP,
                        enableTcpReset: r.enableTcpReset,
                        idleTimeoutInMinutes: r.idleTimeoutInMinutes,
                        disableOutboundSnat: r.disableOutboundSnat,
                        loadDistribution: r.loadDistribution,
                    }),
                })),
                probes: lb.probes.map((p) => ({
                    id: p.id,
                    name: p.name,
                    type: "Microsoft.Network/loadBalancers/probes",
                    etag: etag(lb.id),
                    properties: compact({
                        provisioningState: SUCCEEDED,
                        protocol: p.protocol,
                        port: p.port,
                        requestPath: p.requestPath,
                        intervalInSeconds: p.intervalInSeconds,
                        numberOfProbes: p.numberOfProbes,
                    }),
                })),
                outboundRules: [],
            },
        });
    }

    /**
     * The JSON ARM returns for `GET {path}` (no query string), or an ArmError 404 naming the
     * first missing resource on the path.
     */
    get(path: string): unknown {
        const segs = path.split("/").filter((s) => s.length > 0).map((s) => decodeURIComponent(s));
        const lower = segs.map((s) => s.toLowerCase());
        const s = this.state;
        const noRoute = (): ArmError => new ArmError(ARM_ERROR_CODES.resourceNotFound, 404, `No simulated resource or collection answers GET ${path}.`);
        if (lower[0] !== "subscriptions") throw noRoute();
        if (segs.length === 1) return { value: [this.subscription()] };
        if (lower[1] !== s.subscriptionId.toLowerCase()) {
            throw new ArmError(ARM_ERROR_CODES.subscriptionNotFound, 404, `The subscription '${segs[1]}' could not be found.`);
        }
        if (segs.length === 2) return this.subscription();
        if (lower[2] !== "resourcegroups") throw noRoute();
        if (segs.length === 3) return { value: Object.keys(s.resourceGroups).map((k) => resourceGroupJson(s.resourceGroups[k])) };
        const rgName = segs[3];
        const rgKey = keyOf(resourceGroupId(s.subscriptionId, rgName));
        if (!s.resourceGroups[rgKey]) throw new ArmError(ARM_ERROR_CODES.resourceGroupNotFound, 404, `Resource group '${rgName}' could not be found.`);
        if (segs.length === 4) return resourceGroupJson(s.resourceGroups[rgKey]);
        if (lower[4] !== "providers" || segs.length < 7) throw noRoute();
        const typePath = `${lower[5]}/${lower[6]}`;
        const collections: Record<string, [Record<string, unknown>, (k: string) => Json]> = {
            "microsoft.network/loadbalancers": [s.loadBalancers, (k) => this.loadBalancer(k)],
            "microsoft.network/publicipaddresses": [s.publicIPAddresses, (k) => this.publicIPAddress(k)],
            "microsoft.network/networkinterfaces": [s.networkInterfaces, (k) => networkInterfaceJson(s.networkInterfaces[k])],
            "microsoft.network/virtualnetworks": [s.virtualNetworks, (k) => virtualNetworkJson(s.virtualNetworks[k])],
            "microsoft.network/networksecuritygroups": [s.networkSecurityGroups, (k) => networkSecurityGroupJson(s.networkSecurityGroups[k])],
            "microsoft.compute/virtualmachines": [s.virtualMachines, (k) => virtualMachineJson(s.virtualMachines[k])],
            "microsoft.compute/virtualmachinescalesets": [s.virtualMachineScaleSets, (k) => scaleSetJson(s.virtualMachineScaleSets[k])],
        };
        const collection = collections[typePath];
        if (!collection) throw noRoute();
        const [records, render] = collection;
        const prefix = `${rgKey}/providers/${typePath}/`;
        if (segs.length === 7) {
            return { value: Object.keys(records).filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes("/")).map(render) };
        }
        const key = prefix + lower[7];
        const what = `${segs[5]}/${segs[6]}/${segs[7]}`;
        if (!records[key]) throw notFound(what, rgName);
        const rest = segs.slice(8);
        if (rest.length === 0) return render(key);
        return this.child(typePath, key, rest, what, rgName) ?? (() => { throw noRoute(); })();
    }

    private subscription(): Json {
        const s = this.state;
        return {
            id: `/subscriptions/${s.subscriptionId}`,
            subscriptionId: s.subscriptionId,
            tenantId: s.tenantId,
            displayName: s.subscriptionName,
            state: "Enabled",
        };
    }

    /** Child resources and collections below a top-level resource; undefined when no route matches. */
    private child(typePath: string, key: string, rest: string[], parent: string, rg: string): unknown {
        const kind = rest[0].toLowerCase();
        const name = rest[1];
        const pick = <T extends { name: string }>(list: T[], render: (item: T) => unknown): unknown => {
            if (rest.length === 1) return { value: list.map(render) };
            const item = list.find((i) => i.name.toLowerCase() === name.toLowerCase());
            if (!item) throw notFound(`${parent}/${rest[0]}/${name}`, rg);
            return rest.length === 2 ? render(item) : undefined;
        };
        if (typePath === "microsoft.network/loadbalancers") {
            const lb = this.state.loadBalancers[key];
            // The rest are rendered only inside the whole load balancer; a pool can be large, so it is not rendered for a rule.
            const renderChild = (collection: string) => (item: { name: string }) =>
                (this.loadBalancer(key) as { properties: Record<string, Json[]> }).properties[collection].find((j) => j.name === item.name);
            switch (kind) {
                case "frontendipconfigurations": return pick(lb.frontendIPConfigurations, (fe) => this.frontendIPConfiguration(lb, fe));
                case "backendaddresspools": return pick(lb.backendAddressPools, (p) => this.backendAddressPool(lb, p));
                case "inboundnatrules": {
                    // Records and derived rules never share a load balancer (NAT rules and NAT pools exclude each other).
                    const derived = this.derivedNatRules(lb);
                    if (derived.length > 0) return pick(derived, (r) => this.derivedNatRule(lb, r));
                    return pick(lb.inboundNatRules, (r) => this.inboundNatRule(lb, r));
                }
                case "inboundnatpools": return pick(lb.inboundNatPools, renderChild("inboundNatPools"));
                case "loadbalancingrules": return pick(lb.loadBalancingRules, renderChild("loadBalancingRules"));
                case "probes": return pick(lb.probes, renderChild("probes"));
                default: return undefined;
            }
        }
        if (typePath === "microsoft.network/networkinterfaces" && kind === "ipconfigurations") {
            const full = networkInterfaceJson(this.state.networkInterfaces[key]) as { properties: { ipConfigurations: Json[] } };
            return pick(this.state.networkInterfaces[key].ipConfigurations, (ip) => full.properties.ipConfigurations.find((j) => j.name === ip.name));
        }
        if (typePath === "microsoft.network/virtualnetworks" && kind === "subnets") {
            return pick(this.state.virtualNetworks[key].subnets, (sn) => subnetJson(sn));
        }
        if (typePath === "microsoft.network/networksecuritygroups" && kind === "securityrules") {
            const full = networkSecurityGroupJson(this.state.networkSecurityGroups[key]) as { properties: { securityRules: Json[] } };
            return pick(this.state.networkSecurityGroups[key].securityRules, (r) => full.properties.securityRules.find((j) => j.name === r.name));
        }
        if (typePath === "microsoft.compute/virtualmachinescalesets" && kind === "virtualmachines") {
            const vmss = this.state.virtualMachineScaleSets[key];
            if (rest.length === 1) return { value: vmss.instances.map((i) => scaleSetVmJson(vmss, i)) };
            const instance = vmss.instances.find((i) => i.instanceId === name);
            if (!instance) throw notFound(`${parent}/virtualMachines/${name}`, rg);
            if (rest.length === 2) return scaleSetVmJson(vmss, instance);
            if (rest[2].toLowerCase() !== "networkinterfaces") return undefined;
            const nics = instanceNics(vmss, instance).map((n) => scaleSetVmNicJson(vmss, instance, n.name, (ip) => this.natRulesReaching(vmss, ip)) as Json);
            if (rest.length === 3) return { value: nics };
            const nic = nics.find((n) => String(n.name).toLowerCase() === rest[3].toLowerCase());
            if (!nic) throw notFound(`${parent}/virtualMachines/${name}/networkInterfaces/${rest[3]}`, rg);
            if (rest.length === 4) return nic;
            if (rest[4].toLowerCase() !== "ipconfigurations") return undefined;
            const ips = (nic.properties as { ipConfigurations: Json[] }).ipConfigurations;
            if (rest.length === 5) return { value: ips };
            const ip = ips.find((i) => String(i.name).toLowerCase() === (rest[5] ?? "").toLowerCase());
            if (!ip) throw notFound(`${parent}/virtualMachines/${name}/networkInterfaces/${rest[3]}/ipConfigurations/${rest[5]}`, rg);
            return rest.length === 6 ? ip : undefined;
        }
        return undefined;
    }
}
