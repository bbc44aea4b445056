/** Progress of a live lookup on stderr, shared by `mappings`, `ssh-config`, `inventory` and `ssh`. */

/** Pools at least this big show progress on stderr. */
const PROGRESS_MIN_MEMBERS = 50;
/** Without a terminal, one progress line per this many members. */
const PROGRESS_LINE_EVERY = 1000;

export interface LookupProgress {
    /** lookupPortMappings' onProgress. */
    update(done: number, total: number, usage: { armRequests: number; armWrites: number }): void;
    /** Ends a live line. */
    finish(): void;
}

/** A live line on a terminal, else one line every PROGRESS_LINE_EVERY members and at the end; `command` starts each line. */
export function lookupProgress(command: string): LookupProgress {
    const live = process.stderr.isTTY === true;
    let shown = false;
    return {
        update(done, total, usage) {
            if (total < PROGRESS_MIN_MEMBERS) return;
            const line = `${command}: queried ${done}/${total} pool members (${usage.armRequests} ARM requests, ${usage.armWrites} writes)`;
            if (live) {
                process.stderr.write(`\r${line}`);
                shown = true;
            } else if (done % PROGRESS_LINE_EVERY === 0 || done === total) {
                process.stderr.write(`${line}\n`);
            }
        },
        finish() {
            if (shown) process.stderr.write("\n");
        },
    };
}
