import { describe, expect, it } from "vitest";
import { ArmPacer, pacedQueryDurationMs, type LookupClock } from "./arm-pacing";

/** A clock whose sleep moves time on at once: one caller at a time sees the pacer's waits as elapsed time. */
function steppingClock(): LookupClock & { elapsed(): number } {
    const start = 1_700_000_000_000;
    let t = start;
    return {
        now: () => t,
        sleep: async (ms) => void (t += ms),
        elapsed: () => t - start,
    };
}

// Limits from learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling:
// writes 200 then 10 per second per principal; Microsoft.Network 1,000 writes per 5 minutes.
describe("ArmPacer", () => {
    it("sends at once until the endpoint shows remaining-requests headers, then paces writes at 200, then 10 a second", async () => {
        const clock = steppingClock();
        const pacer = new ArmPacer(clock, 16);
        for (let i = 0; i < 500; i++) (await pacer.acquire("POST", false, undefined))();
        expect(clock.elapsed()).toBe(0);

        const paced = new ArmPacer(clock, 16);
        paced.observe("POST", "200");
        const start = clock.elapsed();
        for (let i = 0; i < 200; i++) (await paced.acquire("POST", false, undefined))();
        expect(clock.elapsed() - start).toBe(0);
        (await paced.acquire("POST", false, undefined))();
        expect(clock.elapsed() - start).toBe(100);
        for (let i = 0; i < 9; i++) (await paced.acquire("POST", false, undefined))();
        expect(clock.elapsed() - start).toBe(1000);
        expect(paced.usage).toEqual({ armRequests: 210, armWrites: 210, throttled: 0 });
    });

    it("believes Azure's remaining count over its own model", async () => {
        const clock = steppingClock();
        const pacer = new ArmPacer(clock, 16);
        pacer.observe("GET", "0");
        // Reads refill 25 a second: one token in 40 ms.
        (await pacer.acquire("GET", false, undefined))();
        expect(clock.elapsed()).toBe(40);
    });

    it("keeps Microsoft.Network writes to 1,000 in any 5 minutes, counted from each answer", async () => {
        const clock = steppingClock();
        const pacer = new ArmPacer(clock, 16);
        pacer.observe("POST", "200");
        let firstAnswer = -1;
        for (let i = 0; i < 1000; i++) {
            const release = await pacer.acquire("POST", true, undefined);
            if (i === 0) firstAnswer = clock.elapsed();
            release();
        }
        // ARM's bucket: 200 at once, then 800 at 10 a second.
        expect(clock.elapsed()).toBe(80_000);
        (await pacer.acquire("POST", true, undefined))();
        expect(clock.elapsed()).toBe(firstAnswer + 5 * 60 * 1000 + 1);
    });

    it("waits out a 429's Retry-After for every request", async () => {
        const clock = steppingClock();
        const pacer = new ArmPacer(clock, 16);
        pacer.throttled(7000);
        (await pacer.acquire("GET", false, undefined))();
        expect(clock.elapsed()).toBe(7000);
        expect(pacer.usage.throttled).toBe(1);
    });

    it("estimates the best time of n queries from the documented limits", () => {
        expect(pacedQueryDurationMs(0, 10_000)).toBe(0);
        expect(pacedQueryDurationMs(64, 10_000)).toBe(20_000);
        expect(pacedQueryDurationMs(1000, 10_000)).toBe(80_000 + 20_000);
        // 5,000 writes: five windows of 1,000, the last starting 20 minutes in.
        expect(pacedQueryDurationMs(5000, 10_000)).toBe(20 * 60_000 + 20_000);
    });
});
