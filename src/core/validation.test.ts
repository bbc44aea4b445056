import { describe, expect, it } from "vitest";
import { NatRuleValidationError } from "./errors";
import { assertValidNatRule, normalizeProtocol, UNKNOWN, validateFrontendRange, validateNatRule } from "./validation";

const pool = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb/backendAddressPools/p";
const fields = (issues: { field: string }[]) => issues.map((i) => i.field);

describe("validateNatRule", () => {
    it("accepts a valid single-VM rule and a valid backend-pool rule", () => {
        expect(validateNatRule({ frontendPort: 50022, backendPort: 22, protocol: "Tcp" })).toEqual([]);
        expect(validateNatRule({ frontendPortRangeStart: 50000, maxInstances: 10, backendPort: 22, backendAddressPool: pool })).toEqual([]);
        expect(validateNatRule({ frontendPortRangeStart: 50000, frontendPortRangeEnd: 50009, backendPort: 3389, protocol: "udp", backendAddressPool: pool })).toEqual([]);
    });

    it.each([
        ["frontendPort", { frontendPort: 0, backendPort: 22 }],
        ["frontendPort", { frontendPort: 65535, backendPort: 22 }],
        ["frontendPort", { frontendPort: 22.5, backendPort: 22 }],
        ["backendPort", { frontendPort: 22, backendPort: 65536 }],
        ["backendPort", { frontendPort: 22, backendPort: 0 }],
        ["idleTimeoutInMinutes", { frontendPort: 22, backendPort: 22, idleTimeoutInMinutes: 3 }],
        ["idleTimeoutInMinutes", { frontendPort: 22, backendPort: 22, idleTimeoutInMinutes: 31 }],
        ["frontendPortRangeStart", { frontendPortRangeStart: 0, maxInstances: 2, backendPort: 22, backendAddressPool: pool }],
        ["frontendPortRangeEnd", { frontendPortRangeStart: 10, frontendPortRangeEnd: 65535, backendPort: 22, backendAddressPool: pool }],
        ["maxInstances", { frontendPortRangeStart: 10, maxInstances: 0, backendPort: 22, backendAddressPool: pool }],
        ["protocol", { frontendPort: 22, backendPort: 22, protocol: "Icmp" }],
    ])("rejects a bad %s", (field, settings) => {
        expect(fields(validateNatRule(settings))).toEqual([field]);
    });

    it("accepts the edges of every bound", () => {
        expect(validateNatRule({ frontendPort: 1, backendPort: 65535, idleTimeoutInMinutes: 30 })).toEqual([]);
        expect(validateNatRule({ frontendPort: 65534, backendPort: 1, idleTimeoutInMinutes: 4 })).toEqual([]);
        expect(validateNatRule({ frontendPortRangeStart: 65534, maxInstances: 1, backendPort: 1, backendAddressPool: pool })).toEqual([]);
    });

    it("rejects a single port and a range together", () => {
        const issues = validateNatRule({ frontendPort: 22, frontendPortRangeStart: 50000, maxInstances: 5, backendPort: 22, backendAddressPool: pool });
        expect(fields(issues)).toEqual(["frontendPort"]);
        expect(issues[0].allowed).toMatch(/never both/);
    });

    it("requires a backend pool for a range, and a port or a range", () => {
        expect(fields(validateNatRule({ frontendPortRangeStart: 50000, maxInstances: 5, backendPort: 22 }))).toEqual(["backendAddressPoolId"]);
        expect(fields(validateNatRule({ backendPort: 22 }))).toEqual(["frontendPort"]);
    });

    it("applies idle timeout and TCP reset to TCP only", () => {
        const issues = validateNatRule({ frontendPort: 53, backendPort: 53, protocol: "Udp", idleTimeoutInMinutes: 10, enableTcpReset: true });
        expect(fields(issues)).toEqual(["idleTimeoutInMinutes", "enableTcpReset"]);
        expect(validateNatRule({ frontendPort: 53, backendPort: 53, protocol: "Udp", enableTcpReset: false })).toEqual([]);
        expect(validateNatRule({ frontendPort: 22, backendPort: 22, protocol: "All", idleTimeoutInMinutes: 10, enableTcpReset: true })).toEqual([]);
    });

    it("reports every problem at once", () => {
        const issues = validateNatRule({ frontendPort: 70000, backendPort: -1, protocol: "Udp", idleTimeoutInMinutes: 99 });
        expect(fields(issues)).toEqual(["frontendPort", "backendPort", "idleTimeoutInMinutes", "idleTimeoutInMinutes"]);
    });

    it("skips field checks for unknown values but counts them as given", () => {
        expect(validateNatRule({ frontendPort: UNKNOWN, backendPort: UNKNOWN, protocol: UNKNOWN })).toEqual([]);
        expect(fields(validateNatRule({ frontendPort: UNKNOWN, frontendPortRangeStart: UNKNOWN, maxInstances: 3, backendPort: 22, backendAddressPool: UNKNOWN })))
            .toEqual(["frontendPort"]);
    });
});

describe("assertValidNatRule", () => {
    it("throws an error naming the component, field, value, what is allowed and the fix", () => {
        expect(() => assertValidNatRule("ssh-vm1", { frontendPort: 70000, backendPort: 22 })).toThrow(NatRuleValidationError);
        try {
            assertValidNatRule("ssh-vm1", { frontendPort: 70000, backendPort: 22 });
        } catch (e) {
            const err = e as NatRuleValidationError;
            expect(err.message).toMatch(/^ssh-vm1: 1 invalid argument:\n  - frontendPort = 70000: allowed is an integer from 1 to 65534\. Fix: /);
            expect(err.issues).toHaveLength(1);
        }
    });
});

describe("normalizeProtocol", () => {
    it("maps any casing to ARM's spelling", () => {
        expect(normalizeProtocol("tcp")).toBe("Tcp");
        expect(normalizeProtocol(" UDP ")).toBe("Udp");
        expect(normalizeProtocol("all")).toBe("All");
        expect(normalizeProtocol("icmp")).toBeUndefined();
        expect(normalizeProtocol(6)).toBeUndefined();
    });
});

describe("validateFrontendRange", () => {
    it("judges the range alone: bounds, a start and a size, end after start, both forms agreeing", () => {
        expect(validateFrontendRange({ frontendPortRangeStart: 50000, maxInstances: 10 })).toEqual([]);
        expect(fields(validateFrontendRange({ frontendPortRangeStart: 0, maxInstances: 0 }))).toEqual(["frontendPortRangeStart", "maxInstances"]);
        expect(fields(validateFrontendRange({ frontendPortRangeEnd: 10 }))).toEqual(["frontendPortRangeStart"]);
        expect(fields(validateFrontendRange({ frontendPortRangeStart: 10 }))).toEqual(["maxInstances"]);
        expect(fields(validateFrontendRange({ frontendPortRangeStart: 10, frontendPortRangeEnd: 5 }))).toEqual(["frontendPortRangeEnd"]);
        expect(fields(validateFrontendRange({ frontendPortRangeStart: 10, frontendPortRangeEnd: 20, maxInstances: 5 }))).toEqual(["frontendPortRangeEnd"]);
    });
});
