/**
 * Azure's request throttling as the simulated ARM endpoint applies it: Resource Manager's token
 * buckets per subscription and principal (and the subscription-wide global buckets), then
 * Microsoft.Network's own limits per subscription and region.
 *
 * Sources:
 * - learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
 *   ("Regional throttling and token bucket algorithm", 2024): subscription reads bucket 250, refill
 *   25/s; deletes 200, 10/s; writes 200, 10/s; "applied per subscription, per service principal, and
 *   per operation type"; a global subscription limit of 15 times the per-principal limit; answers carry
 *   x-ms-ratelimit-remaining-subscription-reads / -writes (and the -global- variants); an exceeded limit
 *   answers 429 with Retry-After.
 * - the same page, "Network throttling": Microsoft.Network allows write / delete 1000 per 5 minutes
 *   and read 10000 per 5 minutes; Resource Manager forwards to the provider "per region of the resource".
 */

/** The time source of the throttle, in milliseconds; injectable so a test can run minutes in milliseconds. */
export interface Clock {
    now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Resource Manager's operation types: it counts by HTTP method, so a POST action draws on writes. */
export type OperationType = "reads" | "writes" | "deletes";

export function operationTypeOf(method: string): OperationType {
    const m = method.toUpperCase();
    if (m === "GET" || m === "HEAD") return "reads";
    if (m === "DELETE") return "deletes";
    return "writes";
}

export interface BucketLimit {
    capacity: number;
    refillPerSecond: number;
}

export interface WindowLimit {
    limit: number;
    windowMs: number;
}

export interface ThrottlingLimits {
    /** Per subscription and principal (request-limits-and-throttling, token bucket table). */
    subscription: Record<OperationType, BucketLimit>;
    /** Across all principals of a subscription: this many times the per-principal limit. */
    globalMultiplier: number;
    /** Microsoft.Network's limits per subscription and region; deletes count with writes ("write / delete (PUT)"). */
    network: { writes: WindowLimit; reads: WindowLimit };
}

export const AZURE_THROTTLING_LIMITS: ThrottlingLimits = {
    subscription: {
        reads: { capacity: 250, refillPerSecond: 25 },
        writes: { capacity: 200, refillPerSecond: 10 },
        deletes: { capacity: 200, refillPerSecond: 10 },
    },
    globalMultiplier: 15,
    network: {
        writes: { limit: 1000, windowMs: 5 * 60 * 1000 },
        reads: { limit: 10_000, windowMs: 5 * 60 * 1000 },
    },
};

/** A token bucket: starts full, refills continuously at its rate, never above its capacity. */
export class TokenBucket {
    private tokens: number;
    private at: number;

    constructor(
        private readonly limit: BucketLimit,
        private readonly clock: Clock,
    ) {
        this.tokens = limit.capacity;
        this.at = clock.now();
    }

    private refill(): void {
        const now = this.clock.now();
        if (now > this.at) {
            this.tokens = Math.min(this.limit.capacity, this.tokens + ((now - this.at) / 1000) * this.limit.refillPerSecond);
            this.at = now;
        }
    }

    /** Whole tokens left. */
    remaining(): number {
        this.refill();
        return Math.floor(this.tokens);
    }

    take(): void {
        this.refill();
        this.tokens -= 1;
    }

    /** Milliseconds until one whole token is there (0 when one is). */
    msUntilToken(): number {
        this.refill();
        return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.limit.refillPerSecond) * 1000;
    }
}

/** At most `limit` requests in any `windowMs` (a sliding window). */
export class SlidingWindow {
    private readonly times: number[] = [];
    private head = 0;

    constructor(
        private readonly window: WindowLimit,
        private readonly clock: Clock,
    ) {}

    private expire(): void {
        const from = this.clock.now() - this.window.windowMs;
        while (this.head < this.times.length && this.times[this.head] <= from) this.head++;
        if (this.head > 4096 && this.head * 2 > this.times.length) {
            this.times.splice(0, this.head);
            this.head = 0;
        }
    }

    remaining(): number {
        this.expire();
        return this.window.limit - (this.times.length - this.head);
    }

    take(): void {
        this.expire();
        this.times.push(this.clock.now());
    }

    msUntilFree(): number {
        if (this.remaining() > 0) return 0;
        return this.times[this.head] + this.window.windowMs - this.clock.now();
    }
}

export interface ThrottleRequest {
    subscriptionId: string;
    /** Object id of the caller (the token's `oid`). */
    principalId: string;
    method: string;
    /** Region of the target resource, for Microsoft.Network requests; undefined for other providers. */
    networkRegion?: string;
}

export type ThrottleDecision =
    | { admitted: true; headers: Record<string, string> }
    | { admitted: false; status: 429; retryAfterSeconds: number; code: string; message: string; headers: Record<string, string> };

/** Decides, request by request, what Azure's throttling lets through. */
export class ArmThrottle {
    private readonly principalBuckets = new Map<string, TokenBucket>();
    private readonly globalBuckets = new Map<string, TokenBucket>();
    private readonly networkWindows = new Map<string, SlidingWindow>();

    constructor(
        private readonly clock: Clock = systemClock,
        private readonly limits: ThrottlingLimits = AZURE_THROTTLING_LIMITS,
    ) {}

    private bucket(map: Map<string, TokenBucket>, key: string, limit: BucketLimit): TokenBucket {
        let bucket = map.get(key);
        if (!bucket) {
            bucket = new TokenBucket(limit, this.clock);
            map.set(key, bucket);
        }
        return bucket;
    }

    admit(request: ThrottleRequest): ThrottleDecision {
        const type = operationTypeOf(request.method);
        const subscription = request.subscriptionId.toLowerCase();
        const limit = this.limits.subscription[type];
        const principal = this.bucket(this.principalBuckets, `${subscription}|${request.principalId.toLowerCase()}|${type}`, limit);
        const global = this.bucket(this.globalBuckets, `${subscription}|${type}`, {
            capacity: limit.capacity * this.limits.globalMultiplier,
            refillPerSecond: limit.refillPerSecond * this.limits.globalMultiplier,
        });
        const networkType = type === "reads" ? "reads" : "writes";
        const network =
            request.networkRegion === undefined
                ? undefined
                : this.window(`${subscription}|${request.networkRegion.toLowerCase()}|${networkType}`, this.limits.network[networkType]);

        const armWait = Math.max(principal.msUntilToken(), global.msUntilToken());
        if (armWait > 0) {
            const retryAfterSeconds = Math.max(1, Math.ceil(armWait / 1000));
            // Wording of ARM's 429 as recorded in public error output (e.g. "Number of 'read' requests for subscription '…' actor '…' exceeded. Please try again after '10' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling for additional information.").
            const singular = type.slice(0, -1);
            return {
                admitted: false,
                status: 429,
                retryAfterSeconds,
                code: "SubscriptionRequestsThrottled",
                message:
                    `Number of '${singular}' requests for subscription '${request.subscriptionId}' actor '${request.principalId}' exceeded. ` +
                    `Please try again after '${retryAfterSeconds}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling for additional information.`,
                headers: { "Retry-After": String(retryAfterSeconds), ...this.remainingHeaders(type, principal, global) },
            };
        }
        if (network && network.remaining() <= 0) {
            const retryAfterSeconds = Math.max(1, Math.ceil(network.msUntilFree() / 1000));
            const { limit: count, windowMs } = this.limits.network[networkType];
            // A provider's own limit answers ResourceRequestsThrottled, worded as recorded for other providers (Azure/azqr#34: "Number of requests for action '…' exceeded the limit of '50' for time interval '00:05:00'. Please try again after '372' seconds.").
            return {
                admitted: false,
                status: 429,
                retryAfterSeconds,
                code: "ResourceRequestsThrottled",
                message:
                    `Number of ${networkType === "reads" ? "read" : "write"} requests for Microsoft.Network in region '${request.networkRegion}' exceeded the limit of '${count}' ` +
                    `for time interval '${interval(windowMs)}'. Please try again after '${retryAfterSeconds}' seconds.`,
                headers: { "Retry-After": String(retryAfterSeconds) },
            };
        }
        principal.take();
        global.take();
        network?.take();
        return { admitted: true, headers: this.remainingHeaders(type, principal, global) };
    }

    private window(key: string, limit: WindowLimit): SlidingWindow {
        let window = this.networkWindows.get(key);
        if (!window) {
            window = new SlidingWindow(limit, this.clock);
            this.networkWindows.set(key, window);
        }
        return window;
    }

    private remainingHeaders(type: OperationType, principal: TokenBucket, global: TokenBucket): Record<string, string> {
        return {
            [`x-ms-ratelimit-remaining-subscription-${type}`]: String(Math.max(0, principal.remaining())),
            [`x-ms-ratelimit-remaining-subscription-global-${type}`]: String(Math.max(0, global.remaining())),
        };
    }
}

/** `00:05:00` for five minutes, as ARM writes time intervals. */
function interval(ms: number): string {
    const total = Math.round(ms / 1000);
    const pad = (n: number): string => String(n).padStart(2, "0");
    return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}

/** A clock for simulations: time passes only while every party is waiting. */
export interface SimulationClock extends Clock {
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
    /** Marks work in progress (a request on the wire); time stands still until it is released. */
    hold(): () => void;
}

/**
 * Virtual time for a lookup against the simulated endpoint: when nothing is held and the event loop
 * has settled, time jumps to the earliest sleeper's wake-up. Minutes of Azure's limits and Retry-After
 * pass in the time the requests themselves take, and the duration it reports is that of the waits.
 */
export function virtualClock(start = 1_700_000_000_000): SimulationClock {
    let now = start;
    let holds = 0;
    let scheduled = false;
    const sleepers: { wake: number; resolve: () => void }[] = [];
    const settleThenAdvance = (idleTicks: number): void => {
        setImmediate(() => {
            if (holds > 0 || sleepers.length === 0) {
                scheduled = false;
                return;
            }
            // Two quiet turns of the event loop: whatever a waking task starts has started.
            if (idleTicks < 2) return settleThenAdvance(idleTicks + 1);
            scheduled = false;
            sleepers.sort((a, b) => a.wake - b.wake);
            now = Math.max(now, sleepers[0].wake);
            while (sleepers.length > 0 && sleepers[0].wake <= now) sleepers.shift()?.resolve();
            schedule();
        });
    };
    const schedule = (): void => {
        if (scheduled || holds > 0 || sleepers.length === 0) return;
        scheduled = true;
        settleThenAdvance(0);
    };
    return {
        now: () => now,
        sleep(ms, signal) {
            if (signal?.aborted) return Promise.reject(signal.reason);
            if (ms <= 0) return Promise.resolve();
            return new Promise<void>((resolve, reject) => {
                const sleeper = {
                    wake: now + ms,
                    resolve: () => {
                        signal?.removeEventListener("abort", onAbort);
                        resolve();
                    },
                };
                const onAbort = (): void => {
                    const i = sleepers.indexOf(sleeper);
                    if (i >= 0) sleepers.splice(i, 1);
                    reject(signal?.reason);
                };
                signal?.addEventListener("abort", onAbort, { once: true });
                sleepers.push(sleeper);
                schedule();
            });
        },
        hold() {
            holds++;
            let released = false;
            return () => {
                if (released) return;
                released = true;
                holds--;
                schedule();
            };
        },
    };
}
