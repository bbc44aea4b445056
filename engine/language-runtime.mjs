#!/usr/bin/env node
/**
 * A Node.js language runtime for the Pulumi CLI's `--client=<address>` mode, for the end-to-end tests.
 *
 * Why: `pulumi preview/up/refresh/destroy` run a Node.js program through the `pulumi-language-nodejs`
 * plugin, a separate Go module that the Go module proxy does not serve (so engine/build.mjs cannot
 * build it). The CLI can instead connect to a language runtime that is already running: that is how
 * Pulumi's own Automation API runs inline programs (`--client`; @pulumi/pulumi automation/stack.js).
 *
 * What it does: it serves pulumirpc.LanguageRuntime on 127.0.0.1 (the port is printed as the first
 * line of stdout) and, for each Run, starts Pulumi's own program launcher `@pulumi/pulumi/cmd/run`
 * (resolved from the program's directory) in this Node, with the arguments and environment that
 * pulumi-language-nodejs gives it (its `constructArguments`, `constructConfig` and `execRuntime`):
 * --monitor, --engine, --organization, --project, --root-directory, --stack, --pwd, --dry-run,
 * --parallel, the entry point; PULUMI_CONFIG (keys as `<namespace>:config:<name>`),
 * PULUMI_CONFIG_SECRET_KEYS, PULUMI_NODEJS_TYPESCRIPT and PULUMI_NODEJS_TSCONFIG_PATH from the
 * project's `runtime.options` (typescript defaults to true), and `nodeargs` before the launcher.
 * In `--client` mode the CLI puts the engine's address first in RunRequest.args (pkg/engine/update.go).
 *
 * How it differs from pulumi-language-nodejs:
 * - It does not proxy the resource monitor or serve the `--sync` pipes: the program talks to the
 *   engine's monitor directly (as an Automation API inline program does).
 * - The program's stdout and stderr go to this process's stdout/stderr, not through the engine: the
 *   CLI's own output does not show a program's console.log (log.info/warn/error still go through
 *   the engine, which shows them).
 * - GetRequiredPlugins answers with no plugins (as the Automation API's runtime does): the engine
 *   loads each resource plugin when the program first uses it, from PULUMI_HOME or from PATH.
 * - It runs only programs; plugins whose PulumiPlugin.yaml says `runtime: nodejs` (RunPlugin)
 *   need the real language host.
 *
 * Usage: node engine/language-runtime.mjs   (stops on SIGTERM/SIGINT or when stdin closes)
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

const here = createRequire(import.meta.url);
const pulumiRoot = path.dirname(here.resolve("@pulumi/pulumi/package.json"));
const fromPulumi = createRequire(path.join(pulumiRoot, "package.json"));
const grpc = fromPulumi("@grpc/grpc-js");
const yaml = fromPulumi("js-yaml");
const langrpc = fromPulumi("./proto/language_grpc_pb");
const langproto = fromPulumi("./proto/language_pb");
const plugproto = fromPulumi("./proto/plugin_pb");
const { grpcChannelOptions } = fromPulumi("./runtime/settings");
const sdkVersion = fromPulumi("./package.json").version;

/** pulumi-language-nodejs's code for "the program already showed the user an actionable message". */
const EXITED_AFTER_USER_ACTIONABLE_MESSAGE = 32;

/** The project's `runtime.options` from its Pulumi.yaml (or .yml), as pulumi-language-nodejs reads them. */
function runtimeOptions(rootDirectory) {
    for (const name of ["Pulumi.yaml", "Pulumi.yml"]) {
        const file = path.join(rootDirectory, name);
        if (!fs.existsSync(file)) continue;
        const project = yaml.load(fs.readFileSync(file, "utf8")) ?? {};
        const runtime = project.runtime;
        const options = typeof runtime === "object" && runtime !== null ? (runtime.options ?? {}) : {};
        return {
            typescript: options.typescript ?? true,
            tsconfig: options.tsconfig ?? "",
            nodeargs: options.nodeargs ?? "",
        };
    }
    return { typescript: true, tsconfig: "", nodeargs: "" };
}

/** `<namespace>:<name>` keys become `<namespace>:config:<name>`, as pulumi-language-nodejs's constructConfig does. */
function configJson(configMap) {
    const config = {};
    for (const [key, value] of configMap.entries()) {
        const match = /^([^:]+):(?:config:)?(.+)$/.exec(key);
        config[match ? `${match[1]}:config:${match[2]}` : key] = value;
    }
    return JSON.stringify(config);
}

function launcherPath(programDirectory) {
    try {
        return createRequire(path.join(programDirectory, "package.json")).resolve("@pulumi/pulumi/cmd/run");
    } catch {
        return path.join(pulumiRoot, "cmd", "run", "index.js");
    }
}

function run(call, callback) {
    const req = call.request;
    const info = req.getInfo();
    const programDirectory = info?.getProgramDirectory() || req.getPwd();
    const rootDirectory = info?.getRootDirectory() || programDirectory;
    const entryPoint = info?.getEntryPoint() || req.getProgram() || ".";
    const [engineAddress, ...programArgs] = req.getArgsList();
    const options = runtimeOptions(rootDirectory);

    const args = [];
    const add = (flag, value) => {
        if (value !== undefined && value !== "") args.push(`--${flag}`, String(value));
    };
    add("monitor", req.getMonitorAddress());
    add("engine", engineAddress);
    add("organization", req.getOrganization());
    add("project", req.getProject());
    add("root-directory", rootDirectory);
    add("stack", req.getStack());
    add("pwd", programDirectory);
    if (req.getDryrun()) args.push("--dry-run");
    add("parallel", req.getParallel());
    args.push(entryPoint, ...programArgs);

    const env = {
        ...process.env,
        PULUMI_CONFIG: configJson(req.getConfigMap()),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList() ?? []),
    };
    if (options.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
    if (options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
    const nodeArgs = options.nodeargs.split(/\s+/).filter(Boolean);

    const child = spawn(process.execPath, [...nodeArgs, launcherPath(programDirectory), ...args], {
        cwd: programDirectory,
        env,
        stdio: ["ignore", "inherit", "inherit"],
    });
    const respond = (error, bail = false) => {
        const resp = new langproto.RunResponse();
        resp.setError(error);
        resp.setBail(bail);
        callback(undefined, resp);
    };
    child.on("error", (error) => respond(`Problem executing program (could not run language executor): ${error.message}`));
    child.on("exit", (code, signal) => {
        if (code === 0) respond("");
        else if (code === EXITED_AFTER_USER_ACTIONABLE_MESSAGE) respond("", true);
        else if (code === null) respond(`Program exited on signal ${signal}`);
        else respond(`Program exited with non-zero exit code: ${code}`);
    });
}

const server = new grpc.Server({ ...grpcChannelOptions });
server.addService(langrpc.LanguageRuntimeService, {
    getRequiredPlugins(_call, callback) {
        const resp = new langproto.GetRequiredPluginsResponse();
        resp.setPluginsList([]);
        callback(undefined, resp);
    },
    run,
    getPluginInfo(_call, callback) {
        const resp = new plugproto.PluginInfo();
        resp.setVersion(sdkVersion);
        callback(undefined, resp);
    },
});
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error) {
        console.error(`language runtime: could not listen on 127.0.0.1: ${error.message}`);
        process.exit(1);
    }
    process.stdout.write(`${port}\n`);
});

const stop = () => {
    server.forceShutdown();
    process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();
