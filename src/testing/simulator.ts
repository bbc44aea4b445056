/**
 * An in-memory simulator of the Azure resources azure-nat-rules touches: resource groups, public
 * IPs, virtual networks, NSGs, load balancers (with their NAT rules, NAT pools, pools, rules and
 * probes), NICs, VMs and VM scale sets. One state, two faces: Pulumi mocks (`mocks()`, see
 * mocks.ts) and an ARM REST endpoint (arm-server.ts).
 *
 * Every change runs on a copy of the state and is committed only when every ARM check passes, so a
 * rejected change leaves the simulator exactly as it was.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { transportProtocol } from "./azure-bounds";
import { FIRST_HOST_OFFSET, IMPLICIT_SUBNET, numberToIpv4, parseCidr, PUBLIC_IP_BASE } from "./addresses";
import { ArmView, flattenArm, overlay, type Json, type MemberPortMapping } from "./arm-view";
import type * as pulumi from "@pulumi/pulumi";
import { ARM_ERROR_CODES, ArmError, SimulatorStateError } from "./errors";
import { computeId, networkId, parentOf, resourceGroupId, scaleSetIpConfigurationId } from "./ids";
import {
    bag,
    bags,
    flag,
    integer,
    reference,
    references,
    requiredText,
    resourceGroupNameOf,
    stringList,
    tagsOf,
    text,
    type Bag,
    type InboundNatRuleInput,
    type LoadBalancerBackendAddressPoolInput,
    type LoadBalancerInput,
    type NetworkInterfaceInput,
    type NetworkSecurityGroupInput,
    type PublicIPAddressInput,
    type ResourceGroupInput,
    type SecurityRuleInput,
    type SubnetInput,
    type VirtualMachineInput,
    type VirtualMachineScaleSetInput,
    type VirtualNetworkInput,
} from "./inputs";
import {
    emptyState,
    keyOf,
    RESOURCE_MAPS,
    STATE_FORMAT,
    type BackendAddressRecord,
    type BackendPoolRecord,
    type InboundNatRuleRecord,
    type LoadBalancerRecord,
    type NicIpConfigurationRecord,
    type ResourceGroupRecord,
    type ScaleSetInstanceRecord,
    type ScaleSetNicConfigurationRecord,
    type ScaleSetRecord,
    type SecurityRuleRecord,
    type SimulatorIdentity,
    type SimulatorState,
    type SubnetRecord,
} from "./model";
import { createSimulatorMocks, type SimulatorMocksOptions } from "./mocks";
import { isV2, reconcile, scaleSetsReferencingNatPool } from "./reconcile";

/** Most instances one scale set holds (Azure's limit for platform images). */
export const MAX_SCALE_SET_CAPACITY = 1000;

/** azure-native resource types the simulator models, without the `azure-native:` prefix. */
export const SIMULATED_RESOURCE_TYPES = [
    "resources:ResourceGroup",
    "network:PublicIPAddress",
    "network:VirtualNetwork",
    "network:Subnet",
    "network:NetworkSecurityGroup",
    "network:SecurityRule",
    "network:LoadBalancer",
    "network:LoadBalancerBackendAddressPool",
    "network:InboundNatRule",
    "network:NetworkInterface",
    "compute:VirtualMachine",
    "compute:VirtualMachineScaleSet",
] as const;
export type SimulatedResourceType = (typeof SIMULATED_RESOURCE_TYPES)[number];

/** `azure-native:network:LoadBalancer` or `azure-native:network/v20240501:LoadBalancer` → `network:LoadBalancer`. */
export function simulatedTypeOf(token: string): SimulatedResourceType | undefined {
    const m = /^azure-native:([a-z0-9]+)(?:\/v[0-9a-z]+)?:([A-Za-z0-9]+)$/.exec(token);
    if (!m) return undefined;
    const type = `${m[1]}:${m[2]}`;
    return (SIMULATED_RESOURCE_TYPES as readonly string[]).includes(type) ? (type as SimulatedResourceType) : undefined;
}

/** A V2 mapping of one pool member, as the simulator holds it. */
export interface SimulatedPortMapping {
    rule: string;
    /** Scale-set instance id, VM name (NIC name minus `-nic`) or backend address name. */
    instance: string;
    ipConfigurationId?: string;
    ipAddress?: string;
    protocol: string;
    /** The frontend's public IP address, or its private IP address; "" when it has none. */
    frontendIp: string;
    frontendPort: number;
    backendPort: number;
}

export interface ScaleSetInstanceInfo {
    instanceId: string;
    /** `{vmssId}/virtualMachines/{id}/networkInterfaces/{nic}/ipConfigurations/{ipConfig}` per ipConfiguration. */
    ipConfigurationIds: string[];
    /** Private IP of the primary ipConfiguration. */
    privateIPAddress?: string;
}

/** The query API's body: one of the two (facts §5). */
export interface PortMappingQuery {
    ipConfiguration?: { id: string };
    ipAddress?: string;
}

export type SimulatorOptions = SimulatorIdentity;

const fail = (code: string, status: number, message: string): ArmError => new ArmError(code, status, message);

function parentMissing(what: string, parentId: string): ArmError {
    return fail(ARM_ERROR_CODES.parentNotFound, 404, `Can not perform requested operation on nested resource ${what}. Parent resource '${parentId}' not found.`);
}

export class AzureSimulator {
    private state: SimulatorState;
    /** The copy a running change works on (also the one reads see inside `batch`). */
    private draft?: SimulatorState;
    private cachedView?: ArmView;

    constructor(options: SimulatorOptions = {}) {
        this.state = emptyState(options);
    }

    get subscriptionId(): string {
        return this.current.subscriptionId;
    }

    get tenantId(): string {
        return this.current.tenantId;
    }

    /** Identity answered by getClientConfig and GET /subscriptions. */
    get identity(): Required<SimulatorIdentity> {
        const s = this.current;
        return {
            subscriptionId: s.subscriptionId,
            subscriptionName: s.subscriptionName,
            tenantId: s.tenantId,
            clientId: s.clientId,
            objectId: s.objectId,
            defaultLocation: s.defaultLocation,
        };
    }

    private get current(): SimulatorState {
        return this.draft ?? this.state;
    }

    /** A read view of the current state; cached while the committed state does not change. */
    private view(): ArmView {
        if (this.draft) return new ArmView(this.draft);
        if (this.cachedView?.state !== this.state) this.cachedView = new ArmView(this.state);
        return this.cachedView;
    }

    // ---- changes -----------------------------------------------------------------------

    /** Runs one change on a copy and commits it only if every check passes. */
    private mutate<T>(change: (s: SimulatorState) => T): T {
        if (this.draft) return change(this.draft);
        const draft = structuredClone(this.state);
        this.draft = draft;
        try {
            const result = change(draft);
            reconcile(draft);
            this.state = draft;
            return result;
        } finally {
            this.draft = undefined;
        }
    }

    /**
     * Runs several changes as one: checks and port assignment run once at the end, and nothing is
     * committed if any step (or the final check) fails. `changes` must be synchronous. Use it to
     * build large states quickly (e.g. thousands of NICs).
     */
    batch<T>(changes: () => T): T {
        return this.mutate(() => changes());
    }

    /**
     * Creates or updates one resource from azure-native inputs (the Pulumi mocks call this).
     * `type` is an azure-native token or its short form (`network:LoadBalancer`); `name` is the
     * Pulumi resource name, used as the Azure name when the inputs give none (azure-native would
     * add a random suffix; the simulator stays deterministic so a re-run updates in place).
     */
    upsert(type: string, name: string, inputs: Record<string, unknown>): { id: string; state: Json } {
        const simulated = simulatedTypeOf(type.startsWith("azure-native:") ? type : `azure-native:${type}`);
        if (!simulated) {
            throw new ArmError(ARM_ERROR_CODES.notSimulated, 400, `AzureSimulator: resource type ${JSON.stringify(type)} is not simulated. Simulated: ${SIMULATED_RESOURCE_TYPES.join(", ")}.`);
        }
        const id = this.mutate((s) => HANDLERS[simulated](s, name, inputs));
        return { id, state: this.pulumiState(id, inputs) };
    }

    /** What a Pulumi resource's outputs hold: the inputs overlaid with what Azure computed. */
    pulumiState(id: string, inputs: Record<string, unknown> = {}): Json {
        const computed = flattenArm(this.get(id)) as Json;
        const state = overlay(inputs, computed) as Json;
        delete state.id; // Pulumi carries the id separately.
        delete state.urn;
        return state;
    }

    createResourceGroup(input: ResourceGroupInput): string {
        return this.upsert("resources:ResourceGroup", input.resourceGroupName, { ...input }).id;
    }

    upsertPublicIPAddress(input: PublicIPAddressInput): string {
        return this.upsert("network:PublicIPAddress", input.publicIpAddressName, { ...input }).id;
    }

    upsertVirtualNetwork(input: VirtualNetworkInput): string {
        return this.upsert("network:VirtualNetwork", input.virtualNetworkName, { ...input }).id;
    }

    upsertSubnet(input: SubnetInput): string {
        return this.upsert("network:Subnet", input.subnetName, { ...input }).id;
    }

    upsertNetworkSecurityGroup(input: NetworkSecurityGroupInput): string {
        return this.upsert("network:NetworkSecurityGroup", input.networkSecurityGroupName, { ...input }).id;
    }

    upsertSecurityRule(input: SecurityRuleInput): string {
        return this.upsert("network:SecurityRule", input.securityRuleName, { ...input }).id;
    }

    upsertLoadBalancer(input: LoadBalancerInput): string {
        return this.upsert("network:LoadBalancer", input.loadBalancerName, { ...input }).id;
    }

    upsertBackendAddressPool(input: LoadBalancerBackendAddressPoolInput): string {
        return this.upsert("network:LoadBalancerBackendAddressPool", input.backendAddressPoolName, { ...input }).id;
    }

    upsertInboundNatRule(input: InboundNatRuleInput): string {
        return this.upsert("network:InboundNatRule", input.inboundNatRuleName, { ...input }).id;
    }

    upsertNetworkInterface(input: NetworkInterfaceInput): string {
        return this.upsert("network:NetworkInterface", input.networkInterfaceName, { ...input }).id;
    }

    upsertVirtualMachine(input: VirtualMachineInput): string {
        return this.upsert("compute:VirtualMachine", input.vmName, { ...input }).id;
    }

    upsertScaleSet(input: VirtualMachineScaleSetInput): string {
        return this.upsert("compute:VirtualMachineScaleSet", input.vmScaleSetName, { ...input }).id;
    }

    /**
     * Deletes a resource (or a load balancer's pool or NAT rule, a subnet or security rule) by
     * ARM id, with ARM's checks. Returns false when it did not exist (ARM answers 204 then).
     */
    delete(id: string): boolean {
        return this.mutate((s) => deleteResource(s, id));
    }

    /** Autoscale / `az vmss scale`: scale out adds new instance ids, scale in removes the highest ids. */
    setCapacity(resourceGroup: string, scaleSet: string, capacity: number): string[] {
        return this.mutate((s) => {
            const vmss = requireScaleSet(s, resourceGroup, scaleSet);
            checkCapacity(vmss.id, capacity);
            scaleTo(s, vmss, capacity);
            return vmss.instances.map((i) => i.instanceId);
        });
    }

    /** `az vmss delete-instances`: removes exactly these instances; the capacity drops accordingly. */
    deleteInstances(resourceGroup: string, scaleSet: string, instanceIds: readonly string[]): string[] {
        return this.mutate((s) => {
            const vmss = requireScaleSet(s, resourceGroup, scaleSet);
            const wanted = new Set(instanceIds.map(String));
            const unknown = [...wanted].filter((id) => !vmss.instances.some((i) => i.instanceId === id));
            if (unknown.length > 0) {
                throw fail(
                    ARM_ERROR_CODES.invalidParameter,
                    400,
                    `Scale set ${vmss.name} has no instance(s) ${unknown.join(", ")}; its instances are ${vmss.instances.map((i) => i.instanceId).join(", ") || "none"}.`,
                );
            }
            vmss.instances = vmss.instances.filter((i) => !wanted.has(i.instanceId));
            return vmss.instances.map((i) => i.instanceId);
        });
    }

    /** Scale in by `count`: the highest instance ids go, as Azure's default scale-in policy does here. */
    scaleIn(resourceGroup: string, scaleSet: string, count: number): string[] {
        return this.mutate((s) => {
            const vmss = requireScaleSet(s, resourceGroup, scaleSet);
            if (!Number.isInteger(count) || count < 0 || count > vmss.instances.length) {
                throw fail(ARM_ERROR_CODES.invalidParameter, 400, `scaleIn ${vmss.name}: count = ${count}: allowed is an integer from 0 to ${vmss.instances.length} (the current instance count).`);
            }
            scaleTo(s, vmss, vmss.instances.length - count);
            return vmss.instances.map((i) => i.instanceId);
        });
    }

    /**
     * Pulumi runtime mocks over this simulator (`pulumi.runtime.setMocks(sim.mocks(), ...)`).
     * In a preview they work on a scratch copy and leave this simulator unchanged.
     */
    mocks(options: SimulatorMocksOptions = {}): pulumi.runtime.Mocks {
        return createSimulatorMocks(this, options);
    }

    // ---- reads -------------------------------------------------------------------------

    /** ARM JSON of `GET {path}` (resource id, child id or collection); ArmError 404 when missing. */
    get(path: string): unknown {
        return this.view().get(path.split("?")[0]);
    }

    /** Whether a resource with this ARM id exists. */
    has(id: string): boolean {
        try {
            this.get(id);
            return true;
        } catch (err) {
            if (err instanceof ArmError && err.statusCode === 404) return false;
            throw err;
        }
    }

    listInstances(resourceGroup: string, scaleSet: string): ScaleSetInstanceInfo[] {
        const vmss = requireScaleSet(this.current, resourceGroup, scaleSet);
        return vmss.instances.map((inst) => {
            const ids: string[] = [];
            for (const nic of vmss.networkInterfaceConfigurations) {
                for (const ip of nic.ipConfigurations) ids.push(scaleSetIpConfigurationId(vmss.id, inst.instanceId, nic.name, ip.name));
            }
            const primaryNic = vmss.networkInterfaceConfigurations.find((n) => n.primary) ?? vmss.networkInterfaceConfigurations[0];
            const primaryIp = primaryNic?.ipConfigurations.find((i) => i.primary) ?? primaryNic?.ipConfigurations[0];
            return {
                instanceId: inst.instanceId,
                ipConfigurationIds: ids,
                privateIPAddress: primaryNic && primaryIp ? inst.privateIPAddresses[`${primaryNic.name}/${primaryIp.name}`] : undefined,
            };
        });
    }

    /** Every V2 mapping of a load balancer (optionally one rule), by rule then member order. */
    portMappings(resourceGroup: string, loadBalancer: string, options: { rule?: string } = {}): SimulatedPortMapping[] {
        const s = this.current;
        const lb = requireLoadBalancer(s, resourceGroup, loadBalancer);
        const view = this.view();
        const out: SimulatedPortMapping[] = [];
        for (const rule of lb.inboundNatRules) {
            if (!isV2(rule)) continue;
            if (options.rule !== undefined && rule.name.toLowerCase() !== options.rule.toLowerCase()) continue;
            const members = new Map(view.membersOf(rule.backendAddressPoolId as string).map((m) => [m.key, m]));
            const frontendIp = frontendAddress(s, lb, rule.frontendIPConfigurationId);
            for (const mapping of rule.mappings) {
                const m = members.get(mapping.member);
                out.push({
                    rule: rule.name,
                    instance: m?.label ?? mapping.member,
                    ipConfigurationId: m?.ipConfigurationId,
                    ipAddress: m?.ipAddress,
                    protocol: rule.protocol,
                    frontendIp,
                    frontendPort: mapping.frontendPort,
                    backendPort: rule.backendPort as number,
                });
            }
        }
        return out;
    }

    /**
     * `LoadBalancers_ListInboundNatRulePortMappings` (facts §5): the V2 mappings of one pool
     * member, given by NIC ipConfiguration id or by IP address.
     */
    queryInboundNatRulePortMapping(
        resourceGroup: string,
        loadBalancer: string,
        backendPool: string,
        query: PortMappingQuery,
    ): { inboundNatRulePortMappings: MemberPortMapping[] } {
        const s = this.current;
        const lb = requireLoadBalancer(s, resourceGroup, loadBalancer);
        const pool = lb.backendAddressPools.find((p) => p.name.toLowerCase() === backendPool.toLowerCase());
        if (!pool) {
            throw fail(ARM_ERROR_CODES.resourceNotFound, 404, `The Resource 'Microsoft.Network/loadBalancers/${lb.name}/backendAddressPools/${backendPool}' under resource group '${resourceGroup}' was not found.`);
        }
        const ipConfigurationId = query.ipConfiguration?.id;
        const ipAddress = query.ipAddress;
        if ((ipConfigurationId === undefined) === (ipAddress === undefined)) {
            throw fail(ARM_ERROR_CODES.invalidRequestFormat, 400, `queryInboundNatRulePortMapping: give exactly one of ipConfiguration.id and ipAddress (got ${ipConfigurationId === undefined ? "neither" : "both"}).`);
        }
        const view = this.view();
        const members = view.membersOf(pool.id);
        const wanted = ipConfigurationId !== undefined ? keyOf(ipConfigurationId) : undefined;
        const member = wanted !== undefined
            ? members.find((m) => m.key === wanted)
            : members.find((m) => m.ipAddress === ipAddress);
        if (!member) {
            throw fail(
                ARM_ERROR_CODES.notInBackendPool,
                400,
                `${ipConfigurationId !== undefined ? `IP configuration ${ipConfigurationId}` : `IP address ${ipAddress}`} is not a member of backend address pool ${pool.id}.`,
            );
        }
        return { inboundNatRulePortMappings: view.poolPortMappings(lb, pool.id).get(member.key) ?? [] };
    }

    /** Azure region of a load balancer (the port-mapping operation's Location names it). */
    locationOf(resourceGroup: string, loadBalancer: string): string {
        return requireLoadBalancer(this.current, resourceGroup, loadBalancer).location;
    }

    // ---- persistence -------------------------------------------------------------------

    /** The whole state as JSON (what `save` writes). */
    toJSON(): SimulatorState {
        return structuredClone(this.state);
    }

    /** An independent copy (what a preview works on). */
    clone(): AzureSimulator {
        const copy = new AzureSimulator();
        copy.state = structuredClone(this.state);
        return copy;
    }

    /** Replaces the whole state (used to roll back a failed deployment). */
    restore(snapshot: SimulatorState): void {
        if (this.draft) throw new Error("AzureSimulator.restore: cannot restore inside a running change.");
        this.state = structuredClone(snapshot);
    }

    static fromJSON(json: unknown, source = "(in-memory state)"): AzureSimulator {
        const problem = (what: string): SimulatorStateError => new SimulatorStateError(source, what);
        const obj = bag(json);
        if (!obj) throw problem("expected a JSON object at the top level.");
        if (obj.format !== STATE_FORMAT) {
            throw problem(`format is ${JSON.stringify(obj.format)}; this version reads ${JSON.stringify(STATE_FORMAT)}. Fix: save the state again with this version, or start from an empty state.`);
        }
        for (const field of ["subscriptionId", "tenantId", "clientId", "objectId", "defaultLocation", "subscriptionName"] as const) {
            if (typeof obj[field] !== "string") throw problem(`${field} is missing or not a string.`);
        }
        for (const field of ["sequence", "defaultSubnetNextHost"] as const) {
            if (typeof obj[field] !== "number") throw problem(`${field} is missing or not a number.`);
        }
        for (const map of RESOURCE_MAPS) {
            const records = bag(obj[map]);
            if (!records) throw problem(`${map} is missing or not an object.`);
            for (const [k, rec] of Object.entries(records)) {
                const r = bag(rec);
                if (!r || typeof r.id !== "string" || typeof r.name !== "string" || keyOf(r.id) !== k) {
                    throw problem(`${map}[${JSON.stringify(k)}] is not a resource record keyed by its lower-cased id.`);
                }
            }
        }
        const state = structuredClone(obj) as unknown as SimulatorState;
        try {
            reconcile(state);
        } catch (err) {
            throw problem(`the saved resources are inconsistent: ${err instanceof Error ? err.message : String(err)}`);
        }
        const sim = new AzureSimulator();
        sim.state = state;
        return sim;
    }

    /** Writes the state as JSON atomically (a temporary file, then a rename). */
    save(file: string): void {
        mkdirSync(dirname(file), { recursive: true });
        const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
        try {
            writeFileSync(temporary, JSON.stringify(this.toJSON(), null, 2) + "\n", "utf8");
            renameSync(temporary, file);
        } catch (err) {
            rmSync(temporary, { force: true });
            throw new SimulatorStateError(file, `cannot be written: ${(err as Error).message}`);
        }
    }

    /** Reads a saved state; a missing file gives an empty simulator. */
    static load(file: string, options: SimulatorOptions = {}): AzureSimulator {
        if (!existsSync(file)) return new AzureSimulator(options);
        let text: string;
        try {
            text = readFileSync(file, "utf8");
        } catch (err) {
            throw new SimulatorStateError(file, `cannot be read: ${(err as Error).message}`);
        }
        let json: unknown;
        try {
            json = JSON.parse(text);
        } catch (err) {
            throw new SimulatorStateError(file, `is not valid JSON (${(err as Error).message}). Fix: delete the file to start from an empty state.`);
        }
        return AzureSimulator.fromJSON(json, file);
    }
}

// ---- lookups -------------------------------------------------------------------------------

function requireResourceGroup(s: SimulatorState, owner: string, value: unknown): ResourceGroupRecord {
    const name = resourceGroupNameOf(owner, value);
    const rg = s.resourceGroups[keyOf(resourceGroupId(s.subscriptionId, name))];
    if (!rg) throw fail(ARM_ERROR_CODES.resourceGroupNotFound, 404, `Resource group '${name}' could not be found. Fix: create it first (${owner}).`);
    return rg;
}

function requireLoadBalancer(s: SimulatorState, resourceGroup: string, name: string): LoadBalancerRecord {
    const rg = requireResourceGroup(s, `load balancer ${name}`, resourceGroup);
    const lb = s.loadBalancers[keyOf(networkId(s.subscriptionId, rg.name, "loadBalancers", name))];
    if (!lb) throw fail(ARM_ERROR_CODES.resourceNotFound, 404, `The Resource 'Microsoft.Network/loadBalancers/${name}' under resource group '${rg.name}' was not found.`);
    return lb;
}

function requireScaleSet(s: SimulatorState, resourceGroup: string, name: string): ScaleSetRecord {
    const rg = requireResourceGroup(s, `scale set ${name}`, resourceGroup);
    const vmss = s.virtualMachineScaleSets[keyOf(computeId(s.subscriptionId, rg.name, "virtualMachineScaleSets", name))];
    if (!vmss) throw fail(ARM_ERROR_CODES.resourceNotFound, 404, `The Resource 'Microsoft.Compute/virtualMachineScaleSets/${name}' under resource group '${rg.name}' was not found.`);
    return vmss;
}

function frontendAddress(s: SimulatorState, lb: LoadBalancerRecord, frontendId: string | undefined): string {
    const fe = lb.frontendIPConfigurations.find((f) => frontendId && keyOf(f.id) === keyOf(frontendId));
    if (!fe) return "";
    if (fe.publicIPAddressId) return s.publicIPAddresses[keyOf(fe.publicIPAddressId)]?.ipAddress ?? "";
    return fe.privateIPAddress ?? "";
}

function findSubnet(s: SimulatorState, subnetId: string): SubnetRecord | undefined {
    const vnet = s.virtualNetworks[keyOf(parentOf(subnetId))];
    return vnet?.subnets.find((sn) => keyOf(sn.id) === keyOf(subnetId));
}

// ---- addresses -----------------------------------------------------------------------------

function usedAddresses(s: SimulatorState, subnetKey: string): Set<string> {
    const used = new Set<string>();
    for (const nic of Object.values(s.networkInterfaces)) {
        for (const ip of nic.ipConfigurations) if (ip.subnetId && keyOf(ip.subnetId) === subnetKey) used.add(ip.privateIPAddress);
    }
    for (const vmss of Object.values(s.virtualMachineScaleSets)) {
        for (const nic of vmss.networkInterfaceConfigurations) {
            for (const ip of nic.ipConfigurations) {
                if (!ip.subnetId || keyOf(ip.subnetId) !== subnetKey) continue;
                for (const inst of vmss.instances) {
                    const a = inst.privateIPAddresses[`${nic.name}/${ip.name}`];
                    if (a) used.add(a);
                }
            }
        }
    }
    for (const lb of Object.values(s.loadBalancers)) {
        for (const fe of lb.frontendIPConfigurations) if (fe.subnetId && keyOf(fe.subnetId) === subnetKey && fe.privateIPAddress) used.add(fe.privateIPAddress);
    }
    return used;
}

/** Next private address of a subnet (Azure's first usable is .4); reuses freed ones when the subnet wraps. */
function allocatePrivateIp(s: SimulatorState, owner: string, subnetId: string | undefined): string {
    if (subnetId === undefined) {
        if (s.defaultSubnetNextHost >= IMPLICIT_SUBNET.size - 1) throw fail(ARM_ERROR_CODES.subnetIsFull, 400, `${owner}: the implicit address space (no subnet given) is full.`);
        return numberToIpv4(IMPLICIT_SUBNET.base + s.defaultSubnetNextHost++);
    }
    const subnet = findSubnet(s, subnetId);
    if (!subnet) {
        throw fail(ARM_ERROR_CODES.invalidReference, 400, `Resource ${subnetId} referenced by resource ${owner} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`);
    }
    const cidr = parseCidr(subnet.id, subnet.addressPrefix);
    const last = cidr.size - 2;
    if (subnet.nextHost <= last) return numberToIpv4(cidr.base + subnet.nextHost++);
    const used = usedAddresses(s, keyOf(subnet.id));
    for (let offset = FIRST_HOST_OFFSET; offset <= last; offset++) {
        const ip = numberToIpv4(cidr.base + offset);
        if (!used.has(ip)) return ip;
    }
    throw fail(ARM_ERROR_CODES.subnetIsFull, 400, `Subnet ${subnet.name} with address prefix ${subnet.addressPrefix} does not have enough capacity for 1 IP addresses (${owner}).`);
}

function allocatePublicIp(s: SimulatorState, owner: string): string {
    const used = new Set(Object.values(s.publicIPAddresses).map((p) => p.ipAddress));
    for (let host = 1; host <= 254; host++) {
        const ip = numberToIpv4(PUBLIC_IP_BASE + host);
        if (!used.has(ip)) return ip;
    }
    throw fail(ARM_ERROR_CODES.publicIpLimit, 400, `${owner}: the simulated public range 203.0.113.0/24 is exhausted (254 addresses).`);
}

// ---- handlers ------------------------------------------------------------------------------

type Handler = (s: SimulatorState, pulumiName: string, inputs: Bag) => string;

const location = (inputs: Bag, owner: string, existing: { location: string } | undefined, rg: ResourceGroupRecord): string =>
    text(owner, "location", inputs.location) ?? existing?.location ?? rg.location;

const HANDLERS: Record<SimulatedResourceType, Handler> = {
    "resources:ResourceGroup": (s, pulumiName, inputs) => {
        const name = text("resource group", "resourceGroupName", inputs.resourceGroupName) ?? pulumiName;
        const id = resourceGroupId(s.subscriptionId, name);
        const existing = s.resourceGroups[keyOf(id)];
        s.resourceGroups[keyOf(id)] = {
            id: existing?.id ?? id,
            name: existing?.name ?? name,
            location: text(`resource group ${name}`, "location", inputs.location) ?? existing?.location ?? s.defaultLocation,
            tags: tagsOf(`resource group ${name}`, inputs.tags),
        };
        return existing?.id ?? id;
    },

    "network:PublicIPAddress": (s, pulumiName, inputs) => {
        const name = text("public IP address", "publicIpAddressName", inputs.publicIpAddressName) ?? pulumiName;
        const owner = `public IP address ${name}`;
        const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
        const id = networkId(s.subscriptionId, rg.name, "publicIPAddresses", name);
        const existing = s.publicIPAddresses[keyOf(id)];
        // Basic SKU public IPs retired on 30 September 2025, so an unset SKU means Standard.
        const sku = text(owner, "sku.name", bag(inputs.sku)?.name) ?? existing?.sku ?? "Standard";
        if (!["Basic", "Standard"].includes(sku)) throw fail(ARM_ERROR_CODES.invalidParameter, 400, `${owner}: sku.name = ${JSON.stringify(sku)}: allowed is Basic or Standard.`);
        s.publicIPAddresses[keyOf(id)] = {
            id: existing?.id ?? id,
            name: existing?.name ?? name,
            resourceGroup: rg.name,
            location: location(inputs, owner, existing, rg),
            tags: tagsOf(owner, inputs.tags),
            sku,
            allocationMethod: text(owner, "publicIPAllocationMethod", inputs.publicIPAllocationMethod) ?? (sku === "Standard" ? "Static" : "Dynamic"),
            idleTimeoutInMinutes: integer(owner, "idleTimeoutInMinutes", inputs.idleTimeoutInMinutes) ?? 4,
            ipAddress: existing?.ipAddress ?? allocatePublicIp(s, owner),
        };
        return existing?.id ?? id;
    },

    "network:VirtualNetwork": (s, pulumiName, inputs) => {
        const name = text("virtual network", "virtualNetworkName", inputs.virtualNetworkName) ?? pulumiName;
        const owner = `virtual network ${name}`;
        const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
        const id = networkId(s.subscriptionId, rg.name, "virtualNetworks", name);
        const existing = s.virtualNetworks[keyOf(id)];
        const prefixes = stringList(owner, "addressSpace.addressPrefixes", bag(inputs.addressSpace)?.addressPrefixes) ?? existing?.addressPrefixes ?? ["10.0.0.0/16"];
        for (const p of prefixes) parseCidr(owner, p);
        const inline: SubnetRecord[] = bags(owner, "subnets", inputs.subnets).map((sn, i) => {
            const subnetName = requiredText(owner, `subnets[${i}].name`, sn.name);
            const subnetId = `${existing?.id ?? id}/subnets/${subnetName}`;
            const prefix = requiredText(owner, `subnets[${i}].addressPrefix`, sn.addressPrefix);
            parseCidr(`${owner} subnet ${subnetName}`, prefix);
            const old = existing?.subnets.find((o) => keyOf(o.id) === keyOf(subnetId));
            return {
                id: subnetId,
                name: subnetName,
                addressPrefix: prefix,
                networkSecurityGroupId: reference(owner, `subnets[${i}].networkSecurityGroup`, sn.networkSecurityGroup),
                nextHost: old && old.addressPrefix === prefix ? old.nextHost : FIRST_HOST_OFFSET,
                standalone: false,
            };
        });
        const kept = (existing?.subnets ?? []).filter((o) => o.standalone && !inline.some((n) => keyOf(n.id) === keyOf(o.id)));
        s.virtualNetworks[keyOf(id)] = {
            id: existing?.id ?? id,
            name: existing?.name ?? name,
            resourceGroup: rg.name,
            location: location(inputs, owner, existing, rg),
            tags: tagsOf(owner, inputs.tags),
            addressPrefixes: prefixes,
            subnets: [...inline, ...kept],
        };
        return existing?.id ?? id;
    },

    "network:Subnet": (s, pulumiName, inputs) => {
        const name = text("subnet", "subnetName", inputs.subnetName) ?? text("subnet", "name", inputs.name) ?? pulumiName;
        const owner = `subnet ${name}`;
        const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
        const vnetName = requiredText(owner, "virtualNetworkName", inputs.virtualNetworkName);
        const vnetId = networkId(s.subscriptionId, rg.name, "virtualNetworks", vnetName);
        const vnet = s.virtualNetworks[keyOf(vnetId)];
        if (!vnet) throw parentMissing(`subnets/${name}`, vnetId);
        const id = `${vnet.id}/subnets/${name}`;
        const prefix = requiredText(owner, "addressPrefix", inputs.addressPrefix);
        parseCidr(owner, prefix);
        const old = vnet.subnets.find((o) => keyOf(o.id) === keyOf(id));
        const record: SubnetRecord = {
            id,
            name,
            addressPrefix: prefix,
            networkSecurityGroupId: reference(owner, "networkSecurityGroup", inputs.networkSecurityGroup),
            nextHost: old && old.addressPrefix === prefix ? old.nextHost : FIRST_HOST_OFFSET,
            standalone: true,
        };
        vnet.subnets = old ? vnet.subnets.map((o) => (o === old ? record : o)) : [...vnet.subnets, record];
        return id;
    },

    "network:NetworkSecurityGroup": (s, pulumiName, inputs) => {
        const name = text("network security group", "networkSecurityGroupName", inputs.networkSecurityGroupName) ?? pulumiName;
        const owner = `network security group ${name}`;
        const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
        const id = networkId(s.subscriptionId, rg.name, "networkSecurityGroups", name);
        const existing = s.networkSecurityGroups[keyOf(id)];
        const inline = bags(owner, "securityRules", inputs.securityRules).map((r, i) => securityRule(owner, existing?.id ?? id, r, i, false));
        const kept = (existing?.securityRules ?? []).filter((o) => o.standalone && !inline.some((n) => keyOf(n.id) === keyOf(o.id)));
        s.networkSecurityGroups[keyOf(id)] = {
            id: existing?.id ?? id,
            name: existing?.name ?? name,
            resourceGroup: rg.name,
            location: location(inputs, owner, existing, rg),
            tags: tagsOf(owner, inputs.tags),
            securityRules: [...inline, ...kept],
        };
        return existing?.id ?? id;
    },

    "network:SecurityRule": (s, pulumiName, inputs) => {
        const name = text("security rule", "securityRuleName", inputs.securityRuleName) ?? text("security rule", "name", inputs.name) ?? pulumiName;
        const owner = `security rule ${name}`;
        const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
        const nsgName = requiredText(owner, "networkSecurityGroupName", inputs.networkSecurityGroupName);
        const nsgId = networkId(s.subscriptionId, rg.name, "networkSecurityGroups", nsgName);
        const nsg = s.networkSecurityGroups[keyOf(nsgId)];
        if (!nsg) throw parentMissing(`securityRules/${name}`, nsgId);
        const record = securityRule(owner, nsg.id, { ...inputs, name }, 0, true);
        const old = nsg.securityRules.find((o) => keyOf(o.id) === keyOf(record.id));
        nsg.securityRules = old ? nsg.securityRules.map((o) => (o === old ? record : o)) : [...nsg.securityRules, record];
        return record.id;
    },

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

        const inlineRules = bags(owner, "inboundNatRules", inputs.inboundNatRules).map((r, i) => {
            const ruleName = requiredText(owner, `inboundNatRules[${i}].name`, r.name);
            const old = existing?.inboundNatRules.find((o) => o.name.toLowerCase() === ruleName.toLowerCase());
            return natRule(`inbound NAT rule ${ruleName} of ${owner}`, id, ruleName, r, false, old);
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
                    `Cannot remove inbound nat pool ${removed.name} from load balancer since it is in use by virtual machine scale set ${users.map((u) => u.id).join(", ")}. ` +
                        "Fix: remove the pool from the scale set model (and update its instances) first, then delete the pool.",
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

        s.loadBalancers[keyOf(id)] = {
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
        };
        return id;
    },

    "network:LoadBalancerBackendAddressPool": (s, pulumiName, inputs) => {
        const name = text("backend address pool", "backendAddressPoolName", inputs.backendAddressPoolName) ?? text("backend address pool", "name", inputs.name) ?? pulumiName;
        const lb = requireParentLoadBalancer(s, `backendAddressPools/${name}`, inputs);
        const record = backendPool(`backend address pool ${name}`, lb.id, name, inputs.loadBalancerBackendAddresses, true);
        const old = lb.backendAddressPools.find((o) => keyOf(o.id) === keyOf(record.id));
        lb.backendAddressPools = old ? lb.backendAddressPools.map((o) => (o === old ? record : o)) : [...lb.backendAddressPools, record];
        return record.id;
    },

    "network:InboundNatRule": (s, pulumiName, inputs) => {
        const name = text("inbound NAT rule", "inboundNatRuleName", inputs.inboundNatRuleName) ?? text("inbound NAT rule", "name", inputs.name) ?? pulumiName;
        const lb = requireParentLoadBalancer(s, `inboundNatRules/${name}`, inputs);
        const old = lb.inboundNatRules.find((o) => o.name.toLowerCase() === name.toLowerCase());
        const record = natRule(`inbound NAT rule ${name} of load balancer ${lb.name}`, lb.id, old?.name ?? name, inputs, true, old);
        lb.inboundNatRules = old ? lb.inboundNatRules.map((o) => (o === old ? record : o)) : [...lb.inboundNatRules, record];
        return record.id;
    },

    "network:NetworkInterface": (s, pulumiName, inputs) => {
        const name = text("network interface", "networkInterfaceName", inputs.networkInterfaceName) ?? pulumiName;
        const owner = `network interface ${name}`;
        const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
        const newId = networkId(s.subscriptionId, rg.name, "networkInterfaces", name);
        const existing = s.networkInterfaces[keyOf(newId)];
        const id = existing?.id ?? newId;
        const configs = bags(owner, "ipConfigurations", inputs.ipConfigurations);
        if (configs.length === 0) throw fail(ARM_ERROR_CODES.invalidParameter, 400, `${owner}: ipConfigurations is empty: a network interface needs at least one ipConfiguration.`);
        const ipConfigurations: NicIpConfigurationRecord[] = configs.map((c, i) => {
            const ipName = requiredText(owner, `ipConfigurations[${i}].name`, c.name);
            const ipId = `${id}/ipConfigurations/${ipName}`;
            const o = `${owner} ipConfiguration ${ipName}`;
            const old = existing?.ipConfigurations.find((x) => keyOf(x.id) === keyOf(ipId));
            const subnetId = reference(o, "subnet", c.subnet);
            const given = text(o, "privateIPAddress", c.privateIPAddress);
            const publicIPAddressId = reference(o, "publicIPAddress", c.publicIPAddress);
            if (publicIPAddressId && !s.publicIPAddresses[keyOf(publicIPAddressId)]) {
                throw fail(ARM_ERROR_CODES.invalidReference, 400, `Resource ${publicIPAddressId} referenced by resource ${ipId} was not found.`);
            }
            return {
                id: ipId,
                name: ipName,
                primary: flag(o, "primary", c.primary) ?? i === 0,
                subnetId,
                privateIPAddress: given ?? (old && old.subnetId === subnetId ? old.privateIPAddress : allocatePrivateIp(s, ipId, subnetId)),
                privateIPAllocationMethod: given ? "Static" : "Dynamic",
                publicIPAddressId,
                loadBalancerBackendAddressPoolIds: references(o, "loadBalancerBackendAddressPools", c.loadBalancerBackendAddressPools),
                loadBalancerInboundNatRuleIds: references(o, "loadBalancerInboundNatRules", c.loadBalancerInboundNatRules),
            };
        });
        s.networkInterfaces[keyOf(id)] = {
            id,
            name: existing?.name ?? name,
            resourceGroup: rg.name,
            location: location(inputs, owner, existing, rg),
            tags: tagsOf(owner, inputs.tags),
            ipConfigurations,
            networkSecurityGroupId: reference(owner, "networkSecurityGroup", inputs.networkSecurityGroup),
            virtualMachineId: existing?.virtualMachineId,
        };
        return id;
    },

    "compute:VirtualMachine": (s, pulumiName, inputs) => {
        const name = text("virtual machine", "vmName", inputs.vmName) ?? pulumiName;
        const owner = `virtual machine ${name}`;
        const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
        const newId = computeId(s.subscriptionId, rg.name, "virtualMachines", name);
        const existing = s.virtualMachines[keyOf(newId)];
        const id = existing?.id ?? newId;
        const nicIds = references(owner, "networkProfile.networkInterfaces", bag(inputs.networkProfile)?.networkInterfaces);
        for (const nicId of nicIds) {
            const nic = s.networkInterfaces[keyOf(nicId)];
            if (!nic) throw fail(ARM_ERROR_CODES.invalidReference, 400, `Resource ${nicId} referenced by resource ${id} was not found.`);
            if (nic.virtualMachineId && keyOf(nic.virtualMachineId) !== keyOf(id)) {
                throw fail(ARM_ERROR_CODES.nicInUse, 400, `Network Interface ${nic.id} is used by existing resource ${nic.virtualMachineId}. Fix: detach it from that VM first, or give this VM its own NIC.`);
            }
        }
        for (const nic of Object.values(s.networkInterfaces)) {
            if (nic.virtualMachineId && keyOf(nic.virtualMachineId) === keyOf(id)) nic.virtualMachineId = undefined;
        }
        for (const nicId of nicIds) s.networkInterfaces[keyOf(nicId)].virtualMachineId = id;
        s.virtualMachines[keyOf(id)] = {
            id,
            name: existing?.name ?? name,
            resourceGroup: rg.name,
            location: location(inputs, owner, existing, rg),
            tags: tagsOf(owner, inputs.tags),
            vmSize: text(owner, "hardwareProfile.vmSize", bag(inputs.hardwareProfile)?.vmSize),
            networkInterfaceIds: nicIds,
        };
        return id;
    },

    "compute:VirtualMachineScaleSet": (s, pulumiName, inputs) => {
        const name = text("scale set", "vmScaleSetName", inputs.vmScaleSetName) ?? pulumiName;
        const owner = `scale set ${name}`;
        const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
        const newId = computeId(s.subscriptionId, rg.name, "virtualMachineScaleSets", name);
        const existing = s.virtualMachineScaleSets[keyOf(newId)];
        const id = existing?.id ?? newId;
        const sku = bag(inputs.sku);
        const capacity = integer(owner, "sku.capacity", sku?.capacity) ?? existing?.instances.length ?? 0;
        checkCapacity(id, capacity);
        const profile = bag(inputs.virtualMachineProfile);
        const nicInputs = bags(owner, "virtualMachineProfile.networkProfile.networkInterfaceConfigurations", bag(profile?.networkProfile)?.networkInterfaceConfigurations);
        const nics: ScaleSetNicConfigurationRecord[] = nicInputs.map((n, i) => {
            const nicName = requiredText(owner, `networkInterfaceConfigurations[${i}].name`, n.name);
            const o = `${owner} network interface configuration ${nicName}`;
            return {
                name: nicName,
                primary: flag(o, "primary", n.primary) ?? i === 0,
                networkSecurityGroupId: reference(o, "networkSecurityGroup", n.networkSecurityGroup),
                ipConfigurations: bags(o, "ipConfigurations", n.ipConfigurations).map((c, j) => {
                    const ipName = requiredText(o, `ipConfigurations[${j}].name`, c.name);
                    const oo = `${o} ipConfiguration ${ipName}`;
                    return {
                        name: ipName,
                        primary: flag(oo, "primary", c.primary) ?? j === 0,
                        subnetId: reference(oo, "subnet", c.subnet),
                        loadBalancerBackendAddressPoolIds: references(oo, "loadBalancerBackendAddressPools", c.loadBalancerBackendAddressPools),
                        loadBalancerInboundNatPoolIds: references(oo, "loadBalancerInboundNatPools", c.loadBalancerInboundNatPools),
                    };
                }),
            };
        });
        const vmss: ScaleSetRecord = {
            id,
            name: existing?.name ?? name,
            resourceGroup: rg.name,
            location: location(inputs, owner, existing, rg),
            tags: tagsOf(owner, inputs.tags),
            skuName: text(owner, "sku.name", sku?.name) ?? existing?.skuName ?? "Standard_B1s",
            skuTier: text(owner, "sku.tier", sku?.tier) ?? existing?.skuTier ?? "Standard",
            // Azure's default is true; its temporary extra VMs are not simulated (see reconcile.ts).
            overprovision: flag(owner, "overprovision", inputs.overprovision) ?? true,
            upgradePolicyMode: text(owner, "upgradePolicy.mode", bag(inputs.upgradePolicy)?.mode) ?? "Manual",
            orchestrationMode: text(owner, "orchestrationMode", inputs.orchestrationMode) ?? "Uniform",
            networkInterfaceConfigurations: nics,
            instances: existing?.instances ?? [],
            nextInstanceId: existing?.nextInstanceId ?? 0,
            createdSeq: existing?.createdSeq ?? ++s.sequence,
        };
        s.virtualMachineScaleSets[keyOf(id)] = vmss;
        // Model changes reach every instance at once (as with upgrade policy Automatic).
        refreshInstanceAddresses(s, vmss);
        scaleTo(s, vmss, capacity);
        return id;
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

function securityRule(owner: string, nsgId: string, r: Bag, index: number, standalone: boolean): SecurityRuleRecord {
    const name = requiredText(owner, `securityRules[${index}].name`, r.name);
    const o = `security rule ${name} of ${owner}`;
    const properties: Record<string, unknown> = {};
    const skip = new Set(["name", "id", "resourceGroupName", "networkSecurityGroupName", "securityRuleName", "type"]);
    for (const [k, v] of Object.entries(r)) if (!skip.has(k) && v !== undefined) properties[k] = v;
    const priority = integer(o, "priority", r.priority);
    if (priority === undefined || priority < 100 || priority > 4096) {
        throw fail(ARM_ERROR_CODES.securityRulePriority, 400, `${o}: priority = ${JSON.stringify(r.priority)}: allowed is an integer from 100 to 4096.`);
    }
    const direction = text(o, "direction", r.direction);
    if (direction !== "Inbound" && direction !== "Outbound") throw fail(ARM_ERROR_CODES.invalidParameter, 400, `${o}: direction = ${JSON.stringify(direction)}: allowed is Inbound or Outbound.`);
    const access = text(o, "access", r.access);
    if (access !== "Allow" && access !== "Deny") throw fail(ARM_ERROR_CODES.invalidParameter, 400, `${o}: access = ${JSON.stringify(access)}: allowed is Allow or Deny.`);
    return { id: `${nsgId}/securityRules/${name}`, name, properties, standalone };
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

function checkCapacity(scaleSetId: string, capacity: number): void {
    if (!Number.isInteger(capacity) || capacity < 0 || capacity > MAX_SCALE_SET_CAPACITY) {
        throw fail(
            ARM_ERROR_CODES.invalidParameter,
            400,
            `The value ${capacity} of parameter 'sku.capacity' of ${scaleSetId} is out of range. The value must be between 0 and ${MAX_SCALE_SET_CAPACITY}, inclusive. ` +
                "Fix: lower the capacity, or spread the instances over several scale sets.",
        );
    }
}

function instanceAddresses(s: SimulatorState, vmss: ScaleSetRecord, instanceId: string, previous: Record<string, string> = {}): Record<string, string> {
    const out: Record<string, string> = {};
    for (const nic of vmss.networkInterfaceConfigurations) {
        for (const ip of nic.ipConfigurations) {
            const k = `${nic.name}/${ip.name}`;
            out[k] = previous[k] ?? allocatePrivateIp(s, scaleSetIpConfigurationId(vmss.id, instanceId, nic.name, ip.name), ip.subnetId);
        }
    }
    return out;
}

function refreshInstanceAddresses(s: SimulatorState, vmss: ScaleSetRecord): void {
    for (const inst of vmss.instances) inst.privateIPAddresses = instanceAddresses(s, vmss, inst.instanceId, inst.privateIPAddresses);
}

/** Scale out adds ids from the highest ever given + 1 (ids are never reused); scale in drops the highest ids. */
function scaleTo(s: SimulatorState, vmss: ScaleSetRecord, capacity: number): void {
    while (vmss.instances.length > capacity) vmss.instances.pop();
    while (vmss.instances.length < capacity) {
        const instanceId = String(vmss.nextInstanceId++);
        const instance: ScaleSetInstanceRecord = { instanceId, privateIPAddresses: {} };
        instance.privateIPAddresses = instanceAddresses(s, vmss, instanceId);
        vmss.instances.push(instance);
    }
}

function deleteResource(s: SimulatorState, id: string): boolean {
    const k = keyOf(id.replace(/\/+$/, ""));
    const childMatch = /^(.*\/providers\/microsoft\.network\/(loadbalancers|virtualnetworks|networksecuritygroups)\/[^/]+)\/([^/]+)\/[^/]+$/.exec(k);
    if (childMatch) {
        const [, parentKey, parentType, childType] = childMatch;
        if (parentType === "loadbalancers") {
            const lb = s.loadBalancers[parentKey];
            if (!lb) return false;
            if (childType === "backendaddresspools") {
                const before = lb.backendAddressPools.length;
                lb.backendAddressPools = lb.backendAddressPools.filter((p) => keyOf(p.id) !== k);
                return lb.backendAddressPools.length !== before;
            }
            if (childType === "inboundnatrules") {
                const before = lb.inboundNatRules.length;
                lb.inboundNatRules = lb.inboundNatRules.filter((r) => keyOf(r.id) !== k);
                return lb.inboundNatRules.length !== before;
            }
        }
        if (parentType === "virtualnetworks" && childType === "subnets" && s.virtualNetworks[parentKey]) {
            const vnet = s.virtualNetworks[parentKey];
            const before = vnet.subnets.length;
            vnet.subnets = vnet.subnets.filter((sn) => keyOf(sn.id) !== k);
            return vnet.subnets.length !== before;
        }
        if (parentType === "networksecuritygroups" && childType === "securityrules" && s.networkSecurityGroups[parentKey]) {
            const nsg = s.networkSecurityGroups[parentKey];
            const before = nsg.securityRules.length;
            nsg.securityRules = nsg.securityRules.filter((r) => keyOf(r.id) !== k);
            return nsg.securityRules.length !== before;
        }
        throw fail(ARM_ERROR_CODES.notSimulated, 400, `AzureSimulator.delete: deleting ${id} is not simulated.`);
    }
    if (s.resourceGroups[k]) {
        for (const map of RESOURCE_MAPS) {
            if (map === "resourceGroups") continue;
            const records = s[map] as Record<string, unknown>;
            for (const rk of Object.keys(records)) if (rk.startsWith(`${k}/`)) delete records[rk];
        }
        delete s.resourceGroups[k];
        return true;
    }
    if (s.loadBalancers[k]) {
        const lb = s.loadBalancers[k];
        const users = Object.values(s.virtualMachineScaleSets).filter((vmss) =>
            vmss.networkInterfaceConfigurations.some((nic) => nic.ipConfigurations.some((ip) =>
                [...ip.loadBalancerBackendAddressPoolIds, ...ip.loadBalancerInboundNatPoolIds].some((ref) => keyOf(ref).startsWith(`${k}/`)))));
        if (users.length > 0) {
            throw fail(ARM_ERROR_CODES.loadBalancerInUse, 400,
                `Load balancer ${lb.id} is in use by virtual machine scale set ${users.map((u) => u.id).join(", ")} and can't be deleted.`);
        }
    }
    if (s.virtualMachines[k]) {
        for (const nic of Object.values(s.networkInterfaces)) if (nic.virtualMachineId && keyOf(nic.virtualMachineId) === k) nic.virtualMachineId = undefined;
    }
    if (s.networkInterfaces[k]?.virtualMachineId) {
        const nic = s.networkInterfaces[k];
        throw fail(ARM_ERROR_CODES.nicInUse, 400, `Network Interface ${nic.id} is used by existing resource ${nic.virtualMachineId}. Delete the VM first.`);
    }
    for (const map of RESOURCE_MAPS) {
        const records = s[map] as Record<string, unknown>;
        if (records[k]) {
            delete records[k];
            return true;
        }
    }
    return false;
}
