import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { echoMocks } from "../testing/pulumi/component-test-helpers";
import {
    currentMonitor,
    declaredName,
    inputOutputOf,
    inConstructCall,
    monitorEndpoint,
    observeMockRegistrations,
    outputDependsOnResources,
    readOutput,
    readOutputSettlingAll,
    waitForRPCs,
} from "./pulumi-internals";

class Thing extends pulumi.CustomResource {
    constructor(name: string, inputs: Record<string, unknown> = {}) {
        super("test:index:Thing", name, inputs);
    }
}

class IgnoringThing extends pulumi.CustomResource {
    constructor(name: string) {
        super("test:index:Thing", name, { size: 1 }, { ignoreChanges: ["size", "tags.x"] });
    }
}

// Each test checks one assumption the header of ./pulumi-internals.ts makes about the SDK, so an
// upgrade that breaks one fails here by name rather than somewhere downstream.
describe("Pulumi SDK internals", () => {
    it("an Output tells whether it is known; promise(true) keeps the value around its unknowns", async () => {
        await echoMocks(true).ready;
        expect(await readOutput(pulumi.output(3))).toEqual({ isKnown: true, value: 3 });
        expect((await readOutput(pulumi.output(pulumi.unknown))).isKnown).toBe(false);
        // An unknown inside makes the whole Output unknown; only promise(true) hands back the rest.
        const nested = pulumi.output({ a: 1, b: pulumi.unknown });
        expect(await readOutput(nested)).toEqual({ isKnown: false, value: undefined });
        const withUnknowns = await readOutput(nested, true);
        expect(withUnknowns.isKnown).toBe(false);
        expect((withUnknowns.value as { a: number }).a).toBe(1);
        expect(pulumi.isUnknown((withUnknowns.value as { b: unknown }).b)).toBe(true);
    });

    it("a failed Output rejects what readOutputSettlingAll awaits", async () => {
        await echoMocks(false).ready;
        const failed = pulumi.output(Promise.reject(new Error("boom")));
        await expect(readOutputSettlingAll(failed)).rejects.toThrow("boom");
    });

    it("an Output lists the resources it was derived from", async () => {
        const mocks = echoMocks(false);
        await mocks.ready;
        const resource = new Thing("thing");
        expect(outputDependsOnResources(pulumi.output(1))).toBe(false);
        expect(outputDependsOnResources(resource.urn)).toBe(true);
        await waitForRPCs();
        expect(mocks.registered.map((r) => r.name)).toEqual(["thing"]);
    });

    it("under mocks the monitor has no endpoint, and each setMocks makes a new one", async () => {
        await echoMocks(false).ready;
        const first = currentMonitor();
        expect(first).toBeDefined();
        expect(monitorEndpoint(first)).toBeUndefined();
        await echoMocks(false).ready;
        expect(currentMonitor()).not.toBe(first);
        expect(monitorEndpoint({ getChannel: () => ({ getTarget: () => "127.0.0.1:41337" }) })).toBe("127.0.0.1:41337");
    });

    it("a resource knows its logical name as soon as it is declared", async () => {
        const mocks = echoMocks(false);
        await mocks.ready;
        const resource = new Thing("named-thing");
        expect(declaredName(resource)).toBe("named-thing");
        await waitForRPCs();
        expect(mocks.registered.map((r) => r.name)).toEqual(["named-thing"]);
    });

    it("a resource carries an Output for each input key, untyped ones included, holding what the engine returns for it", async () => {
        await echoMocks(true).ready; // the echo mocks return the inputs, as azure-native's preview does
        const resource = new Thing("with-inputs", { profiles: [{ name: "default", capacity: { maximum: "8" } }] });
        const profiles = inputOutputOf(resource, "profiles");
        expect(profiles).toBeDefined();
        expect(await readOutput(profiles as pulumi.Output<unknown>)).toEqual({ isKnown: true, value: [{ name: "default", capacity: { maximum: "8" } }] });
        expect(inputOutputOf(resource, "missing")).toBeUndefined();
        await waitForRPCs();
    });

    it("a program is not a Construct call", () => {
        expect(inConstructCall()).toBe(false);
    });

    it("the mock monitor receives each registration's options before newResource runs, so they can be observed", async () => {
        const seen: string[] = [];
        await pulumi.runtime.setMocks({
            newResource: (args) => {
                seen.push(`newResource ${args.name}`);
                return { id: `${args.name}_id`, state: args.inputs };
            },
            call: (args) => args.inputs,
        }, "project", "stack", false);
        expect(observeMockRegistrations((r) => seen.push(`options ${r.name} ${r.ignoreChanges.join(",")}`))).toBe(true);
        const thing = new IgnoringThing("a");
        await new Promise<void>((resolve) => thing.urn.apply(() => resolve()));
        expect(seen).toEqual(["options a size,tags.x", "newResource a"]);
    });
});

