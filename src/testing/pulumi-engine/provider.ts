/**
 * The azure-native stand-in's resource operations, as azure-native runs them
 * (pulumi/pulumi-azure-native provider/pkg/provider/provider.go), over plain JSON values. Unknown
 * values are Pulumi's wire marker string (UNKNOWN). grpc-server.ts carries these over the provider protocol.
 */
import * as pulumi from "@pulumi/pulumi";
import { flattenArm } from "../arm-json";
import { previewOutputs } from "../pulumi/preview";
import { ArmClient, ArmResponseError } from "./arm-client";
import { armPathOf, BUILT_IN_FUNCTIONS, FUNCTION_SPECS, functionKeyOf, resourceSpecOf, toArmBody, type ResourceSpec } from "./arm-shapes";
import type { StandInConfig } from "./config";

type Json = Record<string, unknown>;

/** Pulumi's marker of an unknown value on the wire (sdk/go/common/resource/plugin/rpc.go UnknownStringValue). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** rpc PropertyDiff.Kind */
export const DIFF_KIND = { ADD: 0, ADD_REPLACE: 1, DELETE: 2, DELETE_REPLACE: 3, UPDATE: 4, UPDATE_REPLACE: 5 } as const;

export interface DiffResult {
    changes: boolean;
    replaces: string[];
    diffs: string[];
    detailedDiff: Record<string, number>;
    deleteBeforeReplace: boolean;
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

function deepEqual(a: unknown, b: unknown): boolean {
    if (a === UNKNOWN || b === UNKNOWN) return false; // a computed value never equals anything (PropertyValue.DeepEquals)
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
    if (isObject(a) && isObject(b)) {
        const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
        return [...keys].every((k) => deepEqual(a[k], b[k]));
    }
    return a === b;
}

/** The resource type of a URN: the last `$`-separated part of its type segment. */
export function typeOfUrn(urn: string): string {
    const parts = urn.split("::");
    return (parts[2] ?? "").split("$").pop() ?? "";
}

const nameOfUrn = (urn: string): string => urn.split("::").pop() ?? "";

/** "West Europe" and "westeurope" are one location (diff.go applyAzureSpecificDiff). */
const normalizedLocation = (l: string): string => l.replace(/ /g, "").toLowerCase();

function withUnknownMarkers(value: unknown, toSdk: boolean): unknown {
    if (toSdk && value === UNKNOWN) return pulumi.unknown;
    if (!toSdk && pulumi.isUnknown(value)) return UNKNOWN;
    if (Array.isArray(value)) return value.map((v) => withUnknownMarkers(v, toSdk));
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withUnknownMarkers(v, toSdk)]));
    return value;
}

/** Path-by-path differences, as diff.go calculateDetailedDiff names them (`a.b`, `list[2]`). */
function detailedDiffOf(olds: unknown, news: unknown, path: string, replaceKeys: ReadonlySet<string>, out: Record<string, number>): void {
    const top = path.split(/[.[]/)[0];
    const replace = replaceKeys.has(top);
    if (isObject(olds) && isObject(news)) {
        for (const key of new Set([...Object.keys(olds), ...Object.keys(news)])) {
            const sub = path === "" ? key : `${path}.${key}`;
            const inOld = olds[key] !== undefined && olds[key] !== null;
            const inNew = news[key] !== undefined && news[key] !== null;
            if (!inOld && !inNew) continue;
            if (!inOld) out[sub] = replaceKeys.has(sub) ? DIFF_KIND.ADD_REPLACE : DIFF_KIND.ADD;
            else if (!inNew) out[sub] = replaceKeys.has(sub) ? DIFF_KIND.DELETE_REPLACE : DIFF_KIND.DELETE;
            else if (!deepEqual(olds[key], news[key])) {
                if (path === "" && key === "location" && typeof olds[key] === "string" && typeof news[key] === "string"
                    && normalizedLocation(olds[key] as string) === normalizedLocation(news[key] as string)) continue;
                detailedDiffOf(olds[key], news[key], sub, replaceKeys, out);
            }
        }
        return;
    }
    if (Array.isArray(olds) && Array.isArray(news)) {
        const n = Math.max(olds.length, news.length);
        for (let i = 0; i < n; i++) {
            const sub = `${path}[${i}]`;
            if (i >= olds.length) out[sub] = DIFF_KIND.ADD;
            else if (i >= news.length) out[sub] = DIFF_KIND.DELETE;
            else if (!deepEqual(olds[i], news[i])) detailedDiffOf(olds[i], news[i], sub, replaceKeys, out);
        }
        return;
    }
    out[path] = replace ? DIFF_KIND.UPDATE_REPLACE : DIFF_KIND.UPDATE;
}

/**
 * Refresh's inputs (provider.go Read): the old inputs, with each value that changed in Azure
 * between the old and the new outputs copied in (diff.go applyDiff). azure-native projects the
 * outputs onto every writable input of the type's metadata; the stand-in, without that metadata,
 * looks only at the properties the old inputs set, so a property set only outside Pulumi stays out.
 */
export function refreshedInputs(inputs: Json, oldOutputs: Json, newOutputs: Json): Json {
    const result: Json = {};
    for (const [key, value] of Object.entries(inputs)) {
        if (!(key in oldOutputs)) {
            result[key] = value; // not an output (path parameters): kept as given
            continue;
        }
        if (!(key in newOutputs)) continue; // gone from Azure
        result[key] = refreshedValue(value, oldOutputs[key], newOutputs[key]);
    }
    return result;
}

function refreshedValue(base: unknown, old: unknown, now: unknown): unknown {
    if (isObject(base) && isObject(old) && isObject(now)) return refreshedInputs(base, old, now);
    if (Array.isArray(base) && Array.isArray(old) && Array.isArray(now)) {
        return now.map((item, i) => (i < base.length && i < old.length ? refreshedValue(base[i], old[i], item) : item));
    }
    return deepEqual(old, now) ? base : now;
}

/** Properties an imported resource's response carries that are no input (read-only in every spec the stand-in serves). */
const READ_ONLY = new Set(["id", "name", "type", "etag", "provisioningState", "resourceGuid", "uniqueId", "systemData", "timeCreated", "azureApiVersion", "managedBy"]);

export class StandInProvider {
    readonly client: ArmClient;
    private readonly resourceGroupLocations = new Map<string, string>();

    constructor(readonly config: StandInConfig) {
        this.client = new ArmClient({ endpoint: config.endpoint, token: config.token, defaultWaitSeconds: config.waitSeconds });
    }

    private specOf(urn: string): { type: string; spec: ResourceSpec } {
        const token = typeOfUrn(urn);
        const found = resourceSpecOf(token);
        if (!found) {
            throw new Error(`The azure-native stand-in does not serve resource type ${token} (${urn}). It serves the types the local Azure simulates: see docs/real-engine.md.`);
        }
        return found;
    }

    /** The resource's outputs from Azure's answer (responseBodyToSdkOutputs.go), plus azureApiVersion (v3 checkpointObject). */
    private outputsOf(type: string, spec: ResourceSpec, response: Json): Json {
        let outputs: Json;
        if (type === "monitor:AutoscaleSetting") {
            // azure-native's AutoscaleSetting keeps `properties` as one output (its SDK's `properties: AutoscaleSettingResponse`).
            outputs = Object.fromEntries(Object.entries(response).map(([k, v]) => [k, k === "properties" ? v : flattenArm(v)]));
        } else {
            outputs = flattenArm(response) as Json;
        }
        delete outputs.id; // Pulumi carries the id beside the outputs
        outputs.azureApiVersion = spec.apiVersion;
        return outputs;
    }

    /** Check (provider.go Check/applyDefaults): the name from the URN when unset, the location and azureApiVersion defaulted. */
    async check(urn: string, olds: Json, news: Json): Promise<{ inputs: Json; failures: { property: string; reason: string }[] }> {
        const { spec } = this.specOf(urn);
        const inputs: Json = { ...news };
        const failures: { property: string; reason: string }[] = [];
        const nameParam = spec.pathParams[spec.pathParams.length - 1];
        if (inputs[nameParam] === undefined) inputs[nameParam] = olds[nameParam] ?? nameOfUrn(urn);
        for (const param of spec.pathParams.slice(0, -1)) {
            if (inputs[param] === undefined) failures.push({ property: param, reason: `missing required property '${param}'` });
        }
        if (spec.hasLocation && inputs.location === undefined) {
            const location = olds.location ?? this.config.location ?? (await this.resourceGroupLocation(inputs.resourceGroupName));
            if (location !== undefined) inputs.location = location;
        }
        if (inputs.azureApiVersion === undefined) inputs.azureApiVersion = spec.apiVersion;
        return { inputs, failures };
    }

    /** The resource group's location, read once (provider.go getDefaultLocation); unknown while the group's name is. */
    private async resourceGroupLocation(name: unknown): Promise<string | undefined> {
        if (name === UNKNOWN) return UNKNOWN;
        if (typeof name !== "string") return undefined;
        const cached = this.resourceGroupLocations.get(name);
        if (cached) return cached;
        try {
            const group = await this.client.get(`/subscriptions/${this.config.subscriptionId}/resourcegroups/${encodeURIComponent(name)}`, "2020-10-01");
            if (typeof group.location === "string") this.resourceGroupLocations.set(name, group.location);
            return typeof group.location === "string" ? group.location : undefined;
        } catch {
            return undefined;
        }
    }

    /** Diff (provider.go Diff): old inputs against new inputs; a changed path parameter replaces, deleting first. */
    diff(urn: string, oldInputs: Json, news: Json): DiffResult {
        const { spec } = this.specOf(urn);
        const detailedDiff: Record<string, number> = {};
        detailedDiffOf(oldInputs, news, "", new Set(spec.pathParams), detailedDiff);
        const paths = Object.keys(detailedDiff);
        const diffs = [...new Set(paths.map((p) => p.split(/[.[]/)[0]))];
        const replaces = diffs.filter((k) => spec.pathParams.includes(k));
        return { changes: paths.length > 0, replaces, diffs, detailedDiff, deleteBeforeReplace: replaces.length > 0 };
    }

    /** Create (provider.go Create/defaultCreate): in preview the inputs as outputs with the rest unknown; else refuse an existing resource, PUT, poll, GET. */
    async create(urn: string, inputs: Json, preview: boolean): Promise<{ id: string; outputs: Json }> {
        const { type, spec } = this.specOf(urn);
        if (preview) return { id: "", outputs: withUnknownMarkers(previewOutputs(withUnknownMarkers(inputs, true) as Json), false) as Json };
        const path = armPathOf(spec, this.config.subscriptionId, inputs, `${type} ${nameOfUrn(urn)}`);
        if (await this.client.exists(path, spec.apiVersion)) {
            throw new Error(`cannot create already existing resource '${path}'`);
        }
        const body = toArmBody(spec, inputs);
        // Unset sub-resource arrays go empty on create (crud.go SetUnsetSubresourcePropertiesToDefaults).
        for (const key of spec.maintain ?? []) {
            if (inputs[key] === undefined) ((body.properties ??= {}) as Json)[key] = [];
        }
        const response = await this.client.put(path, spec.apiVersion, body);
        return { id: typeof response.id === "string" ? response.id : path, outputs: this.outputsOf(type, spec, response) };
    }

    /** Update (provider.go Update/defaultUpdate): in preview the new inputs as outputs plus the old name and location; else PUT with unset sub-resources kept from Azure. */
    async update(urn: string, id: string, oldState: Json, news: Json, preview: boolean): Promise<Json> {
        const { type, spec } = this.specOf(urn);
        if (preview) {
            const outputs = previewOutputs(withUnknownMarkers(news, true) as Json, withUnknownMarkers(oldState, true) as Json);
            for (const key of ["name", "location"]) if (oldState[key] !== undefined) outputs[key] = oldState[key];
            return withUnknownMarkers(outputs, false) as Json;
        }
        const path = armPathOf(spec, this.config.subscriptionId, news, `${type} ${nameOfUrn(urn)}`);
        const body = toArmBody(spec, news);
        const unset = (spec.maintain ?? []).filter((key) => news[key] === undefined);
        if (unset.length > 0) {
            // crud.go MaintainSubResourcePropertiesIfNotSet: what Azure has for them is sent back unchanged.
            const current = await this.client.get(path, spec.apiVersion);
            const properties = (current.properties ?? {}) as Json;
            for (const key of unset) if (properties[key] !== undefined) ((body.properties ??= {}) as Json)[key] = properties[key];
        }
        void id;
        return this.outputsOf(type, spec, await this.client.put(path, spec.apiVersion, body));
    }

    /** Read (provider.go Read): a 404 says the resource is gone (empty id); refresh keeps the old inputs with Azure's changes applied. */
    async read(urn: string, id: string, oldState: Json, oldInputs: Json | undefined): Promise<{ id: string; outputs: Json; inputs: Json } | undefined> {
        const { type, spec } = this.specOf(urn);
        let response: Json;
        try {
            response = await this.client.get(id, spec.apiVersion);
        } catch (err) {
            if (err instanceof ArmResponseError && err.status === 404) return undefined;
            throw err;
        }
        const outputs = this.outputsOf(type, spec, response);
        let inputs: Json;
        if (oldInputs && Object.keys(oldInputs).length > 0) {
            inputs = refreshedInputs(oldInputs, oldState, outputs);
        } else {
            // An import: the path parameters from the id, the rest from the response (convert/responseToSdkInputs.go, approximated).
            inputs = this.pathParamsOf(spec, id);
            for (const [key, value] of Object.entries(flattenArm(response) as Json)) if (!READ_ONLY.has(key)) inputs[key] = value;
            inputs.azureApiVersion = spec.apiVersion;
        }
        return { id, outputs, inputs };
    }

    private pathParamsOf(spec: ResourceSpec, id: string): Json {
        const template = spec.path.split("/");
        const segments = id.split("/");
        const out: Json = {};
        template.forEach((part, i) => {
            const m = /^\{(.+)\}$/.exec(part);
            if (m && m[1] !== "subscriptionId" && segments[i] !== undefined) out[m[1]] = decodeURIComponent(segments[i]);
        });
        return out;
    }

    /** Delete (provider.go Delete): DELETE and its long-running operation. */
    async delete(urn: string, id: string): Promise<void> {
        const { spec } = this.specOf(urn);
        await this.client.delete(id, spec.apiVersion);
    }

    /** Invoke (provider.go Invoke): getClientConfig and getClientToken from the configuration, the resource getters by a GET. */
    async invoke(token: string, args: Json): Promise<Json> {
        const key = functionKeyOf(token);
        if (key === "authorization:getClientToken") return { token: this.config.token };
        if (key === "authorization:getClientConfig") {
            const c = this.config;
            return { clientId: c.clientId, objectId: c.objectId, subscriptionId: c.subscriptionId, tenantId: c.tenantId };
        }
        const spec = FUNCTION_SPECS[key];
        if (!spec) {
            const served = [...BUILT_IN_FUNCTIONS, ...Object.keys(FUNCTION_SPECS)].map((f) => `azure-native:${f}`).join(", ");
            throw new Error(`Invoke type ${token} not found: the azure-native stand-in serves ${served}.`);
        }
        const path = armPathOf(spec, this.config.subscriptionId, args, `function ${token}`);
        const response = await this.client.get(path, spec.apiVersion);
        // Resource getters return the resource in output shape plus azureApiVersion (invokeResponseToOutputs).
        return { ...(flattenArm(response) as Json), azureApiVersion: spec.apiVersion };
    }
}
