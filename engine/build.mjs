#!/usr/bin/env node
/**
 * The real Pulumi CLI for the end-to-end tests (`npm run test:engine`): built from source through
 * the Go module proxy at the version of the installed @pulumi/pulumi, cached outside the
 * repository's tracked files, or a `pulumi` already on PATH.
 *
 *   node engine/build.mjs            build (or reuse the cached build) and print `pulumi version`
 *   node engine/build.mjs --json     the same, then one JSON line: { source, pulumi, binDir, version, pythonVenv, seconds }
 *   node engine/build.mjs --python   also make (or reuse) a virtualenv with the Python SDK pinned by
 *                                    engine/requirements-python.txt, beside the cached CLI
 *   node engine/build.mjs --update   re-pin engine/go.mod and go.sum to the installed @pulumi/pulumi
 *
 * Environment:
 *   AZURE_NAT_RULES_PULUMI      "build" (the default): the CLI built here from engine/go.mod;
 *                               "path": the `pulumi` found on PATH; or the absolute path of a `pulumi` binary.
 *   AZURE_NAT_RULES_ENGINE_CACHE  where builds are kept (default: $XDG_CACHE_HOME/azure-nat-rules, or
 *                               ~/.cache/azure-nat-rules); each version in its own pulumi-<version>/bin.
 *
 * engine/go.mod is a wrapper module: it requires github.com/pulumi/pulumi/pkg/v3 and sdk/v3 at the
 * same version and names pkg/v3/cmd/pulumi as a tool. pkg's own go.mod has replace directives, so
 * `go install pkg@version` refuses it; in a wrapper module a dependency's replaces are ignored. The one
 * replace in pkg's go.mod that is not a local path (atotto/clipboard) is repeated in ours. The version
 * is set at link time, as Pulumi's release build does. The language hosts (pulumi-language-nodejs,
 * -python) are separate untagged modules that the module proxy does not serve, so they are not built:
 * programs run through the CLI's `--client` runtime (engine/language-runtime.mjs). The Python host's
 * program launcher, pulumi-language-python-exec, is a script in the sdk/v3 module: it is copied
 * beside the CLI.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ENGINE_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(ENGINE_DIR);
const PKG = "github.com/pulumi/pulumi/pkg/v3";
const SDK = "github.com/pulumi/pulumi/sdk/v3";
const VERSION_SYMBOL = `${SDK}/go/common/version.Version`;

class BuildError extends Error {}

/** The version of @pulumi/pulumi installed in the repository's node_modules, e.g. "3.248.0". */
export function installedSdkVersion() {
    const require = createRequire(path.join(ROOT, "package.json"));
    let file;
    try {
        file = require.resolve("@pulumi/pulumi/package.json");
    } catch {
        throw new BuildError("@pulumi/pulumi is not installed: run `npm ci` in the repository first.");
    }
    return JSON.parse(fs.readFileSync(file, "utf8")).version;
}

/** The versions of pkg/v3 and sdk/v3 that engine/go.mod requires. */
function pinnedVersions() {
    const goMod = fs.readFileSync(path.join(ENGINE_DIR, "go.mod"), "utf8");
    const pinned = (module) => goMod.match(new RegExp(`^\\s*${module.replace(/[./]/g, "\\$&")} (v\\S+)`, "m"))?.[1];
    return { pkg: pinned(PKG), sdk: pinned(SDK) };
}

function goVersion() {
    const result = spawnSync("go", ["version"], { encoding: "utf8" });
    if (result.error || result.status !== 0) {
        throw new BuildError(
            "Go is not installed (no `go` on PATH): the end-to-end tests build the real Pulumi CLI from source. " +
                "Install Go 1.25.11 or newer (Debian/Ubuntu: `apt-get install golang-go`; check with `go version`), " +
                "or install the Pulumi CLI and run with AZURE_NAT_RULES_PULUMI=path.",
        );
    }
    return result.stdout.trim();
}

function cacheRoot() {
    if (process.env.AZURE_NAT_RULES_ENGINE_CACHE) return path.resolve(process.env.AZURE_NAT_RULES_ENGINE_CACHE);
    const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
    return path.join(base, "azure-nat-rules");
}

/** `pulumi version` of a binary, trimmed ("v3.248.0"). */
function pulumiVersion(binary) {
    const result = spawnSync(binary, ["version"], {
        encoding: "utf8",
        env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "1" },
    });
    if (result.error || result.status !== 0) {
        throw new BuildError(`\`${binary} version\` failed: ${result.error?.message ?? result.stderr.trim()}`);
    }
    return result.stdout.trim();
}

function findOnPath(name) {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        if (!dir) continue;
        const candidate = path.join(dir, name);
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            if (fs.statSync(candidate).isFile()) return candidate;
        } catch {
            // not here
        }
    }
    return undefined;
}

/** Re-pins engine/go.mod and go.sum to the installed @pulumi/pulumi (needs the Go module proxy). */
function update(version) {
    goVersion();
    const run = (args) => execFileSync("go", args, { cwd: ENGINE_DIR, stdio: "inherit" });
    run(["get", `${PKG}@v${version}`, `${SDK}@v${version}`]);
    run(["mod", "tidy"]);
    const pinned = pinnedVersions();
    if (pinned.pkg !== `v${version}` || pinned.sdk !== `v${version}`) {
        throw new BuildError(`after \`go get\`, engine/go.mod requires pkg ${pinned.pkg} and sdk ${pinned.sdk}, not v${version}`);
    }
    console.error(`engine/go.mod now pins ${PKG} and ${SDK} at v${version}: commit engine/go.mod and engine/go.sum.`);
}

/** Builds (or reuses) the CLI at the installed SDK's version; returns the binary's path and whether it was cached. */
function buildPulumi(version, { force = false } = {}) {
    const pinned = pinnedVersions();
    if (pinned.pkg !== `v${version}` || pinned.sdk !== `v${version}`) {
        throw new BuildError(
            `engine/go.mod pins ${PKG} ${pinned.pkg} and ${SDK} ${pinned.sdk}, but node_modules has @pulumi/pulumi ${version}. ` +
                "Run `node engine/build.mjs --update` to re-pin the wrapper module, and commit engine/go.mod and engine/go.sum.",
        );
    }
    const go = goVersion();
    const hash = createHash("sha256");
    for (const file of ["go.mod", "go.sum"]) hash.update(fs.readFileSync(path.join(ENGINE_DIR, file)));
    const stamp = { version, go, modules: hash.digest("hex") };

    const dir = path.join(cacheRoot(), `pulumi-${version}`);
    const binDir = path.join(dir, "bin");
    const binary = path.join(binDir, "pulumi");
    const stampFile = path.join(dir, "build.json");
    if (!force && fs.existsSync(binary) && fs.existsSync(stampFile)) {
        const previous = JSON.parse(fs.readFileSync(stampFile, "utf8"));
        if (previous.version === stamp.version && previous.go === stamp.go && previous.modules === stamp.modules) {
            return { binary, binDir, cached: true };
        }
    }

    fs.mkdirSync(binDir, { recursive: true });
    const partial = `${binary}.partial-${process.pid}`;
    console.error(`Building the Pulumi CLI v${version} from ${PKG} (${go}); a cold build takes many minutes...`);
    const result = spawnSync(
        "go",
        ["build", "-o", partial, "-ldflags", `-s -w -X ${VERSION_SYMBOL}=v${version}`, `${PKG}/cmd/pulumi`],
        { cwd: ENGINE_DIR, stdio: ["ignore", "inherit", "inherit"] },
    );
    if (result.error || result.status !== 0) {
        fs.rmSync(partial, { force: true });
        throw new BuildError(`\`go build ${PKG}/cmd/pulumi\` failed (exit ${result.status ?? result.error?.message}); see its output above.`);
    }
    fs.renameSync(partial, binary);
    copyPythonExec(binDir);
    fs.writeFileSync(stampFile, `${JSON.stringify(stamp, null, 2)}\n`);
    return { binary, binDir, cached: false };
}

/**
 * pulumi-language-python-exec, the script that pulumi-language-python starts a Python program
 * with, ships in the sdk/v3 module (python/cmd/): copied beside the CLI, where
 * engine/language-runtime.mjs finds it on PATH.
 */
function copyPythonExec(binDir) {
    const sdkDir = execFileSync("go", ["list", "-m", "-f", "{{.Dir}}", SDK], { cwd: ENGINE_DIR, encoding: "utf8" }).trim();
    const source = path.join(sdkDir, "python", "cmd", "pulumi-language-python-exec");
    if (!fs.existsSync(source)) throw new BuildError(`${SDK} has no python/cmd/pulumi-language-python-exec (looked in ${sdkDir})`);
    const target = path.join(binDir, "pulumi-language-python-exec");
    fs.copyFileSync(source, target);
    fs.chmodSync(target, 0o755);
}

const PYTHON_REQUIREMENTS = path.join(ENGINE_DIR, "requirements-python.txt");

/**
 * A virtualenv with the Python SDK pinned by engine/requirements-python.txt, beside the cached CLI
 * (pulumi-<version>/python), made or reused; returns its directory. With `create` false it only
 * returns one that is ready, or undefined.
 */
function pythonVenv(version, { create }) {
    const requirements = fs.readFileSync(PYTHON_REQUIREMENTS, "utf8");
    const pinned = requirements.match(/^pulumi==(\S+)$/m)?.[1];
    if (pinned !== version) {
        throw new BuildError(
            `engine/requirements-python.txt pins pulumi ${pinned}, but node_modules has @pulumi/pulumi ${version}: ` +
                "pin the same version there (with its dependencies, as `pip freeze` lists them in a fresh virtualenv).",
        );
    }
    const dir = path.join(cacheRoot(), `pulumi-${version}`, "python");
    const stampFile = path.join(dir, "requirements.sha256");
    const digest = createHash("sha256").update(requirements).digest("hex");
    const ready = () => fs.existsSync(path.join(dir, "bin", "python")) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8").trim() === digest;
    if (ready() || !create) return ready() ? dir : undefined;

    const python = process.env.PULUMI_PYTHON_CMD || "python3";
    const check = spawnSync(python, ["--version"], { encoding: "utf8" });
    if (check.error || check.status !== 0) {
        throw new BuildError(`Python is not installed (no \`${python}\` on PATH): Python programs under the real engine need Python 3.9 or newer with venv (Debian/Ubuntu: \`apt-get install python3 python3-venv\`).`);
    }
    console.error(`Installing the Python SDK ${version} into ${dir} (pip, engine/requirements-python.txt)...`);
    fs.rmSync(dir, { recursive: true, force: true });
    const steps = [
        [python, ["-m", "venv", dir]],
        [path.join(dir, "bin", "python"), ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", PYTHON_REQUIREMENTS]],
    ];
    for (const [file, args] of steps) {
        const result = spawnSync(file, args, { stdio: ["ignore", "inherit", "inherit"] });
        if (result.error || result.status !== 0) {
            throw new BuildError(`\`${path.basename(file)} ${args.join(" ")}\` failed (exit ${result.status ?? result.error?.message}); see its output above.`);
        }
    }
    fs.writeFileSync(stampFile, `${digest}\n`);
    return dir;
}

/**
 * The CLI the tests run: { source: "built" | "cached" | "path", pulumi, binDir, version, seconds,
 * pythonVenv }. `pythonVenv` is the Python SDK's virtualenv, made when `python` is set (else only
 * reported when ready). Throws a BuildError saying what to install when there is none.
 */
export function resolvePulumi({ force = false, python = false } = {}) {
    const started = Date.now();
    const version = installedSdkVersion();
    const choice = process.env.AZURE_NAT_RULES_PULUMI || "build";
    let binary;
    let source;
    if (choice === "build") {
        const built = buildPulumi(version, { force });
        binary = built.binary;
        source = built.cached ? "cached" : "built";
    } else if (choice === "path") {
        binary = findOnPath("pulumi");
        if (!binary) {
            throw new BuildError("AZURE_NAT_RULES_PULUMI=path, but there is no `pulumi` on PATH: install the Pulumi CLI, or unset it to build one (needs Go).");
        }
        source = "path";
    } else {
        if (!path.isAbsolute(choice) || !fs.existsSync(choice)) {
            throw new BuildError(`AZURE_NAT_RULES_PULUMI=${choice}: expected "build", "path" or the absolute path of a pulumi binary.`);
        }
        binary = choice;
        source = "path";
    }
    const reported = pulumiVersion(binary);
    if (reported !== `v${version}`) {
        console.error(`warning: ${binary} reports ${reported}; the installed @pulumi/pulumi is ${version}.`);
    }
    const venv = pythonVenv(version, { create: python });
    return { source, pulumi: binary, binDir: path.dirname(binary), version: reported, pythonVenv: venv, seconds: (Date.now() - started) / 1000 };
}

function main(argv) {
    try {
        if (argv.includes("--update")) {
            update(installedSdkVersion());
            return 0;
        }
        const engine = resolvePulumi({ force: argv.includes("--force"), python: argv.includes("--python") });
        const how = { built: "built now", cached: "cached build", path: "given, not built here" }[engine.source];
        console.error(`pulumi: ${engine.pulumi} (${how}, ${engine.seconds.toFixed(1)} s)`);
        console.error(`pulumi version: ${engine.version}`);
        if (engine.pythonVenv) console.error(`Python SDK: ${engine.pythonVenv}`);
        if (argv.includes("--json")) console.log(JSON.stringify(engine));
        return 0;
    } catch (error) {
        if (!(error instanceof BuildError)) throw error;
        console.error(`engine: ${error.message}`);
        return 1;
    }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    process.exitCode = main(process.argv.slice(2));
}
