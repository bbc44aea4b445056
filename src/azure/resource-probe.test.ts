import { afterEach, describe, expect, it } from "vitest";
import { FAST_ARM_SERVER_OPTIONS, startArmServer, type ArmServer } from "../testing";
import { buildPoolState } from "../testing/scenarios";
import { staticTokenCredential } from "./credentials";
import { armResourceExists } from "./resource-probe";

const servers: ArmServer[] = [];
afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
});

const credential = staticTokenCredential("test-token");
const state = () => buildPoolState({
    resourceGroupName: "rg", addressSpace: "10.0.0.0/16", subnetPrefix: "10.0.0.0/24",
    rules: [{ name: "ssh", start: 50000, size: 10, backendPort: 22, protocol: "Tcp" }], scaleSets: [{ name: "web", capacity: 2 }],
});

describe("armResourceExists (one GET through the ARM client)", () => {
    it("answers true for a rule Azure has and false for one it has not, with one request each", async () => {
        const { sim, lbId } = state();
        const server = await startArmServer(sim, FAST_ARM_SERVER_OPTIONS);
        servers.push(server);
        expect(await armResourceExists(`${lbId}/inboundNatRules/ssh`, { endpoint: server.url, credential })).toBe(true);
        expect(await armResourceExists(`${lbId}/inboundNatRules/rdp`, { endpoint: server.url, credential })).toBe(false);
        expect(server.stats.requests).toBe(2);
        expect(server.stats.byRoute).toEqual({ "GET inboundNatRules": 2 });
    });

    it("cannot tell (undefined) when Azure refuses the read or cannot be reached, so the full read reports why", async () => {
        const { sim, lbId } = state();
        const server = await startArmServer(sim, { ...FAST_ARM_SERVER_OPTIONS, faults: [{ method: "GET", status: 403 }] });
        servers.push(server);
        expect(await armResourceExists(`${lbId}/inboundNatRules/ssh`, { endpoint: server.url, credential })).toBeUndefined();
        expect(await armResourceExists(`${lbId}/inboundNatRules/ssh`, { endpoint: "http://127.0.0.1:9", credential, maxRetries: 0 })).toBeUndefined();
    });
});
