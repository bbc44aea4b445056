// Prepares `sdk-range.check.ts`, which installs offline (no test reaches the network): packs the
// package, and for the lowest and the newest Pulumi SDKs of its peer ranges makes a consumer from
// Pulumi's TypeScript template (test/fixtures/consumer), installs it (bringing every package into
// npm's cache) and keeps its package.json and package-lock.json. Run by `npm run test:sdk-range`.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "azure-nat-rules-sdk-range");
const SDKS = ["@pulumi/pulumi", "@pulumi/azure-native"];
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
const lowest = {};
const newest = {};
for (const name of SDKS) {
    const range = pkg.peerDependencies?.[name];
    const floor = /^>=\s*(\d+\.\d+\.\d+)/.exec(range ?? "")?.[1];
    if (!floor) throw new Error(`package.json peerDependencies[${name}] = ${JSON.stringify(range)}: expected ">=X.Y.Z <N"`);
    lowest[name] = floor;
    const versions = JSON.parse(execFileSync(npm, ["view", `${name}@${range}`, "version", "--json"], { encoding: "utf8" }));
    newest[name] = Array.isArray(versions) ? versions[versions.length - 1] : versions;
}

rmSync(CACHE, { recursive: true, force: true });
mkdirSync(CACHE, { recursive: true });
const packed = JSON.parse(execFileSync(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", CACHE], { cwd: ROOT, encoding: "utf8" }));
const tarball = path.join(CACHE, packed[0].filename);

for (const [label, versions] of [["lowest", lowest], ["newest", newest]]) {
    const dir = path.join(CACHE, label);
    cpSync(path.join(ROOT, "test", "fixtures", "consumer"), dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    manifest.dependencies = { ...manifest.dependencies, ...versions, [pkg.name]: `file:${tarball}` };
    writeFileSync(path.join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    process.stderr.write(`sdk-range: installing the ${label} SDKs ${Object.entries(versions).map(([n, v]) => `${n}@${v}`).join(", ")}\n`);
    execFileSync(npm, ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
    // The check installs again from this lockfile with `npm ci --offline`, which asks the cache for
    // what `npm install` did not (the full manifests where the lockfile has no tarball URL): one
    // `npm ci` here brings those in.
    rmSync(path.join(dir, "node_modules"), { recursive: true, force: true });
    execFileSync(npm, ["ci", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
    rmSync(path.join(dir, "node_modules"), { recursive: true, force: true });
}
writeFileSync(path.join(CACHE, "versions.json"), `${JSON.stringify({ lowest, newest, tarball }, null, 2)}\n`);
process.stderr.write(`sdk-range: ready in ${path.relative(ROOT, CACHE)}\n`);
