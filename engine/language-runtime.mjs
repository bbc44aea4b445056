#!/usr/bin/env node
/**
 * A language runtime for the Pulumi CLI's `--client=<address>` mode, for the end-to-end tests: it
 * runs Node.js and Python programs.
 *
 * Why: `pulumi preview/up/refresh/destroy` run a program through a language host plugin
 * (`pulumi-language-nodejs`, `pulumi-language-python`): separate Go modules that the Go module proxy
 * does not serve, so engine/build.mjs cannot build them. The CLI can instead connect to a language runtime that is already running: that is how
 * Pulumi's own Automation API runs inline programs (`--client`; @pulumi/pulumi automation/stack.js).
 *
 * What it does: it serves pulumirpc.LanguageRuntime on 127.0.0.1 (the port is printed as the first
 * line of stdout) and, for each Run, reads the project's runtime from its Pulumi.yaml. For Python it
 * starts `pulumi-language-python-exec` (from the sdk/v3 module) as pulumi-language-python does (see
 * pythonCommand). For Node.js it starts Pulumi's own program launcher `@pulumi/pulumi/cmd/run`
 * (resolved from the program's directory) in this Node, with the arguments and environment that
 * pulumi-language-nodejs gives it (its `constructArguments`, `constructConfig` and `execRuntime`):
 * --monitor, --engine, --organization, --project, --root-directory, --stack, --pwd, --dry-run,
 * --parallel, the entry point; PULUMI_CONFIG (keys as `<namespace>:config:<name>`),
 * PULUMI_CONFIG_SECRET_KEYS, PULUMI_NODEJS_TYPESCRIPT and PULUMI_NODEJS_TSCONFIG_PATH from the
 * project's `runtime.options` (typescript defaults to true), and `nodeargs` before the launcher.
 * In `--client` mode the CLI puts the engine's address first in RunRequest.args (pkg/engine/update.go).
 *
 * How it differs from the language hosts:
 * - It does not proxy the resource monitor or serve the `--sync` pipes: the program talks to the
 *   engine's monitor directly (as an Automation API inline program does).
 * - The program's stdout and stderr go to this process's stdout/stderr, not through the engine: the
 *   CLI's own output does not show a program's console.log (log.info/warn/error still go through
 *   the engine, which shows them).
 * - GetRequiredPlugins answers with no plugins (as the Automation API's runtime does): the engine
 *   loads each resource plugin when the program first uses it, from PULUMI_HOME or from PATH.
 * - It runs only programs; plugins whose PulumiPlugin.yaml names a runtime (RunPlugin) need the
 *   real language host. It installs no dependencies, runs no Python typechecker, and supports only
 *   the pip toolchain's `virtualenv` option for Python.
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

/** Both language hosts' exit code for "the program already showed the user an actionable message". */
const EXITED_AFTER_USER_ACTIONABLE_MESSAGE = 32;

/** The project's runtime name and `runtime.options`, from its Pulumi.yaml (or .yml) in the root directory. */
function projectRuntime(rootDirectory) {
    for (const name of ["Pulumi.yaml", "Pulumi.yml"]) {
        const file = path.join(rootDirectory, name);
        if (!fs.existsSync(file)) continue;
        const project = yaml.load(fs.readFileSync(file, "utf8")) ?? {};
        const runtime = project.runtime;
        if (typeof runtime === "string") return { name: runtime, options: {} };
        if (typeof runtime === "object" && runtime !== null) return { name: runtime.name, options: runtime.options ?? {} };
    }
    return { name: "nodejs", options: {} };
}

/** `<namespace>:<name>` keys become `<namespace>:config:<name>`, as pulumi-language-nodejs's constructConfig does. */
function nodejsConfigJson(configMap) {
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

/** The first `name` on PATH, or undefined. */
function onPath(name) {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        if (dir && fs.existsSync(path.join(dir, name))) return path.join(dir, name);
    }
    return undefined;
}

/** A flag list builder that leaves out empty values, as the language hosts' `maybeAppendArg` does. */
function flags() {
    const args = [];
    const add = (flag, value) => {
        if (value !== undefined && value !== "") args.push(`--${flag}`, String(value));
    };
    return { args, add };
}

/**
 * The command for a Node.js program: this Node running @pulumi/pulumi/cmd/run, as
 * pulumi-language-nodejs's execRuntime and constructArguments build it.
 */
function nodejsCommand(req, ctx) {
    const { args, add } = flags();
    add("monitor", req.getMonitorAddress());
    add("engine", ctx.engineAddress);
    add("organization", req.getOrganization());
    add("project", req.getProject());
    add("root-directory", ctx.rootDirectory);
    add("stack", req.getStack());
    add("pwd", ctx.programDirectory);
    if (req.getDryrun()) args.push("--dry-run");
    add("parallel", req.getParallel());
    args.push(ctx.entryPoint, ...ctx.programArgs);

    const options = ctx.options;
    const env = {
        ...process.env,
        PULUMI_CONFIG: nodejsConfigJson(req.getConfigMap()),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList() ?? []),
    };
    if (options.typescript ?? true) env.PULUMI_NODEJS_TYPESCRIPT = "true";
    if (options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
    const nodeArgs = String(options.nodeargs ?? "").split(/\s+/).filter(Boolean);
    return { file: process.execPath, args: [...nodeArgs, launcherPath(ctx.programDirectory), ...args], env };
}

/**
 * The command for a Python program: the project's virtualenv Python (or `python3`, or
 * PULUMI_PYTHON_CMD) running `pulumi-language-python-exec` from PATH (engine/build.mjs puts it beside
 * the CLI, from the sdk/v3 module), as pulumi-language-python's Run and constructArguments build it.
 */
function pythonCommand(req, ctx) {
    const exec = onPath("pulumi-language-python-exec");
    if (!exec) throw new Error("pulumi-language-python-exec is not on PATH: engine/build.mjs puts it beside the pulumi it builds");
    const { args, add } = flags();
    add("monitor", req.getMonitorAddress());
    add("engine", ctx.engineAddress);
    add("project", req.getProject());
    add("root_directory", ctx.rootDirectory);
    add("stack", req.getStack());
    add("pwd", req.getPwd());
    add("dry_run", String(req.getDryrun()));
    add("parallel", req.getParallel());
    add("organization", req.getOrganization());
    args.push(ctx.entryPoint, ...ctx.programArgs);

    const config = {};
    for (const [key, value] of req.getConfigMap().entries()) config[key] = value;
    let env = { ...process.env, PULUMI_CONFIG: JSON.stringify(config), PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList() ?? []) };
    let python = process.env.PULUMI_PYTHON_CMD || "python3";
    if (ctx.options.virtualenv) {
        // The pip toolchain's Command and ActivateVirtualEnv: the venv's python, its bin first on PATH.
        const venv = path.resolve(ctx.rootDirectory, ctx.options.virtualenv);
        python = path.join(venv, "bin", "python");
        env = { ...env, VIRTUAL_ENV: venv, PATH: `${path.join(venv, "bin")}${path.delimiter}${env.PATH ?? ""}` };
        delete env.PYTHONHOME;
    }
    return { file: python, args: [exec, ...args], env };
}

function run(call, callback) {
    const req = call.request;
    const info = req.getInfo();
    const programDirectory = info?.getProgramDirectory() || req.getPwd();
    const rootDirectory = info?.getRootDirectory() || programDirectory;
    const [engineAddress, ...programArgs] = req.getArgsList();
    const runtime = projectRuntime(rootDirectory);
    const ctx = {
        programDirectory,
        rootDirectory,
        entryPoint: info?.getEntryPoint() || req.getProgram() || ".",
        engineAddress,
        programArgs,
        options: runtime.options,
    };
    let answered = false;
    const respond = (error, bail = false) => {
        if (answered) return;
        answered = true;
        const resp = new langproto.RunResponse();
        resp.setError(error);
        resp.setBail(bail);
        callback(undefined, resp);
    };

    let command;
    try {
        if (runtime.name === "nodejs") command = nodejsCommand(req, ctx);
        else if (runtime.name === "python") command = pythonCommand(req, ctx);
        else throw new Error(`runtime ${JSON.stringify(runtime.name)} is not supported here (nodejs and python are)`);
    } catch (error) {
        return respond(`language runtime: ${error.message}`);
    }

    const child = spawn(command.file, command.args, { cwd: programDirectory, env: command.env, stdio: ["ignore", "inherit", "inherit"] });
    // A program still running when the runtime stops (the CLI gave up on it after an error) is ended
    // with it, as the language hosts end theirs: left running, it would hold this process's stdout.
    programs.add(child);
    child.on("exit", () => programs.delete(child));
    child.on("error", (error) => respond(`Problem executing program (could not run language executor): ${error.message}`));
    child.on("exit", (code, signal) => {
        if (code === 0) respond("");
        else if (code === EXITED_AFTER_USER_ACTIONABLE_MESSAGE) respond("", true);
        else if (code === null) respond(`Program exited on signal ${signal}`);
        else respond(`Program exited with non-zero exit code: ${code}`);
    });
}

/** The programs this runtime started that have not exited yet. */
const programs = new Set();

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
    for (const child of programs) child.kill("SIGKILL");
    process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.resume();
