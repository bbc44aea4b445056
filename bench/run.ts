/**
 * `npm run bench`: runs every benchmark case in child processes of its own, several times each,
 * and prints median (min–max) tables, the ratios and the targets. `--json` adds one JSON object
 * as the last stdout line. Progress goes to stderr. See bench/README.md for what is measured.
 */
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { allCases, GROWTH_SIZES, LOOKUP_SIZES, RESULT_PREFIX, SCALE_EVENTS, type BenchCase, type ChildResult } from "./cases";
import { formatMb, formatMs, formatRatio, formatSpreadMb, formatSpreadMs, markdownTable, ratio, round, spread, type Spread } from "./stats";

const ROOT = path.resolve(__dirname, "..");
const CHILD = path.join(__dirname, "child.ts");
const FULL_RUNS = 5;
const QUICK_RUNS = 1;
/** A child that takes longer has hung (the slowest case takes about 10 s). */
const CHILD_TIMEOUT_MS = 180_000;

const HELP = `Usage: npm run bench -- [options]

Benchmarks of azure-nat-rules against the local Azure simulator. Every run of every case is a
child process of its own; runs are interleaved across cases and summarised as median (min–max).

Options:
  --quick          ${QUICK_RUNS} run per case and no warm-up (about 2 minutes on 2 cores)
  --runs <n>       runs per case (default ${FULL_RUNS}; ${QUICK_RUNS} with --quick)
  --only <text>    only cases whose name contains <text> (repeatable), e.g. --only growth
  --profile <dir>  write a V8 CPU profile of every child run into <dir>
  --no-warmup      skip the discarded warm-up runs
  --json           also print one JSON object as the last line of stdout
  --list           list the cases and exit
  -h, --help       show this help

Cases: comparison (BackendPoolNatRule vs the same rule written by hand, preview and update),
import (loading the modules a program uses, with and without the library), growth (a pool rule over 10 to 5,000 VMs), allocator (allocatePorts), lookup (lookupPortMappings
over the loopback ARM endpoint). Ratios of wall time use the program part (from before the
program to when the deployment settles); peak RSS is the whole child process's.`;

interface Options {
    json: boolean;
    quick: boolean;
    runs: number;
    only: string[];
    profileDir?: string;
    warmup: boolean;
    list: boolean;
    help: boolean;
}

/** A simulated duration: seconds, or minutes and seconds. */
function formatSimulated(ms: number): string {
    const seconds = Math.round(ms / 1000);
    return seconds < 120 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function usageError(message: string): never {
    process.stderr.write(`bench: ${message}\nRun \`npm run bench -- --help\` for the options.\n`);
    process.exit(2);
}

function parseOptions(argv: string[]): Options {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            options: {
                json: { type: "boolean", default: false },
                quick: { type: "boolean", default: false },
                runs: { type: "string" },
                only: { type: "string", multiple: true, default: [] },
                profile: { type: "string" },
                "no-warmup": { type: "boolean", default: false },
                list: { type: "boolean", default: false },
                help: { type: "boolean", short: "h", default: false },
            },
            allowPositionals: false,
        });
    } catch (err) {
        usageError((err as Error).message);
    }
    const { values } = parsed;
    let runs = values.quick ? QUICK_RUNS : FULL_RUNS;
    if (values.runs !== undefined) {
        runs = Number(values.runs);
        if (!Number.isInteger(runs) || runs < 1 || runs > 50) usageError(`--runs = ${JSON.stringify(values.runs)} is invalid: allowed is an integer from 1 to 50. Fix: e.g. --runs 3.`);
    }
    return {
        json: values.json,
        quick: values.quick,
        runs,
        only: values.only,
        profileDir: values.profile === undefined ? undefined : path.resolve(values.profile),
        warmup: !values.quick && !values["no-warmup"],
        list: values.list,
        help: values.help,
    };
}

/** One child run: the child's own report and the whole process's wall time seen from here. */
interface Run {
    processMs: number;
    result: ChildResult;
}

function runChild(benchCase: BenchCase, options: Options, label: string): Promise<Run> {
    const args = ["--import", "tsx"];
    if (options.profileDir) {
        args.push("--cpu-prof", "--cpu-prof-dir", options.profileDir, "--cpu-prof-name", `${benchCase.name.replace(/[^a-z0-9-]+/gi, "_")}-${label}.cpuprofile`);
    }
    args.push(CHILD, JSON.stringify(benchCase.spec));
    // The child points the components at its own loopback endpoint; an inherited one must not leak in.
    const env = { ...process.env };
    delete env.AZURE_NAT_RULES_ARM_ENDPOINT;
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        let processMs = Number.NaN;
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
        child.on("exit", () => (processMs = performance.now() - started));
        child.on("error", (err) => {
            clearTimeout(timer);
            reject(new Error(`bench: could not start the child for ${benchCase.name}: ${err.message}`));
        });
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            const line = stdout.split("\n").reverse().find((l) => l.startsWith(RESULT_PREFIX));
            if (code !== 0 || !line) {
                const why = signal ? `was killed by ${signal}${signal === "SIGKILL" ? ` (no result within ${CHILD_TIMEOUT_MS / 1000} s)` : ""}` : `exited with code ${code}`;
                reject(new Error(`bench: case ${benchCase.name} (run ${label}) ${why}${line ? "" : " and printed no result"}.\n${stderr.trim()}`));
                return;
            }
            resolve({ processMs, result: JSON.parse(line.slice(RESULT_PREFIX.length)) as ChildResult });
        });
    });
}

/** What the report says about one case, over its runs. */
interface CaseSummary {
    benchCase: BenchCase;
    runs: number;
    /** The measured part: program part, allocator calls, or the lookup. */
    wall: Spread;
    /** The whole child process: startup, imports, fixtures, measured part, exit. */
    process: Spread;
    /** Peak RSS of the whole child process. */
    rss: Spread;
    /** Peak RSS growth during the measured part. */
    measuredRss: Spread;
    /** Time from the process's start to the measured part. */
    beforeMeasured: Spread;
    last: ChildResult;
    armMaxConcurrent?: number;
    clientMaxConcurrent?: number;
    warm?: Spread;
}

function summarize(benchCase: BenchCase, runs: Run[]): CaseSummary {
    const results = runs.map((r) => r.result);
    const last = results[results.length - 1];
    const warm = results.filter((r) => r.warmMs !== undefined).map((r) => r.warmMs as number);
    return {
        benchCase,
        runs: runs.length,
        wall: spread(results.map((r) => r.measuredMs)),
        process: spread(runs.map((r) => r.processMs)),
        rss: spread(results.map((r) => r.peakRssMb)),
        measuredRss: spread(results.map((r) => r.peakRssMb - r.peakRssBeforeMb)),
        beforeMeasured: spread(results.map((r) => r.beforeMs)),
        last,
        armMaxConcurrent: last.armMaxConcurrent === undefined ? undefined : Math.max(...results.map((r) => r.armMaxConcurrent ?? 0)),
        clientMaxConcurrent: last.clientMaxConcurrent === undefined ? undefined : Math.max(...results.map((r) => r.clientMaxConcurrent ?? 0)),
        warm: warm.length > 0 ? spread(warm) : undefined,
    };
}

interface Target {
    name: string;
    description: string;
    value: number;
    limit: number;
    comparison: "<=" | "<";
    unit: "×" | "ms" | "requests" | "writes" | "429s";
    pass: boolean;
}

function target(name: string, description: string, value: number | undefined, comparison: Target["comparison"], limit: number, unit: Target["unit"]): Target | undefined {
    if (value === undefined || !Number.isFinite(value)) return undefined;
    return { name, description, value, limit, comparison, unit, pass: comparison === "<=" ? value <= limit : value < limit };
}

function machine(loadAtStart: number[]) {
    const cpus = os.cpus();
    return {
        date: new Date().toISOString(),
        node: process.version,
        platform: `${os.type()} ${os.release()} ${os.arch()}`,
        cpuModel: cpus[0]?.model.trim() ?? "unknown",
        cpus: os.availableParallelism(),
        memoryGb: round(os.totalmem() / 1024 ** 3, 1),
        loadAverageAtStart: loadAtStart.map((l) => round(l, 2)),
        loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)),
    };
}

function spreadFields(prefix: string, s: Spread): Record<string, number> {
    return { [prefix]: round(s.median), [`${prefix}Min`]: round(s.min), [`${prefix}Max`]: round(s.max) };
}

function caseJson(s: CaseSummary): Record<string, unknown> {
    const r = s.last;
    return {
        name: s.benchCase.name,
        group: s.benchCase.group,
        ...spreadFields("wallMs", s.wall),
        ...spreadFields("rssMb", s.rss),
        ...spreadFields("processMs", s.process),
        ...spreadFields("measuredRssMb", s.measuredRss),
        ...spreadFields("beforeMeasuredMs", s.beforeMeasured),
        runs: s.runs,
        ...(r.resources !== undefined ? { resources: r.resources } : {}),
        ...(r.armRequests !== undefined ? { armRequests: r.armRequests, armMaxConcurrent: s.armMaxConcurrent } : {}),
        ...(r.armWrites !== undefined ? { armWrites: r.armWrites, throttled: r.throttled } : {}),
        ...(r.simulatedMs !== undefined ? { simulatedMs: r.simulatedMs } : {}),
        ...(s.clientMaxConcurrent !== undefined ? { clientMaxConcurrent: s.clientMaxConcurrent } : {}),
        ...(r.mappings !== undefined ? { mappings: r.mappings } : {}),
        ...(s.warm ? spreadFields("warmMs", s.warm) : {}),
        ...(r.allocations !== undefined ? { allocations: r.allocations, assigned: r.assigned } : {}),
        ...(r.azureSdkLoaded !== undefined ? { azureSdkLoaded: r.azureSdkLoaded } : {}),
    };
}

async function main(): Promise<void> {
    const options = parseOptions(process.argv.slice(2));
    if (options.help) {
        process.stdout.write(`${HELP}\n`);
        return;
    }
    const cases = allCases().filter((c) => options.only.length === 0 || options.only.some((o) => c.name.includes(o)));
    if (options.list) {
        for (const c of allCases()) process.stdout.write(`${c.name.padEnd(28)} ${c.label}\n`);
        return;
    }
    if (cases.length === 0) usageError(`--only ${options.only.join(", ")} matches no case. Fix: see \`npm run bench -- --list\`.`);
    if (Number(process.versions.node.split(".")[0]) < 22) {
        process.stderr.write(`bench: warning: Node ${process.version}; the project needs Node 22 (run through \`npm run bench\`, which uses the project's Node).\n`);
    }
    if (options.profileDir) mkdirSync(options.profileDir, { recursive: true });
    const loadAtStart = os.loadavg();
    if (loadAtStart[0] > 2) process.stderr.write(`bench: warning: load average ${loadAtStart[0].toFixed(2)} on ${os.availableParallelism()} CPUs; figures will be noisy.\n`);
    const started = performance.now();

    if (options.warmup) {
        // Discarded: fills the transpile cache and the OS file cache, so run 1 is not the odd one out.
        for (const name of ["component/update", "hand-written/preview"]) {
            const warmCase = allCases().find((c) => c.name === name) as BenchCase;
            process.stderr.write(`warm-up: ${name}\n`);
            await runChild(warmCase, { ...options, profileDir: undefined }, "warmup");
        }
    }

    const runs = new Map<string, Run[]>(cases.map((c) => [c.name, []]));
    const runsOf = (c: BenchCase): number => Math.min(options.runs, c.maxRuns ?? options.runs);
    const total = cases.reduce((n, c) => n + runsOf(c), 0);
    let done = 0;
    // Interleaved (run 1 of every case, then run 2, ...), so a change of machine load spreads over all cases.
    for (let run = 1; run <= options.runs; run++) {
        for (const c of cases) {
            if (run > runsOf(c)) continue;
            const result = await runChild(c, options, String(run));
            (runs.get(c.name) as Run[]).push(result);
            done++;
            process.stderr.write(
                `[${String(done).padStart(String(total).length)}/${total}] ${c.name} (run ${run}/${runsOf(c)}): ` +
                    `measured ${formatMs(result.result.measuredMs)}, process ${formatMs(result.processMs)}, peak RSS ${formatMb(result.result.peakRssMb)}\n`,
            );
        }
    }

    const summaries = new Map(cases.map((c) => [c.name, summarize(c, runs.get(c.name) as Run[])]));
    const report = buildReport(summaries, options, loadAtStart, performance.now() - started);
    process.stdout.write(`${report.text}\n`);
    if (options.json) process.stdout.write(`${JSON.stringify(report.json)}\n`);
}

function buildReport(summaries: Map<string, CaseSummary>, options: Options, loadAtStart: number[], elapsedMs: number): { text: string; json: unknown } {
    const get = (name: string): CaseSummary | undefined => summaries.get(name);
    const wallOf = (name: string): number | undefined => get(name)?.wall.median;
    const processOf = (name: string): number | undefined => get(name)?.process.median;
    const rssOf = (name: string): number | undefined => get(name)?.rss.median;
    const div = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : ratio(a, b));
    const sub = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : a - b);
    const largest = GROWTH_SIZES[GROWTH_SIZES.length - 1];
    const smallest = GROWTH_SIZES[0];

    const ratios = {
        componentVsHandWrittenWall: div(wallOf("component/preview"), wallOf("hand-written/preview")),
        componentVsHandWrittenRss: div(rssOf("component/preview"), rssOf("hand-written/preview")),
        instances5000Vs10Wall: div(wallOf(`growth/component/${largest}`), wallOf(`growth/component/${smallest}`)),
        componentVsHandWrittenProcessWall: div(processOf("component/preview"), processOf("hand-written/preview")),
        componentVsHandWrittenWallUpdate: div(wallOf("component/update"), wallOf("hand-written/update")),
        componentVsHandWrittenProcessWallUpdate: div(processOf("component/update"), processOf("hand-written/update")),
        componentVsHandWrittenRssUpdate: div(rssOf("component/update"), rssOf("hand-written/update")),
        instances5000Vs10WallHandWritten: div(wallOf(`growth/hand-written/${largest}`), wallOf(`growth/hand-written/${smallest}`)),
        instances5000Vs10Rss: div(rssOf(`growth/component/${largest}`), rssOf(`growth/component/${smallest}`)),
        componentVsHandWritten5000Wall: div(wallOf(`growth/component/${largest}`), wallOf(`growth/hand-written/${largest}`)),
        outputsFloorVsHandWritten5000Wall: div(wallOf(`growth/outputs-floor/${largest}`), wallOf(`growth/hand-written/${largest}`)),
        componentVsOutputsFloor5000Wall: div(wallOf(`growth/component/${largest}`), wallOf(`growth/outputs-floor/${largest}`)),
        instances5000Vs10WallPulumiFloor: div(wallOf(`growth/pulumi-floor/${largest}`), wallOf(`growth/pulumi-floor/${smallest}`)),
        libraryVsAzureNativeLoadWall: div(processOf("import/library"), processOf("import/azure-native")),
        libraryVsAzureNativeLoadRss: div(rssOf("import/library"), rssOf("import/azure-native")),
    };
    const componentShareMs = Object.fromEntries(
        GROWTH_SIZES.map((size) => [String(size), sub(wallOf(`growth/component/${size}`), wallOf(`growth/hand-written/${size}`))]),
    );
    const derived = {
        azureReadMs: sub(wallOf("component/update"), wallOf("component/update-no-read")),
        azureReadRequests: get("component/update")?.last.armRequests,
        componentStartupExtraMs: sub(get("component/preview")?.beforeMeasured.median, get("hand-written/preview")?.beforeMeasured.median),
        componentShareMs,
        handWrittenLoadedAzureSdk: get("hand-written/preview")?.last.azureSdkLoaded,
    };
    const targets = [
        target("componentVsHandWrittenWall", "component vs hand-written, program part, preview", ratios.componentVsHandWrittenWall, "<=", 1.1, "×"),
        target("componentVsHandWrittenRss", "component vs hand-written, peak RSS, preview", ratios.componentVsHandWrittenRss, "<=", 1.1, "×"),
        // The update reads Azure's mappings after the deployment (4 requests through the ARM client at 10 VMs).
        target("componentVsHandWrittenWallUpdate", "component vs hand-written, program part, update (reads Azure)", ratios.componentVsHandWrittenWallUpdate, "<=", 1.5, "×"),
        target("instances5000Vs10Wall", `pool rule over ${largest.toLocaleString("en-US")} vs ${smallest} VMs, program part, preview`, ratios.instances5000Vs10Wall, "<=", 1.25, "×"),
        target("instances5000Vs10WallHandWritten", `hand-written rule over ${largest.toLocaleString("en-US")} vs ${smallest} VMs, program part, preview`, ratios.instances5000Vs10WallHandWritten, "<=", 2.0, "×"),
        target("componentVsHandWritten5000Wall", `component vs hand-written rule over ${largest.toLocaleString("en-US")} VMs, program part, preview`, ratios.componentVsHandWritten5000Wall, "<=", 1.15, "×"),
        target("allocatorFullRangeMs", "allocatePorts, full 65,534-port range from empty", wallOf("allocator/full-range"), "<", 50, "ms"),
        target(`lookup${LOOKUP_SIZES[LOOKUP_SIZES.length - 1]}Ms`, `lookupPortMappings, ${LOOKUP_SIZES[LOOKUP_SIZES.length - 1].toLocaleString("en-US")} members, loopback`,
            wallOf(`lookup/${LOOKUP_SIZES[LOOKUP_SIZES.length - 1]}`), "<", 10_000, "ms"),
        target("lookup5000Requests", "lookupPortMappings, 5,000 members, requests (the pool GET embeds the mappings)", get("lookup/5000")?.last.armRequests, "<=", 5, "requests"),
        target("lookup5000Writes", "lookupPortMappings, 5,000 members, writes", get("lookup/5000")?.last.armWrites, "<=", 0, "writes"),
        target("lookupQueries5000Throttled", "lookupPortMappings, 5,000 members queried one by one under Azure's throttling, 429s", get("lookup-queries/5000")?.last.throttled, "<=", 0, "429s"),
        // An extra check beside the targets: the same RSS limit, applied to loading the library without the simulator.
        target("libraryLoadRss (extra)", "loading the library vs azure-native alone, peak RSS, no simulator", ratios.libraryVsAzureNativeLoadRss, "<=", 1.1, "×"),
    ].filter((t): t is Target => t !== undefined);

    const host = machine(loadAtStart);
    const lines: string[] = [];
    lines.push(`azure-nat-rules benchmarks, ${host.date.slice(0, 10)}: ${options.runs} run(s) per case, each in a process of its own; median (min–max).`);
    lines.push(`Machine: ${host.cpuModel}, ${host.cpus} CPUs, ${host.memoryGb} GB, Node ${host.node}; load average ${host.loadAverageAtStart.join(" ")} at start, ${host.loadAverageAtEnd.join(" ")} at end.`);
    lines.push("Program part = from before the program to when the deployment has settled; whole process = spawn to exit.");

    const comparison = [...summaries.values()].filter((s) => s.benchCase.group === "comparison");
    if (comparison.length > 0) {
        lines.push("", "Component vs hand-written (the same resource group, network, public IP, load balancer and scale set):", "");
        lines.push(markdownTable(
            ["Case", "Program part", "Whole process", "Peak RSS", "RSS growth in program", "Resources", "ARM requests"],
            comparison.map((s) => [s.benchCase.label, formatSpreadMs(s.wall, s.runs), formatSpreadMs(s.process, s.runs), formatSpreadMb(s.rss, s.runs),
                formatMb(s.measuredRss.median), String(s.last.resources ?? ""), String(s.last.armRequests ?? "")]),
        ));
    }
    const imports = [...summaries.values()].filter((s) => s.benchCase.group === "import");
    if (imports.length > 0) {
        lines.push("", "Loading a program's modules, without the simulator (what a user's process pays before the program runs):", "");
        lines.push(markdownTable(
            ["Case", "Imports", "Whole process", "Peak RSS"],
            imports.map((s) => [s.benchCase.label, formatSpreadMs(s.wall, s.runs), formatSpreadMs(s.process, s.runs), formatSpreadMb(s.rss, s.runs)]),
        ));
    }
    const growthRows = GROWTH_SIZES.flatMap((size) => {
        const component = get(`growth/component/${size}`);
        const hand = get(`growth/hand-written/${size}`);
        const floor = get(`growth/pulumi-floor/${size}`);
        if (!component && !hand && !floor) return [];
        const runsOf = (s: CaseSummary | undefined): number => s?.runs ?? 0;
        return [[
            size.toLocaleString("en-US"),
            component ? formatSpreadMs(component.wall, runsOf(component)) : "–",
            hand ? formatSpreadMs(hand.wall, runsOf(hand)) : "–",
            floor ? formatSpreadMs(floor.wall, runsOf(floor)) : "–",
            componentShareMs[String(size)] === undefined ? "–" : formatMs(componentShareMs[String(size)] as number),
            `${component?.last.resources ?? "–"} / ${hand?.last.resources ?? "–"}`,
            `${component ? formatMb(component.rss.median) : "–"} / ${hand ? formatMb(hand.rss.median) : "–"}`,
        ]];
    });
    if (growthRows.length > 0) {
        lines.push("", "Growth: one pool rule over a group of N VMs, preview (their NICs exist before the program runs):", "");
        lines.push(markdownTable(["VMs", "Component: program part", "Hand-written: program part", "Hand-written, echo mocks (Pulumi's floor)", "Component's share", "Resources (comp. / hand)", "Peak RSS (comp. / hand)"], growthRows));
    }
    const allocator = [...summaries.values()].filter((s) => s.benchCase.group === "allocator");
    if (allocator.length > 0) {
        lines.push("", "Allocator (allocatePorts):", "");
        lines.push(markdownTable(
            ["Case", "Time (first call in a fresh process / all events)", "Warm call", "Per event", "Peak RSS"],
            allocator.map((s) => [
                s.benchCase.label,
                formatSpreadMs(s.wall, s.runs),
                s.warm ? formatMs(s.warm.median) : "–",
                s.benchCase.spec.kind === "allocator-scale-events" ? `${((s.wall.median * 1000) / SCALE_EVENTS).toFixed(0)} µs` : "–",
                formatMb(s.rss.median),
            ]),
        ));
    }
    const lookup = [...summaries.values()].filter((s) => s.benchCase.group === "lookup");
    if (lookup.length > 0) {
        lines.push("", "lookupPortMappings against the loopback ARM endpoint answering as Azure does (Retry-After 10, Azure's throttling; simulator in the same process, default concurrency 16):", "");
        lines.push(markdownTable(
            ["Case", "Wall", "Requests", "Writes", "429s", "Simulated", "Peak in flight: client / server", "Peak RSS"],
            lookup.map((s) => [s.benchCase.label, formatSpreadMs(s.wall, s.runs), String(s.last.armRequests ?? ""), String(s.last.armWrites ?? ""),
                String(s.last.throttled ?? ""), s.last.simulatedMs !== undefined ? formatSimulated(s.last.simulatedMs) : "–",
                `${s.clientMaxConcurrent ?? "–"} / ${s.armMaxConcurrent ?? "–"}`, formatMb(s.rss.median)]),
        ));
    }

    lines.push("", "Ratios (wall ratios use the program part; RSS ratios the whole process's peak):");
    const ratioLines: [string, number | undefined][] = [
        ["component vs hand-written, preview: program part", ratios.componentVsHandWrittenWall],
        ["component vs hand-written, preview: whole process", ratios.componentVsHandWrittenProcessWall],
        ["component vs hand-written, preview: peak RSS", ratios.componentVsHandWrittenRss],
        ["component vs hand-written, update: program part", ratios.componentVsHandWrittenWallUpdate],
        ["component vs hand-written, update: whole process", ratios.componentVsHandWrittenProcessWallUpdate],
        ["component vs hand-written, update: peak RSS", ratios.componentVsHandWrittenRssUpdate],
        [`${largest.toLocaleString("en-US")} vs ${smallest} VMs, component: program part`, ratios.instances5000Vs10Wall],
        [`${largest.toLocaleString("en-US")} vs ${smallest} VMs, hand-written: program part`, ratios.instances5000Vs10WallHandWritten],
        [`${largest.toLocaleString("en-US")} vs ${smallest} VMs, component: peak RSS`, ratios.instances5000Vs10Rss],
        [`component vs hand-written, ${largest.toLocaleString("en-US")} VMs: program part`, ratios.componentVsHandWritten5000Wall],
        [`hand-written + the component's outputs vs hand-written, ${largest.toLocaleString("en-US")} VMs`, ratios.outputsFloorVsHandWritten5000Wall],
        [`component vs hand-written + its outputs, ${largest.toLocaleString("en-US")} VMs`, ratios.componentVsOutputsFloor5000Wall],
        [`${largest.toLocaleString("en-US")} vs ${smallest} VMs, hand-written, echo mocks (floor)`, ratios.instances5000Vs10WallPulumiFloor],
        ["loading the library vs azure-native alone: whole process", ratios.libraryVsAzureNativeLoadWall],
        ["loading the library vs azure-native alone: peak RSS", ratios.libraryVsAzureNativeLoadRss],
    ];
    for (const [label, value] of ratioLines) if (value !== undefined) lines.push(`  ${label.padEnd(58)} ${formatRatio(value)}`);
    if (derived.azureReadMs !== undefined) {
        lines.push(`  reading Azure's mappings in an update (readAzureMappings on vs off): ${formatMs(derived.azureReadMs)}, ${derived.azureReadRequests} ARM requests`);
    }
    if (derived.handWrittenLoadedAzureSdk) {
        lines.push("  note: the hand-written runs loaded the Azure SDK pipeline too (the simulator's modules import it), so the comparison's RSS and");
        lines.push("        whole-process ratios leave out the library's own load cost; the import ratios above measure it without the simulator.");
    }
    if (derived.componentStartupExtraMs !== undefined) {
        lines.push(`  loading the library before the program (component vs hand-written start-up): ${formatMs(derived.componentStartupExtraMs)}`);
    }

    lines.push("", "Targets:");
    for (const t of targets) {
        const shown = t.unit === "×" ? formatRatio(t.value) : t.unit === "ms" ? formatMs(t.value) : `${t.value} ${t.unit}`;
        const limit = t.unit === "×" ? `${t.limit.toFixed(2)}×` : t.unit === "ms" ? formatMs(t.limit) : `${t.limit} ${t.unit}`;
        lines.push(`  ${t.pass ? "pass" : "MISS"}  ${t.name.padEnd(30)} ${shown.padStart(9)} ${t.comparison} ${limit.padEnd(8)} ${t.description}`);
    }
    lines.push("", `Total ${formatMs(elapsedMs)}.`);

    const roundAll = (o: Record<string, number | undefined>): Record<string, number | null> =>
        Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === undefined || !Number.isFinite(v) ? null : round(v)]));
    const json = {
        cases: [...summaries.values()].map(caseJson),
        ratios: roundAll(ratios),
        derived: { ...roundAll({ azureReadMs: derived.azureReadMs, azureReadRequests: derived.azureReadRequests, componentStartupExtraMs: derived.componentStartupExtraMs }),
            componentShareMs: roundAll(componentShareMs), handWrittenLoadedAzureSdk: derived.handWrittenLoadedAzureSdk ?? null },
        targets: targets.map((t) => ({ ...t, value: round(t.value) })),
        runsPerCase: options.runs,
        quick: options.quick,
        machine: host,
        totalMs: round(elapsedMs, 0),
    };
    return { text: lines.join("\n"), json };
}

main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
});
