import { availableParallelism } from "node:os";
import * as path from "node:path";
import { defineConfig } from "vitest/config";

// Vite's config loader defines __dirname in this ES module config (it is the repository root).
const source = (file: string) => path.join(__dirname, file);

export default defineConfig({
    // Examples import the package by name; tests load it from src, so there is one instance of each
    // module (the conflict registry, Pulumi's mocks) and not a second one from dist.
    resolve: {
        alias: [
            { find: /^azure-nat-rules$/, replacement: source("./src/index.ts") },
            { find: /^azure-nat-rules\/core$/, replacement: source("./src/core/index.ts") },
            { find: /^azure-nat-rules\/testing$/, replacement: source("./src/testing/index.ts") },
        ],
    },
    test: {
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
        // The end-to-end suite under the real Pulumi CLI has its own config: `npm run test:engine`.
        exclude: ["**/node_modules/**", "test/engine/**"],
        // Workers (child processes) are reused across files, so @pulumi/pulumi, azure-native and the
        // sources load once per worker, not once per file: 285 s → 169 s of wall time and 296 s → 198 s
        // of CPU for the suite on 2 cores. Every test sets its own Pulumi mocks (runDeployment, or
        // setMocks in component tests) and waits for its registrations before it ends.
        pool: "forks",
        isolate: false,
        // Vitest's default on 2 cores ran one file at a time (its default leaves a core free). The
        // CLI tests wait on child processes, so two workers overlap them: 169 s → 108 s wall here.
        maxWorkers: Math.max(2, availableParallelism()),
        // Compiles the CLI once for the tests that run it as a child process.
        globalSetup: ["test/global-setup.ts"],
        // Each file starts with Pulumi in update mode, whatever the file before it in the worker did.
        setupFiles: ["test/reset-pulumi.ts"],
        // No test may reach the network: a component that reads Azure's mappings outside
        // runDeployment (which serves the simulator) gets a closed loopback port instead.
        env: { AZURE_NAT_RULES_ARM_ENDPOINT: "http://127.0.0.1:9" },
        testTimeout: 60_000,
        hookTimeout: 60_000,
    },
});
