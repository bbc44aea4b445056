/**
 * Saving the state after each acknowledged write: the whole state goes to a temporary file beside the
 * target, is flushed to disk (fsync), and renamed over the target, then the directory is flushed, all
 * before the answer is sent. A server killed at any point leaves either the old or the new state, and
 * never loses a write it acknowledged.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export function saveStateDurably(file: string, state: unknown): void {
    const dir = dirname(file);
    const temporary = join(dir, `.${basename(file)}.${process.pid}.tmp`);
    const text = JSON.stringify(state);
    const fd = openSync(temporary, "w");
    try {
        writeSync(fd, text);
        fsyncSync(fd);
    } finally {
        closeSync(fd);
    }
    try {
        renameSync(temporary, file);
    } catch (err) {
        rmSync(temporary, { force: true });
        throw err;
    }
    // The rename itself is durable once the directory is flushed (not possible on every platform).
    try {
        const dirFd = openSync(dir, "r");
        try {
            fsyncSync(dirFd);
        } finally {
            closeSync(dirFd);
        }
    } catch {
        // Windows cannot open a directory; the rename is still atomic there.
    }
}
