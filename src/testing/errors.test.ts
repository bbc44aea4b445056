import { describe, expect, it } from "vitest";
import { AzureNatRulesError } from "../core/errors";
import { ArmError } from "./errors";

describe("Azure's errors and the library's", () => {
    it("are two families: an ArmError is not an AzureNatRulesError, yet Pulumi still prints it by its message", () => {
        const error = new ArmError("InvalidParameter", 400, "bad port");
        expect(error).not.toBeInstanceOf(AzureNatRulesError);
        expect(new AzureNatRulesError("ours")).not.toBeInstanceOf(ArmError);
        expect((error as unknown as { __pulumiRunError?: boolean }).__pulumiRunError).toBe(true);
        expect(String(error)).toBe("ArmError 400 (InvalidParameter): bad port");
    });
});
