/**
 * A Python program (test/engine/python-program) using BackendPoolNatRule and SingleVmNatRule
 * through the package's generated Python SDK, under the real Pulumi CLI, with the azure-native
 * stand-in against the local ARM endpoint and this package's component plugin started as the
 * Node.js host starts it (see ./python-setup for what stands in for `pulumi package add` and the
 * language hosts). Needs Python 3 with venv and pip, and Go; fails saying what to install.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { standInEnv, standInPluginDir } from "../../src/testing";
import { createWorkspace, type Workspace } from "./pulumi-cli";
import { componentPluginDir, pythonProgram, pythonSdk, pythonVenv } from "./python-setup";
import { startLocalAzure, withoutSource, type LocalAzure } from "./standin-helpers";

const GROUP = "pyrules-rg";
const LB = "pyrules-lb";

/** A mapping as a Python program exports it: the SDK's output type, with Python's property names. */
interface Mapping { instance: string; frontend_ip: string; frontend_port: number; backend_port: number; protocol: string; source?: string }

let azure: LocalAzure;
let pluginDir: string;
let venv: string;

async function workspace(name: string): Promise<Workspace> {
    const env = standInEnv({ endpoint: azure.server.url, subscriptionId: azure.sim.subscriptionId, pollSeconds: 1 });
    delete env.PATH; // the workspace builds PATH itself from pluginPath
    return createWorkspace({ projectDir: pythonProgram(name, venv), stack: "dev", pluginPath: [standInPluginDir(), pluginDir], env });
}

beforeAll(async () => {
    venv = await pythonVenv();
    await pythonSdk(venv);
    pluginDir = await componentPluginDir();
    azure = await startLocalAzure();
});

afterAll(async () => {
    await azure?.close();
});

describe("a Python program under the real CLI", () => {
    let ws: Workspace;
    beforeAll(async () => {
        ws = await workspace("python");
        await ws.initStack();
    });
    afterAll(() => ws?.dispose());

    it("is refused per property before anything is created: `pulumi up` stops in its preview, naming frontendPort and the value", async () => {
        await ws.setConfig("vmFrontendPort", "70000");
        let result;
        try {
            result = await ws.run(["up", "--stack", ws.stack, "--yes"], { client: true, allowFailure: true });
        } finally {
            await ws.setConfig("vmFrontendPort", "50022");
        }
        const output = `${result.stdout}\n${result.stderr}`;
        expect(result.code).not.toBe(0);
        // The engine's check failure for the component's input, as the plugin sent it (InputPropertiesError).
        expect(output).toMatch(/frontendPort/);
        expect(output).toMatch(/70000/);
        expect(output).toMatch(/65534/);
        expect(azure.sim.has(`/subscriptions/${azure.sim.subscriptionId}/resourceGroups/${GROUP}`)).toBe(false);
    });

    it("previews both components and their rules as creates, sending nothing to Azure", async () => {
        const { json } = await ws.preview();
        const creates = (json.steps ?? []).filter((s) => s.op === "create").map((s) => s.newState?.type);
        expect(creates).toEqual(expect.arrayContaining([
            "azure-nat-rules:index:BackendPoolNatRule",
            "azure-nat-rules:index:SingleVmNatRule",
            "azure-native:network:InboundNatRule",
            "azure-native:compute:VirtualMachineScaleSet",
        ]));
        expect(creates.filter((t) => t === "azure-native:network:InboundNatRule")).toHaveLength(2);
        expect(azure.sim.has(`/subscriptions/${azure.sim.subscriptionId}/resourceGroups/${GROUP}`)).toBe(false);
    });

    it("deploys: `pulumi stack output --json` shows Azure's mappings, with integer ports and the defaults the program left out", async () => {
        await ws.up();
        const outputs = await ws.stackOutput();
        // The Python program saw ints, not floats.
        expect(outputs.poolPortTypes).toEqual(["int"]);
        expect(outputs.vmPortTypes).toEqual(["int"]);

        const mappings = outputs.portMappings as Mapping[];
        const inAzure = azure.sim.portMappings(GROUP, LB, { rule: outputs.poolRule as string });
        expect(mappings).toHaveLength(2);
        expect(mappings.map((m) => [m.instance, m.frontend_port, m.backend_port])).toEqual(inAzure.map((m) => [m.instance, m.frontendPort, m.backendPort]));
        expect(mappings.map((m) => m.source)).toEqual(["azure", "azure"]);
        expect(withoutSource(outputs.plannedPortMappings)).toEqual(withoutSource(mappings));
        // A new Uniform scale set's instance ids are Azure's to pick, so the plan marks them guessed, in snake_case.
        expect((outputs.plannedPortMappings as Record<string, unknown>[]).map((m) => m.label_guessed)).toEqual([true, true]);
        // Defaults the program did not set: protocol Tcp; the range from max_instances=10.
        expect(outputs.frontendPortRange).toEqual({ start: 50000, end: 50009, capacity: 10 });
        expect(new Set(mappings.map((m) => m.protocol))).toEqual(new Set(["Tcp"]));

        const vm = outputs.vmPortMapping as Mapping;
        expect(vm).toMatchObject({ instance: "vm1", frontend_port: 50022, backend_port: 22, protocol: "Tcp" });
        const rule = azure.sim.get(`/subscriptions/${azure.sim.subscriptionId}/resourceGroups/${GROUP}/providers/Microsoft.Network/loadBalancers/${LB}/inboundNatRules/${outputs.vmRule as string}`) as
            { properties: { frontendPort: number; backendPort: number; protocol: string } } | undefined;
        expect(rule?.properties).toMatchObject({ frontendPort: 50022, backendPort: 22, protocol: "Tcp" });
    });

    it("is destroyed", async () => {
        await ws.destroy();
        expect(azure.sim.has(`/subscriptions/${azure.sim.subscriptionId}/resourceGroups/${GROUP}`)).toBe(false);
    });
});
