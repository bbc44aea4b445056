import * as path from "node:path";
import { defineConfig } from "vitest/config";

// `npm run test:sdk-range` only: installs consumers from npm's cache, minutes rather than seconds.
// The project root is the working directory, as npm runs every script from it (the root config does
// the same). Not __dirname: Vite's native config loader, its next default, does not define it and
// warns at every run.
export default defineConfig({
    root: path.resolve("."),
    test: {
        include: ["test/sdk-range/*.check.ts"],
        testTimeout: 900_000,
        hookTimeout: 900_000,
    },
});
