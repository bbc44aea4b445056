/**
 * Reads real clients make beyond one resource's GET: subscription-scope lists, the NICs of a scale
 * set and of a load balancer, instance views, the generic resource list, and the body fields
 * Azure's answers carry that the simulator's views leave out. Built from the simulator's own GETs.
 */
import type { AzureSimulator } from "../simulator";
import { TOP_LEVEL_TYPES } from "./write-targets";

type Bag = Record<string, unknown>;
const isBag = (v: unknown): v is Bag => v !== null && typeof v === "object" && !Array.isArray(v);

function valuesOf(sim: AzureSimulator, path: string): Bag[] {
    try {
        const list = sim.get(path) as { value?: unknown[] };
        return (list.value ?? []).filter(isBag);
    } catch {
        return [];
    }
}

function resourceGroupIds(sim: AzureSimulator): string[] {
    return valuesOf(sim, `/subscriptions/${sim.subscriptionId}/resourceGroups`).map((rg) => String(rg.id));
}

/** Every resource of one `{namespace}/{type}` in the subscription (each resource group's list, concatenated). */
function subscriptionList(sim: AzureSimulator, typePath: string): Bag[] {
    return resourceGroupIds(sim).flatMap((rg) => valuesOf(sim, `${rg}/providers/${typePath}`));
}

/** NICs of a scale set's instances (Uniform: `.../virtualMachines/{id}/networkInterfaces`). */
function scaleSetNics(sim: AzureSimulator, vmssId: string): Bag[] {
    return valuesOf(sim, `${vmssId}/virtualMachines`).flatMap((vm) => valuesOf(sim, `${vmssId}/virtualMachines/${String(vm.instanceId ?? vm.name)}/networkInterfaces`));
}

/** Whether a NIC's ipConfigurations join a pool or NAT rule of the load balancer `lbId`. */
function usesLoadBalancer(nic: Bag, lbId: string): boolean {
    const prefix = `${lbId.toLowerCase()}/`;
    const configs = isBag(nic.properties) && Array.isArray(nic.properties.ipConfigurations) ? nic.properties.ipConfigurations : [];
    return configs.some((c) => {
        const p = isBag(c) && isBag(c.properties) ? c.properties : {};
        const refs = [...(Array.isArray(p.loadBalancerBackendAddressPools) ? p.loadBalancerBackendAddressPools : []), ...(Array.isArray(p.loadBalancerInboundNatRules) ? p.loadBalancerInboundNatRules : [])];
        return refs.some((r) => isBag(r) && typeof r.id === "string" && r.id.toLowerCase().startsWith(prefix));
    });
}

const SUCCEEDED_STATUS = { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded" };
/** A simulated VM always runs (spec: VirtualMachineInstanceView statuses; az's recordings show ProvisioningState then PowerState). */
const RUNNING_STATUS = { code: "PowerState/running", level: "Info", displayStatus: "VM running" };

/**
 * The answer of a GET these reads serve, or undefined to let the simulator's own router answer.
 * `path` has no trailing slash and no query.
 */
export function extraRead(sim: AzureSimulator, path: string): unknown {
    const sub = /^\/subscriptions\/([^/]+)(\/.*)?$/i.exec(path);
    if (!sub || sub[1].toLowerCase() !== sim.subscriptionId.toLowerCase()) return undefined;
    const rest = sub[2] ?? "";
    // GET /subscriptions/{s}/providers/{ns}/{type} (e.g. LoadBalancers_ListAll, VirtualMachineScaleSets_ListAll).
    const listAll = /^\/providers\/([^/]+\/[^/]+)$/i.exec(rest);
    if (listAll && TOP_LEVEL_TYPES.includes(listAll[1].toLowerCase())) return { value: subscriptionList(sim, listAll[1]) };
    // GET /subscriptions/{s}/resources and /resourceGroups/{rg}/resources (Resources_List, Resources_ListByResourceGroup): generic resources.
    const resources = /^(?:\/resourceGroups\/([^/]+))?\/resources$/i.exec(rest);
    if (resources) {
        const rgs = resources[1] ? [`/subscriptions/${sim.subscriptionId}/resourceGroups/${resources[1]}`] : resourceGroupIds(sim);
        const value = rgs.flatMap((rg) => TOP_LEVEL_TYPES.flatMap((t) => valuesOf(sim, `${rg}/providers/${t}`))).map((r) => {
            const generic: Bag = { id: r.id, name: r.name, type: r.type, location: r.location };
            if (r.tags !== undefined) generic.tags = r.tags;
            if (r.sku !== undefined) generic.sku = r.sku;
            return generic;
        });
        return { value };
    }
    const scaleSet = /^(\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachineScaleSets\/[^/]+)(\/.*)?$/i.exec(rest);
    if (scaleSet) {
        const vmssId = `/subscriptions/${sim.subscriptionId}${scaleSet[1]}`;
        const tail = scaleSet[2] ?? "";
        // VirtualMachineScaleSets_ListNetworkInterfaces (network spec): every instance's NICs.
        if (/^\/networkInterfaces$/i.test(tail)) return { value: scaleSetNics(sim, vmssId) };
        // VirtualMachineScaleSets_GetInstanceView: statusesSummary of the instances and the set's own status.
        if (/^\/instanceView$/i.test(tail)) {
            const count = valuesOf(sim, `${vmssId}/virtualMachines`).length;
            sim.get(vmssId); // 404 when the scale set does not exist
            return {
                virtualMachine: { statusesSummary: count > 0 ? [{ code: "ProvisioningState/succeeded", count }] : [] },
                statuses: [SUCCEEDED_STATUS],
            };
        }
        // VirtualMachineScaleSetVMs_GetInstanceView.
        const vm = /^\/virtualMachines\/([^/]+)\/instanceView$/i.exec(tail);
        if (vm) {
            sim.get(`${vmssId}/virtualMachines/${vm[1]}`); // 404 when the instance does not exist
            return { platformUpdateDomain: 0, platformFaultDomain: 0, statuses: [SUCCEEDED_STATUS, RUNNING_STATUS] };
        }
        return undefined;
    }
    // VirtualMachines_InstanceView.
    const vmView = /^(\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+)\/instanceView$/i.exec(rest);
    if (vmView) {
        const vm = sim.get(`/subscriptions/${sim.subscriptionId}${vmView[1]}`) as Bag;
        return { computerName: vm.name, platformUpdateDomain: 0, platformFaultDomain: 0, statuses: [SUCCEEDED_STATUS, RUNNING_STATUS] };
    }
    // LoadBalancerNetworkInterfaces_List: standalone NICs and scale-set instance NICs that use the load balancer.
    const lbNics = /^(\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/loadBalancers\/[^/]+)\/networkInterfaces$/i.exec(rest);
    if (lbNics) {
        const lbId = (sim.get(`/subscriptions/${sim.subscriptionId}${lbNics[1]}`) as Bag).id as string;
        const standalone = subscriptionList(sim, "Microsoft.Network/networkInterfaces");
        const instances = subscriptionList(sim, "Microsoft.Compute/virtualMachineScaleSets").flatMap((v) => scaleSetNics(sim, String(v.id)));
        return { value: [...standalone, ...instances].filter((nic) => usesLoadBalancer(nic, lbId)) };
    }
    return undefined;
}

/**
 * Fields Azure's answers carry that the simulator's views leave out, with Azure's values:
 * - public IPs: `ipTags: []` (spec PublicIPAddressPropertiesFormat.ipTags; recorded `"ipTags": []` in azure-cli network recordings);
 * - backend-pool (V2) NAT rules: `enableDestinationServiceEndpoint: false` and `allowBackendPortConflict: false`
 *   (azure-cli recording test_network_lb_nat_rules_v3.yaml, api 2023-04-01);
 * - Uniform scale sets: `singlePlacementGroup: true`, and in the model's NIC configurations `dnsSettings: {dnsServers: []}`,
 *   `enableAcceleratedNetworking: false`, ipConfigurations' `privateIPAddressVersion: "IPv4"` (compute spec 2024-07-01 example
 *   VirtualMachineScaleSet_Create_WithAzureLoadBalancer.json, its 200/201 answers), so az prints them instead of null.
 */
export function withAzureDefaults(body: unknown): unknown {
    const visit = (v: unknown): void => {
        if (Array.isArray(v)) return v.forEach(visit);
        if (!isBag(v)) return;
        const type = typeof v.type === "string" ? v.type.toLowerCase() : "";
        const props = isBag(v.properties) ? v.properties : undefined;
        if (props && type === "microsoft.network/publicipaddresses") props.ipTags ??= [];
        if (props && type === "microsoft.network/loadbalancers/inboundnatrules" && props.backendAddressPool !== undefined) {
            props.enableDestinationServiceEndpoint ??= false;
            props.allowBackendPortConflict ??= false;
        }
        if (props && type === "microsoft.compute/virtualmachinescalesets" && String(props.orchestrationMode ?? "Uniform").toLowerCase() === "uniform") scaleSetDefaults(props);
        for (const x of Object.values(v)) if (x !== null && typeof x === "object") visit(x);
    };
    visit(body);
    return body;
}

function scaleSetDefaults(props: Bag): void {
    props.singlePlacementGroup ??= true;
    const profile = isBag(props.virtualMachineProfile) ? props.virtualMachineProfile : undefined;
    const network = profile && isBag(profile.networkProfile) ? profile.networkProfile : undefined;
    const nics = network && Array.isArray(network.networkInterfaceConfigurations) ? network.networkInterfaceConfigurations : [];
    for (const nic of nics) {
        const p = isBag(nic) && isBag(nic.properties) ? nic.properties : undefined;
        if (!p) continue;
        p.dnsSettings ??= { dnsServers: [] };
        p.enableAcceleratedNetworking ??= false;
        for (const ip of Array.isArray(p.ipConfigurations) ? p.ipConfigurations : []) {
            if (isBag(ip) && isBag(ip.properties)) ip.properties.privateIPAddressVersion ??= "IPv4";
        }
    }
}
