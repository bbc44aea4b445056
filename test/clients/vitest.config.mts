import * as path from "node:path";
import { defineConfig } from "vitest/config";

// `npm run test:clients`: real clients (the Azure CLI) against `azure-nat-rules local-arm --https`.
// Kept out of `npm test` (vitest.config.mts excludes test/clients): installing the pinned az takes
// minutes the first time, and every az command starts a Python process of about a second.
// The project root is the working directory, as npm runs every script from it (the root config does
// the same). Not __dirname: Vite's native config loader, its next default, does not define it and
// warns at every run.
const root = path.resolve(".");

export default defineConfig({
    root,
    test: {
        include: ["test/clients/**/*.test.ts"],
        pool: "forks",
        // One file at a time: each runs a sequence of az commands against one server.
        fileParallelism: false,
        // Compiles the CLI (as `npm test` does), then installs the pinned az into its venv.
        globalSetup: ["test/global-setup.ts", "test/clients/az-setup.ts"],
        testTimeout: 180_000,
        hookTimeout: 180_000,
    },
});
