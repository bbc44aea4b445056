/**
 * An in-memory simulator of the Azure resources azure-nat-rules touches: resource groups, public
 * IPs, virtual networks, NSGs, load balancers (with their NAT rules, NAT pools, pools, rules and
 * probes), NICs, VMs and VM scale sets. One state, two faces: Pulumi mocks (`mocks()`, see
 * mocks.ts) and an ARM REST endpoint (arm-server.ts).
 *
 * Every change edits the state in place under an undo journal and is kept only when every ARM check
 * passes; a rejected change puts back every record it touched, leaving the simulator exactly as it was.
 */
import type * as pulumi from "@pulumi/pulumi";
import { flattenArm, overlay, type Json } from "./arm-json";
import { ArmView, type MemberPortMapping } from "./arm-view";
import { deleteResource } from "./delete";
import { ARM_ERROR_CODES, ArmError } from "./errors";
import type {
    InboundNatRuleInput,
    LoadBalancerBackendAddressPoolInput,
    LoadBalancerInput,
    NetworkInterfaceInput,
    NetworkSecurityGroupInput,
    PublicIPAddressInput,
    ResourceGroupInput,
    SecurityRuleInput,
    SubnetInput,
    VirtualMachineInput,
    VirtualMachineScaleSetInput,
    VirtualNetworkInput,
} from "./resource-inputs";
import { LOAD_BALANCER_HANDLERS } from "./network/load-balancer-handlers";
import { fail, requireLoadBalancer, requireScaleSet } from "./lookups";
import { emptyState, keyOf, RESOURCE_MAPS, type ScaleSetRecord, type SimulatorIdentity, type SimulatorState } from "./model";
import { createSimulatorMocks, type SimulatorMocksOptions } from "./pulumi/mocks";
import { NETWORK_HANDLERS } from "./network/handlers";
import { NIC_VM_HANDLERS } from "./compute/nic-vm-handlers";
import { copyState, readStateFile, stateFromJSON, writeStateFile } from "./persistence";
import { beginChange, edit, endChange, shareState, type Journal } from "./journal";
import { ChangeIndex, Membership, setChangeIndex } from "./network/membership";
import { reconcileChange } from "./network/reconcile";
import { SIMULATED_RESOURCE_TYPES, simulatedTypeOf, type Handler, type SimulatedResourceType } from "./resource-types";
import { checkCapacity, SCALE_SET_HANDLERS, scaleTo } from "./compute/scale-set-handlers";
import { autoscale, autoscaleSettingPulumiOutputs, deleteAutoscaleSetting, autoscaleSettingsGet, isAutoscaleSettingId } from "./insights/autoscale";
import { flexibleGet, flexibleList } from "./compute/scale-sets/flexible-view";
import { DEFAULT_SEED } from "./compute/scale-sets/random";
import { upgradeInstances } from "./compute/scale-sets/scaling";
import type { SimulatedAzure } from "./simulated-azure";
import { listInstances, portMappings, queryInboundNatRulePortMapping, type PortMappingQuery, type ScaleSetInstanceInfo, type SimulatedPortMapping } from "./simulator-reads";

export { MAX_SCALE_SET_CAPACITY } from "./compute/scale-set-handlers";
export { SIMULATED_RESOURCE_TYPES, simulatedTypeOf, type SimulatedResourceType } from "./resource-types";
export type { PortMappingQuery, ScaleSetInstanceInfo, SimulatedPortMapping } from "./simulator-reads";

export interface SimulatorOptions extends SimulatorIdentity {
    /**
     * Seed of what Azure picks at random: which overprovisioned VMs survive a scale-out, Flexible
     * VM and NIC name suffixes. The same seed and the same changes give the same state. Default 0.
     */
    seed?: number;
    /**
     * How new Uniform instance ids are given: "increasing" (after the highest ever given) or "reuse"
     * (the lowest free id); Microsoft's docs allow both (docs/simulator.md, "Scale sets"). Default "increasing".
     */
    uniformInstanceIds?: "increasing" | "reuse";
}

const HANDLERS: Record<SimulatedResourceType, Handler> = {
    ...NETWORK_HANDLERS,
    ...LOAD_BALANCER_HANDLERS,
    ...NIC_VM_HANDLERS,
    ...SCALE_SET_HANDLERS,
};

/** Whether the running change left any record it touched different from before (costs what it touched). */
function changedAnything(state: SimulatorState, journal: Journal): boolean {
    return RESOURCE_MAPS.some((map) => journal.touched(map).some((key) =>
        JSON.stringify(journal.original(map, key)) !== JSON.stringify((state[map] as Record<string, unknown>)[key])));
}

export class AzureSimulator implements SimulatedAzure {
    private state: SimulatorState;
    /** The undo journal of the running change (reads inside `batch` see the change so far). */
    private journal?: Journal;
    /** Which NICs and scale sets use each load balancer; built on first use. */
    private membership?: Membership;
    private cachedView?: ArmView;
    /** GET answers of the cached view, by path; read-only, cleared with the view. */
    private cachedReads = new Map<string, unknown>();

    constructor(options: SimulatorOptions = {}) {
        this.state = emptyState(options);
        this.state.random = { seed: options.seed ?? DEFAULT_SEED, draws: 0 };
        if (options.uniformInstanceIds) this.state.uniformInstanceIds = options.uniformInstanceIds;
    }

    get subscriptionId(): string {
        return this.state.subscriptionId;
    }

    get tenantId(): string {
        return this.state.tenantId;
    }

    /** Identity answered by getClientConfig and GET /subscriptions. */
    get identity(): Required<SimulatorIdentity> {
        const s = this.state;
        return {
            subscriptionId: s.subscriptionId,
            subscriptionName: s.subscriptionName,
            tenantId: s.tenantId,
            clientId: s.clientId,
            objectId: s.objectId,
            defaultLocation: s.defaultLocation,
        };
    }

    /** A read view of the state; cached until the next change. */
    private view(): ArmView {
        // Inside a change the membership index is not yet updated: read without it.
        if (this.journal) return new ArmView(this.state);
        this.cachedView ??= new ArmView(this.state, this.members());
        return this.cachedView;
    }

    private members(): Membership {
        this.membership ??= Membership.of(this.state);
        return this.membership;
    }

    // ---- changes -----------------------------------------------------------------------

    /**
     * Runs one change on the state in place and keeps it only if every check passes; otherwise
     * the journal puts back every record the change touched.
     */
    private mutate<T>(change: (s: SimulatorState) => T, onCommit?: (changed: boolean) => void): T {
        if (this.journal) return change(this.state);
        const membership = this.members();
        const journal = beginChange(this.state);
        // Kept in step with the change as it runs: a scale-out's overprovisioning peak reads it part-way.
        const index = new ChangeIndex(membership, journal, this.state);
        setChangeIndex(this.state, index);
        this.journal = journal;
        this.cachedView = undefined;
        this.cachedReads.clear();
        try {
            const result = change(this.state);
            index.sync();
            // A change that left every record as it was (a PUT of what Azure has) has nothing to reconcile.
            const changed = changedAnything(this.state, journal);
            if (changed) reconcileChange(this.state, membership, journal);
            onCommit?.(changed && changedAnything(this.state, journal));
            return result;
        } catch (err) {
            index.undo();
            journal.rollback();
            throw err;
        } finally {
            setChangeIndex(this.state, undefined);
            endChange(this.state);
            this.journal = undefined;
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
        const { id } = this.apply(type, name, inputs);
        return { id, state: this.pulumiState(id, inputs) };
    }

    /**
     * `upsert` without building the outputs, telling whether the change left every record as it
     * was (a PUT that changes nothing in Azure): the records it touched compare equal, which costs
     * what the change touched, not a read of the resource (a pool of 5,000 members reads as 3.8 MB).
     * @internal
     */
    apply(type: string, name: string, inputs: Record<string, unknown>): { id: string; changed: boolean } {
        const simulated = simulatedTypeOf(type.startsWith("azure-native:") ? type : `azure-native:${type}`);
        if (!simulated) {
            throw new ArmError(ARM_ERROR_CODES.notSimulated, 400, `AzureSimulator: resource type ${JSON.stringify(type)} is not simulated. Simulated: ${SIMULATED_RESOURCE_TYPES.join(", ")}.`);
        }
        let changed = false;
        const id = this.mutate((s) => HANDLERS[simulated](s, name, inputs), (c) => (changed = c));
        return { id, changed };
    }

    /** What a Pulumi resource's outputs hold: the inputs overlaid with what Azure computed. */
    pulumiState(id: string, inputs: Record<string, unknown> = {}): Json {
        // azure-native keeps an AutoscaleSetting's `properties` nested; every other type comes flattened.
        const setting = isAutoscaleSettingId(id) ? this.state.autoscaleSettings?.[keyOf(id)] : undefined;
        const computed = (setting ? autoscaleSettingPulumiOutputs(setting) : flattenArm(this.read(id))) as Json;
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
        return this.mutate((s) => (isAutoscaleSettingId(id) ? deleteAutoscaleSetting(s, id) : deleteResource(s, id)));
    }

    /**
     * Autoscale acting outside Pulumi: the scale set goes to `capacity`, clamped to the first
     * profile of the enabled autoscale setting that targets it, and the instance ids are returned.
     * ArmError 404 when no enabled setting targets the scale set. See scale-sets/autoscale.ts.
     */
    autoscale(resourceGroup: string, scaleSet: string, capacity: number): string[] {
        return this.mutate((s) => autoscale(s, resourceGroup, scaleSet, capacity));
    }

    /**
     * `az vmss update-instances`: the instances (or all, `"*"`) take the scale set's latest model;
     * with upgrade policy Manual, a model change reaches existing instances only this way.
     */
    upgradeInstances(resourceGroup: string, scaleSet: string, instanceIds: readonly string[] | "*"): string[] {
        return this.mutate((s) => upgradeInstances(s, requireScaleSet(s, resourceGroup, scaleSet), instanceIds));
    }

    /** `az vmss scale`: scale out adds new instances (overprovisioning as Azure does), scale in removes the highest ids. */
    setCapacity(resourceGroup: string, scaleSet: string, capacity: number): string[] {
        return this.mutate((s) => {
            const vmss = requireScaleSet(s, resourceGroup, scaleSet);
            checkCapacity(vmss.id, capacity);
            return scaleTo(s, vmss, capacity).instances.map((i) => i.instanceId);
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
            const own = edit<ScaleSetRecord>(s, "virtualMachineScaleSets", keyOf(vmss.id)) as ScaleSetRecord;
            own.instances = own.instances.filter((i) => !wanted.has(i.instanceId));
            return own.instances.map((i) => i.instanceId);
        });
    }

    /** Scale in by `count`: the highest instance ids go, as Azure's default scale-in policy does here. */
    scaleIn(resourceGroup: string, scaleSet: string, count: number): string[] {
        return this.mutate((s) => {
            const vmss = requireScaleSet(s, resourceGroup, scaleSet);
            if (!Number.isInteger(count) || count < 0 || count > vmss.instances.length) {
                throw fail(ARM_ERROR_CODES.invalidParameter, 400, `scaleIn ${vmss.name}: count = ${count}: allowed is an integer from 0 to ${vmss.instances.length} (the current instance count).`);
            }
            return scaleTo(s, vmss, vmss.instances.length - count).instances.map((i) => i.instanceId);
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
        const bare = path.split("?")[0];
        const found = autoscaleSettingsGet(this.state, bare) ?? flexibleGet(this.state, bare) ?? this.view().get(bare);
        const flexible = flexibleList(this.state, bare);
        return flexible && flexible.length > 0 ? { ...(found as { value: unknown[] }), value: [...(found as { value: unknown[] }).value, ...flexible] } : found;
    }

    /** `get` for the simulator's own reads, which never change the answer: cached until the next change. */
    private read(path: string): unknown {
        if (this.journal) return this.get(path);
        if (!this.cachedReads.has(path)) this.cachedReads.set(path, this.get(path));
        return this.cachedReads.get(path);
    }

    /** Whether a resource with this ARM id exists. */
    has(id: string): boolean {
        try {
            this.read(id);
            return true;
        } catch (err) {
            if (err instanceof ArmError && err.statusCode === 404) return false;
            throw err;
        }
    }

    /** The instances: Uniform instance ids, or Flexible VM names (`<scale set>_<8 hex>`). */
    listInstances(resourceGroup: string, scaleSet: string): ScaleSetInstanceInfo[] {
        return listInstances(this.state, resourceGroup, scaleSet);
    }

    /** Every V2 mapping of a load balancer (optionally one rule), by rule then member order. */
    portMappings(resourceGroup: string, loadBalancer: string, options: { rule?: string } = {}): SimulatedPortMapping[] {
        return portMappings(this.state, this.view(), resourceGroup, loadBalancer, options);
    }

    /** `LoadBalancers_ListInboundNatRulePortMappings` (facts §5): the V2 mappings of one pool member, by NIC ipConfiguration id or IP address. */
    queryInboundNatRulePortMapping(resourceGroup: string, loadBalancer: string, backendPool: string, query: PortMappingQuery): { inboundNatRulePortMappings: MemberPortMapping[] } {
        return queryInboundNatRulePortMapping(this.state, this.view(), resourceGroup, loadBalancer, backendPool, query);
    }

    /** Azure region of a load balancer (the port-mapping operation's Location names it). */
    locationOf(resourceGroup: string, loadBalancer: string): string {
        return requireLoadBalancer(this.state, resourceGroup, loadBalancer).location;
    }

    // ---- persistence -------------------------------------------------------------------

    /** The whole state as JSON (what `save` writes). */
    toJSON(): SimulatorState {
        return copyState(this.state);
    }

    /** An independent copy (what a preview works on); it shares records with this one, as neither changes a record in place. */
    clone(): AzureSimulator {
        const copy = new AzureSimulator();
        copy.state = shareState(this.state);
        copy.membership = this.membership?.copy();
        return copy;
    }

    /** Replaces the whole state (used to roll back a failed deployment). */
    restore(snapshot: SimulatorState): void {
        if (this.journal) throw new Error("AzureSimulator.restore: cannot restore inside a running change.");
        this.state = copyState(snapshot);
        this.membership = undefined;
        this.cachedView = undefined;
        this.cachedReads.clear();
    }

    static fromJSON(json: unknown, source = "(in-memory state)"): AzureSimulator {
        const sim = new AzureSimulator();
        sim.state = stateFromJSON(json, source);
        return sim;
    }

    /** Writes the state as JSON atomically (a temporary file, then a rename). */
    save(file: string): void {
        writeStateFile(file, this.state);
    }

    /** Reads a saved state; a missing file gives an empty simulator. */
    static load(file: string, options: SimulatorOptions = {}): AzureSimulator {
        const json = readStateFile(file);
        if (json === undefined) return new AzureSimulator(options);
        return AzureSimulator.fromJSON(json, file);
    }
}


