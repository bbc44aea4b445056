/**
 * Another stack's mappings through a StackReference: runDeployment serves the given stack outputs,
 * and readNatMappings checks them, naming the stack and the output when they are not mappings.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { readNatMappings, StackMappingsError, type NatPortMapping } from "../src";
import { AzureSimulator, runDeployment } from "../src/testing";

const STACK = "acme/network/dev";
const MAPPINGS: NatPortMapping[] = [
    { instance: "0", frontendIp: "203.0.113.1", frontendPort: 50000, backendPort: 22, protocol: "Tcp", source: "azure" },
    { instance: "2", frontendIp: "203.0.113.1", frontendPort: 50002, backendPort: 22, protocol: "Tcp", source: "azure" },
];

const readFrom = (outputs: Record<string, unknown>, outputName?: string) =>
    runDeployment(new AzureSimulator(), () => ({ mappings: readNatMappings(new pulumi.StackReference(STACK), outputName) }), {
        stackReferences: { [STACK]: outputs },
    });

describe("readNatMappings under runDeployment's stackReferences", () => {
    it("returns the referenced stack's mappings, typed", async () => {
        const { outputs, resources } = await readFrom({ portMappings: MAPPINGS, frontendIp: "203.0.113.1" });
        expect(outputs.mappings).toEqual(MAPPINGS);
        expectTypeOf(outputs.mappings).toEqualTypeOf<NatPortMapping[]>();
        expect(resources).toEqual([
            { type: "pulumi:pulumi:Stack", name: "project-stack" },
            { type: "pulumi:pulumi:StackReference", name: STACK },
        ]);
    });

    it("reads another output name, and one mapping alone as a list of one", async () => {
        const { outputs } = await readFrom({ vm1: MAPPINGS[1] }, "vm1");
        expect(outputs.mappings).toEqual([MAPPINGS[1]]);
    });

    it("a missing output names the stack, the output, the outputs it has and a fix", async () => {
        const failure = await readFrom({ frontendIp: "203.0.113.1", rule: "ssh" }).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(StackMappingsError);
        expect((failure as Error).message).toBe(
            `stack "${STACK}" has no output "portMappings" (its outputs are "frontendIp", "rule"). ` +
                `Fix: export the rule's mappings from that stack (export const portMappings = rule.portMappings) and run pulumi up there, ` +
                `or pass the output's name: readNatMappings(stack, "<name>").`,
        );
    });

    it("an output that is not mappings names the stack, the output and each wrong field", async () => {
        const failure = await readFrom({ portMappings: [MAPPINGS[0], { instance: "1", frontendPort: "50001" }] }).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(StackMappingsError);
        const message = (failure as Error).message;
        expect(message).toMatch(/^output "portMappings" of stack "acme\/network\/dev" does not hold port mappings:/);
        expect(message).toContain('portMappings[1].frontendPort = "50001": allowed is an integer from 1 to 65535');
        expect(message).toContain("portMappings[1].frontendIp = undefined: allowed is a string");
        expect(message).not.toContain("portMappings[0]");
        expect(message).toContain("Fix: export a component's portMappings");
        // Pulumi prefixes the property path onto an Output's error while serializing; ours stays first.
        expect(message).not.toContain("error serializing");
    });

    it("a reference to a stack that was not given says which were and how to give it", async () => {
        const failure = await runDeployment(new AzureSimulator(), () => ({ m: readNatMappings(new pulumi.StackReference("acme/network/prod")) }), {
            stackReferences: { [STACK]: { portMappings: MAPPINGS } },
        }).catch((e: unknown) => e);
        expect((failure as Error).message).toContain(`StackReference "acme/network/prod": no such stack in this deployment (given: "${STACK}")`);
        expect((failure as Error).message).toContain('Fix: pass its outputs to runDeployment: { stackReferences: { "acme/network/prod": { ... } } }');
    });
});

describe("runDeployment and program modules", () => {
    it("a module with top-level resources imported a second time is refused, not reported with the first run's outputs", async () => {
        const sim = new AzureSimulator();
        const program = async () => ({ ...(await import("./fixtures/top-level-program")) });
        const first = await runDeployment(sim, program);
        expect(first.outputs.groupName).toBe("top-rg");
        const second = await runDeployment(sim, program).catch((e: unknown) => e);
        expect((second as Error).message).toMatch(/^runDeployment: the program registered no resources, yet its outputs "groupName" depend on resources/);
        expect((second as Error).message).toContain("Fix: declare the resources in a function the program calls on every run");
    });

    it("a program that returns plain values and registers nothing is fine", async () => {
        const { outputs } = await runDeployment(new AzureSimulator(), () => ({ answer: pulumi.output(42), list: [1, 2] }));
        expect(outputs).toEqual({ answer: 42, list: [1, 2] });
        expectTypeOf(outputs.answer).toEqualTypeOf<number>();
    });
});
