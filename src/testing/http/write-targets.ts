/**
 * Which simulated resource a write's path names, and the conversion of an ARM request body into the
 * inputs the Pulumi mocks pass for it (azure-native's flattened shape plus the path's parameters),
 * so a REST write goes through the same handlers and checks as a Pulumi one.
 */
import { flattenArm } from "../arm-json";
import type { SimulatedResourceType } from "../resource-types";

type Bag = Record<string, unknown>;

export type WriteProvider = "Microsoft.Resources" | "Microsoft.Network" | "Microsoft.Compute" | "Microsoft.Insights";

interface TypeRoute {
    type: SimulatedResourceType;
    /** azure-native's input names of the path's names, parent first. */
    names: string[];
}

/** `{namespace}/{type}[/{child type}]`, lower case → the azure-native type and its name inputs. */
const TYPES: Record<string, TypeRoute> = {
    "microsoft.network/publicipaddresses": { type: "network:PublicIPAddress", names: ["publicIpAddressName"] },
    "microsoft.network/virtualnetworks": { type: "network:VirtualNetwork", names: ["virtualNetworkName"] },
    "microsoft.network/virtualnetworks/subnets": { type: "network:Subnet", names: ["virtualNetworkName", "subnetName"] },
    "microsoft.network/networksecuritygroups": { type: "network:NetworkSecurityGroup", names: ["networkSecurityGroupName"] },
    "microsoft.network/networksecuritygroups/securityrules": { type: "network:SecurityRule", names: ["networkSecurityGroupName", "securityRuleName"] },
    "microsoft.network/loadbalancers": { type: "network:LoadBalancer", names: ["loadBalancerName"] },
    "microsoft.network/loadbalancers/backendaddresspools": { type: "network:LoadBalancerBackendAddressPool", names: ["loadBalancerName", "backendAddressPoolName"] },
    "microsoft.network/loadbalancers/inboundnatrules": { type: "network:InboundNatRule", names: ["loadBalancerName", "inboundNatRuleName"] },
    "microsoft.network/networkinterfaces": { type: "network:NetworkInterface", names: ["networkInterfaceName"] },
    "microsoft.compute/virtualmachines": { type: "compute:VirtualMachine", names: ["vmName"] },
    "microsoft.compute/virtualmachinescalesets": { type: "compute:VirtualMachineScaleSet", names: ["vmScaleSetName"] },
    "microsoft.insights/autoscalesettings": { type: "monitor:AutoscaleSetting", names: ["autoscaleSettingName"] },
};

/** Top-level types a subscription- or resource-group-scope list covers (`GET .../providers/{ns}/{type}`). */
export const TOP_LEVEL_TYPES = Object.keys(TYPES).filter((k) => k.split("/").length === 2);

const PROVIDERS: Record<string, WriteProvider> = {
    "microsoft.network": "Microsoft.Network",
    "microsoft.compute": "Microsoft.Compute",
    "microsoft.insights": "Microsoft.Insights",
};

export interface WriteTarget {
    provider: WriteProvider;
    type: SimulatedResourceType;
    /** The resource's id, as the path spells it. */
    id: string;
    subscription: string;
    resourceGroup: string;
    /** The name the handler is called with (the last name of the path). */
    name: string;
    /** azure-native inputs the path gives: resourceGroupName and the names. */
    params: Record<string, string>;
    /** A POST action after the resource (`delete`, `manualUpgrade`), if any. */
    action?: string;
}

/** The write target of a path, or undefined when the path names no simulated resource. */
export function parseWriteTarget(path: string): WriteTarget | undefined {
    const segs = path.split("/").filter(Boolean).map((s) => decodeURIComponent(s));
    if (segs.length < 4 || segs[0].toLowerCase() !== "subscriptions" || segs[2].toLowerCase() !== "resourcegroups") return undefined;
    const subscription = segs[1];
    const resourceGroup = segs[3];
    const rgId = `/subscriptions/${subscription}/resourceGroups/${resourceGroup}`;
    if (segs.length === 4) {
        return { provider: "Microsoft.Resources", type: "resources:ResourceGroup", id: rgId, subscription, resourceGroup, name: resourceGroup, params: { resourceGroupName: resourceGroup } };
    }
    if (segs[4].toLowerCase() !== "providers" || segs.length < 8) return undefined;
    const provider = PROVIDERS[segs[5].toLowerCase()];
    if (!provider) return undefined;
    let rest = segs.slice(6);
    let action: string | undefined;
    if (rest.length === 3) {
        action = rest[2];
        rest = rest.slice(0, 2);
    }
    if (rest.length !== 2 && rest.length !== 4) return undefined;
    const key = [segs[5], rest[0], ...(rest.length === 4 ? [rest[2]] : [])].join("/").toLowerCase();
    const route = TYPES[key];
    if (!route) return undefined;
    const names = rest.length === 4 ? [rest[1], rest[3]] : [rest[1]];
    const params: Record<string, string> = { resourceGroupName: resourceGroup };
    route.names.forEach((n, i) => (params[n] = names[i]));
    return {
        provider,
        type: route.type,
        id: `${rgId}/providers/${segs[5]}/${rest.join("/")}`,
        subscription,
        resourceGroup,
        name: names[names.length - 1],
        params,
        action,
    };
}

const isBag = (v: unknown): v is Bag => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * JSON merge (RFC 7396), as ARM applies a PATCH: objects merge key by key, `null` removes a key,
 * anything else (lists included) replaces.
 */
export function mergePatch(current: unknown, patch: unknown): unknown {
    if (!isBag(patch)) return patch;
    const out: Bag = isBag(current) ? { ...current } : {};
    for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete out[k];
        else out[k] = mergePatch(out[k], v);
    }
    return out;
}

/**
 * Backend addresses a GET shows for NIC members (they name `networkInterfaceIPConfiguration`) are
 * read-only: the NIC makes the membership. A read-modify-write PUT echoes them; they are dropped,
 * as Azure ignores read-only properties (ARM's PUT contract: learn.microsoft.com resource-manager
 * "read-only properties are ignored on PUT").
 */
function withoutEchoedNicAddresses(pool: unknown): unknown {
    if (!isBag(pool) || !Array.isArray(pool.loadBalancerBackendAddresses)) return pool;
    return { ...pool, loadBalancerBackendAddresses: pool.loadBalancerBackendAddresses.filter((a) => !(isBag(a) && a.networkInterfaceIPConfiguration !== undefined)) };
}

/** The mocks' inputs of a write: the flattened body (read-only echoes dropped) and the path's parameters. */
export function inputsOf(target: WriteTarget, flatBody: Bag): Bag {
    let body = flatBody;
    if (target.type === "network:LoadBalancer" && Array.isArray(body.backendAddressPools)) {
        body = { ...body, backendAddressPools: body.backendAddressPools.map(withoutEchoedNicAddresses) };
    }
    if (target.type === "network:LoadBalancerBackendAddressPool") body = withoutEchoedNicAddresses(body) as Bag;
    return { ...body, ...target.params };
}

/** The child lists a parent's PUT may leave out: `{ list property: child path segment }`. */
export const CHILD_LISTS: Partial<Record<SimulatedResourceType, Record<string, string>>> = {
    "network:LoadBalancer": { backendAddressPools: "backendAddressPools", inboundNatRules: "inboundNatRules" },
    "network:VirtualNetwork": { subnets: "subnets" },
    "network:NetworkSecurityGroup": { securityRules: "securityRules" },
};

/** A flattened ARM body (any `properties` merged into its owner), as azure-native's inputs are shaped. */
export function flattened(body: unknown): Bag {
    return flattenArm(body) as Bag;
}
