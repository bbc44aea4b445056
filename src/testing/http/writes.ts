/**
 * ARM writes: PUT, PATCH and DELETE of every simulated resource type, and the scale-set actions
 * `POST .../delete` (instances) and `POST .../manualUpgrade`. One model, two front doors: the body
 * becomes the inputs the Pulumi mocks pass (write-targets.ts) and goes through the same handlers and
 * checks (`AzureSimulator.apply`), inside one change that is kept only if every check passes.
 *
 * Status codes and long-running-operation headers per resource provider (Azure/azure-rest-api-specs,
 * stable 2024-05-01 network, 2024-07-01 compute, 2022-10-01 autoscale, 2022-09-01 resources; and the
 * recorded answers in Azure/azure-cli's network and vm test recordings):
 * - Microsoft.Network PUT: 201 (created) / 200 (updated), `Azure-AsyncOperation` + `Retry-After`, body
 *   with `provisioningState: Updating` (every CreateOrUpdate is x-ms-long-running-operation with
 *   final-state-via: azure-async-operation); PATCH is UpdateTags: 200, not long-running;
 *   DELETE: 202 with `Location` + `Azure-AsyncOperation` (final-state-via: location), 204 when absent.
 * - Microsoft.Compute PUT: 201 / 200 with `Azure-AsyncOperation`, `provisioningState: Creating` /
 *   `Updating`; PATCH (Update): 200 + `Azure-AsyncOperation`; DELETE and the POST actions
 *   (DeleteInstances, UpdateInstances): 202 with `Location` + `Azure-AsyncOperation`, DELETE 204 when absent.
 * - Microsoft.Insights autoscalesettings: PUT 201 / 200, PATCH 200, DELETE 200 / 204; none long-running.
 * - Resource groups: PUT 201 / 200, PATCH 200 (not long-running); DELETE 202 with `Location`
 *   (`/subscriptions/{s}/operationresults/...`), 404 ResourceGroupNotFound when absent.
 */
import { ArmError, ARM_ERROR_CODES } from "../errors";
import type { AzureSimulator } from "../simulator";
import type { EtagStore } from "./etags";
import { topLevelIdOf } from "./etags";
import { operationUrls, type OperationStore } from "./operations";
import { CHILD_LISTS, flattened, inputsOf, mergePatch, parseWriteTarget, type WriteTarget } from "./write-targets";

type Bag = Record<string, unknown>;

export interface WriteRequest {
    method: string;
    path: string;
    /** Raw request body. */
    body: string;
    /** `<scheme>://<host>` the client used. */
    base: string;
    apiVersion: string;
    ifMatch?: string;
    ifNoneMatch?: string;
}

export interface WriteContext {
    sim: AzureSimulator;
    etags: EtagStore;
    operations: OperationStore;
    /** Retry-After (seconds) of the long-running answers and in-progress polls. */
    retryAfter: string;
    /** Called after a write is kept, before it is answered (saves the state file). */
    persist: () => void;
}

export interface WriteAnswer {
    status: number;
    body?: unknown;
    headers: Record<string, string>;
}

const isBag = (v: unknown): v is Bag => v !== null && typeof v === "object" && !Array.isArray(v);

function parseJsonBody(text: string, required: boolean): Bag {
    if (text.trim() === "") {
        if (required) throw new ArmError(ARM_ERROR_CODES.invalidRequestContent, 400, "The request content was invalid and could not be deserialized: the body is empty. Fix: send the resource as JSON.");
        return {};
    }
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (err) {
        throw new ArmError(ARM_ERROR_CODES.invalidRequestContent, 400, `The request content was invalid and could not be deserialized: ${(err as Error).message}.`);
    }
    if (!isBag(value)) throw new ArmError(ARM_ERROR_CODES.invalidRequestContent, 400, `The request content was invalid and could not be deserialized: expected a JSON object, got ${JSON.stringify(value).slice(0, 60)}.`);
    return value;
}

/** Every `provisioningState` of an answer set to `state` (Microsoft.Network's PUT answers show it on the children too). */
function withProvisioningState(body: unknown, state: string, deep: boolean): unknown {
    const visit = (v: unknown, top: boolean): void => {
        if (Array.isArray(v)) return v.forEach((x) => visit(x, false));
        if (!isBag(v)) return;
        if (isBag(v.properties) && (top || deep) && typeof v.properties.provisioningState === "string") v.properties.provisioningState = state;
        if (deep) for (const x of Object.values(v)) if (x !== null && typeof x === "object") visit(x, false);
    };
    visit(body, true);
    return body;
}

function locationOf(sim: AzureSimulator, id: string): string {
    try {
        const top = sim.get(topLevelIdOf(id)) as { location?: string };
        return top.location ?? sim.identity.defaultLocation;
    } catch {
        return sim.identity.defaultLocation;
    }
}

function requireSubscription(sim: AzureSimulator, target: WriteTarget): void {
    if (target.subscription.toLowerCase() !== sim.subscriptionId.toLowerCase()) {
        throw new ArmError(ARM_ERROR_CODES.subscriptionNotFound, 404, `The subscription '${target.subscription}' could not be found.`);
    }
}

function notFound(target: WriteTarget): ArmError {
    return target.type === "resources:ResourceGroup"
        ? new ArmError(ARM_ERROR_CODES.resourceGroupNotFound, 404, `Resource group '${target.resourceGroup}' could not be found.`)
        : new ArmError(ARM_ERROR_CODES.resourceNotFound, 404, `The Resource '${target.id.split("/providers/")[1] ?? target.id}' under resource group '${target.resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
}

/**
 * For a parent's PUT: children a list property leaves out are removed (ARM's PUT replaces the list);
 * a list property the body does not carry keeps the children as they are (Microsoft.Network's own
 * advice for NAT rules beside a NAT pool: "remove the LoadBalancerInboundNatRules property from your
 * PUT request", MicrosoftDocs/azure-docs#59705).
 */
function childListsOf(sim: AzureSimulator, target: WriteTarget, flat: Bag, current: Bag | undefined): { flat: Bag; removed: string[] } {
    const lists = CHILD_LISTS[target.type];
    if (!lists || !current) return { flat, removed: [] };
    const out = { ...flat };
    const removed: string[] = [];
    const hasNatPools = Array.isArray(current.inboundNatPools) && current.inboundNatPools.length > 0;
    for (const [property, segment] of Object.entries(lists)) {
        const before = Array.isArray(current[property]) ? (current[property] as Bag[]) : [];
        if (!(property in flat)) {
            out[property] = before;
            continue;
        }
        // With a NAT pool, the rules a GET lists are the pool's; the handler judges a changed list.
        if (property === "inboundNatRules" && hasNatPools) continue;
        const kept = new Set((Array.isArray(flat[property]) ? (flat[property] as unknown[]) : []).filter(isBag).map((c) => String(c.name ?? "").toLowerCase()));
        for (const child of before) {
            const name = String(child.name ?? "");
            if (name !== "" && !kept.has(name.toLowerCase())) removed.push(`${target.id}/${segment}/${name}`);
        }
    }
    void sim;
    return { flat: out, removed };
}

/** One write; throws ArmError when refused (and then nothing changed). Undefined when the path is not a write route. */
export function handleWrite(ctx: WriteContext, req: WriteRequest): WriteAnswer | undefined {
    const instance = /^(.*\/providers\/Microsoft\.Compute\/virtualMachineScaleSets\/[^/]+)\/virtualMachines\/([^/]+)$/i.exec(req.path);
    if (instance && req.method === "DELETE") return deleteScaleSetVm(ctx, req, instance[1], decodeURIComponent(instance[2]));
    const target = parseWriteTarget(req.path);
    if (!target) return undefined;
    if (req.method === "POST") return target.action ? scaleSetAction(ctx, req, target) : undefined;
    if (target.action) return undefined;
    requireSubscription(ctx.sim, target);
    if (req.method === "DELETE") return deleteResource(ctx, req, target);
    if (req.method === "PUT" || req.method === "PATCH") return putResource(ctx, req, target);
    return undefined;
}

function putResource(ctx: WriteContext, req: WriteRequest, target: WriteTarget): WriteAnswer {
    const { sim, etags } = ctx;
    const exists = sim.has(target.id);
    etags.check(target.id, exists, req.ifMatch, req.ifNoneMatch);
    const patch = req.method === "PATCH";
    const body = parseJsonBody(req.body, true);
    if (patch && !exists) throw notFound(target);
    const current = exists ? flattened(sim.get(target.id)) : undefined;
    let flat = flattened(body);
    // A PATCH merges onto the resource as it is. So does a Compute PUT of an existing scale set or VM: `az vmss scale`
    // PUTs only location and sku (azure-cli vm/custom.py scale_vmss), and Compute keeps what the body leaves out.
    const computeMerge = !patch && exists && (target.type === "compute:VirtualMachineScaleSet" || target.type === "compute:VirtualMachine");
    if (patch || computeMerge) flat = mergePatch(current, flat) as Bag;
    const lists = childListsOf(sim, target, flat, current);
    sim.batch(() => {
        for (const child of lists.removed) sim.delete(child);
        sim.apply(target.type, target.name, inputsOf(target, lists.flat));
    });
    etags.bump(target.id);
    ctx.persist();

    const resource = etags.apply(sim.get(target.id));
    const status = patch ? 200 : exists ? 200 : 201;
    if (target.provider === "Microsoft.Network" && !patch) {
        const op = ctx.operations.start("Microsoft.Network", 200, undefined, topLevelIdOf(target.id));
        const urls = operationUrls(req.base, sim.subscriptionId, "Microsoft.Network", locationOf(sim, target.id), op, req.apiVersion);
        return { status, body: withProvisioningState(resource, "Updating", true), headers: { "Azure-AsyncOperation": urls.asyncOperation as string, "Retry-After": ctx.retryAfter } };
    }
    if (target.provider === "Microsoft.Compute") {
        const op = ctx.operations.start("Microsoft.Compute", 200, undefined, topLevelIdOf(target.id));
        const urls = operationUrls(req.base, sim.subscriptionId, "Microsoft.Compute", locationOf(sim, target.id), op, req.apiVersion);
        return { status, body: withProvisioningState(resource, exists ? "Updating" : "Creating", false), headers: { "Azure-AsyncOperation": urls.asyncOperation as string, "Retry-After": ctx.retryAfter } };
    }
    return { status, body: resource, headers: etagHeader(resource) };
}

function etagHeader(resource: unknown): Record<string, string> {
    const etag = isBag(resource) && typeof resource.etag === "string" ? resource.etag : undefined;
    return etag ? { ETag: etag } : {};
}

function deleteResource(ctx: WriteContext, req: WriteRequest, target: WriteTarget): WriteAnswer {
    const { sim, etags } = ctx;
    const exists = sim.has(target.id);
    etags.check(target.id, exists, req.ifMatch, req.ifNoneMatch);
    if (!exists) {
        if (target.type === "resources:ResourceGroup") throw notFound(target);
        return { status: 204, headers: {} };
    }
    const location = locationOf(sim, target.id);
    sim.delete(target.id);
    etags.bump(target.id);
    ctx.persist();
    if (target.provider === "Microsoft.Insights") return { status: 200, headers: {} };
    if (target.provider === "Microsoft.Resources") {
        const op = ctx.operations.start("Microsoft.Resources", 200);
        const urls = operationUrls(req.base, sim.subscriptionId, "Microsoft.Resources", location, op, req.apiVersion);
        return { status: 202, headers: { Location: urls.location, "Retry-After": ctx.retryAfter } };
    }
    const provider = target.provider === "Microsoft.Compute" ? "Microsoft.Compute" : "Microsoft.Network";
    const op = ctx.operations.start(provider, provider === "Microsoft.Network" ? 204 : 200);
    const urls = operationUrls(req.base, sim.subscriptionId, provider, location, op, req.apiVersion);
    return { status: 202, headers: { Location: urls.location, "Azure-AsyncOperation": urls.asyncOperation as string, "Retry-After": ctx.retryAfter } };
}

/** `POST .../virtualMachineScaleSets/{name}/delete` and `.../manualUpgrade`, body `{"instanceIds": [...]}`. */
function scaleSetAction(ctx: WriteContext, req: WriteRequest, target: WriteTarget): WriteAnswer | undefined {
    if (target.type !== "compute:VirtualMachineScaleSet") return undefined;
    const action = (target.action ?? "").toLowerCase();
    if (action !== "delete" && action !== "manualupgrade") return undefined;
    const { sim } = ctx;
    requireSubscription(sim, target);
    if (!sim.has(target.id)) throw notFound(target);
    const body = parseJsonBody(req.body, false);
    const ids = body.instanceIds;
    // The spec's VirtualMachineScaleSetVMInstanceRequiredIDs: instanceIds is required for both actions.
    if (!Array.isArray(ids) || ids.length === 0 || ids.some((i) => typeof i !== "string" && typeof i !== "number")) {
        throw new ArmError(
            ARM_ERROR_CODES.invalidParameter,
            400,
            `POST ${target.action} of scale set ${target.name}: instanceIds = ${JSON.stringify(ids)} is invalid: allowed is a non-empty list of instance ids (strings), e.g. {"instanceIds": ["0", "2"]}.`,
        );
    }
    const instanceIds = ids.map(String);
    if (action === "delete") sim.deleteInstances(target.resourceGroup, target.name, instanceIds);
    else sim.upgradeInstances(target.resourceGroup, target.name, instanceIds);
    ctx.etags.bump(target.id);
    ctx.persist();
    const op = ctx.operations.start("Microsoft.Compute", 200);
    const urls = operationUrls(req.base, sim.subscriptionId, "Microsoft.Compute", locationOf(sim, target.id), op, req.apiVersion);
    return { status: 202, headers: { Location: urls.location, "Azure-AsyncOperation": urls.asyncOperation as string, "Retry-After": ctx.retryAfter } };
}

/** `DELETE .../virtualMachineScaleSets/{n}/virtualMachines/{id}` (VirtualMachineScaleSetVMs_Delete: 200/202/204): one instance goes, as with `POST .../delete`. */
function deleteScaleSetVm(ctx: WriteContext, req: WriteRequest, scaleSetPath: string, instanceId: string): WriteAnswer | undefined {
    const target = parseWriteTarget(scaleSetPath);
    if (!target || target.type !== "compute:VirtualMachineScaleSet") return undefined;
    requireSubscription(ctx.sim, target);
    if (!ctx.sim.has(target.id)) throw notFound(target);
    if (!ctx.sim.has(`${target.id}/virtualMachines/${instanceId}`)) return { status: 204, headers: {} };
    return scaleSetAction(ctx, { ...req, method: "POST", body: JSON.stringify({ instanceIds: [instanceId] }) }, { ...target, action: "delete" });
}
