/**
 * The package as Python, YAML, Go and C# programs reach it: started as Pulumi's Node.js language
 * host starts a component package (`node <@pulumi/pulumi>/cmd/run-plugin <package dir> <engine>`),
 * in its own process, and driven over Pulumi's provider protocol by an engine and resource monitor
 * served here on loopback. Inputs are encoded as the engine forwards a Python program's values:
 * numbers as protobuf doubles, Outputs as output values with their dependencies, resources as
 * resource references. The plugin is started once for the file; each test is its own deployment.
 */
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConstructFailure, type Deployment, outputValue, ProtocolEngine, resourceReference, SIG } from "./protocol-engine";

const singleVm = "azure-nat-rules:index:SingleVmNatRule";
const backendPool = "azure-nat-rules:index:BackendPoolNatRule";
const inboundNatRule = "azure-native:network:InboundNatRule";
const lbId = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
const frontendId = `${lbId}/frontendIPConfigurations/fe`;
const poolId = `${lbId}/backendAddressPools/pool`;
const azureNativeVersion = (JSON.parse(fs.readFileSync(require.resolve("@pulumi/azure-native/package.json"), "utf8")) as { version: string }).version;

const engine = new ProtocolEngine();
let started = 0;

beforeAll(async () => {
    started = Date.now();
    await engine.start();
    await engine.configure();
}, 60_000);

afterAll(async () => {
    console.log(`provider protocol: plugin up and tests done in ${((Date.now() - started) / 1000).toFixed(1)} s, plugin RSS ${engine.pluginRssMb() ?? "?"} MB`);
    await engine.stop();
});

/** A scale set the engine knows (a Python program's `VirtualMachineScaleSet(...)` or `.get(...)`), sent as a resource reference. */
function scaleSet(d: Deployment, name: string, capacity: number): { reference: Record<string, unknown>; urn: string } {
    const urn = d.urn("azure-native:compute:VirtualMachineScaleSet", name);
    const id = `/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`;
    d.resources.set(urn, { urn, id, state: { name, sku: { name: "Standard_B1s", capacity }, overprovision: false, orchestrationMode: "Uniform" } });
    return { reference: resourceReference(urn, d.dryRun ? SIG.unknown : id, azureNativeVersion), urn };
}

const vmRule = (frontendPort: number, extra: Record<string, unknown> = {}) => ({
    loadBalancerId: lbId, frontendIPConfigurationId: frontendId, frontendPort, backendPort: 22, ...extra,
});

const poolRule = (start: number, maxInstances: number, extra: Record<string, unknown> = {}) => ({
    loadBalancerId: lbId, frontendIPConfigurationId: frontendId, backendAddressPoolId: poolId, frontendPortRangeStart: start, maxInstances, backendPort: 22,
    readAzureMappings: false, ...extra,
});

/** The failure of a Construct that must fail. */
async function failure(construct: Promise<unknown>): Promise<ConstructFailure> {
    try {
        await construct;
    } catch (err) {
        return err as ConstructFailure;
    }
    throw new Error("Construct succeeded");
}

describe("the package over Pulumi's provider protocol", () => {
    it("serves the schema with both components", async () => {
        const schema = await engine.getSchema();
        expect(schema.name).toBe("azure-nat-rules");
        expect(Object.keys(schema.resources).sort()).toEqual([backendPool, singleVm]);
        expect(schema.resources[singleVm].isComponent).toBe(true);
        // As the plugin serves it: integer ports and the sources' defaults.
        expect(schema.resources[singleVm].inputProperties.frontendPort.type).toBe("integer");
        expect(schema.resources[backendPool].inputProperties.readAzureMappings).toMatchObject({ default: true, description: expect.stringMatching(/Default: true$/) });
    });

    for (const dryRun of [true, false]) {
        const phase = dryRun ? "preview" : "update";

        it(`constructs SingleVmNatRule in ${phase}: the child rule under the component and the port mapping`, async () => {
            const d = await engine.deployment(`single-${phase}`, dryRun);
            const result = await d.construct({ type: singleVm, name: "vm1-ssh", inputs: vmRule(50022, { vmName: "vm1", frontendIpAddress: "203.0.113.10" }) });

            expect(result.urn).toBe(d.urn(singleVm, "vm1-ssh"));
            const rule = d.registered("vm1-ssh-rule");
            expect(rule).toMatchObject({ type: inboundNatRule, custom: true, parent: result.urn });
            expect(rule?.inputs).toMatchObject({ resourceGroupName: "rg", loadBalancerName: "lb", inboundNatRuleName: "vm1-ssh", frontendIPConfiguration: { id: frontendId },
                frontendPort: 50022, backendPort: 22, protocol: "Tcp" });
            expect(result.state.portMapping).toEqual({ instance: "vm1", frontendIp: "203.0.113.10", frontendPort: 50022, backendPort: 22, protocol: "Tcp",
                source: dryRun ? "planned" : "azure" });
            expect(result.state.ruleName).toBe("vm1-ssh");
        });

        it(`constructs BackendPoolNatRule in ${phase} from a scale set passed as a resource reference`, async () => {
            const d = await engine.deployment(`pool-${phase}`, dryRun);
            const vmss = scaleSet(d, "web", 3);
            const result = await d.construct({ type: backendPool, name: "web-ssh", inputs: poolRule(50000, 10, { scaleSet: vmss.reference }),
                inputDependencies: { scaleSet: [vmss.urn] } });

            const rule = d.registered("web-ssh-rule");
            expect(rule).toMatchObject({ type: inboundNatRule, parent: result.urn });
            expect(rule?.inputs).toMatchObject({ frontendPortRangeStart: 50000, frontendPortRangeEnd: 50009, backendAddressPool: { id: poolId }, backendPort: 22 });
            expect(rule?.inputs.frontendPort).toBeUndefined();
            // The rule waits for the scale set, as the component's dependsOn says.
            expect(rule?.dependencies).toContain(vmss.urn);
            expect(result.state.frontendPortRange).toEqual({ start: 50000, end: 50009, capacity: 10 });
            // Ports in instance order from the range start (Azure's documented assignment for a new rule); the new ids are Azure's to choose, so marked.
            expect(result.state.plannedPortMappings).toEqual(["0", "1", "2"].map((instance, i) => ({
                instance, frontendIp: "", frontendPort: 50000 + i, backendPort: 22, protocol: "Tcp", source: "planned", labelGuessed: true })));
        });
    }

    it("takes an unknown input in preview: the rule is still planned, and the mapping shows its port with frontendIp \"\" until the address is known", async () => {
        const d = await engine.deployment("unknown", true);
        const pip = d.urn("azure-native:network:PublicIPAddress", "pip");
        const result = await d.construct({
            type: singleVm,
            name: "vm2-ssh",
            // The public IP's address is not known in preview.
            inputs: vmRule(50023, { frontendIpAddress: outputValue(undefined, { dependencies: [pip] }) }),
            inputDependencies: { frontendIpAddress: [pip] },
        });
        expect(d.registered("vm2-ssh-rule")?.inputs).toMatchObject({ frontendPort: 50023, backendPort: 22 });
        expect(result.state.portMapping).toEqual({ instance: "vm2-ssh", frontendIp: "", frontendPort: 50023, backendPort: 22, protocol: "Tcp", source: "planned" });
        expect(result.state.ruleName).toBe("vm2-ssh");
    });

    it("keeps a secret input secret in the outputs built from it", async () => {
        const d = await engine.deployment("secret", false);
        const result = await d.construct({ type: singleVm, name: "vm4-ssh", inputs: vmRule(50025, { vmName: outputValue("vm4", { secret: true }) }) });
        const mapping = result.state.portMapping as Record<string, unknown>;
        expect(mapping[SIG.key]).toBe(SIG.secret);
        expect(mapping.value).toMatchObject({ instance: "vm4", frontendPort: 50025 });
        expect(result.state.ruleName).toBe("vm4-ssh");
    });

    it("registers the child rule with the provider the program passed", async () => {
        const d = await engine.deployment("explicit-provider", false);
        const provider = `${d.urn("pulumi:providers:azure-native", "westeurope")}::0b5f3a2e-provider`;
        await d.construct({ type: singleVm, name: "vm3-ssh", inputs: vmRule(50024), providers: { "azure-native": provider } });
        expect(d.registered("vm3-ssh-rule")?.provider).toBe(provider);
    });

    it("refuses bad input with the component's message and creates nothing", async () => {
        const d = await engine.deployment("bad-input", true);
        const failed = await failure(d.construct({ type: singleVm, name: "bad", inputs: vmRule(70000) }));
        expect(failed.details).toMatch(/SingleVmNatRule "bad": 1 invalid argument:\n {2}- frontendPort = 70000: allowed is an integer from 1 to 65534/);
        // Pulumi's InputPropertiesError, so the program's SDK can show the issue against the property.
        expect(failed.code).toBe(3); // INVALID_ARGUMENT
        expect(failed.propertyErrors).toEqual([{ propertyPath: "frontendPort", reason: expect.stringMatching(/^70000: allowed is an integer from 1 to 65534\. Fix: /) }]);
        expect(d.registered("bad-rule")).toBeUndefined();
    });

    it("refuses two overlapping BackendPoolNatRules of one preview, and registers neither rule", async () => {
        const d = await engine.deployment("overlap", true);
        const vmss = scaleSet(d, "web", 2);
        const construct = (name: string, start: number) =>
            failure(d.construct({ type: backendPool, name, inputs: poolRule(start, 10, { scaleSet: vmss.reference }), inputDependencies: { scaleSet: [vmss.urn] } }));
        // 50500-50509 and 50505-50514 on one frontend: Azure refuses overlapping frontend ranges of one frontend IP configuration.
        const [a, b] = await Promise.all([construct("ssh-a", 50500), construct("ssh-b", 50505)]);
        for (const f of [a, b]) expect(f.details).toMatch(/conflict/i);
        expect(a.details).toMatch(/ssh-a/);
        expect(a.details).toMatch(/ssh-b/);
        expect(d.registered("ssh-a-rule")).toBeUndefined();
        expect(d.registered("ssh-b-rule")).toBeUndefined();
    });

    it("fails only the component whose value fails when it resolves, quickly, without an unhandled rejection", async () => {
        const d = await engine.deployment("late-error", true);
        // The capacity reaches the component only through the scale set's state: 5 instances in a range of 2.
        const vmss = scaleSet(d, "big", 5);
        const before = engine.logs.length;
        const t0 = Date.now();
        let lateMs = 0;
        const [late, beside] = await Promise.allSettled([
            d.construct({ type: backendPool, name: "late", inputs: poolRule(51000, 2, { scaleSet: vmss.reference }), inputDependencies: { scaleSet: [vmss.urn] } })
                .finally(() => (lateMs = Date.now() - t0)),
            d.construct({ type: singleVm, name: "beside", inputs: vmRule(52022) }),
        ]);
        // Reported, not asserted: timings depend on the machine.
        console.log(`provider protocol: late error answered in ${lateMs} ms, both Constructs in ${Date.now() - t0} ms, plugin RSS ${engine.pluginRssMb() ?? "?"} MB`);
        expect(late.status).toBe("rejected");
        expect((late as PromiseRejectedResult).reason.details).toMatch(/BackendPoolNatRule "late".*frontend port range 51000-51001 \(capacity 2\) is exhausted: 5 instances need a port/);
        expect(beside.status).toBe("fulfilled");
        expect(d.registered("beside-rule")?.inputs).toMatchObject({ frontendPort: 52022 });
        expect(d.registered("late-rule")).toBeUndefined();
        const logged = engine.logs.slice(before).filter((l) => l.severity >= 3).map((l) => l.message);
        expect(logged.filter((m) => /unhandled/i.test(m))).toEqual([]);
        expect(engine.stderr).not.toMatch(/unhandled/i);
    });
});
