/**
 * The harness under the real Pulumi CLI, on a program that needs no provider
 * (programs/component-outputs): preview --json, up, a no-op re-run, refresh, stack outputs, the
 * checkpoint, a failing program and destroy, all in a private `file://` backend. What is expected comes from
 * Pulumi's documented behaviour (URNs, step ops, secrets shown as "[secret]"), and the values from
 * the config this test sets.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace, PulumiCliError, pulumiVersion, type Workspace } from "./pulumi-cli";

const PROJECT = path.join(__dirname, "programs", "component-outputs");
const STACK_TYPE = "pulumi:pulumi:Stack";
const GREETING_TYPE = "engine-test:index:Greeting";
const PART_TYPE = "engine-test:index:Part";

describe("the real Pulumi CLI on a program with a ComponentResource and no provider", () => {
    let ws: Workspace;

    beforeAll(async () => {
        ws = await createWorkspace({ projectDir: PROJECT, stack: "dev" });
        await ws.initStack();
        await ws.setConfig("who", "world");
        await ws.setConfig("times", "3");
        await ws.setConfig("token", "s3cr3t-value", { secret: true });
    });

    afterAll(() => ws?.dispose());

    it("runs the CLI this suite built or was given, at the installed SDK's version", async () => {
        const printed = await pulumiVersion(ws.engine);
        expect(printed).toBe(ws.engine.version);
        const sdk = (JSON.parse(fs.readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")) as { version: string }).version;
        expect(printed).toBe(`v${sdk}`);
    });

    it("previews the stack, the component and its child as creates, in JSON", async () => {
        const { json } = await ws.preview();
        const steps = json.steps ?? [];
        const byType = new Map(steps.map((step) => [step.newState?.type, step]));
        expect([...byType.keys()].sort()).toEqual([GREETING_TYPE, PART_TYPE, STACK_TYPE].sort());
        for (const step of steps) expect(step.op).toBe("create");
        // URNs name the stack and project: urn:pulumi:<stack>::<project>::<type chain>::<name>.
        expect(byType.get(GREETING_TYPE)!.urn).toBe(`urn:pulumi:dev::component-outputs::${GREETING_TYPE}::greeting`);
        expect(byType.get(PART_TYPE)!.urn).toBe(`urn:pulumi:dev::component-outputs::${GREETING_TYPE}$${PART_TYPE}::greeting-part`);
        expect(json.changeSummary).toEqual({ create: 3 });
    });

    it("deploys, and `stack output --json` has the program's outputs with the secret hidden", async () => {
        const up = await ws.up();
        expect(up.json.changeSummary).toEqual({ create: 3 });
        expect(up.json.steps!.map((step) => step.op)).toEqual(["create", "create", "create"]);
        const outputs = await ws.stackOutput();
        expect(outputs).toEqual({
            message: "hello, world",
            lines: ["1: hello, world", "2: hello, world", "3: hello, world"],
            token: "[secret]",
            project: "component-outputs",
            stack: "dev",
            dryRunSeen: false,
        });
        expect((await ws.stackOutput({ showSecrets: true })).token).toBe("s3cr3t-value");
    });

    it("keeps the component and its registered outputs in the checkpoint", async () => {
        const { deployment } = await ws.exportStack();
        const types = (deployment.resources ?? []).map((resource) => resource.type);
        expect(types).toEqual(expect.arrayContaining([STACK_TYPE, GREETING_TYPE, PART_TYPE]));
        const greeting = deployment.resources!.find((resource) => resource.type === GREETING_TYPE)!;
        expect(greeting.outputs).toMatchObject({ message: "hello, world" });
    });

    it("re-runs as a no-op: preview --expect-no-changes passes, and the summary counts three unchanged", async () => {
        const { json } = await ws.preview({ expectNoChanges: true });
        expect(json.changeSummary).toEqual({ same: 3 });
        for (const step of json.steps ?? []) expect(step.op).toBe("same");
    });

    it("refreshes with nothing to change (a component has no provider to read)", async () => {
        const refresh = await ws.refresh({ expectNoChanges: true });
        expect(refresh.json.changeSummary).toEqual({ same: 3 });
        expect((await ws.stackOutput()).message).toBe("hello, world");
    });

    it("a changed config value changes the outputs on the next up", async () => {
        await ws.setConfig("who", "Azure");
        await ws.up();
        expect((await ws.stackOutput()).message).toBe("hello, Azure");
        // The preview with no change after it still says so.
        await ws.preview({ expectNoChanges: true });
    });

    it("a program that throws fails the preview with the program's message, and the CLI's exit code", async () => {
        await ws.setConfig("fail", "on purpose");
        try {
            const failed = await ws.preview({ allowFailure: true });
            expect(failed.result.code).not.toBe(0);
            const messages = (failed.json.diagnostics ?? []).map((diagnostic) => diagnostic.message).join("\n");
            expect(messages).toContain("the program was told to fail: on purpose");
            // Without allowFailure the harness throws an error that shows the CLI's output.
            const error = await ws.preview().catch((caught: unknown) => caught);
            expect(error).toBeInstanceOf(PulumiCliError);
            expect((error as PulumiCliError).message).toContain("the program was told to fail: on purpose");
            expect((error as PulumiCliError).message).toContain("pulumi preview --stack dev --json");
        } finally {
            await ws.run(["config", "rm", "--stack", "dev", "fail"]);
        }
    });

    it("a program that throws during up fails it with the program's message, and changes nothing", async () => {
        await ws.setConfig("fail", "during up");
        try {
            const failed = await ws.up({ allowFailure: true });
            expect(failed.code).not.toBe(0);
            expect(failed.json.diagnostics!.map((diagnostic) => diagnostic.message).join("\n")).toContain("the program was told to fail: during up");
            expect((await ws.stackOutput()).message).toBe("hello, Azure");
        } finally {
            await ws.run(["config", "rm", "--stack", "dev", "fail"]);
        }
    });

    it("destroys everything: no outputs and no resources are left", async () => {
        const destroy = await ws.destroy();
        expect(destroy.json.changeSummary).toEqual({ delete: 3 });
        expect(await ws.stackOutput()).toEqual({});
        const { deployment } = await ws.exportStack();
        expect(deployment.resources ?? []).toEqual([]);
    });
});
