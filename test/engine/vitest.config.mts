import * as path from "node:path";
import { defineConfig } from "vitest/config";

// The end-to-end suite under the real Pulumi CLI: `npm run test:engine`, not part of `npm test`.
// The project root is the working directory, as npm runs every script from it (the root config does
// the same). Not __dirname: Vite's native config loader, its next default, does not define it and
// warns at every run.
const root = path.resolve(".");

export default defineConfig({
    root,
    resolve: {
        alias: [
            { find: /^azure-nat-rules$/, replacement: path.join(root, "src/index.ts") },
            { find: /^azure-nat-rules\/core$/, replacement: path.join(root, "src/core/index.ts") },
            { find: /^azure-nat-rules\/testing$/, replacement: path.join(root, "src/testing/index.ts") },
        ],
    },
    test: {
        include: ["test/engine/**/*.test.ts"],
        // Builds the CLI (or reuses the cached build) once, and prints which one runs and its version.
        globalSetup: ["test/engine/global-setup.ts"],
        pool: "forks",
        // Each test drives child processes (the CLI, the program, plugins) that take the cores.
        maxWorkers: 1,
        // No test may reach the network: a component reading Azure outside a provider gets a closed port.
        env: { AZURE_NAT_RULES_ARM_ENDPOINT: "http://127.0.0.1:9" },
        testTimeout: 600_000,
        hookTimeout: 600_000,
    },
});
