/**
 * Client-side pacing under Azure's documented request limits, so a lookup spends its requests
 * without being answered 429: a model of Resource Manager's token buckets, corrected by the
 * remaining-requests headers of every answer, plus Microsoft.Network's 5-minute windows.
 *
 * Limits (learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling):
 * subscription reads 250, refill 25/s; writes 200, refill 10/s; deletes 200, refill 10/s (per principal);
 * Microsoft.Network: write / delete 1000 per 5 minutes, read 10000 per 5 minutes.
 */

/** Time as the lookup sees it; injectable so a simulation of minutes runs in seconds. */
export interface LookupClock {
    now(): number;
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
    /** A simulated clock stands still while a request is on the wire (see the simulator's virtualClock). */
    hold?(): () => void;
}

export const realClock: LookupClock = {
    now: () => Date.now(),
    sleep: (ms, signal) => sleepFor(ms, signal),
};

export type RequestKind = "reads" | "writes";

/** Resource Manager counts by HTTP method: GET/HEAD are reads, everything else draws on writes (DELETE on deletes, paced as writes here). */
export function requestKindOf(method: string): RequestKind {
    const m = method.toUpperCase();
    return m === "GET" || m === "HEAD" ? "reads" : "writes";
}

interface Bucket {
    capacity: number;
    refillPerSecond: number;
    tokens: number;
    at: number;
}

interface Window {
    limit: number;
    windowMs: number;
    /** When each request's answer came (Infinity while in flight): Azure counts it on arrival, which is no earlier. */
    sent: { at: number }[];
}

const ARM_BUCKETS: Record<RequestKind, { capacity: number; refillPerSecond: number }> = {
    reads: { capacity: 250, refillPerSecond: 25 },
    writes: { capacity: 200, refillPerSecond: 10 },
};
/** How soon to look again when the window is full of requests still unanswered. */
const IN_FLIGHT_RECHECK_MS = 50;
const NETWORK_WINDOWS: Record<RequestKind, { limit: number; windowMs: number }> = {
    reads: { limit: 10_000, windowMs: 5 * 60 * 1000 },
    writes: { limit: 1000, windowMs: 5 * 60 * 1000 },
};

/** Requests and writes spent, and the 429s met. */
export interface ArmUsage {
    armRequests: number;
    armWrites: number;
    throttled: number;
}

export class ArmPacer {
    private readonly buckets: Record<RequestKind, Bucket>;
    private readonly windows: Record<RequestKind, Window>;
    private pausedUntil = 0;
    /** One waiter per kind at a time, in order: thousands of queued members must not all wake on every token. */
    private readonly gates: Record<RequestKind, Promise<void>> = { reads: Promise.resolve(), writes: Promise.resolve() };
    /** Requests waiting for a slot; polls of started queries go before new queries, so started work finishes first. */
    private readonly waiting: Record<RequestKind, (() => void)[]> = { reads: [], writes: [] };
    private inFlight = 0;
    /** Whether the endpoint throttles as Azure does: it says so with remaining-requests headers (a simulator without throttling sends none). */
    private limited = false;
    readonly usage: ArmUsage = { armRequests: 0, armWrites: 0, throttled: 0 };

    constructor(
        private readonly clock: LookupClock,
        private readonly maxInFlight: number,
    ) {
        const now = clock.now();
        this.buckets = {
            reads: { ...ARM_BUCKETS.reads, tokens: ARM_BUCKETS.reads.capacity, at: now },
            writes: { ...ARM_BUCKETS.writes, tokens: ARM_BUCKETS.writes.capacity, at: now },
        };
        this.windows = {
            reads: { ...NETWORK_WINDOWS.reads, sent: [] },
            writes: { ...NETWORK_WINDOWS.writes, sent: [] },
        };
    }

    private refill(bucket: Bucket): void {
        const now = this.clock.now();
        if (now > bucket.at) {
            bucket.tokens = Math.min(bucket.capacity, bucket.tokens + ((now - bucket.at) / 1000) * bucket.refillPerSecond);
            bucket.at = now;
        }
    }

    /** Milliseconds until a request of this kind fits every limit (0: now). */
    private waitFor(kind: RequestKind, networkRequest: boolean): number {
        if (!this.limited) return Math.max(0, this.pausedUntil - this.clock.now());
        const now = this.clock.now();
        const bucket = this.buckets[kind];
        this.refill(bucket);
        let wait = Math.max(0, this.pausedUntil - now);
        if (bucket.tokens < 1) wait = Math.max(wait, ((1 - bucket.tokens) / bucket.refillPerSecond) * 1000);
        if (networkRequest) {
            const window = this.windows[kind];
            while (window.sent.length > 0 && window.sent[0].at <= now - window.windowMs) window.sent.shift();
            if (window.sent.length >= window.limit) {
                const oldest = window.sent[0].at;
                wait = Math.max(wait, Number.isFinite(oldest) ? oldest + window.windowMs - now + 1 : IN_FLIGHT_RECHECK_MS);
            }
        }
        return wait;
    }

    /** Waits until a request fits the limits (once the endpoint has shown it has them) and a slot is free, then counts it as sent. */
    async acquire(method: string, networkRequest: boolean, signal: AbortSignal | undefined): Promise<() => void> {
        const kind = requestKindOf(method);
        let entry: { at: number } | undefined;
        const previous = this.gates[kind];
        let open!: () => void;
        this.gates[kind] = new Promise<void>((resolve) => (open = resolve));
        try {
            await previous;
            for (;;) {
                const wait = this.waitFor(kind, networkRequest);
                if (wait <= 0) break;
                await this.clock.sleep(Math.ceil(wait), signal);
            }
            this.buckets[kind].tokens -= 1;
            if (networkRequest) {
                entry = { at: Infinity };
                this.windows[kind].sent.push(entry);
            }
        } finally {
            open();
        }
        while (this.inFlight >= this.maxInFlight) {
            await new Promise<void>((resolve) => this.waiting[kind].push(resolve));
        }
        this.inFlight++;
        const unhold = this.clock.hold?.();
        this.usage.armRequests++;
        if (kind === "writes") this.usage.armWrites++;
        let released = false;
        return () => {
            if (released) return;
            released = true;
            if (entry) entry.at = this.clock.now();
            unhold?.();
            this.inFlight--;
            (this.waiting.reads.shift() ?? this.waiting.writes.shift())?.();
        };
    }

    /** Azure's word on what remains is better than the model: other clients spend the same buckets. */
    observe(method: string, remainingHeader: string | undefined): void {
        const remaining = remainingHeader === undefined ? NaN : Number(remainingHeader);
        if (!Number.isFinite(remaining)) return;
        this.limited = true;
        const bucket = this.buckets[requestKindOf(method)];
        this.refill(bucket);
        bucket.tokens = Math.min(bucket.tokens, remaining);
    }

    /** A 429: nothing more goes out until Retry-After has passed. */
    throttled(retryAfterMs: number): void {
        this.usage.throttled++;
        this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + retryAfterMs);
    }
}

/**
 * How long the documented limits make `queries` port-mapping queries take at best, in ms: one write each
 * (ARM: 200 at once, then 10 a second; Microsoft.Network: 1,000 per 5 minutes), plus the polls' Retry-After.
 */
export function pacedQueryDurationMs(queries: number, retryAfterMs: number): number {
    if (queries <= 0) return 0;
    const armMs = (Math.max(0, queries - ARM_BUCKETS.writes.capacity) / ARM_BUCKETS.writes.refillPerSecond) * 1000;
    const networkMs = Math.floor((queries - 1) / NETWORK_WINDOWS.writes.limit) * NETWORK_WINDOWS.writes.windowMs;
    return Math.max(armMs, networkMs) + 2 * retryAfterMs;
}

function sleepFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? abortError());
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
        const onAbort = (): void => {
            clearTimeout(timer);
            reject(signal?.reason ?? abortError());
        };
        const timer = setTimeout(() => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
        }, ms);
        signal?.addEventListener("abort", onAbort, { once: true });
    });
}

export function abortError(): Error {
    const error = new Error("lookupPortMappings: aborted");
    error.name = "AbortError";
    return error;
}
