/**
 * The benchmark cases: what each one runs (a child process runs exactly one) and how the report
 * groups them. Shared by the runner (bench/run.ts) and the child (bench/child.ts).
 */

/** A Pulumi program deployed against the simulator and its loopback ARM endpoint. */
export interface StackCase {
    kind: "stack";
    /**
     * With BackendPoolNatRule, or the same resources written by hand with azure-native, or
     * ("outputs-floor", group previews only) by hand plus the component's mapping outputs.
     */
    program: "component" | "hand-written" | "outputs-floor";
    /** A scale set in the pool, or a group of VMs (NICs made before the program runs). */
    shape: "scale-set" | "group";
    /** Pool members: the scale set's capacity, or the number of VMs. */
    members: number;
    /** `pulumi preview` (planned mappings) or `pulumi up` (the component reads Azure's mappings). */
    mode: "preview" | "update";
    /** The component's `readAzureMappings` (update only). @default true */
    readAzureMappings?: boolean;
    /**
     * "echo": plain Pulumi mocks that answer each registration with the outputs the simulator gives
     * it, read before the program part, so the program part is Pulumi's and azure-native's own cost
     * for outputs of that size (the floor under the simulator). @default "simulator"
     */
    monitor?: "simulator" | "echo";
}

/** Loading a program's modules in a fresh process, without the simulator (which loads modules of its own). */
export interface ImportCase {
    kind: "import";
    /** Pulumi and the azure-native modules a hand-written program uses, or those and azure-nat-rules's entry. */
    modules: "azure-native" | "library";
}

/** allocatePorts over the whole frontend range (1-65534), every port to a new instance. */
export interface AllocatorFullRangeCase {
    kind: "allocator-full-range";
}

/** A seeded random walk of scale-outs and scale-ins, each re-allocating from the previous mapping. */
export interface AllocatorScaleEventsCase {
    kind: "allocator-scale-events";
    events: number;
    seed: number;
    /** Ports in the rule's range (and the most instances at once). */
    capacity: number;
}

/**
 * lookupPortMappings over a pool of scale-set instances, against the loopback ARM endpoint answering
 * as Azure does (Retry-After 10, Azure's throttling).
 */
export interface LookupCase {
    kind: "lookup";
    members: number;
    /**
     * Whether the pool GET embeds the members' mappings (as Azure's do). Without them every member is
     * queried, under Azure's limits in virtual time: the case reports the simulated duration. @default true
     */
    embedded?: boolean;
}

export type CaseSpec = StackCase | ImportCase | AllocatorFullRangeCase | AllocatorScaleEventsCase | LookupCase;

export interface BenchCase {
    /** Stable id, used in the JSON output and with --only. */
    name: string;
    /** Table section. */
    group: "comparison" | "import" | "growth" | "allocator" | "lookup";
    /** One line for the table. */
    label: string;
    spec: CaseSpec;
    /**
     * At most this many runs, whatever `--runs` says: for a case whose figures (requests, writes,
     * 429s, simulated time) do not depend on machine load, more runs only add minutes. @default --runs
     */
    maxRuns?: number;
}

/** Instances of the comparison stack's scale set (and ports of its rule). */
export const COMPARISON_INSTANCES = 10;
/** Pool sizes of the growth cases: 5,000 is the Standard backend pool limit. */
export const GROWTH_SIZES = [10, 100, 1000, 5000] as const;
export const LOOKUP_SIZES = [1000, 5000] as const;
/** Pools read member by member (no embedded mappings) under Azure's throttling, in virtual time. */
export const QUERY_LOOKUP_SIZES = [64, 1000, 5000] as const;
export const SCALE_EVENTS = 10_000;
export const SCALE_EVENTS_SEED = 20240501;
/** Range of the scale-event walk: one scale set at the simulator's (and Azure's platform-image) limit. */
export const SCALE_EVENTS_CAPACITY = 1000;

function stack(name: string, group: BenchCase["group"], label: string, spec: Omit<StackCase, "kind">): BenchCase {
    return { name, group, label, spec: { kind: "stack", ...spec } };
}

export function allCases(): BenchCase[] {
    const n = COMPARISON_INSTANCES;
    const scaleSet = { shape: "scale-set", members: n } as const;
    return [
        stack("hand-written/preview", "comparison", `hand-written rule, scale set of ${n}, preview`, { program: "hand-written", mode: "preview", ...scaleSet }),
        stack("component/preview", "comparison", `BackendPoolNatRule, scale set of ${n}, preview`, { program: "component", mode: "preview", ...scaleSet }),
        stack("hand-written/update", "comparison", `hand-written rule, scale set of ${n}, update`, { program: "hand-written", mode: "update", ...scaleSet }),
        stack("component/update", "comparison", `BackendPoolNatRule, scale set of ${n}, update (reads Azure)`, { program: "component", mode: "update", ...scaleSet }),
        stack("component/update-no-read", "comparison", `BackendPoolNatRule, scale set of ${n}, update, readAzureMappings: false`,
            { program: "component", mode: "update", readAzureMappings: false, ...scaleSet }),
        { name: "import/azure-native", group: "import", label: "load @pulumi/pulumi and azure-native network, compute, resources", spec: { kind: "import", modules: "azure-native" } },
        { name: "import/library", group: "import", label: "the same, then azure-nat-rules's entry (as a user imports it)", spec: { kind: "import", modules: "library" } },
        ...GROWTH_SIZES.flatMap((size) => [
            stack(`growth/component/${size}`, "growth", `BackendPoolNatRule, ${size.toLocaleString("en-US")} VMs, preview`,
                { program: "component", mode: "preview", shape: "group", members: size }),
            stack(`growth/hand-written/${size}`, "growth", `hand-written rule, ${size.toLocaleString("en-US")} VMs, preview`,
                { program: "hand-written", mode: "preview", shape: "group", members: size }),
        ]),
        ...[GROWTH_SIZES[0], GROWTH_SIZES[GROWTH_SIZES.length - 1]].map((size) =>
            stack(`growth/outputs-floor/${size}`, "growth", `hand-written rule, ${size.toLocaleString("en-US")} VMs, preview, plus the component's mapping outputs`,
                { program: "outputs-floor", mode: "preview", shape: "group", members: size })),
        ...[GROWTH_SIZES[0], GROWTH_SIZES[GROWTH_SIZES.length - 1]].map((size) =>
            stack(`growth/pulumi-floor/${size}`, "growth", `hand-written rule, ${size.toLocaleString("en-US")} VMs, preview, echo mocks with the simulator's outputs`,
                { program: "hand-written", mode: "preview", shape: "group", members: size, monitor: "echo" })),
        { name: "allocator/full-range", group: "allocator", label: "allocatePorts, 65,534 ports from empty", spec: { kind: "allocator-full-range" } },
        {
            name: "allocator/scale-events",
            group: "allocator",
            label: `allocatePorts, ${SCALE_EVENTS.toLocaleString("en-US")} random scale events (range ${SCALE_EVENTS_CAPACITY.toLocaleString("en-US")})`,
            spec: { kind: "allocator-scale-events", events: SCALE_EVENTS, seed: SCALE_EVENTS_SEED, capacity: SCALE_EVENTS_CAPACITY },
        },
        ...LOOKUP_SIZES.map((size): BenchCase => ({
            name: `lookup/${size}`,
            group: "lookup",
            label: `lookupPortMappings, ${size.toLocaleString("en-US")} members, loopback`,
            spec: { kind: "lookup", members: size },
        })),
        ...QUERY_LOOKUP_SIZES.map((size): BenchCase => ({
            name: `lookup-queries/${size}`,
            group: "lookup",
            label: `lookupPortMappings, ${size.toLocaleString("en-US")} members, no embedded mappings, Azure's throttling (virtual time)`,
            spec: { kind: "lookup", members: size, embedded: false },
            // Requests, writes, 429s and the simulated duration are the figures; they are the same in every run.
            maxRuns: 1,
        })),
    ];
}

/** What a child reports for one run. Times in milliseconds, memory in MB (2^20 bytes). */
export interface ChildResult {
    /** The measured part: the program until the deployment settles, the imports, the allocator calls, or the lookup. */
    measuredMs: number;
    /** Peak resident set size of the whole child process (`process.resourceUsage().maxRSS`). */
    peakRssMb: number;
    /** Peak RSS reached before the measured part started (startup, imports, fixtures). */
    peakRssBeforeMb: number;
    /** Time from the process's start to the measured part (startup, imports, fixtures). */
    beforeMs: number;
    /** Resources the program registered, components included. */
    resources?: number;
    /** Requests the loopback ARM endpoint served during the measured part. */
    armRequests?: number;
    /** Writes (the port-mapping query POSTs) the lookup spent. */
    armWrites?: number;
    /** Requests the endpoint answered 429. */
    throttled?: number;
    /** Lookup: its duration by the virtual clock (Azure's limits and Retry-After, without the simulator's own time). */
    simulatedMs?: number;
    /** Most requests the ARM endpoint handled at once. */
    armMaxConcurrent?: number;
    /** Most requests the client had open at once (lookup). */
    clientMaxConcurrent?: number;
    /** Pool members whose mapping the run produced (a sanity check). */
    mappings?: number;
    /** Whether the process had loaded the Azure SDK pipeline (@azure/core-rest-pipeline) by the end (stack and import cases). */
    azureSdkLoaded?: boolean;
    /** Allocator: the same call repeated in the warm process, median. */
    warmMs?: number;
    /** Allocator scale events: allocations made and instances assigned over all of them. */
    allocations?: number;
    assigned?: number;
}

/** Prefix of the one stdout line a child's result is on. */
export const RESULT_PREFIX = "BENCH_RESULT ";
