import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { lastSegment, sameArmId } from "./arm-ids";

describe("ARM ids", () => {
    it("compare ignoring case, and never equal an id that is not there", () => {
        const id = "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/loadBalancers/LB";
        expect(sameArmId(id, id.toLowerCase())).toBe(true);
        expect(sameArmId(id, `${id}2`)).toBe(false);
        expect(sameArmId(undefined, undefined)).toBe(false);
        expect(sameArmId(id, undefined)).toBe(false);
    });

    it("name their resource by the last segment, trailing slashes ignored", () => {
        expect(lastSegment("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb")).toBe("lb");
        expect(lastSegment(".../inboundNatPools/ssh/")).toBe("ssh");
        expect(lastSegment("lb")).toBe("lb");
        fc.assert(fc.property(fc.array(fc.stringMatching(/^[A-Za-z0-9._-]+$/), { minLength: 1, maxLength: 6 }), (segments) => lastSegment(`/${segments.join("/")}`) === segments[segments.length - 1]));
    });
});
