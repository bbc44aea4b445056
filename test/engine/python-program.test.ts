/**
 * A Python program (programs/python-outputs) under the real Pulumi CLI: it runs with
 * pulumi-language-python-exec from the sdk/v3 module and the Python SDK from
 * engine/requirements-python.txt (a virtualenv the global setup makes). The expected URNs, step
 * ops and outputs follow Pulumi's documented behaviour and the config this test sets.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace, type Workspace } from "./pulumi-cli";

const PROJECT = path.join(__dirname, "programs", "python-outputs");
const GREETING_TYPE = "engine-test:index:Greeting";

describe("the real Pulumi CLI on a Python program with a ComponentResource", () => {
    let ws: Workspace;

    beforeAll(async () => {
        ws = await createWorkspace({ projectDir: PROJECT, stack: "py" });
        if (!ws.engine.pythonVenv) {
            throw new Error("No Python SDK virtualenv: run `node engine/build.mjs --python` (it needs python3 with venv, and pip).");
        }
        await ws.initStack();
        await ws.setConfig("who", "Python");
        await ws.setConfig("times", "2");
    });

    afterAll(() => ws?.dispose());

    it("previews the stack and the component as creates", async () => {
        const { json } = await ws.preview();
        expect(json.changeSummary).toEqual({ create: 2 });
        const urns = (json.steps ?? []).map((step) => step.urn).sort();
        expect(urns).toEqual([`urn:pulumi:py::python-outputs::${GREETING_TYPE}::greeting`, "urn:pulumi:py::python-outputs::pulumi:pulumi:Stack::python-outputs-py"]);
    });

    it("deploys, and `stack output --json` has the Python program's outputs (an integer stays an integer)", async () => {
        const up = await ws.up();
        expect(up.json.changeSummary).toEqual({ create: 2 });
        expect(await ws.stackOutput()).toEqual({
            message: "hello, Python",
            lines: ["1: hello, Python", "2: hello, Python"],
            times: 2,
            stack: "py",
        });
        await ws.preview({ expectNoChanges: true });
    });

    it("a Python exception fails the preview with its message", async () => {
        await ws.setConfig("fail", "in Python");
        try {
            const failed = await ws.preview({ allowFailure: true });
            expect(failed.code).not.toBe(0);
            expect((failed.json.diagnostics ?? []).map((diagnostic) => diagnostic.message).join("\n")).toContain("the program was told to fail: in Python");
        } finally {
            await ws.run(["config", "rm", "--stack", "py", "fail"]);
        }
    });

    it("destroys it", async () => {
        const destroy = await ws.destroy();
        expect(destroy.json.changeSummary).toEqual({ delete: 2 });
        expect(await ws.stackOutput()).toEqual({});
    });
});
