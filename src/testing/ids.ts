/** ARM resource ids, built exactly as Azure spells them. */

export function resourceGroupId(subscriptionId: string, resourceGroup: string): string {
    return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

export function networkId(subscriptionId: string, resourceGroup: string, type: string, name: string): string {
    return `${resourceGroupId(subscriptionId, resourceGroup)}/providers/Microsoft.Network/${type}/${name}`;
}

export function computeId(subscriptionId: string, resourceGroup: string, type: string, name: string): string {
    return `${resourceGroupId(subscriptionId, resourceGroup)}/providers/Microsoft.Compute/${type}/${name}`;
}

/** `{vmssId}/virtualMachines/{instanceId}` */
export function scaleSetVmId(scaleSetId: string, instanceId: string): string {
    return `${scaleSetId}/virtualMachines/${instanceId}`;
}

/** `{vmssId}/virtualMachines/{instanceId}/networkInterfaces/{nicConfig}` */
export function scaleSetNicId(scaleSetId: string, instanceId: string, nicConfig: string): string {
    return `${scaleSetVmId(scaleSetId, instanceId)}/networkInterfaces/${nicConfig}`;
}

/** `{vmssId}/virtualMachines/{instanceId}/networkInterfaces/{nicConfig}/ipConfigurations/{ipConfig}` */
export function scaleSetIpConfigurationId(scaleSetId: string, instanceId: string, nicConfig: string, ipConfig: string): string {
    return `${scaleSetNicId(scaleSetId, instanceId, nicConfig)}/ipConfigurations/${ipConfig}`;
}

/** The subscription of an ARM id (`/subscriptions/{s}/...`); "" when it names none. */
export function subscriptionOf(id: string): string {
    return /^\/subscriptions\/([^/]+)/i.exec(id)?.[1] ?? "";
}

/** The resource group of an ARM id (`.../resourceGroups/{rg}/...`); "" when it names none. */
export function resourceGroupOf(id: string): string {
    return /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? "";
}

/** The id without its last `/{type}/{name}` pair: the parent resource. */
export function parentOf(id: string): string {
    const parts = id.replace(/\/+$/, "").split("/");
    return parts.slice(0, -2).join("/");
}
