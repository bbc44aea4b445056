/**
 * The stand-in over Pulumi's provider protocol (pulumi/pulumi proto/pulumi/provider.proto), served
 * with the gRPC stubs @pulumi/pulumi ships. It does not use `@pulumi/pulumi/provider`'s `main`:
 * that server answers Configure itself with `supportsPreview` unset and drops the config, and hands
 * Create and Update neither the preview flag nor the old inputs, so the engine would never ask for
 * azure-native's preview outputs (provider.go Create/Update with `req.GetPreview()`) and Diff could
 * not compare old inputs with new ones. Everything else it does (print the port, serve on loopback)
 * is done here the same way.
 */
import { createRequire } from "node:module";
import { resolveConfig } from "./config";
import { StandInProvider, typeOfUrn } from "./provider";

/* eslint-disable @typescript-eslint/no-explicit-any */
// The gRPC runtime and protobuf are @pulumi/pulumi's own dependencies: load them as it does.
const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const grpc = pulumiRequire("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const providerGrpc = pulumiRequire("./proto/provider_grpc_pb") as any;
const providerProto = pulumiRequire("./proto/provider_pb") as any;
const pluginProto = pulumiRequire("./proto/plugin_pb") as any;
const emptyProto = pulumiRequire("google-protobuf/google/protobuf/empty_pb") as any;
const structProto = pulumiRequire("google-protobuf/google/protobuf/struct_pb") as any;

type Json = Record<string, unknown>;
type Callback = (err: unknown, value?: unknown) => void;

const toJs = (s: any): Json => (s ? (s.toJavaScript() as Json) : {});
const toStruct = (o: Json): any => structProto.Struct.fromJavaScript(dropUndefined(o));

function dropUndefined(o: Json): Json {
    return JSON.parse(JSON.stringify(o)) as Json;
}

export interface ServeOptions {
    /** The version the plugin reports (GetPluginInfo). */
    version: string;
    /** The schema GetSchema returns. */
    schema: string;
    /** Where diagnostics go; default stderr. */
    log?: (line: string) => void;
}

/** The service implementation; exported for tests that call it without a process. */
export function createService(options: ServeOptions): Record<string, (call: any, callback: Callback) => void> {
    let provider: StandInProvider | undefined;
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const ready = (): StandInProvider => {
        if (!provider) throw new Error("azure-native stand-in: Configure was not called before a resource operation.");
        return provider;
    };
    const handle = (name: string, work: (req: any) => Promise<unknown> | unknown) => (call: any, callback: Callback) => {
        Promise.resolve()
            .then(() => work(call.request))
            .then((value) => callback(null, value))
            .catch((err: unknown) => {
                const message = err instanceof Error ? err.message : String(err);
                log(`azure-native stand-in ${name}: ${message}`);
                callback({ code: grpc.status.UNKNOWN, details: message, message });
            });
    };

    return {
        getPluginInfo: handle("GetPluginInfo", () => new pluginProto.PluginInfo().setVersion(options.version)),
        getSchema: handle("GetSchema", () => new providerProto.GetSchemaResponse().setSchema(options.schema)),
        attach: handle("Attach", () => new emptyProto.Empty()),
        cancel: handle("Cancel", () => new emptyProto.Empty()),
        // provider.go CheckConfig/DiffConfig: the config passes as given and never replaces the provider.
        checkConfig: handle("CheckConfig", (req) => new providerProto.CheckResponse().setInputs(req.getNews())),
        diffConfig: handle("DiffConfig", () => new providerProto.DiffResponse().setChanges(providerProto.DiffResponse.DiffChanges.DIFF_NONE)),
        configure: handle("Configure", async (req) => {
            // azure-native v3 needs the old inputs from the engine (provider.go Configure; pulumi-azure-native#2686).
            if (!req.getSendsOldInputs() || !req.getSendsOldInputsToDelete()) {
                throw new Error("Azure Native provider requires Pulumi CLI v3.74.0 or later");
            }
            const config: Record<string, string> = {};
            for (const [key, value] of req.getVariablesMap().entries() as Iterable<[string, string]>) {
                config[key.replace(/^azure-native:(config:)?/, "")] = value;
            }
            for (const [key, value] of Object.entries(toJs(req.getArgs()))) if (typeof value === "string") config[key] = value;
            provider = new StandInProvider(await resolveConfig(config));
            return new providerProto.ConfigureResponse().setSupportspreview(true).setAcceptsecrets(false).setAcceptresources(false);
        }),
        check: handle("Check", async (req) => {
            const result = await ready().check(req.getUrn(), toJs(req.getOlds()), toJs(req.getNews()));
            const failures = result.failures.map((f) => new providerProto.CheckFailure().setProperty(f.property).setReason(f.reason));
            return new providerProto.CheckResponse().setInputs(toStruct(result.inputs)).setFailuresList(failures);
        }),
        diff: handle("Diff", (req) => {
            const result = ready().diff(req.getUrn(), toJs(req.getOldInputs()), toJs(req.getNews()));
            const response = new providerProto.DiffResponse()
                .setChanges(result.changes ? providerProto.DiffResponse.DiffChanges.DIFF_SOME : providerProto.DiffResponse.DiffChanges.DIFF_NONE)
                .setReplacesList(result.replaces)
                .setDiffsList(result.diffs)
                .setDeletebeforereplace(result.deleteBeforeReplace)
                .setHasdetaileddiff(true);
            const detailed = response.getDetaileddiffMap();
            for (const [path, kind] of Object.entries(result.detailedDiff)) detailed.set(path, new providerProto.PropertyDiff().setKind(kind).setInputdiff(true));
            return response;
        }),
        create: handle("Create", async (req) => {
            const result = await ready().create(req.getUrn(), toJs(req.getProperties()), req.getPreview());
            return new providerProto.CreateResponse().setId(result.id).setProperties(toStruct(result.outputs));
        }),
        update: handle("Update", async (req) => {
            const outputs = await ready().update(req.getUrn(), req.getId(), toJs(req.getOlds()), toJs(req.getNews()), req.getPreview());
            return new providerProto.UpdateResponse().setProperties(toStruct(outputs));
        }),
        read: handle("Read", async (req) => {
            const inputs = req.getInputs() ? toJs(req.getInputs()) : undefined;
            const result = await ready().read(req.getUrn(), req.getId(), toJs(req.getProperties()), inputs);
            // An empty id tells the engine the resource is gone (provider.go Read on a 404).
            if (!result) return new providerProto.ReadResponse().setId("");
            return new providerProto.ReadResponse().setId(result.id).setProperties(toStruct(result.outputs)).setInputs(toStruct(result.inputs));
        }),
        delete: handle("Delete", async (req) => {
            await ready().delete(req.getUrn(), req.getId());
            return new emptyProto.Empty();
        }),
        invoke: handle("Invoke", async (req) => {
            const outputs = await ready().invoke(req.getTok(), toJs(req.getArgs()));
            return new providerProto.InvokeResponse().setReturn(toStruct(outputs));
        }),
        getMapping: handle("GetMapping", () => new providerProto.GetMappingResponse()),
        construct: handle("Construct", (req) => {
            throw new Error(`Construct is not implemented (azure-native has no components): ${typeOfUrn(req.getUrn?.() ?? "")}`);
        }),
    };
}

/** Serves the stand-in on a loopback port and prints the port, as every plugin tells the engine where it listens. */
export async function serve(options: ServeOptions): Promise<void> {
    const server = new grpc.Server({ "grpc.max_receive_message_length": 1024 * 1024 * 400 });
    server.addService(providerGrpc.ResourceProviderService, createService(options) as any);
    const port = await new Promise<number>((resolve, reject) => {
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
    });
    process.stdout.write(`${port}\n`);
}
