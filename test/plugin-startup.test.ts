/**
 * The component plugin's start-up for other languages: started as Pulumi's Node.js host starts it,
 * it serves the committed schema.json (kept equal to the inferred schema by src/schema.test.ts)
 * instead of running Pulumi's TypeScript analyzer before the first Construct. How long that takes
 * is measured by the bench (`npm run bench:startup`), not here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ProtocolEngine } from "./protocol-engine";

const root = path.resolve(__dirname, "..");
const committed = JSON.parse(fs.readFileSync(path.join(root, "schema.json"), "utf8")) as { version: string; resources: Record<string, { properties: Record<string, unknown> }> };
const singleVm = "azure-nat-rules:index:SingleVmNatRule";
const lbId = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
const vmRule = { loadBalancerId: lbId, frontendIPConfigurationId: `${lbId}/frontendIPConfigurations/fe`, frontendPort: 50022, backendPort: 22, vmName: "vm1" };

const engines: ProtocolEngine[] = [];
afterAll(async () => {
    for (const e of engines) await e.stop();
});

async function started(options: ConstructorParameters<typeof ProtocolEngine>[0] = {}): Promise<ProtocolEngine> {
    const e = new ProtocolEngine(options);
    engines.push(e);
    await e.start();
    await e.configure();
    return e;
}

describe("the component plugin's start-up", () => {
    it("constructs first, then serves the committed schema.json, without inferring it", async () => {
        const e = await started();
        const d = await e.deployment("startup", true);
        const result = await d.construct({ type: singleVm, name: "vm1-ssh", inputs: vmRule });
        // The component's outputs, by the names the committed schema gives them.
        expect(Object.keys(result.state).length).toBeGreaterThan(0);
        expect(Object.keys(committed.resources[singleVm].properties)).toEqual(expect.arrayContaining(Object.keys(result.state)));
        expect(result.state.portMapping).toMatchObject({ frontendPort: 50022, backendPort: 22 });
        expect(await e.getSchema()).toEqual(committed);
        expect(e.stderr).not.toMatch(/inferring the package schema/);
    }, 120_000);

    it("infers the schema, and says why on stderr, when schema.json is not this version's", async () => {
        const e = await started({
            stage: (dir) => {
                const file = path.join(dir, "schema.json");
                fs.rmSync(file);
                fs.writeFileSync(file, JSON.stringify({ ...committed, version: "0.0.0-stale" }));
            },
        });
        const schema = await e.getSchema();
        // Inferred from src/: this package's version, and the same schema otherwise.
        expect(schema).toEqual(committed);
        // The plugin writes the reason before answering; its stderr may reach this process just after the answer.
        for (let i = 0; i < 50 && !/schema > schema\.json/.test(e.stderr); i++) await new Promise((r) => setTimeout(r, 100));
        expect(e.stderr).toMatch(/inferring the package schema from src\/.*schema\.json is for "azure-nat-rules" "0\.0\.0-stale", the package is "azure-nat-rules" "[^"]+"\. Fix: .*schema > schema\.json/s);
    }, 180_000);
});
