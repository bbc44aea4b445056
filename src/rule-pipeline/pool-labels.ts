/**
 * Labels of a pool's mappings, unique per pool. Azure's mappings name a Uniform scale-set instance
 * by its id, so two scale sets in one pool (one replacing the other: Pulumi creates the new one
 * before it deletes the old) both have an instance "0". While a pool holds more than one scale
 * set, a Uniform instance is labelled `<scale set>/<id>`; with one, by its plain id. Flexible VMs
 * and standalone VMs keep their names, which are unique already.
 */

/** A Uniform instance's ipConfiguration id: `…/virtualMachineScaleSets/{name}/virtualMachines/{id}/…`. */
const UNIFORM_MEMBER = /\/virtualMachineScaleSets\/([^/]+)\/virtualMachines\/[^/]+\//i;

/** The scale set of a Uniform instance's ipConfiguration id, or undefined for any other member. */
export function scaleSetOfMember(ipConfigurationId: string | undefined): string | undefined {
    return ipConfigurationId ? UNIFORM_MEMBER.exec(ipConfigurationId)?.[1] : undefined;
}

/**
 * The instance ids (lower case) of one scale set that a pool's `backendIPConfigurations` hold:
 * each member's ipConfiguration id runs `{scale set id}/virtualMachines/{instanceId}/...`.
 */
export function scaleSetInstancesInPool(configurations: readonly { id?: string }[], scaleSetId: string): Set<string> {
    const prefix = `${scaleSetId.toLowerCase()}/virtualmachines/`;
    const members = new Set<string>();
    for (const c of configurations) {
        const id = (c.id ?? "").toLowerCase();
        if (id.startsWith(prefix)) members.add(id.slice(prefix.length).split("/")[0]);
    }
    return members;
}

/** A label qualified by its scale set. */
export const qualifiedLabel = (scaleSet: string, instance: string): string => `${scaleSet}/${instance}`;

/** The entries with unique labels, each with its scale set (Uniform members only). */
export function labelPoolMappings<T extends { instance: string; ipConfigurationId?: string }>(entries: readonly T[]): (T & { scaleSet?: string })[] {
    const scaleSets = new Set<string>();
    for (const e of entries) {
        const vmss = scaleSetOfMember(e.ipConfigurationId);
        if (vmss) scaleSets.add(vmss.toLowerCase());
    }
    const qualify = scaleSets.size > 1;
    return entries.map((e) => {
        const vmss = scaleSetOfMember(e.ipConfigurationId);
        return vmss ? { ...e, scaleSet: vmss, instance: qualify ? qualifiedLabel(vmss, e.instance) : e.instance } : { ...e };
    });
}

/** A scale set's own mappings in its pool, and the other members' (another scale set's, while one replaces it). */
export interface ScaleSetShare {
    /** This scale set's mappings, by plain instance id (or VM name). */
    ours: { instance: string; frontendPort: number }[];
    /** Every other member's mapping, with its label as Azure's read gave it. */
    others: { instance: string; frontendPort: number }[];
    /** Whether the pool holds more than one scale set after this change: this one's labels are then qualified. */
    qualify: boolean;
}

/**
 * Splits a pool's current mappings between this scale set and the other members. `name` is the
 * scale set's name when known; `isNew` says it is being created (its id unknown in a preview), so
 * it has no instances yet. When neither tells (a name not known yet), every mapping is taken as
 * this scale set's, as with one scale set per pool.
 */
export function shareOfScaleSet(mappings: readonly { instance: string; frontendPort: number; scaleSet?: string }[], name: string | undefined,
    isNew: boolean): ScaleSetShare {
    if (isNew) {
        return { ours: [], others: mappings.map((m) => ({ instance: m.instance, frontendPort: m.frontendPort })),
            qualify: mappings.some((m) => m.scaleSet !== undefined && (!name || m.scaleSet.toLowerCase() !== name.toLowerCase())) };
    }
    const mine = (m: { scaleSet?: string }) => !name || m.scaleSet === undefined || m.scaleSet.toLowerCase() === name.toLowerCase();
    const ours = mappings.filter(mine).map((m) => ({ instance: stripScaleSet(m.instance, m.scaleSet), frontendPort: m.frontendPort }));
    const others = mappings.filter((m) => !mine(m)).map((m) => ({ instance: m.instance, frontendPort: m.frontendPort }));
    return { ours, others, qualify: mappings.some((m) => !mine(m) && m.scaleSet !== undefined) };
}

function stripScaleSet(instance: string, scaleSet: string | undefined): string {
    const prefix = scaleSet ? `${scaleSet}/` : "";
    return prefix && instance.toLowerCase().startsWith(prefix.toLowerCase()) ? instance.slice(prefix.length) : instance;
}
