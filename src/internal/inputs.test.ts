import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { echoMocks, known, valueOf } from "../../test/pulumi-helpers";
import { NatRuleValidationError } from "../core/errors";
import { UNKNOWN } from "../core/validation";
import { loadBalancerIdIssues, parseLoadBalancerId, plainOrUnknown, validateInputs } from "./inputs";

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
