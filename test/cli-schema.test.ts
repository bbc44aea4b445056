import { describe, expect, it } from "vitest";
import { runCli } from "./cli-helpers";

/** Runs `azure-nat-rules ...` from source as a child process. */
const cli = (...args: string[]) => runCli(args);

describe.concurrent("azure-nat-rules schema", () => {
    it("prints the inferred package schema as JSON, listing both NAT rule components with their inputs and outputs", async () => {
        const result = await cli("schema");
        expect(result.stderr).toBe("");
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
    });

    it("shows help and exits 0", async () => {
        const result = await cli("schema", "--help");
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/Usage: azure-nat-rules schema/);
        expect(result.stdout).toMatch(/--json/);
    });
});
