import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { preparePidFile, serveUntilStopped } from "./serve-until-stopped";

const dir = mkdtempSync(join(tmpdir(), "azure-nat-rules-serve-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("serveUntilStopped", () => {
    it("closes the listening server, runs the cleanup and passes the error on when announcing fails", async () => {
        const server = createServer();
        await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
        let cleaned = false;
        const signalListeners = process.listenerCount("SIGTERM");
        await expect(
            serveUntilStopped(
                { close: () => new Promise<void>((done) => server.close(() => done())) },
                () => {
                    throw new Error("stdout is gone");
                },
                () => (cleaned = true),
            ),
        ).rejects.toThrow("stdout is gone");
        expect(server.listening).toBe(false);
        expect(cleaned).toBe(true);
        // Its signal handlers are gone too: nothing would keep a failed process waiting for a signal.
        expect(process.listenerCount("SIGTERM")).toBe(signalListeners);
    });
});

describe("preparePidFile", () => {
    it("writes the pid aside before the server listens, and in place only when published", () => {
        const file = join(dir, "a.pid");
        const pid = preparePidFile("local-arm", file);
        expect(existsSync(file)).toBe(false);
        expect(readdirSync(dir)).toEqual([`a.pid.${process.pid}.tmp`]);
        pid.publish();
        expect(readFileSync(file, "utf8")).toBe(`${process.pid}\n`);
        expect(readdirSync(dir)).toEqual(["a.pid"]);
        pid.remove();
        expect(readdirSync(dir)).toEqual([]);
    });

    it("removing an unpublished one leaves an existing file of that name alone", () => {
        const file = join(dir, "b.pid");
        writeFileSync(file, "12345\n");
        preparePidFile("local-arm", file).remove();
        expect(readFileSync(file, "utf8")).toBe("12345\n");
        rmSync(file);
    });
});
