import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
        // Each test file in a fresh process: Pulumi's runtime state is process-global, and a late
        // registration left by one file must not fail another. Sharing workers saved ~17 s of ~67 s
        // here; isolation is worth it.
        pool: "forks",
        // Compiles the CLI once for the tests that run it as a child process.
        globalSetup: ["test/global-setup.ts"],
        // No test may reach the network: a component that reads Azure's mappings outside
        // runDeployment (which serves the simulator) gets a closed loopback port instead.
        env: { AZURE_NAT_RULES_ARM_ENDPOINT: "http://127.0.0.1:9" },
        testTimeout: 60_000,
        hookTimeout: 60_000,
    },
});
