import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isPluginProcess, readCommittedSchema } from "./committed-schema";

const root = path.resolve(__dirname, "..", "..");
const packageJson = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { name: string; version: string };
const committedText = fs.readFileSync(path.join(root, "schema.json"), "utf8");
const committed = JSON.parse(committedText) as { resources: Record<string, { properties: Record<string, unknown> }> };
const components = ["SingleVmNatRule", "BackendPoolNatRule"];

const dirs: string[] = [];
function packageWith(schema: string | undefined): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nat-committed-schema-"));
    dirs.push(dir);
    if (schema !== undefined) fs.writeFileSync(path.join(dir, "schema.json"), schema);
    return dir;
}
afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the committed schema the plugin serves instead of inferring", () => {
    it("serves the repository's schema.json for this package and version, with each component's outputs as construct() needs them", () => {
        const result = readCommittedSchema(root, packageJson.name, packageJson.version, components);
        expect(result.served).toBe(true);
        if (!result.served) return;
        expect(JSON.parse(result.text)).toEqual(JSON.parse(committedText));
        expect(Object.keys(result.definitions).sort()).toEqual([...components].sort());
        for (const component of components) {
            expect(Object.keys(result.definitions[component].outputs)).toEqual(
                Object.keys(committed.resources[`${packageJson.name}:index:${component}`].properties),
            );
        }
        // The outputs construct() returns include the mappings other languages read.
        expect(Object.keys(result.definitions.BackendPoolNatRule.outputs)).toEqual(expect.arrayContaining(["portMappings", "plannedPortMappings"]));
    });

    it("refuses a schema.json of another version, naming both", () => {
        const result = readCommittedSchema(root, packageJson.name, "9.9.9", components);
        expect(result).toEqual({ served: false, reason: expect.stringMatching(new RegExp(`"${packageJson.version}".*"9\\.9\\.9"`)) });
    });

    it("refuses a schema.json that misses a component the package exports, or lists one it does not", () => {
        const missing = readCommittedSchema(root, packageJson.name, packageJson.version, [...components, "NewRule"]);
        expect(missing).toEqual({ served: false, reason: expect.stringContaining("the package exports BackendPoolNatRule, NewRule, SingleVmNatRule") });
        const extra = readCommittedSchema(root, packageJson.name, packageJson.version, ["SingleVmNatRule"]);
        expect(extra).toEqual({ served: false, reason: expect.stringContaining("lists BackendPoolNatRule, SingleVmNatRule") });
    });

    it("refuses a missing or unreadable schema.json", () => {
        expect(readCommittedSchema(packageWith(undefined), packageJson.name, packageJson.version, components)).toEqual({
            served: false,
            reason: expect.stringContaining("schema.json could not be read"),
        });
        expect(readCommittedSchema(packageWith("{ not json"), packageJson.name, packageJson.version, components)).toEqual({
            served: false,
            reason: expect.stringContaining("schema.json could not be read"),
        });
    });

    it("is used only in a process started by Pulumi's plugin runner", () => {
        const runner = path.join(root, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin", "index.js");
        expect(isPluginProcess({ filename: runner } as NodeJS.Module)).toBe(true);
        expect(isPluginProcess({ filename: path.join(root, "src", "cli", "main.ts") } as NodeJS.Module)).toBe(false);
        expect(isPluginProcess(undefined)).toBe(false);
    });
});
