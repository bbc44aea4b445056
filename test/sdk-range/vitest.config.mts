import * as path from "node:path";
import { defineConfig } from "vitest/config";

// `npm run test:sdk-range` only: installs consumers from npm's cache, minutes rather than seconds.
export default defineConfig({
    root: path.join(__dirname, "..", ".."),
    test: {
        include: ["test/sdk-range/*.check.ts"],
        testTimeout: 900_000,
        hookTimeout: 900_000,
    },
});
