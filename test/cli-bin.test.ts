/**
 * The bin after a rebuild: `npm run build` (what `npm ci`, `npm pack` and a rebuild run) must leave
 * dist/src/cli/main.js executable. tsc writes it without the executable bit, and npx links a clone's
 * bin once and never again, so after a rebuild `npx azure-nat-rules` failed with "Permission denied".
 * The build runs in a copy of the sources (dependencies linked), so the repository's dist/ is untouched.
 * Also what installing and packing print: only what a user must act on.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./cli-helpers";

const dir = mkdtempSync(path.join(tmpdir(), "azure-nat-rules-build-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run build", () => {
    it("leaves the bin executable, and it runs by its #! line", () => {
        for (const entry of ["package.json", "tsconfig.json", "tsconfig.build.json", "src", path.join("examples", "scale-set")]) cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
        symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
        const npm = process.platform === "win32" ? "npm.cmd" : "npm";
        const build = spawnSync(npm, ["run", "build", "--silent"], { cwd: dir, encoding: "utf8" });
        expect(build.status, build.stderr).toBe(0);
        const bin = path.join(dir, "dist", "src", "cli", "main.js");
        expect(statSync(bin).mode & 0o111, "dist/src/cli/main.js has its executable bits").toBe(0o111);
        // As a shell (and npx's bin link) runs it: the file itself, with the project's Node first on PATH.
        const help = spawnSync(bin, ["--help"], { cwd: dir, encoding: "utf8", env: { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}` } });
        expect(help.error).toBeUndefined();
        expect(help.status).toBe(0);
        expect(help.stdout).toMatch(/^Usage: azure-nat-rules \[options\] \[command\]/);
    }, 180_000);
});

/** The environment a developer's npm runs in: the machine's Node, not the project's (npm scripts put that first on PATH). */
function machineNpmEnv(): NodeJS.ProcessEnv {
    const projectBin = path.join(ROOT, "node_modules", ".bin");
    const PATH = (process.env.PATH ?? "").split(path.delimiter).filter((p) => path.resolve(p) !== projectBin).join(path.delimiter);
    return { ...process.env, PATH };
}

describe("installing and packing print only what a user must act on", () => {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";

    // On Node 20 npm warned EBADENGINE about this package itself (engines: >=22) at every install,
    // though the project runs on the Node 22 it installs; devEngines says what developing it needs.
    // (Under Node 22 or newer npm has nothing to warn about either way.)
    it("npm install in the clone writes nothing to stderr, under the machine's Node", () => {
        const env = machineNpmEnv();
        const version = spawnSync("node", ["--version"], { env, encoding: "utf8" }).stdout.trim();
        const run = spawnSync(npm, ["install", "--dry-run", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: ROOT, env, encoding: "utf8" });
        expect(run.status, run.stderr).toBe(0);
        expect(run.stderr, `npm on Node ${version}`).toBe("");
    }, 60_000);

    it("the README's npm pack prints the tarball's name alone, and git ignores the tarball", () => {
        const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
        const command = /npm ci && (npm pack[^#\n]*?)\s+#/.exec(readme)?.[1];
        expect(command, "README.md shows npm ci && npm pack ...").toBeDefined();
        const args = command!.split(/\s+/).slice(1);
        const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string; version: string };
        const tarball = `${pkg.name}-${pkg.version}.tgz`;
        // --dry-run: the listing without the file; --ignore-scripts: no second build.
        const run = spawnSync(npm, [...args, "--dry-run", "--ignore-scripts"], { cwd: ROOT, env: machineNpmEnv(), encoding: "utf8" });
        expect(run.status, run.stderr).toBe(0);
        expect(run.stderr).toBe("");
        expect(run.stdout).toBe(`${tarball}\n`);
        const ignored = spawnSync("git", ["check-ignore", "--quiet", tarball], { cwd: ROOT });
        expect(ignored.status, `${tarball} is git-ignored`).toBe(0);
    }, 60_000);
});
