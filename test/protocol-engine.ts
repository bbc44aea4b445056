/**
 * What the Pulumi engine does around a component package, for tests that drive it over the
 * provider protocol: it stages the package, starts it as the Node.js language host does
 * (`node <@pulumi/pulumi>/cmd/run-plugin <package dir> <engine address>`), serves the Engine and
 * ResourceMonitor services the plugin calls back, and sends ResourceProvider requests.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import * as grpc from "@grpc/grpc-js";
import ts from "typescript";

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const providerProto = require("@pulumi/pulumi/proto/provider_pb");
const resourceGrpc = require("@pulumi/pulumi/proto/resource_grpc_pb");
const resourceProto = require("@pulumi/pulumi/proto/resource_pb");
const engineGrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const engineProto = require("@pulumi/pulumi/proto/engine_pb");
const errorsProto = require("@pulumi/pulumi/proto/errors_pb");
const statusProto = require("@pulumi/pulumi/proto/status_pb");
const emptyProto = require("google-protobuf/google/protobuf/empty_pb");
const structProto = require("google-protobuf/google/protobuf/struct_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const ROOT = path.resolve(__dirname, "..");

/** The wire format's markers (sdk/go/common/resource/sig, which every SDK and the engine share). */
export const SIG = {
    key: "4dabf18193072939515e22adb298388d",
    secret: "1b47061264138c4ac30d75fd1eb44270",
    resource: "5cf8f73096256a8f31e491e813e4eb8e",
    output: "d0e6a833031e9bbcd3f4e8bde6ca49a4",
    unknown: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
};

/** A value with dependencies, as the engine forwards a Python `Output` to Construct (known, unknown or secret). */
export function outputValue(value: unknown, options: { secret?: boolean; dependencies?: string[] } = {}): Record<string, unknown> {
    return {
        [SIG.key]: SIG.output,
        ...(value === undefined ? {} : { value }),
        ...(options.secret ? { secret: true } : {}),
        ...(options.dependencies ? { dependencies: options.dependencies } : {}),
    };
}

/** A resource reference as the Python SDK sends a resource object (`keep_resources`). */
export function resourceReference(urn: string, id: string, packageVersion: string): Record<string, unknown> {
    return { [SIG.key]: SIG.resource, urn, id, packageVersion };
}

/** A resource the engine knows, as `pulumi:pulumi:getResource` returns it. */
export interface KnownResource {
    urn: string;
    id: string;
    state: Record<string, unknown>;
}

/** One RegisterResource the plugin sent, decoded. */
export interface Registration {
    type: string;
    name: string;
    urn: string;
    parent: string;
    custom: boolean;
    provider: string;
    inputs: Record<string, unknown>;
    dependencies: string[];
}

/** A failed Construct: the gRPC status and the InputPropertiesError details, when the plugin sent them. */
export interface ConstructFailure {
    code: number;
    details: string;
    propertyErrors?: { propertyPath: string; reason: string }[];
}

export interface ConstructRequest {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    inputDependencies?: Record<string, string[]>;
    /** Package name to provider reference (`urn::id`). */
    providers?: Record<string, string>;
}

export interface ConstructResult {
    urn: string;
    state: Record<string, unknown>;
}

/** A staged package: its sources and package.json as they are, and dist/ transpiled from them. */
function stagePackage(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "azure-nat-rules-plugin-"));
    for (const entry of ["package.json", "tsconfig.json", "schema.json", "src", "node_modules"]) fs.symlinkSync(path.join(ROOT, entry), path.join(dir, entry));
    // dist/ is what `npm install` builds (the prepare script); transpiling file by file gives the same JavaScript in a second.
    const options = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, "tsconfig.build.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    for (const file of options.fileNames) {
        const relative = path.relative(ROOT, file);
        if (!relative.startsWith(`src${path.sep}`)) continue;
        const out = path.join(dir, "dist", relative.replace(/\.ts$/, ".js"));
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, ts.transpileModule(fs.readFileSync(file, "utf8"), { compilerOptions: { ...options.options, sourceMap: false, declaration: false }, fileName: file }).outputText);
    }
    return dir;
}

const toStruct = (value: Record<string, unknown>) => structProto.Struct.fromJavaScript(value);

/** The engine side of one plugin process: the Engine service and the plugin's ResourceProvider client. */
export class ProtocolEngine {
    readonly logs: { severity: number; message: string; urn: string }[] = [];
    plugin!: ChildProcessWithoutNullStreams;
    stderr = "";
    engineAddress = "";
    /** `performance.now()` just before the plugin process was spawned (for start-up timings). */
    spawnedAt = 0;
    private server = new grpc.Server();
    private deployments: Deployment[] = [];
    private client: any;
    private packageDir = "";

    /** `env`: variables added to the plugin's environment; `stage`: changes to the staged package directory before the start. */
    constructor(private readonly options: { env?: Record<string, string>; stage?: (dir: string) => void } = {}) {}

    /** Serves the Engine, then starts the plugin and connects to the port it prints. */
    async start(): Promise<void> {
        this.server.addService(engineGrpc.EngineService, {
            log: (call: any, callback: any) => {
                const r = call.request;
                this.logs.push({ severity: r.getSeverity(), message: r.getMessage(), urn: r.getUrn() });
                callback(null, new emptyProto.Empty());
            },
            getRootResource: (_call: any, callback: any) => callback(null, new engineProto.GetRootResourceResponse()),
            setRootResource: (_call: any, callback: any) => callback(null, new engineProto.SetRootResourceResponse()),
        });
        this.engineAddress = await bind(this.server);

        this.packageDir = stagePackage();
        this.options.stage?.(this.packageDir);
        const runPlugin = path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "cmd", "run-plugin");
        this.spawnedAt = performance.now();
        this.plugin = spawn(process.execPath, [runPlugin, this.packageDir, this.engineAddress], {
            cwd: this.packageDir,
            env: { ...process.env, NO_COLOR: "1", AZURE_NAT_RULES_ARM_ENDPOINT: "http://127.0.0.1:9", ...this.options.env },
        });
        this.plugin.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString("utf8")));
        const pluginPort = await new Promise<number>((done, fail) => {
            let out = "";
            const onData = (chunk: Buffer) => {
                out += chunk.toString("utf8");
                const line = /^(\d+)\s*\n/.exec(out);
                if (line) {
                    this.plugin.stdout.off("data", onData);
                    done(Number(line[1]));
                }
            };
            this.plugin.stdout.on("data", onData);
            this.plugin.on("exit", (code) => fail(new Error(`plugin exited with ${code} before printing its port:\n${out}\n${this.stderr}`)));
        });
        this.client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${pluginPort}`, grpc.credentials.createInsecure());
    }

    async stop(): Promise<void> {
        this.client?.close();
        if (this.plugin && this.plugin.exitCode === null) {
            const exited = new Promise((done) => this.plugin.once("exit", done));
            this.plugin.kill("SIGTERM");
            await exited;
        }
        for (const d of this.deployments) d.server.forceShutdown();
        this.server.forceShutdown();
        if (this.packageDir) fs.rmSync(this.packageDir, { recursive: true, force: true });
    }

    /** A new deployment (a `pulumi preview` or `up` of one stack), with its own resource monitor. */
    async deployment(stack: string, dryRun: boolean): Promise<Deployment> {
        const d = new Deployment(this, stack, dryRun);
        this.deployments.push(d);
        d.address = await bind(d.server);
        return d;
    }

    /** The plugin's resident memory in MB (Linux), or undefined. */
    pluginRssMb(): number | undefined {
        try {
            const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${this.plugin.pid}/status`, "utf8"));
            return kb ? Math.round(Number(kb[1]) / 1024) : undefined;
        } catch {
            return undefined;
        }
    }

    /** @internal */
    unary<T>(method: string, request: unknown): Promise<T> {
        return new Promise((done, fail) => this.client[method](request, (err: unknown, resp: T) => (err ? fail(err) : done(resp))));
    }

    async getSchema(): Promise<any> {
        const resp = await this.unary<any>("getSchema", new providerProto.GetSchemaRequest());
        return JSON.parse(resp.getSchema());
    }

    /** Configure, as the engine sends it before the first Construct. */
    async configure(): Promise<void> {
        const req = new providerProto.ConfigureRequest();
        req.setAcceptsecrets(true);
        req.setAcceptresources(true);
        req.setArgs(toStruct({}));
        await this.unary("configure", req);
    }
}

function bind(server: grpc.Server): Promise<string> {
    return new Promise((done, fail) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => (err ? fail(err) : done(`127.0.0.1:${port}`))),
    );
}

/** One deployment: its resource monitor, what the plugin registered there, and its Construct calls. */
export class Deployment {
    readonly registrations: Registration[] = [];
    /** Resources `getResource` answers with, by URN (a scale set the program passed as a reference). */
    readonly resources = new Map<string, KnownResource>();
    readonly server = new grpc.Server();
    address = "";

    constructor(private readonly engine: ProtocolEngine, readonly stack: string, readonly dryRun: boolean) {
        this.server.addService(resourceGrpc.ResourceMonitorService, {
            supportsFeature: (call: any, callback: any) => {
                const resp = new resourceProto.SupportsFeatureResponse();
                resp.setHassupport(["secrets", "resourceReferences", "outputValues", "deletedWith", "aliasSpecs"].includes(call.request.getId()));
                callback(null, resp);
            },
            invoke: (call: any, callback: any) => this.invoke(call.request, callback),
            registerResource: (call: any, callback: any) => this.register(call.request, callback),
            registerResourceOutputs: (_call: any, callback: any) => callback(null, new emptyProto.Empty()),
        });
    }

    /** The URN the engine gives a resource of this stack with no parent. */
    urn(type: string, name: string): string {
        return `urn:pulumi:${this.stack}::proto::${type}::${name}`;
    }

    /** What the plugin registered under `name`. */
    registered(name: string): Registration | undefined {
        return this.registrations.find((r) => r.name === name);
    }

    /** One Construct; resolves with the component's URN and state, or rejects with a {@link ConstructFailure}. */
    async construct(request: ConstructRequest): Promise<ConstructResult> {
        const req = new providerProto.ConstructRequest();
        req.setProject("proto");
        req.setStack(this.stack);
        req.setOrganization("organization");
        req.setDryrun(this.dryRun);
        req.setParallel(16);
        req.setMonitorendpoint(this.address);
        req.setType(request.type);
        req.setName(request.name);
        req.setInputs(toStruct(request.inputs));
        for (const [key, urns] of Object.entries(request.inputDependencies ?? {})) {
            const deps = new providerProto.ConstructRequest.PropertyDependencies();
            deps.setUrnsList(urns);
            req.getInputdependenciesMap().set(key, deps);
        }
        for (const [pkg, ref] of Object.entries(request.providers ?? {})) req.getProvidersMap().set(pkg, ref);
        try {
            const resp = await this.engine.unary<any>("construct", req);
            return { urn: resp.getUrn(), state: resp.getState()?.toJavaScript() ?? {} };
        } catch (err) {
            throw decodeFailure(err as grpc.ServiceError);
        }
    }

    private invoke(req: any, callback: grpc.sendUnaryData<unknown>) {
        const resp = new providerProto.InvokeResponse();
        const args = req.getArgs()?.toJavaScript() ?? {};
        if (req.getTok() === "pulumi:pulumi:getResource") {
            const known = this.resources.get(args.urn);
            if (!known) {
                callback({ code: grpc.status.NOT_FOUND, details: `unknown resource ${args.urn}` } as grpc.ServiceError, null);
                return;
            }
            resp.setReturn(toStruct({ urn: known.urn, id: known.id, state: known.state }));
        } else {
            resp.setReturn(toStruct({}));
        }
        callback(null, resp);
    }

    private register(req: any, callback: grpc.sendUnaryData<unknown>) {
        const parent: string = req.getParent();
        // URNs as the engine builds them: the parent's type chain, then this type and name.
        const parentType = parent ? parent.split("::")[2] : "";
        const urn = this.urn(parentType ? `${parentType}$${req.getType()}` : req.getType(), req.getName());
        const inputs = req.getObject()?.toJavaScript() ?? {};
        this.registrations.push({ type: req.getType(), name: req.getName(), urn, parent, custom: req.getCustom(), provider: req.getProvider(), inputs,
            dependencies: req.getDependenciesList() });
        const resp = new resourceProto.RegisterResourceResponse();
        resp.setUrn(urn);
        if (req.getCustom()) {
            // Preview: no id yet and the outputs are the inputs; update: an id as ARM gives one.
            resp.setId(this.dryRun ? "" : `/subscriptions/sub/resourceGroups/${inputs.resourceGroupName ?? "rg"}/providers/${req.getType()}/${req.getName()}`);
            resp.setObject(toStruct(inputs));
        } else {
            resp.setObject(toStruct({}));
        }
        callback(null, resp);
    }
}

function decodeFailure(err: grpc.ServiceError): ConstructFailure {
    const failure: ConstructFailure = { code: err.code, details: err.details };
    const bin = err.metadata?.get("grpc-status-details-bin")?.[0];
    if (bin) {
        const status = statusProto.Status.deserializeBinary(new Uint8Array(bin as Buffer));
        for (const any of status.getDetailsList()) {
            if (any.getTypeName() !== "pulumirpc.InputPropertiesError") continue;
            const detail = errorsProto.InputPropertiesError.deserializeBinary(any.getValue_asU8());
            failure.propertyErrors = detail.getErrorsList().map((e: any) => ({ propertyPath: e.getPropertyPath(), reason: e.getReason() }));
        }
    }
    return failure;
}
