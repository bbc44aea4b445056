import { execFile } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");
const tsx = path.join(root, "node_modules", ".bin", "tsx");

interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs `azure-nat-rules ...` from source as a child process, with the Node that runs the tests first on PATH. */
function cli(...args: string[]): Promise<CliResult> {
    const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`, NO_COLOR: "1" };
    return new Promise((resolve) => {
        execFile(tsx, ["src/cli/main.ts", ...args], { cwd: root, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
            const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
            resolve({ code, stdout, stderr });
        });
    });
}

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
