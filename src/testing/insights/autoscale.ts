/**
 * Autoscale outside Pulumi: `azure-native:monitor:AutoscaleSetting` registrations, their ARM view,
 * and `autoscale` moving a scale set's capacity within the enabled setting's first profile.
 */
import { ARM_ERROR_CODES } from "../errors";
import { resourceGroupId } from "../ids";
import { bag, bags, flag, requiredText, tagsOf, text, type Bag } from "../resource-inputs";
import { put, removeRecord } from "../journal";
import { fail, location, requireResourceGroup, requireScaleSet } from "../lookups";
import { keyOf, type SimulatorState } from "../model";
import type { AutoscaleProfileRecord, AutoscaleSettingRecord } from "./autoscale-model";
import { scaleTo } from "../compute/scale-sets/scaling";

type Json = Record<string, unknown>;

/** `.../providers/microsoft.insights/autoscalesettings/{name}`, spelled as the spec example's id (monitor createOrUpdateAutoscaleSetting.json). */
export function autoscaleSettingId(subscriptionId: string, resourceGroup: string, name: string): string {
    return `${resourceGroupId(subscriptionId, resourceGroup)}/providers/microsoft.insights/autoscalesettings/${name}`;
}

export function isAutoscaleSettingId(id: string): boolean {
    return /\/providers\/microsoft\.insights\/autoscalesettings\/[^/]+$/i.test(id);
}

const capacityText = (owner: string, field: string, value: unknown): string => {
    // Pulumi programs give strings (the spec's type); a number is accepted and stored as ARM would return it.
    const v = typeof value === "number" ? String(value) : requiredText(owner, field, value);
    if (!/^\d+$/.test(v)) throw fail(ARM_ERROR_CODES.invalidParameter, 400, `The value '${v}' of ${field} of ${owner} is not a whole number of instances.`);
    return v;
};

/** The handler for `monitor:AutoscaleSetting`. */
export function upsertAutoscaleSetting(s: SimulatorState, pulumiName: string, inputs: Bag): string {
    const name = text("autoscale setting", "autoscaleSettingName", inputs.autoscaleSettingName) ?? text("autoscale setting", "name", inputs.name) ?? pulumiName;
    const owner = `autoscale setting ${name}`;
    const rg = requireResourceGroup(s, owner, inputs.resourceGroupName);
    const id = autoscaleSettingId(s.subscriptionId, rg.name, name);
    const existing = s.autoscaleSettings[keyOf(id)];
    const profiles: AutoscaleProfileRecord[] = bags(owner, "profiles", inputs.profiles).map((p, i) => {
        const o = `${owner} profile ${i}`;
        const c = bag(p.capacity) ?? {};
        const minimum = capacityText(o, "capacity.minimum", c.minimum);
        const maximum = capacityText(o, "capacity.maximum", c.maximum);
        const dflt = capacityText(o, "capacity.default", c.default);
        if (Number(minimum) > Number(maximum) || Number(dflt) < Number(minimum) || Number(dflt) > Number(maximum)) {
            throw fail(ARM_ERROR_CODES.invalidParameter, 400, `${o}: capacity must satisfy minimum <= default <= maximum (got minimum ${minimum}, default ${dflt}, maximum ${maximum}).`);
        }
        return { name: requiredText(o, "name", p.name), capacity: { minimum, maximum, default: dflt }, rules: Array.isArray(p.rules) ? structuredClone(p.rules) : [] };
    });
    if (profiles.length === 0) throw fail(ARM_ERROR_CODES.invalidParameter, 400, `${owner}: profiles must hold at least one profile (spec: 1 to 20).`);
    const record: AutoscaleSettingRecord = {
        id: existing?.id ?? id,
        name: existing?.name ?? name,
        resourceGroup: rg.name,
        location: location(inputs, owner, existing, rg),
        tags: tagsOf(owner, inputs.tags),
        // The spec's default for `enabled` is false (monitor autoscale_API.json, AutoscaleSetting.enabled).
        enabled: flag(owner, "enabled", inputs.enabled) ?? false,
        targetResourceUri: requiredText(owner, "targetResourceUri", inputs.targetResourceUri),
        profiles,
    };
    put(s, "autoscaleSettings", keyOf(id), record);
    return record.id;
}

/** ARM JSON of a setting, shaped as the spec example's response (capacities are strings). */
export function autoscaleSettingJson(setting: AutoscaleSettingRecord): Json {
    const json: Json = {
        id: setting.id,
        name: setting.name,
        type: "Microsoft.Insights/autoscaleSettings",
        location: setting.location,
        properties: {
            profiles: setting.profiles.map((p) => ({ name: p.name, capacity: { ...p.capacity }, rules: structuredClone(p.rules) })),
            enabled: setting.enabled,
            name: setting.name,
            targetResourceUri: setting.targetResourceUri,
        },
    };
    if (setting.tags) json.tags = { ...setting.tags };
    return json;
}

/** GET of `.../microsoft.insights/autoscalesettings[/{name}]`; undefined when the path is not one. */
export function autoscaleSettingsGet(s: SimulatorState, path: string): unknown {
    const m = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/microsoft\.insights\/autoscalesettings(?:\/([^/]+))?\/?$/i.exec(path);
    if (!m) return undefined;
    const settings = Object.values(s.autoscaleSettings).filter((a) => a.resourceGroup.toLowerCase() === m[1].toLowerCase());
    if (m[2] === undefined) return { value: settings.map(autoscaleSettingJson) };
    const setting = settings.find((a) => a.name.toLowerCase() === m[2].toLowerCase());
    if (!setting) throw fail(ARM_ERROR_CODES.resourceNotFound, 404, `The Resource 'microsoft.insights/autoscalesettings/${m[2]}' under resource group '${m[1]}' was not found.`);
    return autoscaleSettingJson(setting);
}

/** What azure-native outputs: the inputs, plus `properties` nested (azure-native keeps AutoscaleSetting's `properties` unflattened). */
export function autoscaleSettingPulumiOutputs(setting: AutoscaleSettingRecord): Json {
    const json = autoscaleSettingJson(setting);
    return { name: json.name, type: json.type, location: json.location, properties: json.properties };
}

/**
 * Autoscale acting: the scale set goes to `capacity` clamped to the enabled setting's first
 * profile's minimum and maximum ("the number of instances can't go below the minimum or above the
 * maximum", docs autoscale-understanding-settings), through a normal scale-out or scale-in
 * (overprovisioning included). 404 when no enabled setting targets the scale set.
 */
export function autoscale(s: SimulatorState, resourceGroup: string, scaleSet: string, capacity: number): string[] {
    const vmss = requireScaleSet(s, resourceGroup, scaleSet);
    const setting = Object.values(s.autoscaleSettings).find((a) => a.enabled && keyOf(a.targetResourceUri) === keyOf(vmss.id));
    if (!setting) {
        throw fail(ARM_ERROR_CODES.resourceNotFound, 404,
            `No enabled autoscale setting (microsoft.insights/autoscalesettings) targets scale set ${vmss.id}.`);
    }
    if (!Number.isInteger(capacity) || capacity < 0) {
        throw fail(ARM_ERROR_CODES.invalidParameter, 400, `autoscale ${vmss.name}: capacity = ${capacity}: allowed is a whole number of instances.`);
    }
    const profile = setting.profiles[0];
    const target = Math.min(Number(profile.capacity.maximum), Math.max(Number(profile.capacity.minimum), capacity));
    return scaleTo(s, vmss, target).instances.map((i) => i.instanceId);
}

/** Deletes a setting by id; false when there was none (ARM answers 204 then). */
export function deleteAutoscaleSetting(s: SimulatorState, id: string): boolean {
    if (!s.autoscaleSettings[keyOf(id)]) return false;
    removeRecord(s, "autoscaleSettings", keyOf(id));
    return true;
}
