import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { echoMocks, known, valueOf } from "../testing/pulumi/component-test-helpers";
import { NatRuleValidationError } from "../core/errors";
import { UNKNOWN } from "../core/validation";
import { checkResolvedInputs, loadBalancerIdIssues, parseLoadBalancerId, plainOrUnknown, validateInputs } from "./inputs";

const mocks = echoMocks(true);
beforeAll(() => mocks.ready);

describe("validateInputs", () => {
    it("throws at once for known bad values", () => {
        expect(() => validateInputs("C", { frontendPort: 0, backendPort: 22 })).toThrow(NatRuleValidationError);
    });

    it("checks an Output when it resolves, with the other known values, and passes good values through", async () => {
        const checked = validateInputs("C", { frontendPort: pulumi.output(0), backendPort: 22 });
        await expect(known(checked.frontendPort as pulumi.Output<number>)).rejects.toThrow(/^C: 1 invalid argument:\n  - frontendPort = 0/);
        const ok = validateInputs("C", { frontendPort: pulumi.output(80), backendPort: 22 });
        expect(await known(ok.frontendPort as pulumi.Output<number>)).toBe(80);
        expect(ok.backendPort).toBe(22);
    });

    it("judges a late protocol against known TCP-only settings", async () => {
        const checked = validateInputs("C", { frontendPort: 53, backendPort: 53, protocol: pulumi.output("Udp"), idleTimeoutInMinutes: 10 });
        await expect(known(checked.protocol as pulumi.Output<string>)).rejects.toThrow(/idleTimeoutInMinutes = 10: allowed is only with protocol "Tcp" or "All"/);
    });

    it("keeps an unknown value unknown in preview without failing", async () => {
        const unknownPort = pulumi.output(pulumi.unknown as unknown as number);
        const checked = validateInputs("C", { frontendPort: unknownPort, backendPort: 22 });
        expect(await valueOf(checked.frontendPort as pulumi.Output<number>)).toBe("<unknown>");
    });

    it("renames fields to the component's own names", () => {
        expect(() => validateInputs("C", { frontendPortRangeStart: 1, maxInstances: 1, backendPort: 1 }, { backendAddressPool: "backendAddressPoolId" }))
            .toThrow(/backendAddressPoolId = undefined/);
    });
});

describe("load balancer ids", () => {
    const lb = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
    it("parses an id and rejects names", () => {
        expect(parseLoadBalancerId(lb)).toEqual({ subscriptionId: "s", resourceGroupName: "rg", loadBalancerName: "lb" });
        expect(parseLoadBalancerId("lb")).toBeUndefined();
    });
    it("rejects a child id from another load balancer or collection", () => {
        const issues = loadBalancerIdIssues(lb, [
            { field: "frontendIPConfigurationId", id: `${lb}/frontendIPConfigurations/fe`, collection: "frontendIPConfigurations" },
            { field: "backendAddressPoolId", id: `${lb}2/backendAddressPools/p`, collection: "backendAddressPools" },
        ]);
        expect(issues.map((i) => i.field)).toEqual(["backendAddressPoolId"]);
        expect(loadBalancerIdIssues(UNKNOWN, [{ field: "x", id: "junk", collection: "backendAddressPools" }])).toEqual([]);
        expect(plainOrUnknown(pulumi.output(1))).toBe(UNKNOWN);
        expect(plainOrUnknown(3)).toBe(3);
    });
});

describe("checkResolvedInputs", () => {
    const lb = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
    const ids = (fe: pulumi.Input<string>) => ({ loadBalancerId: pulumi.output(lb), children: [{ field: "frontendIPConfigurationId", id: fe, collection: "frontendIPConfigurations" }] });

    it("judges combinations of two late values together", async () => {
        const check = checkResolvedInputs("C", { frontendPort: 53, backendPort: 53, protocol: pulumi.output("Udp"), idleTimeoutInMinutes: pulumi.output(10) }, ids(`${lb}/frontendIPConfigurations/fe`));
        await expect(known(check)).rejects.toThrow(/^C: 1 invalid argument:\n  - idleTimeoutInMinutes = 10: allowed is only with protocol "Tcp" or "All"/);
    });

    it("rejects a late child id of another load balancer", async () => {
        const check = checkResolvedInputs("C", { frontendPort: 22, backendPort: 22 }, ids(pulumi.output(`${lb}x/frontendIPConfigurations/fe`)));
        await expect(known(check)).rejects.toThrow(/frontendIPConfigurationId = ".*lbx\/frontendIPConfigurations\/fe": allowed is an id under/);
    });

    it("passes good late values, and stays known when values are unknown (preview)", async () => {
        expect(await known(checkResolvedInputs("C", { frontendPort: pulumi.output(22), backendPort: pulumi.output(22) }, ids(pulumi.output(`${lb}/frontendIPConfigurations/fe`))))).toBe(true);
        const unknownPort = pulumi.output(pulumi.unknown as unknown as number);
        expect(await known(checkResolvedInputs("C", { frontendPort: unknownPort, backendPort: pulumi.output(22), protocol: pulumi.output("Udp") }, ids(unknownPort as never)))).toBe(true);
    });
});
