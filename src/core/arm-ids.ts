/** ARM resource ids as the library compares and names them (the simulator keeps its own, as Azure's stand-in). */

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
