import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as compute from "@pulumi/azure-native/compute";
import { beforeAll, describe, expect, it } from "vitest";
import { echoMocks, known } from "./testing/pulumi/component-test-helpers";
import { renderSchema } from "./cli/commands/schema";
import { allocatePorts } from "./core/allocation";
import { frontendPortRange } from "./core/range";
import { createComponentProvider, PACKAGE_NAME, packageComponents, providerNameOf } from "./provider";
import { inferPackageSchema, resourceToken, type PackageSchema, type SchemaProperty } from "./schema";

/* eslint-disable @typescript-eslint/no-require-imports */
// The engine's wire format and the provider host's input decoding, as the plugin process uses them.
const rpc = require("@pulumi/pulumi/runtime/rpc") as {
    specialSigKey: string;
    specialResourceSig: string;
    getResourceModule(pkg: string, mod: string, version?: string): unknown;
    serializeProperty(ctx: string, prop: unknown, deps: Set<unknown>, opts?: { keepResources?: boolean }): Promise<unknown>;
    serializeResourceProperties(label: string, props: Record<string, unknown>): Promise<[Record<string, unknown>, Map<string, unknown>]>;
};
const providerServer = require("@pulumi/pulumi/provider/server") as {
    deserializeInputs(inputs: unknown, dependencies: { get(key: string): { getUrnsList(): string[] } | undefined }): Promise<pulumi.Inputs>;
};
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(value: Record<string, unknown>): unknown } };
/* eslint-enable @typescript-eslint/no-require-imports */

const root = path.resolve(__dirname, "..");
const packageJson = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { name: string; version: string };
const azureNativePackage = JSON.parse(fs.readFileSync(require.resolve("@pulumi/azure-native/package.json"), "utf8")) as {
    version: string;
    pulumi: { name: string; version?: string };
};
const azureNativeVersion = azureNativePackage.pulumi.version ?? azureNativePackage.version;
const azureNativeResource = (token: string) => `/azure-native/v${azureNativeVersion}/schema.json#/resources/${token}`;

// Only the package entry (through ./provider) has been loaded so far: this is what the plugin process has.
const computeRegisteredByEntry = rpc.getResourceModule("azure-native", "compute", azureNativeVersion) !== undefined;

const mocks = echoMocks(false);
const provider = createComponentProvider();
let schema: PackageSchema;

beforeAll(async () => {
    await mocks.ready;
    schema = await inferPackageSchema(provider); // analysed once; construct() reuses the provider's cache
});

const singleVm = resourceToken("SingleVmNatRule");
const backendPool = resourceToken("BackendPoolNatRule");
const lbId = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
const frontendId = `${lbId}/frontendIPConfigurations/fe`;
const poolId = `${lbId}/backendAddressPools/pool`;

/** Every property with its path, array items included, so args added later are covered too. */
function walk(where: string, properties: Record<string, SchemaProperty>): { where: string; property: SchemaProperty }[] {
    return Object.entries(properties).flatMap(([name, property]) => {
        const here = [{ where: `${where}.${name}`, property }];
        return property.items ? [...here, ...walk(where, { [`${name}[]`]: property.items })] : here;
    });
}

/** What a property refers to: a known type token, another package's resource, or nothing. */
function checkReference(where: string, property: SchemaProperty, s: PackageSchema): string[] {
    if (property.$ref === undefined) return property.type === undefined ? [`${where}: no type and no $ref`] : [];
    const local = /^#\/types\/(.+)$/.exec(property.$ref);
    if (local) return s.types[local[1]] ? [] : [`${where}: $ref to missing type ${local[1]}`];
    const external = /^\/([^/]+)\/v([^/]+)\/schema\.json#\/resources\/.+$/.exec(property.$ref);
    if (!external) return [`${where}: unexpected $ref ${property.$ref}`];
    const recorded = s.dependencies?.some((d) => d.name === external[1] && d.version === external[2]);
    return recorded ? [] : [`${where}: refers to ${external[1]} v${external[2]}, which is not in dependencies`];
}

/** Serialises inputs as the engine sends them and decodes them as the provider host does. */
async function engineInputs(inputs: Record<string, unknown>, dependencies: Record<string, string[]> = {}): Promise<pulumi.Inputs> {
    const wire: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(inputs)) wire[key] = await rpc.serializeProperty(key, value, new Set(), { keepResources: true });
    return providerServer.deserializeInputs(Struct.fromJavaScript(wire), {
        get: (key) => (dependencies[key] ? { getUrnsList: () => dependencies[key] } : undefined),
    });
}

describe("inferred package schema", () => {
    it("is the package azure-nat-rules, named as the plugin host names it, at the package's version", () => {
        expect(schema.name).toBe(PACKAGE_NAME);
        expect(providerNameOf(packageJson.name)).toBe(schema.name);
        expect(schema.version).toBe(packageJson.version);
    });

    it("has one component resource per exported component class, both NAT rule components among them", () => {
        const exported = packageComponents().map((c) => resourceToken(c.name)).sort();
        expect(Object.keys(schema.resources).sort()).toEqual(exported);
        expect(exported).toEqual(expect.arrayContaining([singleVm, backendPool]));
        for (const [token, resource] of Object.entries(schema.resources)) {
            expect(resource.isComponent, token).toBe(true);
            expect(resource.description?.trim(), token).toBeTruthy();
        }
    });

    it("gives every input and output of every component a type and a description", () => {
        const problems: string[] = [];
        for (const [token, resource] of Object.entries(schema.resources)) {
            const inputs = walk(`${token} input`, resource.inputProperties);
            const outputs = walk(`${token} output`, resource.properties);
            expect(inputs.length, token).toBeGreaterThan(0);
            expect(outputs.length, token).toBeGreaterThan(0);
            for (const { where, property } of [...inputs, ...outputs]) {
                problems.push(...checkReference(where, property, schema));
                if (property.type === "array" && !property.items) problems.push(`${where}: array without items`);
                // Only the named properties carry JSDoc; array items do not.
                if (!where.endsWith("[]")) {
                    const text = property.description?.trim() ?? "";
                    if (text === "" || text.includes("[object Object]")) problems.push(`${where}: description ${JSON.stringify(property.description)}`);
                }
            }
            for (const name of resource.requiredInputs) if (!resource.inputProperties[name]) problems.push(`${token}: required input ${name} is not an input`);
        }
        for (const [token, type] of Object.entries(schema.types)) {
            for (const { where, property } of walk(`type ${token}`, type.properties ?? {})) problems.push(...checkReference(where, property, schema));
        }
        expect(problems).toEqual([]);
    });

    it("takes SingleVmNatRule's ports as required integers that may be outputs, and its options as optional", () => {
        const r = schema.resources[singleVm];
        for (const name of ["frontendPort", "backendPort"]) {
            expect(r.inputProperties[name].type, name).toBe("integer");
            expect(r.requiredInputs, name).toContain(name);
            expect(r.inputProperties[name].plain, name).toBeUndefined();
        }
        expect(r.inputProperties.loadBalancerId.type).toBe("string");
        expect(r.requiredInputs).toEqual(expect.arrayContaining(["loadBalancerId", "frontendIPConfigurationId"]));
        for (const name of ["protocol", "idleTimeoutInMinutes", "enableFloatingIP", "enableTcpReset", "ruleName", "vmName"]) {
            expect(r.requiredInputs, name).not.toContain(name);
        }
        expect(r.properties.portMapping.$ref).toBe(`#/types/${PACKAGE_NAME}:index:NatPortMapping`);
        expect(r.properties.rule.$ref).toBe(azureNativeResource("azure-native:network:InboundNatRule"));
    });

    it("takes BackendPoolNatRule's scale set as a reference to azure-native's VirtualMachineScaleSet and lists one mapping per instance", () => {
        const r = schema.resources[backendPool];
        expect(r.inputProperties.maxInstances.type).toBe("integer");
        expect(r.requiredInputs).not.toContain("maxInstances");
        expect(r.requiredInputs).toContain("frontendPortRangeStart");
        expect(r.inputProperties.scaleSet.$ref).toBe(azureNativeResource("azure-native:compute:VirtualMachineScaleSet"));
        expect(r.requiredInputs).not.toContain("scaleSet");
        expect(r.inputProperties.virtualMachineNames).toMatchObject({ type: "array", items: { type: "string" } });

        expect(r.properties.portMappings.type).toBe("array");
        const mappingRef = r.properties.portMappings.items?.$ref ?? "";
        expect(mappingRef).toBe(`#/types/${PACKAGE_NAME}:index:NatPortMapping`);
        expect(r.properties.plannedPortMappings.items?.$ref).toBe(mappingRef);
        const mapping = schema.types[mappingRef.replace("#/types/", "")];
        const fields = { instance: "string", frontendIp: "string", frontendPort: "integer", backendPort: "integer", protocol: "string", source: "string" };
        for (const [name, type] of Object.entries(fields)) {
            expect(mapping.properties?.[name]?.type, name).toBe(type);
            expect(mapping.required, name).toContain(name);
        }
        expect(r.properties.frontendPortRange.$ref).toBe(`#/types/${PACKAGE_NAME}:index:NatFrontendPortRange`);
        // Methods are not part of a schema.
        expect(Object.keys(r.properties)).not.toContain("portMappingFor");
    });

    it("has no floating-point numbers: every port, count, priority and timeout is an integer", () => {
        const numbers: string[] = [];
        for (const [token, resource] of Object.entries(schema.resources)) {
            for (const { where, property } of [...walk(`${token} input`, resource.inputProperties), ...walk(`${token} output`, resource.properties)]) {
                if (property.type === "number") numbers.push(where);
            }
        }
        for (const [token, type] of Object.entries(schema.types)) {
            for (const { where, property } of walk(`type ${token}`, type.properties ?? {})) if (property.type === "number") numbers.push(where);
        }
        expect(numbers).toEqual([]);
        expect(schema.types[`${PACKAGE_NAME}:index:NatFrontendPortRange`].properties?.capacity.type).toBe("integer");
    });

    it("carries every @default of the sources into the description, and into `default` where a literal is safe to send", () => {
        const pool = schema.resources[backendPool].inputProperties;
        expect(pool.readAzureMappings).toMatchObject({ type: "boolean", default: true });
        expect(pool.readAzureMappings.description).toMatch(/queryInboundNatRulePortMapping\/action\.\n\nDefault: true$/);
        expect(pool.protocol).toMatchObject({ default: "Tcp" });
        expect(pool.enableFloatingIP).toMatchObject({ default: false });
        // A schema default is sent by generated SDKs as if set; an idle timeout is refused on a UDP rule.
        expect(pool.idleTimeoutInMinutes.default).toBeUndefined();
        expect(pool.idleTimeoutInMinutes.description).toMatch(/Default: 4 \(Azure's default\)$/);
        expect(pool.maxInstances.default).toBeUndefined();
        expect(pool.maxInstances.description).toMatch(/Default: none: give this or `frontendPortRangeEnd`$/);
        expect(schema.resources[singleVm].inputProperties.vmName.description).toMatch(/Default: the rule name$/);
        expect(schema.types[`${PACKAGE_NAME}:index:NatLoadBalancingRuleInfo`].properties?.protocol).toMatchObject({ default: "Tcp" });

        // Every @default tag on an args interface, counted in the sources, is in the schema.
        const sources = ["nat-rule-args.ts", "single-vm-nat-rule.ts", "backend-pool-nat-rule.ts", path.join("internal", "conflict-registry.ts")];
        const tagged = new Set<string>();
        for (const file of sources) {
            for (const m of fs.readFileSync(path.join(__dirname, file), "utf8").matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*?)@default((?:(?!\*\/)[\s\S])*)\*\/\s*(?:public readonly )?(\w+)\??:/g)) tagged.add(m[3]);
        }
        const described = new Set<string>();
        for (const properties of [...Object.values(schema.resources).map((r) => r.inputProperties), ...Object.values(schema.types).map((t) => t.properties ?? {})]) {
            for (const [name, property] of Object.entries(properties)) if (/\n\nDefault: /.test(property.description ?? "")) described.add(name);
        }
        expect(tagged.size).toBeGreaterThanOrEqual(18);
        expect([...tagged].filter((name) => !described.has(name))).toEqual([]);
    });

    it("is the committed schema.json (regenerate it with `npx tsx src/cli/main.ts schema > schema.json`)", () => {
        const committed = JSON.parse(fs.readFileSync(path.join(root, "schema.json"), "utf8")) as PackageSchema;
        expect(schema).toEqual(committed);
    });

    it("records azure-native, at the installed version, as a dependency", () => {
        expect(schema.dependencies).toContainEqual(expect.objectContaining({ name: azureNativePackage.pulumi.name, version: azureNativeVersion }));
    });

    it("prints the same schema indented or compact on one line", () => {
        const compact = renderSchema(schema, true);
        expect(compact.split("\n")).toHaveLength(1);
        expect(JSON.parse(compact)).toEqual(schema);
        expect(JSON.parse(renderSchema(schema, false))).toEqual(schema);
    });

    it("refuses a directory without the TypeScript sources, naming what is missing and what to do", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nat-provider-"));
        try {
            fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: PACKAGE_NAME, version: "1.0.0" }));
            expect(() => createComponentProvider(dir)).toThrow(/has no tsconfig\.json, src[/\\]index\.ts\..*git clone/);
            fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "nat-rules", version: "1.0.0" }));
            fs.writeFileSync(path.join(dir, "tsconfig.json"), "{}");
            fs.mkdirSync(path.join(dir, "src"));
            fs.writeFileSync(path.join(dir, "src", "index.ts"), "");
            expect(() => createComponentProvider(dir)).toThrow(/"name" is "nat-rules".*Fix: name the package "azure-nat-rules"/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("construct through the component provider (Pulumi mocks, update)", () => {
    it("loads azure-native's compute module with the package entry, so scale-set references arrive as resources", () => {
        expect(computeRegisteredByEntry).toBe(true);
    });

    it("builds SingleVmNatRule from engine inputs: one child InboundNatRule and the schema's outputs", async () => {
        // A value with a dependency arrives as an Output, as the engine sends another resource's output.
        const inputs = await engineInputs(
            { loadBalancerId: lbId, frontendIPConfigurationId: frontendId, frontendPort: 50022, backendPort: 22, vmName: "vm1", frontendIpAddress: "203.0.113.10" },
            { frontendIpAddress: ["urn:pulumi:stack::project::azure-native:network:PublicIPAddress::pip"] },
        );
        expect(pulumi.Output.isInstance(inputs.frontendIpAddress)).toBe(true);
        const result = await provider.construct("vm1-ssh", singleVm, inputs, {});

        expect(await known(pulumi.output(result.urn))).toMatch(new RegExp(`::${singleVm}::vm1-ssh$`));
        expect(Object.keys(result.state).sort()).toEqual(Object.keys(schema.resources[singleVm].properties).sort());
        const rule = result.state.rule as pulumi.CustomResource;
        expect(await known(rule.urn)).toMatch(new RegExp(`${singleVm}\\$azure-native:network:InboundNatRule::vm1-ssh-rule$`));
        const child = mocks.registered.find((r) => r.name === "vm1-ssh-rule");
        expect(child?.type).toBe("azure-native:network:InboundNatRule");
        expect(child?.inputs).toMatchObject({ resourceGroupName: "rg", loadBalancerName: "lb", frontendIPConfiguration: { id: frontendId }, frontendPort: 50022, backendPort: 22, protocol: "Tcp" });

        // The state as the host sends it back to the engine.
        const [wire] = await rpc.serializeResourceProperties("construct", result.state);
        expect(wire.portMapping).toEqual({ instance: "vm1", frontendIp: "203.0.113.10", frontendPort: 50022, backendPort: 22, protocol: "Tcp", source: "azure" });
        expect(wire.ruleName).toBe("vm1-ssh");
        expect(wire.ruleId).toBe(await known(rule.id));
    });

    it("builds BackendPoolNatRule from a scale-set reference: the range, the child rule and one mapping per instance", async () => {
        // Loaded only now, so the check above saw what the package entry alone registers.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { VirtualMachineScaleSet } = require("@pulumi/azure-native/compute") as typeof compute;
        const capacity = 3;
        const vmss = new VirtualMachineScaleSet("web", { resourceGroupName: "rg", sku: { name: "Standard_B1s", capacity }, overprovision: false });
        const vmssUrn = await known(vmss.urn);
        const inputs = await engineInputs(
            { loadBalancerId: lbId, frontendIPConfigurationId: frontendId, backendAddressPoolId: poolId, frontendPortRangeStart: 50000, maxInstances: 10, backendPort: 22, scaleSet: vmss, readAzureMappings: false },
            { scaleSet: [vmssUrn] },
        );
        expect(pulumi.CustomResource.isInstance(inputs.scaleSet)).toBe(true);
        const result = await provider.construct("web-ssh", backendPool, inputs, {});

        expect(Object.keys(result.state).sort()).toEqual(Object.keys(schema.resources[backendPool].properties).sort());
        const range = frontendPortRange({ start: 50000, maxInstances: 10 });
        const rule = result.state.rule as pulumi.CustomResource;
        expect(await known(rule.urn)).toMatch(new RegExp(`${backendPool}\\$azure-native:network:InboundNatRule::web-ssh-rule$`));
        const child = mocks.registered.find((r) => r.name === "web-ssh-rule");
        expect(child?.type).toBe("azure-native:network:InboundNatRule");
        expect(child?.inputs).toMatchObject({ frontendPortRangeStart: range.start, frontendPortRangeEnd: range.end, backendAddressPool: { id: poolId }, backendPort: 22 });
        expect(child?.inputs.frontendPort).toBeUndefined();

        const [wire] = await rpc.serializeResourceProperties("construct", result.state);
        const expected = allocatePorts({ rule: "web-ssh", range, instances: Array.from({ length: capacity }, (_, i) => String(i)) }).map((a) => ({
            // New instances' ids are Azure's to choose: marked.
            instance: a.instance, frontendIp: "", frontendPort: a.frontendPort, backendPort: 22, protocol: "Tcp", source: "planned", labelGuessed: true,
        }));
        expect(wire.portMappings).toEqual(expected);
        expect(wire.frontendPortRange).toEqual(range);
    });

    it("rejects invalid inputs from another language with the component's validation message", async () => {
        const inputs = await engineInputs({ loadBalancerId: lbId, frontendIPConfigurationId: frontendId, frontendPort: 70000, backendPort: 22 });
        await expect(provider.construct("bad", singleVm, inputs, {})).rejects.toThrow(/SingleVmNatRule "bad".*\n.*frontendPort = 70000/);
    });
});
