import { describe, expect, it } from "vitest";
import { inCommandWords } from "./azure-options";

describe("inCommandWords", () => {
    it("puts the command's name where the library function's was, and one period where a sentence ending in one was joined", () => {
        const err = new Error("listSubscriptions: no access token for https://management.azure.com: DefaultAzureCredential authentication failed.. Fix: sign in (az login).");
        expect((inCommandWords("ssh-config", err) as Error).message).toBe(
            "ssh-config: no access token for https://management.azure.com: DefaultAzureCredential authentication failed. Fix: sign in (az login).",
        );
        const closing = new Error("lookupPortMappings: reading load balancer lb failed (HTTP 500: Internal error..).");
        expect((inCommandWords("mappings", closing) as Error).message).toBe("mappings: reading load balancer lb failed (HTTP 500: Internal error.).");
    });

    it("leaves an ellipsis, and errors from anything else, as they are", () => {
        const ellipsis = new Error("lookupPortMappings: waiting... then failed");
        expect((inCommandWords("mappings", ellipsis) as Error).message).toBe("mappings: waiting... then failed");
        const other = new Error("something.. else");
        expect(inCommandWords("mappings", other)).toBe(other);
        expect(other.message).toBe("something.. else");
        expect(inCommandWords("mappings", "text")).toBe("text");
    });
});
