/**
 * ETags of the ARM endpoint. Microsoft.Network gives every resource a weak `W/"<guid>"` etag that
 * changes with each write, and every child (frontends, pools, rules) carries its parent's etag
 * (Azure/azure-cli network recordings: a load balancer and its children show one etag). A write
 * with `If-Match` naming another etag is refused 412 PreconditionFailed, as is `If-None-Match: *` on
 * an existing resource (RFC 9110 §13.1; ARM's conditional requests, learn.microsoft.com
 * "Optimistic concurrency" for Resource Manager).
 *
 * Until the first write through this endpoint, a resource's etag is the simulator's stable one.
 */
import { randomUUID } from "node:crypto";
import { etag as stableEtag } from "../arm-json";
import { ArmError } from "../errors";

type Json = Record<string, unknown>;

/** The top-level resource an id belongs to (a resource group, or `.../providers/{ns}/{type}/{name}`). */
export function topLevelIdOf(id: string): string {
    const segs = id.split("/").filter(Boolean);
    const providers = segs.findIndex((s) => s.toLowerCase() === "providers");
    const keep = providers >= 0 && providers + 4 <= segs.length ? providers + 4 : Math.min(segs.length, 4);
    return "/" + segs.slice(0, keep).join("/");
}

function sameEtag(a: string, b: string): boolean {
    const bare = (s: string): string => s.trim().replace(/^W\//, "");
    return bare(a) === bare(b);
}

export class EtagStore {
    private readonly current = new Map<string, string>();

    /** The etag of the top-level resource `id` belongs to. */
    of(id: string): string {
        const top = topLevelIdOf(id);
        return this.current.get(top.toLowerCase()) ?? stableEtag(top);
    }

    /** A new etag after a write (and after a delete, so an old etag never matches a re-created resource). */
    bump(id: string): void {
        this.current.set(topLevelIdOf(id).toLowerCase(), `W/"${randomUUID()}"`);
    }

    /** Every object of an answer that carries an `id` takes its resource's etag; single resources and list items get one if they lack it. */
    apply(body: unknown): unknown {
        const visit = (value: unknown, addIfMissing: boolean): void => {
            if (Array.isArray(value)) {
                for (const v of value) visit(v, false);
                return;
            }
            if (value === null || typeof value !== "object") return;
            const obj = value as Json;
            if (typeof obj.id === "string" && obj.id.startsWith("/subscriptions/") && (typeof obj.etag === "string" || addIfMissing)) obj.etag = this.of(obj.id);
            for (const [k, v] of Object.entries(obj)) {
                if (k === "value" && Array.isArray(v)) for (const item of v) visit(item, true);
                else if (v !== null && typeof v === "object") visit(v, false);
            }
        };
        visit(body, true);
        return body;
    }

    /**
     * The preconditions of a write on `id`: `If-Match` must name its current etag (or `*`, and the
     * resource must exist), `If-None-Match: *` only passes when it does not exist.
     */
    check(id: string, exists: boolean, ifMatch: string | undefined, ifNoneMatch: string | undefined): void {
        if (ifMatch !== undefined && ifMatch.trim() !== "") {
            const wanted = ifMatch.split(",").map((s) => s.trim());
            const ok = exists && (wanted.includes("*") || wanted.some((w) => sameEtag(w, this.of(id))));
            if (!ok) {
                throw new ArmError(
                    "PreconditionFailed",
                    412,
                    exists
                        ? `The condition specified using HTTP conditional header(s) is not met: If-Match ${ifMatch} does not match the current etag ${this.of(id)} of ${id}. Fix: GET the resource again and send its etag.`
                        : `The condition specified using HTTP conditional header(s) is not met: If-Match ${ifMatch} names an etag, but ${id} does not exist.`,
                );
            }
        }
        if (ifNoneMatch !== undefined && ifNoneMatch.trim() === "*" && exists) {
            throw new ArmError("PreconditionFailed", 412, `The condition specified using HTTP conditional header(s) is not met: If-None-Match * but ${id} already exists (etag ${this.of(id)}).`);
        }
    }
}
