import { describe, expect, it } from "vitest";
import { runCli } from "./cli-helpers";

/** Runs `azure-nat-rules ...` from source as a child process. */
const cli = (...args: string[]) => runCli(args);

describe.concurrent("azure-nat-rules schema", () => {
    it("from a clone, infers the package schema from src/ (saying so on stderr first), listing both NAT rule components with their inputs and outputs", async () => {
        const result = await cli("schema");
        // The only stderr line: progress, so a few seconds of inference are not silent.
        expect(result.stderr).toBe("schema: inferring the schema from src/ with Pulumi's component analyzer (a few seconds)…\n");
        expect(result.code).toBe(0);
        const schema = JSON.parse(result.stdout) as {
            name: string;
            resources: Record<string, { isComponent?: boolean; inputProperties?: Record<string, unknown>; properties?: Record<string, unknown> }>;
        };
        expect(schema.name).toBe("azure-nat-rules");
        for (const token of ["azure-nat-rules:index:SingleVmNatRule", "azure-nat-rules:index:BackendPoolNatRule"]) {
            const resource = schema.resources[token];
            expect(resource?.isComponent, token).toBe(true);
            expect(Object.keys(resource?.inputProperties ?? {}).length, token).toBeGreaterThan(0);
            expect(Object.keys(resource?.properties ?? {}).length, token).toBeGreaterThan(0);
        }
        // Pulumi's analyzer builds a TypeScript program: seconds alone, more than a minute on a busy machine.
    }, 180_000);

    it("shows help and exits 0", async () => {
        const result = await cli("schema", "--help");
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/Usage: azure-nat-rules schema/);
        expect(result.stdout).toMatch(/--json/);
    });
});
