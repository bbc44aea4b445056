/**
 * What the azure-native stand-in knows of each resource type and function it serves: the ARM path,
 * the API version, and the shape of the request body. azure-native keeps this in generated metadata
 * (pulumi/pulumi-azure-native provider/pkg/resources: `AzureAPIResource.Path`, `PutParameters`,
 * and per property `Containers`, which is `["properties"]` for every property Azure's REST spec puts
 * under an `x-ms-client-flatten` `properties` object). That metadata is not published, so this file
 * keeps the small part our programs use, read from Azure/azure-rest-api-specs:
 * - network 2024-05-01 (loadBalancer.json, virtualNetwork.json, networkSecurityGroup.json,
 *   networkInterface.json, publicIpAddress.json): every resource and sub-resource keeps `id`, `name`
 *   (and where the spec has them `location`, `tags`, `sku`, `zones`, `extendedLocation`, `type`,
 *   `etag`) at the top and flattens the rest from `properties`;
 * - compute 2024-11-01 (virtualMachine.json, virtualMachineScaleSet.json): `properties` holds the
 *   profiles; inside them the NIC configurations and IP configurations flatten their `properties`,
 *   and a VM's `networkInterfaces[]` reference keeps `primary` under `properties`;
 * - resources 2024-03-01 (a resource group's `properties` holds only the read-only provisioningState);
 * - monitor 2021-05-01-preview (autoscale.json: `properties` holds profiles, enabled, targetResourceUri…).
 * The API versions are the defaults of @pulumi/azure-native 3.x (each resource's doc comment says
 * "Uses Azure REST API version …").
 */
import { simulatedTypeOf, type SimulatedResourceType } from "../resource-types";

/** How one JSON object maps to ARM: `top` keys stay at its top level and the others go into `properties` (absent: no `properties`); `nested` shapes its children (array items included). */
export interface BodyShape {
    top?: readonly string[];
    nested?: Readonly<Record<string, BodyShape>>;
}

export interface ResourceSpec {
    /** The ARM path with `{sdkName}` placeholders for the path parameters; `{subscriptionId}` comes from the provider. */
    path: string;
    /** The SDK names of the path parameters, in path order; the last one names the resource. */
    pathParams: readonly string[];
    apiVersion: string;
    body: BodyShape;
    /**
     * Sub-resource arrays azure-native keeps when the program leaves them unset (metadata
     * `MaintainSubResourceIfUnset`): on create they are sent empty, on update copied from Azure.
     * These are the properties whose SDK doc comment says "These are also available as standalone
     * resources" (the generator adds that sentence for exactly these: provider/pkg/gen/properties.go).
     */
    maintain?: readonly string[];
    /** Whether the body has a top-level `location` (azure-native's Check then defaults it). */
    hasLocation: boolean;
}

const SUB = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}";
const NETWORK = `${SUB}/providers/Microsoft.Network`;
const COMPUTE = `${SUB}/providers/Microsoft.Compute`;
const NETWORK_API = "2024-05-01";
const COMPUTE_API = "2024-11-01";

/** A child whose `properties` flatten, keeping `id`, `name` and `type` at the top (every Microsoft.Network sub-resource). */
const child = (nested?: Record<string, BodyShape>): BodyShape => ({ top: ["id", "name", "type", "etag"], nested });
const TRACKED = ["id", "name", "type", "location", "tags", "etag", "extendedLocation"];

const SUBNET = child();
const SECURITY_RULE = child();
const BACKEND_POOL = child({ loadBalancerBackendAddresses: { top: ["name"] } });
const INBOUND_NAT_RULE = child();
const NIC_IP_CONFIGURATION = child();
/** VMSS/VM NIC configurations and their IP configurations (compute spec: `name` plus flattened `properties`). */
const COMPUTE_NIC_CONFIGURATIONS: BodyShape = { top: ["name"], nested: { ipConfigurations: { top: ["name"] } } };

export const RESOURCE_SPECS: Readonly<Record<SimulatedResourceType, ResourceSpec>> = {
    "resources:ResourceGroup": {
        path: "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}",
        pathParams: ["resourceGroupName"],
        apiVersion: "2024-03-01",
        body: { top: ["id", "name", "type", "location", "tags", "managedBy"] },
        hasLocation: true,
    },
    "network:PublicIPAddress": {
        path: `${NETWORK}/publicIPAddresses/{publicIpAddressName}`,
        pathParams: ["resourceGroupName", "publicIpAddressName"],
        apiVersion: NETWORK_API,
        body: { top: [...TRACKED, "sku", "zones"] },
        hasLocation: true,
    },
    "network:VirtualNetwork": {
        path: `${NETWORK}/virtualNetworks/{virtualNetworkName}`,
        pathParams: ["resourceGroupName", "virtualNetworkName"],
        apiVersion: NETWORK_API,
        body: { top: TRACKED, nested: { subnets: SUBNET, virtualNetworkPeerings: child() } },
        maintain: ["subnets", "virtualNetworkPeerings"],
        hasLocation: true,
    },
    "network:Subnet": {
        path: `${NETWORK}/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}`,
        pathParams: ["resourceGroupName", "virtualNetworkName", "subnetName"],
        apiVersion: NETWORK_API,
        body: SUBNET,
        hasLocation: false,
    },
    "network:NetworkSecurityGroup": {
        path: `${NETWORK}/networkSecurityGroups/{networkSecurityGroupName}`,
        pathParams: ["resourceGroupName", "networkSecurityGroupName"],
        apiVersion: NETWORK_API,
        body: { top: TRACKED, nested: { securityRules: SECURITY_RULE } },
        maintain: ["securityRules"],
        hasLocation: true,
    },
    "network:SecurityRule": {
        path: `${NETWORK}/networkSecurityGroups/{networkSecurityGroupName}/securityRules/{securityRuleName}`,
        pathParams: ["resourceGroupName", "networkSecurityGroupName", "securityRuleName"],
        apiVersion: NETWORK_API,
        body: SECURITY_RULE,
        hasLocation: false,
    },
    "network:LoadBalancer": {
        path: `${NETWORK}/loadBalancers/{loadBalancerName}`,
        pathParams: ["resourceGroupName", "loadBalancerName"],
        apiVersion: NETWORK_API,
        body: {
            top: [...TRACKED, "sku"],
            nested: {
                frontendIPConfigurations: { top: ["id", "name", "type", "etag", "zones"] },
                backendAddressPools: BACKEND_POOL,
                loadBalancingRules: child(),
                probes: child(),
                inboundNatRules: INBOUND_NAT_RULE,
                inboundNatPools: child(),
                outboundRules: child(),
            },
        },
        maintain: ["backendAddressPools", "inboundNatRules"],
        hasLocation: true,
    },
    "network:LoadBalancerBackendAddressPool": {
        path: `${NETWORK}/loadBalancers/{loadBalancerName}/backendAddressPools/{backendAddressPoolName}`,
        pathParams: ["resourceGroupName", "loadBalancerName", "backendAddressPoolName"],
        apiVersion: NETWORK_API,
        body: BACKEND_POOL,
        hasLocation: false,
    },
    "network:InboundNatRule": {
        path: `${NETWORK}/loadBalancers/{loadBalancerName}/inboundNatRules/{inboundNatRuleName}`,
        pathParams: ["resourceGroupName", "loadBalancerName", "inboundNatRuleName"],
        apiVersion: NETWORK_API,
        body: INBOUND_NAT_RULE,
        hasLocation: false,
    },
    "network:NetworkInterface": {
        path: `${NETWORK}/networkInterfaces/{networkInterfaceName}`,
        pathParams: ["resourceGroupName", "networkInterfaceName"],
        apiVersion: NETWORK_API,
        body: { top: TRACKED, nested: { ipConfigurations: NIC_IP_CONFIGURATION } },
        hasLocation: true,
    },
    "compute:VirtualMachine": {
        path: `${COMPUTE}/virtualMachines/{vmName}`,
        pathParams: ["resourceGroupName", "vmName"],
        apiVersion: COMPUTE_API,
        body: {
            top: [...TRACKED, "plan", "identity", "zones"],
            nested: {
                networkProfile: {
                    nested: { networkInterfaces: { top: ["id"] }, networkInterfaceConfigurations: COMPUTE_NIC_CONFIGURATIONS },
                },
            },
        },
        hasLocation: true,
    },
    "compute:VirtualMachineScaleSet": {
        path: `${COMPUTE}/virtualMachineScaleSets/{vmScaleSetName}`,
        pathParams: ["resourceGroupName", "vmScaleSetName"],
        apiVersion: COMPUTE_API,
        body: {
            top: [...TRACKED, "sku", "plan", "identity", "zones"],
            nested: { virtualMachineProfile: { nested: { networkProfile: { nested: { networkInterfaceConfigurations: COMPUTE_NIC_CONFIGURATIONS } } } } },
        },
        hasLocation: true,
    },
    "monitor:AutoscaleSetting": {
        path: `${SUB}/providers/Microsoft.Insights/autoscalesettings/{autoscaleSettingName}`,
        pathParams: ["resourceGroupName", "autoscaleSettingName"],
        apiVersion: "2021-05-01-preview",
        // The setting's own `name` input is `properties.name` in autoscale.json; the top-level name is read-only.
        body: { top: ["id", "type", "location", "tags"] },
        hasLocation: true,
    },
};

export interface FunctionSpec {
    path: string;
    pathParams: readonly string[];
    apiVersion: string;
}

const getter = (type: SimulatedResourceType): FunctionSpec => ({ path: RESOURCE_SPECS[type].path, pathParams: RESOURCE_SPECS[type].pathParams, apiVersion: RESOURCE_SPECS[type].apiVersion });

/** The resource getters (`get*` functions) the stand-in answers with a GET, by token without the `azure-native:` prefix. */
export const FUNCTION_SPECS: Readonly<Record<string, FunctionSpec>> = {
    "resources:getResourceGroup": getter("resources:ResourceGroup"),
    "network:getLoadBalancer": getter("network:LoadBalancer"),
    "network:getLoadBalancerBackendAddressPool": getter("network:LoadBalancerBackendAddressPool"),
    "network:getInboundNatRule": getter("network:InboundNatRule"),
    "network:getPublicIPAddress": getter("network:PublicIPAddress"),
    "network:getNetworkInterface": getter("network:NetworkInterface"),
    "network:getVirtualNetwork": getter("network:VirtualNetwork"),
    "network:getSubnet": getter("network:Subnet"),
    "network:getNetworkSecurityGroup": getter("network:NetworkSecurityGroup"),
    "network:getSecurityRule": getter("network:SecurityRule"),
    "compute:getVirtualMachineScaleSet": getter("compute:VirtualMachineScaleSet"),
    "compute:getVirtualMachine": getter("compute:VirtualMachine"),
    "monitor:getAutoscaleSetting": getter("monitor:AutoscaleSetting"),
};

/** The two functions azure-native answers itself, without a request (provider.go Invoke). */
export const BUILT_IN_FUNCTIONS = ["authorization:getClientToken", "authorization:getClientConfig"] as const;

/** `v20240501` → `2024-05-01`, `v20210501preview` → `2021-05-01-preview` (azure-native's version modules). */
function apiVersionOfModule(module: string): string {
    const m = /^v(\d{4})(\d{2})(\d{2})(preview)?$/.exec(module);
    return m ? `${m[1]}-${m[2]}-${m[3]}${m[4] ? "-preview" : ""}` : "";
}

/** The spec of a resource token (`azure-native:network:LoadBalancer` or a version module's), or undefined. */
export function resourceSpecOf(token: string): { type: SimulatedResourceType; spec: ResourceSpec } | undefined {
    const type = simulatedTypeOf(token);
    if (!type) return undefined;
    const module = /^azure-native:[a-z0-9]+\/(v[0-9a-z]+):/.exec(token)?.[1];
    const base = RESOURCE_SPECS[type];
    return { type, spec: module ? { ...base, apiVersion: apiVersionOfModule(module) || base.apiVersion } : base };
}

/** A function token without its `azure-native:` prefix and version module: `network:getLoadBalancer`. */
export function functionKeyOf(token: string): string {
    const m = /^azure-native:([a-z0-9]+)(?:\/(v[0-9a-z]+))?:([A-Za-z0-9]+)$/.exec(token);
    return m ? `${m[1]}:${m[3]}` : token;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The ARM id of the resource the inputs name (the path with its parameters encoded, as PrepareAzureRESTIdAndQuery builds it). */
export function armPathOf(spec: { path: string; pathParams: readonly string[] }, subscriptionId: string, inputs: Record<string, unknown>, owner: string): string {
    let id = spec.path.replace("{subscriptionId}", encodeURIComponent(subscriptionId));
    for (const param of spec.pathParams) {
        const value = inputs[param];
        if (typeof value !== "string" || value === "") {
            throw new Error(`${owner}: the path parameter "${param}" must be a non-empty string (got ${JSON.stringify(value)}). Fix: set ${param} on the resource.`);
        }
        id = id.replace(`{${param}}`, encodeURIComponent(value));
    }
    return id;
}

/** SDK-shaped inputs to an ARM request body (convert/sdkInputsToRequestBody.go), minus the path parameters. */
export function toArmBody(spec: ResourceSpec, inputs: Record<string, unknown>): Record<string, unknown> {
    const bodyInputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(inputs)) {
        // Path parameters go into the URL; azureApiVersion is an SDK-only input (v3).
        if (spec.pathParams.includes(key) || key === "azureApiVersion") continue;
        bodyInputs[key] = value;
    }
    return shapeValue(bodyInputs, spec.body) as Record<string, unknown>;
}

function shapeValue(value: unknown, shape: BodyShape | undefined): unknown {
    if (shape === undefined) return value;
    if (Array.isArray(value)) return value.map((item) => shapeValue(item, shape));
    if (!isObject(value)) return value;
    const out: Record<string, unknown> = {};
    const properties: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
        if (child === undefined || child === null) continue;
        const shaped = shapeValue(child, shape.nested?.[key]);
        if (shape.top && !shape.top.includes(key)) properties[key] = shaped;
        else out[key] = shaped;
    }
    if (shape.top && Object.keys(properties).length > 0) out.properties = properties;
    return out;
}
