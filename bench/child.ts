/**
 * One benchmark run in a fresh process: `node --import tsx bench/child.ts '<CaseSpec JSON>'`.
 * Prints one `BENCH_RESULT {...}` line (a ChildResult) on stdout and exits; fails loudly when the
 * run did not do what it measures (wrong mapping count, a read that fell back to the plan).
 */
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type { AllocatorFullRangeCase, AllocatorScaleEventsCase, CaseSpec, ChildResult, ImportCase, LookupCase, StackCase } from "./cases";
import { RESULT_PREFIX } from "./cases";

const MB = 1024 * 1024;

/** Peak RSS of this process so far, in MB (`maxRSS` is in kilobytes). */
function peakRssMb(): number {
    return (process.resourceUsage().maxRSS * 1024) / MB;
}

/** Whether this process has loaded the Azure SDK that lookupPortMappings uses (to tell whose cost it is). */
function azureSdkLoaded(): boolean {
    return Object.keys(require.cache).some((file) => file.includes(`${path.sep}@azure${path.sep}core-rest-pipeline${path.sep}`));
}

function fail(spec: CaseSpec, what: string): never {
    throw new Error(`bench child (${JSON.stringify(spec)}): ${what}`);
}

async function runStack(spec: StackCase): Promise<ChildResult> {
    const { AzureSimulator, runDeployment, startArmServer } = await import("../src/testing");
    const programs = await import("./programs");
    const sim = new AzureSimulator();
    const names = spec.shape === "group" ? programs.memberNames(spec.members) : [];
    if (spec.shape === "group") programs.buildGrowthPool(sim, "grow", names);
    // Both programs run with the endpoint up, so only the component's reads make a difference.
    const server = await startArmServer(sim, { port: 0 });
    const readAzureMappings = spec.readAzureMappings ?? true;

    let program: () => Record<string, unknown>;
    if (spec.program === "component") {
        // Loaded only here: the hand-written runs must not pay for the library's modules.
        const { componentGroupProgram, componentScaleSetProgram } = await import("./component-programs");
        const { ARM_ENDPOINT_ENV } = await import("../src/azure-reads/azure-mappings");
        process.env[ARM_ENDPOINT_ENV] = server.url;
        program = spec.shape === "group" ? () => componentGroupProgram(names, readAzureMappings) : () => componentScaleSetProgram(spec.members, readAzureMappings);
    } else if (spec.program === "outputs-floor") {
        if (spec.shape !== "group" || spec.mode !== "preview") fail(spec, "the outputs floor runs the group preview only");
        const { outputsFloorGroupProgram } = await import("./outputs-floor-programs");
        program = () => outputsFloorGroupProgram(names);
    } else {
        const { handWrittenGroupProgram, handWrittenScaleSetProgram } = await import("./hand-written-programs");
        program = spec.shape === "group" ? () => handWrittenGroupProgram(names) : () => handWrittenScaleSetProgram(spec.members);
    }

    if (spec.monitor === "echo") return runFloor(spec, sim, names, server);

    const rssBefore = peakRssMb();
    const started = performance.now();
    // Our own endpoint (serveArm: false), so its request counts are the program's.
    const result = await runDeployment(sim, program, { preview: spec.mode === "preview", serveArm: false });
    const measuredMs = performance.now() - started;
    const peak = peakRssMb();
    await server.close();

    const range = result.outputs.frontendPortRange as { start: number; end: number } | undefined;
    if (!range || range.end - range.start + 1 !== spec.members) fail(spec, `frontendPortRange is ${JSON.stringify(range)}, expected ${spec.members} ports`);
    let mappings: number | undefined;
    if (spec.program !== "hand-written") {
        const portMappings = result.outputs.portMappings as { source: string }[] | undefined;
        mappings = portMappings?.length;
        // A preview may leave them unknown; once known they hold one mapping per member.
        if ((spec.mode === "update" || portMappings !== undefined) && mappings !== spec.members) fail(spec, `portMappings has ${mappings} entries, expected ${spec.members}`);
        const expectedSource = spec.mode === "update" && readAzureMappings ? "azure" : "planned";
        if (portMappings && !portMappings.every((m) => m.source === expectedSource)) fail(spec, `portMappings are not all "${expectedSource}" (a read that fell back to the plan?)`);
    }
    return {
        measuredMs,
        peakRssMb: peak,
        peakRssBeforeMb: rssBefore,
        beforeMs: started,
        resources: result.resources.length,
        armRequests: server.stats.requests,
        armMaxConcurrent: server.stats.maxConcurrent,
        mappings,
        azureSdkLoaded: azureSdkLoaded(),
    };
}

/**
 * The hand-written growth program under plain Pulumi mocks that answer each resource with the
 * outputs the simulator has for it (read before the program part): what Pulumi and azure-native
 * cost for outputs of that size, with no simulator work in the program part.
 */
async function runFloor(spec: StackCase, sim: import("../src/testing").AzureSimulator, names: string[], server: { close(): Promise<void> }): Promise<ChildResult> {
    if (spec.program !== "hand-written" || spec.shape !== "group" || spec.mode !== "preview") fail(spec, "the echo monitor runs the hand-written group preview only");
    const pulumi = await import("@pulumi/pulumi");
    const { handWrittenGroupProgram } = await import("./hand-written-programs");
    const arm = `/subscriptions/${sim.subscriptionId}/resourceGroups/grow-rg`;
    const outputs: Record<string, Record<string, unknown>> = {
        "grow-rg": sim.pulumiState(arm),
        "grow-vnet": sim.pulumiState(`${arm}/providers/Microsoft.Network/virtualNetworks/grow-vnet`),
        "grow-pip": sim.pulumiState(`${arm}/providers/Microsoft.Network/publicIPAddresses/grow-pip`),
        "grow-lb": sim.pulumiState(`${arm}/providers/Microsoft.Network/loadBalancers/grow-lb`),
    };
    let resources = 0;
    await pulumi.runtime.setMocks({
        newResource(args) {
            resources++;
            // What Azure computed wins over the inputs, as the simulator's outputs overlay them.
            return { id: `${args.name}-id`, state: { ...args.inputs, ...(outputs[args.name] ?? {}) } };
        },
        call: (args) => args.inputs,
    }, "bench", "floor", true);
    const rssBefore = peakRssMb();
    const started = performance.now();
    const exports = handWrittenGroupProgram(names);
    await new Promise<void>((resolve) => exports.ruleId.apply(() => resolve()));
    const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
    await runtime.waitForRPCs?.();
    const measuredMs = performance.now() - started;
    const peak = peakRssMb();
    await server.close();
    const lb = outputs["grow-lb"] as { backendAddressPools?: { loadBalancerBackendAddresses?: unknown[] }[] };
    if (lb.backendAddressPools?.[0]?.loadBalancerBackendAddresses?.length !== spec.members) fail(spec, "the load balancer's outputs do not hold every member");
    return { measuredMs, peakRssMb: peak, peakRssBeforeMb: rssBefore, beforeMs: started, resources, armRequests: 0, armMaxConcurrent: 0, azureSdkLoaded: azureSdkLoaded() };
}

/** Loads what a program imports: Pulumi and the azure-native modules, then (for "library") azure-nat-rules's entry. */
async function runImport(spec: ImportCase): Promise<ChildResult> {
    const rssBefore = peakRssMb();
    const started = performance.now();
    await import("@pulumi/pulumi");
    await import("@pulumi/azure-native/resources");
    await import("@pulumi/azure-native/network");
    await import("@pulumi/azure-native/compute");
    if (spec.modules === "library") {
        const library = await import("../src");
        if (typeof library.BackendPoolNatRule !== "function") fail(spec, "the package entry exports no BackendPoolNatRule");
    }
    const measuredMs = performance.now() - started;
    return { measuredMs, peakRssMb: peakRssMb(), peakRssBeforeMb: rssBefore, beforeMs: started, azureSdkLoaded: azureSdkLoaded() };
}

async function runAllocatorFullRange(_spec: AllocatorFullRangeCase): Promise<ChildResult> {
    const { allocatePorts } = await import("../src/core/allocation");
    const { frontendPortRange } = await import("../src/core/range");
    const { MAX_FRONTEND_PORT, MIN_PORT } = await import("../src/core/limits");
    const range = frontendPortRange({ start: MIN_PORT, end: MAX_FRONTEND_PORT }, "bench");
    const instances = Array.from({ length: range.capacity }, (_, i) => String(i));
    const rssBefore = peakRssMb();
    const started = performance.now();
    // The first call in a fresh process: what one deployment pays.
    const assignments = allocatePorts({ rule: "bench", range, instances });
    const measuredMs = performance.now() - started;
    if (assignments.length !== range.capacity || assignments[range.capacity - 1].frontendPort !== MAX_FRONTEND_PORT) {
        fail(_spec, `allocated ${assignments.length} ports ending at ${assignments.at(-1)?.frontendPort}`);
    }
    const warm: number[] = [];
    for (let i = 0; i < 9; i++) {
        const t = performance.now();
        allocatePorts({ rule: "bench", range, instances });
        warm.push(performance.now() - t);
    }
    warm.sort((a, b) => a - b);
    return { measuredMs, peakRssMb: peakRssMb(), peakRssBeforeMb: rssBefore, beforeMs: started, warmMs: warm[Math.floor(warm.length / 2)], assigned: assignments.length };
}

/** mulberry32: a small seeded PRNG, so every run replays the same events. */
function seededRandom(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

async function runAllocatorScaleEvents(spec: AllocatorScaleEventsCase): Promise<ChildResult> {
    const { allocatePorts } = await import("../src/core/allocation");
    const { frontendPortRange } = await import("../src/core/range");
    const range = frontendPortRange({ start: 50000, maxInstances: spec.capacity }, "bench");
    const random = seededRandom(spec.seed);
    // A scale set: new instances get ever-higher ids; a scale-in removes random instances.
    let nextId = 0;
    let instances: string[] = [];
    let previous: { instance: string; frontendPort: number }[] = [];
    let assigned = 0;
    let measuredMs = 0;
    const rssBefore = peakRssMb();
    const started = performance.now();
    for (let event = 0; event < spec.events; event++) {
        const step = 1 + Math.floor(random() * 50);
        if (random() < 0.5) {
            const add = Math.min(step, spec.capacity - instances.length);
            for (let i = 0; i < add; i++) instances.push(String(nextId++));
        } else {
            const remove = new Set<number>();
            const count = Math.min(step, instances.length);
            while (remove.size < count) remove.add(Math.floor(random() * instances.length));
            instances = instances.filter((_, i) => !remove.has(i));
        }
        const t = performance.now();
        const next = allocatePorts({ rule: "bench", range, previous, instances });
        measuredMs += performance.now() - t;
        // The model's promises, checked outside the timed call: survivors keep their ports, no port twice.
        const before = new Map(previous.map((a) => [a.instance, a.frontendPort]));
        const ports = new Set<number>();
        for (const a of next) {
            const kept = before.get(a.instance);
            if (kept !== undefined && kept !== a.frontendPort) fail(spec, `event ${event}: instance ${a.instance} moved from ${kept} to ${a.frontendPort}`);
            if (ports.has(a.frontendPort)) fail(spec, `event ${event}: port ${a.frontendPort} given twice`);
            ports.add(a.frontendPort);
        }
        assigned += next.length;
        previous = next;
    }
    return { measuredMs, peakRssMb: peakRssMb(), peakRssBeforeMb: rssBefore, beforeMs: started, allocations: spec.events, assigned };
}

/**
 * Counts the HTTP requests this process has open at once, from the client's side. The simulator
 * answers each request within one event-loop turn, so the server alone never sees two at a time.
 */
function countClientRequests(): { max(): number } {
    const http = require("node:http") as typeof import("node:http");
    const original = http.request;
    let open = 0;
    let max = 0;
    http.request = function countedRequest(this: unknown, ...args: unknown[]) {
        const request = (original as (...a: unknown[]) => ReturnType<typeof http.request>).apply(this, args);
        open++;
        max = Math.max(max, open);
        request.once("close", () => open--);
        return request;
    } as typeof http.request;
    return { max: () => max };
}

async function runLookup(spec: LookupCase): Promise<ChildResult> {
    const { AzureSimulator, startArmServer, virtualClock, MAX_SCALE_SET_CAPACITY } = await import("../src/testing");
    const { lookupPortMappings, staticTokenCredential } = await import("../src/azure");
    const sim = new AzureSimulator();
    const resourceGroupName = "lookup-rg";
    const loadBalancerName = "lookup-lb";
    // Scale sets of at most 1,000 (the simulator's cap, Azure's for platform images) fill the pool.
    sim.batch(() => {
        sim.createResourceGroup({ resourceGroupName });
        const vnetId = sim.upsertVirtualNetwork({
            resourceGroupName,
            virtualNetworkName: "lookup-vnet",
            addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
            subnets: [{ name: "members", addressPrefix: "10.0.0.0/19" }],
        });
        const publicIpId = sim.upsertPublicIPAddress({ resourceGroupName, publicIpAddressName: "lookup-pip", sku: { name: "Standard" } });
        const lbId = sim.upsertLoadBalancer({
            resourceGroupName,
            loadBalancerName,
            sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "frontend", publicIPAddress: { id: publicIpId } }],
            backendAddressPools: [{ name: "pool" }],
        });
        sim.upsertInboundNatRule({
            resourceGroupName,
            loadBalancerName,
            inboundNatRuleName: "ssh",
            frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/frontend` },
            backendAddressPool: { id: `${lbId}/backendAddressPools/pool` },
            frontendPortRangeStart: 50000,
            frontendPortRangeEnd: 50000 + spec.members - 1,
            backendPort: 22,
            protocol: "Tcp",
        });
        for (let left = spec.members, k = 0; left > 0; left -= MAX_SCALE_SET_CAPACITY, k++) {
            sim.upsertScaleSet({
                resourceGroupName,
                vmScaleSetName: `vmss${k}`,
                sku: { name: "Standard_B1s", capacity: Math.min(left, MAX_SCALE_SET_CAPACITY) },
                overprovision: false,
                virtualMachineProfile: {
                    networkProfile: {
                        networkInterfaceConfigurations: [{
                            name: "nic",
                            primary: true,
                            ipConfigurations: [{
                                name: "ipconfig",
                                primary: true,
                                subnet: { id: `${vnetId}/subnets/members` },
                                loadBalancerBackendAddressPools: [{ id: `${lbId}/backendAddressPools/pool` }],
                            }],
                        }],
                    },
                },
            });
        }
    });
    // As Azure answers (Retry-After 10, its throttling); a pool without embedded mappings runs in virtual time.
    const embedded = spec.embedded ?? true;
    const clock = embedded ? undefined : virtualClock();
    const server = await startArmServer(sim, { port: 0, embedPortMappings: embedded, ...(clock ? { clock } : {}) });
    const clientInFlight = countClientRequests();
    const rssBefore = peakRssMb();
    const started = performance.now();
    const result = await lookupPortMappings({
        subscriptionId: sim.subscriptionId,
        resourceGroupName,
        loadBalancerName,
        backendPoolName: "pool",
        ruleName: "ssh",
        credential: staticTokenCredential("bench"),
        endpoint: server.url,
        ...(clock ? { clock } : {}),
    });
    const measuredMs = performance.now() - started;
    const peak = peakRssMb();
    await server.close();
    const entries = result.mappings;
    if (entries.length !== spec.members || new Set(entries.map((e) => e.frontendPort)).size !== spec.members) {
        fail(spec, `lookup returned ${entries.length} entries, expected ${spec.members} with distinct ports`);
    }
    if (server.stats.throttled > 0) fail(spec, `the endpoint answered ${server.stats.throttled} request(s) 429: the lookup did not keep to Azure's limits`);
    return {
        measuredMs,
        peakRssMb: peak,
        peakRssBeforeMb: rssBefore,
        beforeMs: started,
        armRequests: server.stats.requests,
        armWrites: result.armWrites,
        throttled: server.stats.throttled,
        ...(clock ? { simulatedMs: result.durationMs } : {}),
        armMaxConcurrent: server.stats.maxConcurrent,
        clientMaxConcurrent: clientInFlight.max(),
        mappings: entries.length,
    };
}

async function main(): Promise<void> {
    const raw = process.argv[2];
    if (!raw) throw new Error("bench child: missing argument: the case as JSON. Run benchmarks with `npm run bench` instead.");
    const spec = JSON.parse(raw) as CaseSpec;
    let result: ChildResult;
    switch (spec.kind) {
        case "stack":
            result = await runStack(spec);
            break;
        case "import":
            result = await runImport(spec);
            break;
        case "allocator-full-range":
            result = await runAllocatorFullRange(spec);
            break;
        case "allocator-scale-events":
            result = await runAllocatorScaleEvents(spec);
            break;
        case "lookup":
            result = await runLookup(spec);
            break;
        default:
            throw new Error(`bench child: unknown case kind ${JSON.stringify((spec as { kind?: unknown }).kind)}.`);
    }
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
});
