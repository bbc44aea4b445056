import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { applyIgnoreChanges, parsePropertyPath, StackCheckpoint } from "./checkpoint";
import { SimulatorStateError } from "../errors";

// ignoreChanges as the engine applies it: resource.PropertyPath.Reset(old, new) in
// pulumi/pulumi pkg/resource/deploy/step_generator.go processIgnoreChanges: the old value is put
// back at the path, and a path the old inputs lack is removed from the new ones.
describe("applyIgnoreChanges", () => {
    const old = { sku: { name: "Standard_B1s", capacity: 3 }, tags: { a: "1" }, rules: [{ port: 1 }, { port: 2 }] };

    it("puts back the old value at a nested path and leaves every other input as given", () => {
        const next = { sku: { name: "Standard_B2s", capacity: 10 }, tags: { a: "2" }, rules: [{ port: 1 }, { port: 2 }] };
        expect(applyIgnoreChanges(next, old, ["sku.capacity"])).toEqual({ sku: { name: "Standard_B2s", capacity: 3 }, tags: { a: "2" }, rules: [{ port: 1 }, { port: 2 }] });
    });

    it("handles indices, wildcards and quoted keys", () => {
        const next = { sku: { name: "x", capacity: 3 }, tags: { "a.b": "new", a: "2" }, rules: [{ port: 7 }, { port: 8 }] };
        expect(applyIgnoreChanges(next, { ...old, tags: { "a.b": "old" } }, ['tags["a.b"]', "rules[*].port"]))
            .toEqual({ sku: { name: "x", capacity: 3 }, tags: { "a.b": "old", a: "2" }, rules: [{ port: 1 }, { port: 2 }] });
        expect(applyIgnoreChanges(next, old, ["rules[1].port"]).rules).toEqual([{ port: 7 }, { port: 2 }]);
    });

    it("removes an ignored input the old inputs lack, and ignores nothing on a create", () => {
        const next = { sku: { name: "x", capacity: 3 }, zones: ["1"] };
        expect(applyIgnoreChanges(next, { sku: { name: "x", capacity: 3 } }, ["zones"])).toEqual({ sku: { name: "x", capacity: 3 } });
        expect(applyIgnoreChanges(next, undefined, ["zones", "sku.capacity"])).toBe(next);
    });

    it("parses paths as the engine's PropertyPath does, and names a malformed one", () => {
        expect(parsePropertyPath('a.b[0]["c.d"][*]')).toEqual(["a", "b", 0, "c.d", "*"]);
        expect(() => parsePropertyPath("a[0")).toThrow(/unclosed/);
    });
});

describe("StackCheckpoint", () => {
    it("tells an unchanged input bag whatever its key order, and survives a save and a load", () => {
        const checkpoint = new StackCheckpoint();
        checkpoint.record("/subscriptions/s/resourceGroups/RG", { b: 1, a: { y: 2, x: 1 } }, { name: "RG" });
        expect(checkpoint.unchanged("/subscriptions/s/resourcegroups/rg", { a: { x: 1, y: 2 }, b: 1 })).toBe(true);
        expect(checkpoint.unchanged("/subscriptions/s/resourcegroups/rg", { a: { x: 1, y: 3 }, b: 1 })).toBe(false);
        const file = path.join(mkdtempSync(path.join(tmpdir(), "checkpoint-")), "nested", "checkpoint.json");
        checkpoint.save(file);
        const loaded = StackCheckpoint.load(file);
        expect(loaded.get("/subscriptions/s/resourceGroups/rg")).toEqual({ inputs: { b: 1, a: { y: 2, x: 1 } }, outputs: { name: "RG" } });
        expect(StackCheckpoint.load(path.join(path.dirname(file), "missing.json")).size).toBe(0);
        expect(() => StackCheckpoint.fromJSON({ format: "other" }, "x.json")).toThrow(SimulatorStateError);
    });
});
