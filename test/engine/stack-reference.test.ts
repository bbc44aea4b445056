/**
 * Other stacks under the real CLI: a second project, in the same `file://` backend as the deployed
 * scale-set example, reads the example's mappings through a real `pulumi.StackReference` and the
 * library's `readNatMappings`, and exports them; a reference to an output that is not a list of
 * mappings fails with the library's StackMappingsError.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { standInEnv, standInPluginDir } from "../../src/testing";
import { createWorkspace, type Workspace } from "./pulumi-cli";
import { prepareProgram } from "./standin-helpers";
import { scaleSetStack, stripped, type ScaleSetStack } from "./scale-set-stack";

const CONSUMER = [
    'import * as pulumi from "@pulumi/pulumi";',
    'import { readNatMappings } from "azure-nat-rules";',
    "const config = new pulumi.Config();",
    "// The DIY backend names a stack organization/<project>/<stack>.",
    'const network = new pulumi.StackReference(config.require("networkStack"));',
    'export const mappings = readNatMappings(network, config.get("outputName") ?? "portMappings");',
    "export const ssh = mappings.apply((ms) => ms.map((m) => `ssh -p ${m.frontendPort} azureuser@${m.frontendIp}`));",
    "",
].join("\n");

describe("a second project reads the scale-set stack's mappings through a real StackReference", () => {
    let producer: ScaleSetStack;
    let consumer: Workspace;

    beforeAll(async () => {
        producer = await scaleSetStack("stackref-producer", { instances: "2" });
        await producer.ws.up();
        const dir = await prepareProgram("stackref-consumer", {
            "Pulumi.yaml": { text: "name: nat-consumer\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n" },
            "index.ts": { text: CONSUMER },
        });
        // Its own package scope, so `azure-nat-rules` resolves to node_modules (not the repository's dist/ by self-reference).
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "stackref-consumer", private: true }));
        const env = standInEnv({ endpoint: producer.azure.server.url, subscriptionId: producer.azure.sim.subscriptionId, pollSeconds: 1 });
        delete env.PATH;
        // The same file:// backend (and passphrase) as the producer's stack.
        consumer = await createWorkspace({ projectDir: dir, stack: "consumer", pluginPath: [standInPluginDir()], env: { ...env, PULUMI_BACKEND_URL: producer.ws.backendUrl } });
        await consumer.initStack();
    });
    afterAll(async () => {
        consumer?.dispose();
        await producer?.dispose();
    });

    it("exports exactly the producer's portMappings; a wrong output name fails with StackMappingsError", async () => {
        const produced = await producer.ws.stackOutput();
        expect(produced.portMappings).toHaveLength(2);
        await consumer.run(["config", "set", "--stack", "consumer", "networkStack", "organization/azure-nat-rules-example/dev"]);
        await consumer.up();
        const consumed = await consumer.stackOutput();
        expect(consumed.mappings).toEqual(produced.portMappings);
        expect(stripped(consumed.mappings)).toEqual(stripped(produced.portMappings));
        expect(consumed.ssh).toEqual((produced.portMappings as { frontendPort: number; frontendIp: string }[]).map((m) => `ssh -p ${m.frontendPort} azureuser@${m.frontendIp}`));

        await consumer.run(["config", "set", "--stack", "consumer", "outputName", "frontendPortRange"]);
        const failed = await consumer.preview({ allowFailure: true });
        expect(failed.code).not.toBe(0);
        expect(`${failed.stdout}\n${failed.stderr}\n${failed.programOutput}`).toMatch(/StackMappingsError|frontendPortRange/);
    });
});
