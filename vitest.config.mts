import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
        // Pulumi mocks are process-global, so each test file gets its own worker.
        pool: "forks",
        testTimeout: 60_000,
        hookTimeout: 60_000,
    },
});
