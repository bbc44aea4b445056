/** ARM resource ids as the library compares and names them (the simulator keeps its own, as Azure's stand-in). */

/** An ARM id as a map key: ARM compares ids ignoring case (and the surrounding spaces of a pasted id mean nothing). */
export function armIdKey(id: string): string {
    return id.trim().toLowerCase();
}

/** Whether two ARM ids name the same resource: ARM compares ids ignoring case. */
export function sameArmId(a: string | undefined, b: string | undefined): boolean {
    return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** The last segment of an ARM id, its resource's name (`.../loadBalancers/lb` → `lb`); trailing slashes ignored. */
export function lastSegment(id: string): string {
    return id.replace(/\/+$/, "").split("/").pop() || id;
}

/** The load balancer id inside a child id (`.../loadBalancers/{lb}/inboundNatPools/{pool}` → `.../loadBalancers/{lb}`). */
export function loadBalancerIdOf(childId: string | undefined): string | undefined {
    const match = /^(.*\/providers\/Microsoft\.Network\/loadBalancers\/[^/]+)\/[^/]+\/[^/]+$/i.exec(childId ?? "");
    return match?.[1];
}

/** The scale set and instance id of a scale-set VM's NIC configuration id (`.../virtualMachineScaleSets/{vmss}/virtualMachines/{id}/networkInterfaces/...`), names decoded. */
export function scaleSetMemberOf(id: string): { scaleSet: string; instance: string } | undefined {
    const match = /\/virtualMachineScaleSets\/([^/]+)\/virtualMachines\/([^/]+)\/networkInterfaces\//i.exec(id);
    return match ? { scaleSet: decodeURIComponent(match[1]), instance: decodeURIComponent(match[2]) } : undefined;
}

/** The NIC id and resource group of a standalone NIC's ipConfiguration id (`.../resourceGroups/{rg}/providers/Microsoft.Network/networkInterfaces/{nic}/ipConfigurations/{name}`). */
export function standaloneNicOf(ipConfigurationId: string): { nicId: string; resourceGroup: string } | undefined {
    const match = /^(\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/networkInterfaces\/[^/]+)\/ipConfigurations\/[^/]+\/?$/i.exec(ipConfigurationId);
    return match ? { nicId: match[1], resourceGroup: match[2] } : undefined;
}

/** The scale set id inside the id of one of its VMs or their NICs (`.../virtualMachineScaleSets/{vmss}/virtualMachines/{id}/...`). */
export function scaleSetIdOf(vmChildId: string): string | undefined {
    return /^(.*\/virtualMachineScaleSets\/[^/]+)\/virtualMachines\//i.exec(vmChildId)?.[1];
}

/** The NIC id of a NIC ipConfiguration id: the `/ipConfigurations/{name}` tail dropped; any other id as it is (trimmed). */
export function nicIdOf(ipConfigurationId: string): string {
    return ipConfigurationId.trim().replace(/\/ipConfigurations\/[^/]+$/i, "");
}

/** The parts of a top-level Microsoft.Network resource's id (`/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Network/{type}/{name}`), type matched ignoring case. */
export function parseNetworkResourceId(id: string, type: string): { subscriptionId: string; resourceGroupName: string; name: string } | undefined {
    const match = new RegExp(`^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Network/${type}/([^/]+)$`, "i").exec(id);
    return match ? { subscriptionId: match[1], resourceGroupName: match[2], name: match[3] } : undefined;
}
