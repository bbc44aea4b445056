/**
 * The layout rules of docs/architecture.md, checked on the sources: no import cycles, no file over
 * 500 lines, a pure core, a simulator that does not borrow the library's judgement, and a CLI that
 * imports its commands statically. Test files (`*.test.ts`) are exempt from every rule.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..");
const SRC = path.join(ROOT, "src");
const MAX_LINES = 500;

/**
 * Files over the limit that are being split in their own change. Each entry must still be over
 * the limit (checked below), so the list empties as the splits land instead of going stale.
 */
const PENDING_SPLIT: string[] = [];

/** Node built-ins the core may use: address parsing only, no I/O. */
const CORE_MAY_IMPORT = ["node:net"];

/**
 * What src/testing may import from the rest of the library (docs/architecture.md): errors, id
 * parsing, the endpoint variable's name and Pulumi's internals. The simulator answers as Azure
 * does, from Azure's sources, so it never borrows our validation, range or allocation code.
 */
const TESTING_MAY_IMPORT = ["src/core/errors.ts", "src/core/instances.ts", "src/azure-reads/azure-mappings.ts", "src/pulumi-sdk/pulumi-internals.ts"];
/** Never allowed into src/testing, whatever the list above comes to hold. */
const TESTING_MUST_NOT_IMPORT = ["validation", "range", "allocation", "planner", "pool-plan", "conflicts", "limits"].map((m) => `src/core/${m}.ts`);

interface Import {
    specifier: string;
    /** `require(...)` or `import(...)`. */
    call?: "require" | "import";
    /** The argument is not a string literal (a template or an expression). */
    computed?: boolean;
    line: number;
}

interface SourceFile {
    /** Relative to the repository, with forward slashes: `src/core/range.ts`. */
    file: string;
    lines: number;
    imports: Import[];
}

const rel = (absolute: string) => path.relative(ROOT, absolute).split(path.sep).join("/");

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return sourceFiles(full);
        return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
    });
}

function importsOf(file: string, text: string): Import[] {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const line = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    const found: Import[] = [];
    const visit = (node: ts.Node): void => {
        if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
            found.push({ specifier: node.moduleSpecifier.text, line: line(node) });
        } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
            found.push({ specifier: node.moduleReference.expression.text, call: "require", line: line(node) });
        } else if (ts.isCallExpression(node)) {
            const call = node.expression.kind === ts.SyntaxKind.ImportKeyword ? "import" : ts.isIdentifier(node.expression) && node.expression.text === "require" ? "require" : undefined;
            if (call) {
                const arg = node.arguments[0];
                const literal = arg !== undefined && ts.isStringLiteral(arg) ? arg.text : arg !== undefined && ts.isNoSubstitutionTemplateLiteral(arg) ? arg.text : undefined;
                found.push({ specifier: literal ?? (arg ? arg.getText(source) : ""), call, computed: literal === undefined, line: line(node) });
            }
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
}

const FILES: SourceFile[] = sourceFiles(SRC).map((full) => {
    const text = fs.readFileSync(full, "utf8");
    // As `wc -l` counts: a last line without a newline still counts.
    const lines = text.length === 0 ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    return { file: rel(full), lines, imports: importsOf(full, text) };
});
const BY_NAME = new Map(FILES.map((f) => [f.file, f]));

/** `./x` or `../y/z` from `from`, as x.ts or x/index.ts; undefined for a package or a file outside src. */
function resolveRelative(from: string, specifier: string): string | undefined {
    if (!specifier.startsWith(".")) return undefined;
    const base = path.resolve(ROOT, path.dirname(from), specifier);
    for (const candidate of [`${base}.ts`, path.join(base, "index.ts"), base]) {
        if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return rel(candidate);
    }
    return rel(base);
}

/**
 * Strongly connected components of the import graph with more than one file, or a file importing
 * itself. Type-only imports count: a cycle of types is still one a reader has to untangle.
 */
function importCycles(): string[][] {
    const edges = new Map<string, string[]>();
    for (const f of FILES) {
        const targets = f.imports
            .filter((i) => !i.computed)
            .map((i) => resolveRelative(f.file, i.specifier))
            .filter((t): t is string => t !== undefined && BY_NAME.has(t));
        edges.set(f.file, [...new Set(targets)]);
    }
    // Tarjan's algorithm.
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const connect = (v: string): void => {
        index.set(v, counter);
        low.set(v, counter++);
        stack.push(v);
        onStack.add(v);
        for (const w of edges.get(v) ?? []) {
            if (!index.has(w)) {
                connect(w);
                low.set(v, Math.min(low.get(v)!, low.get(w)!));
            } else if (onStack.has(w)) {
                low.set(v, Math.min(low.get(v)!, index.get(w)!));
            }
        }
        if (low.get(v) === index.get(v)) {
            const component: string[] = [];
            let w: string;
            do {
                w = stack.pop()!;
                onStack.delete(w);
                component.push(w);
            } while (w !== v);
            if (component.length > 1 || (edges.get(v) ?? []).includes(v)) cycles.push(component.sort());
        }
    };
    for (const f of FILES) if (!index.has(f.file)) connect(f.file);
    return cycles;
}

const where = (f: SourceFile, i: Import) => `${f.file}:${i.line} imports ${JSON.stringify(i.specifier)}`;

describe("the source layout (docs/architecture.md)", () => {
    it("reads the sources it checks", () => {
        // A broken walk would pass every rule below vacuously.
        expect(FILES.length).toBeGreaterThan(50);
        for (const file of ["src/core/range.ts", "src/testing/simulator.ts", "src/cli/main.ts", ...PENDING_SPLIT]) expect(BY_NAME.has(file), file).toBe(true);
        expect(BY_NAME.get("src/testing/simulator.ts")!.imports.length).toBeGreaterThan(10);
    });

    it("has no import cycle among the non-test files of src/, type-only imports included", () => {
        const cycles = importCycles();
        expect(cycles, `import cycles (each line one cycle): \n${cycles.map((c) => c.join(" <-> ")).join("\n")}`).toEqual([]);
    });

    it(`has no non-test file over ${MAX_LINES} lines, except those listed as PENDING_SPLIT`, () => {
        const long = FILES.filter((f) => f.lines > MAX_LINES && !PENDING_SPLIT.includes(f.file)).map((f) => `${f.file} (${f.lines} lines)`);
        expect(long, `split these along their jobs: ${long.join(", ")}`).toEqual([]);
    });

    it("lists in PENDING_SPLIT only files that are still over the limit", () => {
        const done = PENDING_SPLIT.filter((file) => (BY_NAME.get(file)?.lines ?? 0) <= MAX_LINES).map((file) => `${file} (${BY_NAME.get(file)?.lines ?? "missing"})`);
        expect(done, `remove from PENDING_SPLIT, now split or gone: ${done.join(", ")}`).toEqual([]);
    });

    it("keeps src/core pure: it imports only itself (no @pulumi, no Azure SDK, no other folder of src/)", () => {
        const bad = FILES.filter((f) => f.file.startsWith("src/core/")).flatMap((f) =>
            f.imports
                .filter((i) => {
                    const target = resolveRelative(f.file, i.specifier);
                    return target === undefined ? !CORE_MAY_IMPORT.includes(i.specifier) : !target.startsWith("src/core/");
                })
                .map((i) => where(f, i)),
        );
        expect(bad, `src/core imports outside itself:\n${bad.join("\n")}`).toEqual([]);
    });

    it("keeps the simulator from the library's validation, range, allocation and planning code", () => {
        for (const forbidden of TESTING_MUST_NOT_IMPORT) expect(TESTING_MAY_IMPORT).not.toContain(forbidden);
        const bad = FILES.filter((f) => f.file.startsWith("src/testing/")).flatMap((f) =>
            f.imports
                .filter((i) => {
                    const target = resolveRelative(f.file, i.specifier);
                    return target !== undefined && !target.startsWith("src/testing/") && !TESTING_MAY_IMPORT.includes(target);
                })
                .map((i) => where(f, i)),
        );
        expect(
            bad,
            `src/testing may import from the library only ${TESTING_MAY_IMPORT.join(", ")} (the table in docs/architecture.md says why):\n${bad.join("\n")}`,
        ).toEqual([]);
    });

    it("has the CLI import every command statically, never by a computed require or import", () => {
        const main = BY_NAME.get("src/cli/main.ts")!;
        const dynamic = main.imports.filter((i) => i.call === "require" || (i.call === "import" && i.computed)).map((i) => where(main, i));
        expect(dynamic, `src/cli/main.ts loads modules at run time; import each command at the top instead:\n${dynamic.join("\n")}`).toEqual([]);
        const imported = new Set(main.imports.filter((i) => !i.call).map((i) => resolveRelative(main.file, i.specifier)));
        const commands = FILES.filter((f) => path.posix.dirname(f.file) === "src/cli/commands").map((f) => f.file);
        expect(commands.length).toBeGreaterThan(0);
        const missing = commands.filter((c) => !imported.has(c));
        expect(missing, `commands src/cli/main.ts does not import: ${missing.join(", ")}`).toEqual([]);
    });
});
