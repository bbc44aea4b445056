import { describe, expect, it } from "vitest";
import * as path from "node:path";
import ts from "typescript";

const root = path.resolve(__dirname, "..");

describe("examples", () => {
    it("type-check in strict mode", () => {
        const configFile = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile);
        const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
        const entries = ["examples/scale-set/index.ts", "examples/single-vm/index.ts", "examples/scale-set/program.ts", "examples/migrate-nat-pool/index.ts", "examples/ops-access/index.ts"].map((f) => path.join(root, f));
        const program = ts.createProgram(entries, { ...parsed.options, noEmit: true });
        const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        expect(parsed.options.strict).toBe(true);
        expect(diagnostics).toEqual([]);
    });
});
