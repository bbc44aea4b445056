/**
 * The bin after a rebuild: `npm run build` (what `npm ci`, `npm pack` and a rebuild run) must leave
 * dist/src/cli/main.js executable. tsc writes it without the executable bit, and npx links a clone's
 * bin once and never again, so after a rebuild `npx azure-nat-rules` failed with "Permission denied".
 * The build runs in a copy of the sources (dependencies linked), so the repository's dist/ is untouched.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./cli-helpers";

const dir = mkdtempSync(path.join(tmpdir(), "azure-nat-rules-build-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run build", () => {
    it("leaves the bin executable, and it runs by its #! line", () => {
        for (const entry of ["package.json", "tsconfig.json", "tsconfig.build.json", "src"]) cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
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
