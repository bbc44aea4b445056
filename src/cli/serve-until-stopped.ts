/**
 * The life of a server the CLI keeps running (`local-arm`): its `--pid-file` checked and written
 * before it listens, announced once listening, closed on the first SIGINT or SIGTERM, and closed
 * (with a non-zero exit) when anything fails after it started listening. A server is never left
 * running behind an error.
 */
import { existsSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { AzureNatRulesError } from "../core/errors";

/** A pid file written aside before the server listens, and put in place once it does. */
export interface PidFile {
    /** Moves the written file into place (a reader never sees a partly written one). */
    publish(): void;
    /** Removes what this process wrote: the unpublished copy, or the published file (never another process's). */
    remove(): void;
}

/**
 * Checks `--pid-file` and writes this process's id next to it, before the server listens, so a
 * path that cannot be written fails before any port is taken. `command` names the command in errors.
 */
export function preparePidFile(command: string, file: string): PidFile {
    const dir = path.dirname(path.resolve(file));
    const fail = (why: string, fix: string): never => {
        throw new AzureNatRulesError(`${command}: --pid-file ${JSON.stringify(file)} cannot be written: ${why}. Fix: ${fix}. Nothing was started.`);
    };
    if (!existsSync(dir)) fail(`its directory ${dir} does not exist`, `create it first (mkdir -p ${JSON.stringify(dir)}), or pass a file in an existing directory`);
    if (!statSync(dir).isDirectory()) fail(`${dir} is not a directory`, "pass a file in a directory");
    if (existsSync(file) && statSync(file).isDirectory()) fail("it is a directory", `pass a file name, e.g. --pid-file ${JSON.stringify(path.join(file, `${command}.pid`))}`);
    const pending = `${file}.${process.pid}.tmp`;
    try {
        writeFileSync(pending, `${process.pid}\n`);
    } catch (err) {
        fail((err as Error).message, "pass a file in a directory this user can write to");
    }
    let published = false;
    return {
        publish() {
            renameSync(pending, file);
            published = true;
        },
        remove() {
            rmSync(published ? file : pending, { force: true });
        },
    };
}

/**
 * Announces the listening `server`, then waits for the first SIGINT or SIGTERM and closes it.
 * If announcing fails, the server is closed too and the error is passed on, so the process
 * exits non-zero instead of serving on. `cleanup` runs once the server is closed, either way.
 */
export async function serveUntilStopped(server: { close(): Promise<void> }, announce: () => void, cleanup: () => void = () => undefined): Promise<void> {
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const onSignal = (): void => stop();
    // Listening before announcing: whoever reads the pid file or the endpoint line may signal at once.
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
        announce();
        await stopped;
    } finally {
        // A second signal while closing ends the process at once, as without handlers.
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        try {
            await server.close();
        } finally {
            cleanup();
        }
    }
}
