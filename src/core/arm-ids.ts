/** ARM resource ids as the library compares and names them (the simulator keeps its own, as Azure's stand-in). */

/** Whether two ARM ids name the same resource: ARM compares ids ignoring case. */
export function sameArmId(a: string | undefined, b: string | undefined): boolean {
    return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** The last segment of an ARM id, its resource's name (`.../loadBalancers/lb` → `lb`); trailing slashes ignored. */
export function lastSegment(id: string): string {
    return id.replace(/\/+$/, "").split("/").pop() || id;
}
