import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as compute from "@pulumi/azure-native/compute";
import { echoMocks, registrationErrors } from "../src/testing/pulumi/component-test-helpers";
import { AzureSimulator, startArmServer } from "../src/testing";
import { BackendPoolNatRule, NatRuleConflictError, SingleVmNatRule } from "../src";
import { CONFLICT_SETTLE_MS } from "../src/program-registries/conflict-registry";
import { ARM_ENDPOINT_ENV } from "../src/azure-reads/azure-mappings";

// Conflicting rules must both be refused before either is registered, however long the read of
// Azure's current mappings takes (issue: a BackendPoolNatRule's conflict check waited for its plan,
// and the plan for that read, so the other rule was checked alone and created). Azure is the
// simulator served on loopback behind a proxy that answers each request late: longer than the
// conflict check's quiet window for one rule's reads, shorter for the other's, so neither order of
// resolution is favoured.
const SLOW_MS = CONFLICT_SETTLE_MS + 350;
const FAST_MS = 60;

let proxy: http.Server;
let closeArm: () => Promise<void>;
let savedEndpoint: string | undefined;
let requests = 0;

beforeAll(async () => {
    const arm = await startArmServer(new AzureSimulator(), { port: 0 });
    closeArm = () => arm.close();
    const target = new URL(arm.url);
    proxy = http.createServer((req, res) => {
        requests++;
        const delay = /inboundNatRules\/(pool-b|ssh-b|pool-ssh|wide)/i.test(req.url ?? "") ? SLOW_MS : FAST_MS;
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => setTimeout(() => {
            const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
                res.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(res);
            });
            upstream.on("error", (err) => res.destroy(err));
            upstream.end(Buffer.concat(chunks));
        }, delay));
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    savedEndpoint = process.env[ARM_ENDPOINT_ENV];
    process.env[ARM_ENDPOINT_ENV] = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
    if (savedEndpoint === undefined) delete process.env[ARM_ENDPOINT_ENV];
    else process.env[ARM_ENDPOINT_ENV] = savedEndpoint;
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await closeArm();
});

// The azure-native provider gives a token, so every BackendPoolNatRule reads Azure's mappings (readAzureMappings defaults to on).
const TOKEN = { "azure-native:authorization:getClientToken": { token: "sim-token" } };

const lbId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
const fe = `${lbId}/frontendIPConfigurations/fe`;
const pool = `${lbId}/backendAddressPools/pool`;
const base = { loadBalancerId: lbId, frontendIPConfigurationId: fe };

for (const preview of [true, false]) {
    describe(`conflicting rules with a slow read of Azure's mappings (${preview ? "preview" : "update"})`, () => {
        let mocks = echoMocks(preview, TOKEN);
        beforeEach(async () => {
            mocks = echoMocks(preview, TOKEN);
            await mocks.ready;
            requests = 0;
        });
        const registered = (name: string) => mocks.registered.some((r) => r.name === name);

        /** Declares the pair, waits past every read, and returns the conflict messages. */
        async function refused(declare: () => void): Promise<string> {
            const warnings: string[] = [];
            const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
            process.on("warning", onWarning);
            let errors: Error[];
            try {
                errors = await registrationErrors(declare, SLOW_MS + 600);
                await new Promise((resolve) => setTimeout(resolve, 50));
            } finally {
                process.off("warning", onWarning);
            }
            // The reads happened: without them this test would prove nothing about their timing.
            expect(requests).toBeGreaterThan(0);
            // A refused rule's failure reaches the program once, as its error: Node has nothing to say about it.
            expect(warnings.filter((w) => /rejection/i.test(w))).toEqual([]);
            return errors.filter((e) => e instanceof NatRuleConflictError).map((e) => e.message).join("\n");
        }

        it("overlapping ranges: neither pool rule is registered", async () => {
            const text = await refused(() => {
                new BackendPoolNatRule("pool-a", { ...base, backendAddressPoolId: pool, frontendPortRangeStart: 50000, maxInstances: 10, backendPort: 22, virtualMachineNames: ["a"] });
                new BackendPoolNatRule("pool-b", { ...base, backendAddressPoolId: `${lbId}/backendAddressPools/other`, frontendPortRangeStart: 50005, maxInstances: 10,
                    backendPort: 80, virtualMachineNames: ["b"] });
            });
            expect(text).toMatch(/nat rule "pool-[ab]" .*overlaps nat rule "pool-[ab]"/);
            expect(registered("pool-a-rule")).toBe(false);
            expect(registered("pool-b-rule")).toBe(false);
        });

        it("an All rule inside a Tcp range: neither rule is registered", async () => {
            const text = await refused(() => {
                new SingleVmNatRule("all-ports", { ...base, frontendPort: 50003, backendPort: 3389, protocol: "All" });
                new BackendPoolNatRule("wide", { ...base, backendAddressPoolId: pool, frontendPortRangeStart: 50000, maxInstances: 10, backendPort: 22, virtualMachineNames: ["a"] });
            });
            expect(text).toMatch(/"all-ports".*"wide"|"wide".*"all-ports"/);
            expect(registered("all-ports-rule")).toBe(false);
            expect(registered("wide-rule")).toBe(false);
        });

        it("two pool rules on one backend port of one pool: neither is registered", async () => {
            const text = await refused(() => {
                new BackendPoolNatRule("ssh-a", { ...base, backendAddressPoolId: pool, frontendPortRangeStart: 50000, maxInstances: 10, backendPort: 22, virtualMachineNames: ["web-a"] });
                new BackendPoolNatRule("ssh-b", { ...base, backendAddressPoolId: pool, frontendPortRangeStart: 51000, maxInstances: 10, backendPort: 22, virtualMachineNames: ["web-a"] });
            });
            expect(text).toMatch(/both reach pool pool/);
            expect(registered("ssh-a-rule")).toBe(false);
            expect(registered("ssh-b-rule")).toBe(false);
        });

        it("two pool rules on one backend port of one scale set's pool: neither is registered", async () => {
            const text = await refused(() => {
                const vmss = new compute.VirtualMachineScaleSet("vmss", { resourceGroupName: "rg", sku: { capacity: 2 }, overprovision: false });
                new BackendPoolNatRule("ssh-a", { ...base, backendAddressPoolId: pool, frontendPortRangeStart: 50000, maxInstances: 10, backendPort: 22, scaleSet: vmss });
                new BackendPoolNatRule("ssh-b", { ...base, backendAddressPoolId: pool, frontendPortRangeStart: 51000, maxInstances: 10, backendPort: 22, scaleSet: vmss });
            });
            expect(text).toMatch(/both reach pool pool/);
            expect(registered("ssh-a-rule")).toBe(false);
            expect(registered("ssh-b-rule")).toBe(false);
        });

        it("a pool rule and a single-VM rule reaching one VM on one port: neither is registered", async () => {
            const text = await refused(() => {
                new SingleVmNatRule("vm-ssh", { ...base, frontendPort: 52000, backendPort: 22, vmName: "web-a" });
                new BackendPoolNatRule("pool-ssh", { ...base, backendAddressPoolId: pool, frontendPortRangeStart: 50000, maxInstances: 10, backendPort: 22,
                    virtualMachineNames: ["web-a", "web-b"] });
            });
            expect(text).toMatch(/both reach member VM web-a/);
            expect(registered("vm-ssh-rule")).toBe(false);
            expect(registered("pool-ssh-rule")).toBe(false);
        });
    });
}
