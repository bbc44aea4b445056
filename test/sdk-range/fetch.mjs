// Brings the lowest and the newest Pulumi SDKs of the package's peer ranges into npm's cache, so
// that sdk-range.check.ts installs them offline (no test reaches the network). Run by
// `npm run test:sdk-range` before the check; it writes the versions it chose for the check.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const OUT = path.join(ROOT, "node_modules", ".cache", "azure-nat-rules-sdk-range", "versions.json");
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

for (const [label, versions] of [["lowest", lowest], ["newest", newest]]) {
    const dir = mkdtempSync(path.join(tmpdir(), `azure-nat-rules-sdk-fetch-${label}-`));
    try {
        writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "fetch", private: true, dependencies: { ...versions, "@types/node": "^22" } }));
        process.stderr.write(`sdk-range: caching ${label} SDKs ${Object.entries(versions).map(([n, v]) => `${n}@${v}`).join(", ")}\n`);
        execFileSync(npm, ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
mkdirSync(path.dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify({ lowest, newest }, null, 2)}\n`);
process.stderr.write(`sdk-range: wrote ${path.relative(ROOT, OUT)}\n`);
