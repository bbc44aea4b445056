/**
 * Compiles the CLI once per test run, so the tests that run `azure-nat-rules` as a child process
 * start plain JavaScript, as the published bin does. Under tsx's loader every child spent ~4 s of
 * CPU resolving and transforming modules; compiled, `--help` takes ~0.1 s and a demo run ~2 s.
 * esbuild (which tsx itself uses) transpiles file by file, so the layout and relative imports stay.
 */
import { build } from "esbuild";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CLI_BUILD_DIR, ROOT } from "./cli-helpers";

export async function setup(): Promise<void> {
    rmSync(CLI_BUILD_DIR, { recursive: true, force: true });
    await build({
        absWorkingDir: ROOT,
        // Test files come along; they are never run from here, and excluding them would cost more than they do.
        // The scale-set example's program too: the demo deploys it (src/cli/demo-stack.ts), as the package ships it.
        entryPoints: ["src/**/*.ts", "examples/scale-set/program.ts"],
        outdir: CLI_BUILD_DIR,
        outbase: ".",
        format: "cjs",
        platform: "node",
        target: "node22",
        bundle: false,
        // As tsc compiles for the published package: import() becomes require(), so `import("../testing")` finds its index.
        supported: { "dynamic-import": false },
        logLevel: "warning",
    });
    // The example imports the package by its name. Installed, Node resolves that name to the package
    // itself; here a stand-in package points it at this build's own modules (one copy of each).
    const standIn = path.join(CLI_BUILD_DIR, "node_modules", "azure-nat-rules");
    mkdirSync(standIn, { recursive: true });
    writeFileSync(path.join(standIn, "package.json"), `${JSON.stringify({ name: "azure-nat-rules", private: true, main: "index.js" })}\n`);
    writeFileSync(path.join(standIn, "index.js"), `module.exports = require("../../src/index.js");\n`);
}
