/**
 * The scheme and host every URL the endpoint hands out is built on (Location, Azure-AsyncOperation,
 * nextLink, the metadata's endpoints): the client's own, so the same server answers correctly over
 * http, over TLS, and behind a TLS terminator.
 */
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";

function firstValue(header: string | string[] | undefined): string | undefined {
    const raw = Array.isArray(header) ? header[0] : header;
    const first = raw?.split(",")[0]?.trim();
    return first === undefined || first === "" ? undefined : first;
}

/**
 * `<scheme>://<host>` of a request: `X-Forwarded-Proto` / `X-Forwarded-Host` when a proxy set them,
 * else `https` on a TLS socket (`http` otherwise) and the `Host` header (the socket's address without one).
 */
export function baseUrlOf(req: IncomingMessage): string {
    const forwardedProto = firstValue(req.headers["x-forwarded-proto"])?.toLowerCase();
    const scheme = forwardedProto === "https" || forwardedProto === "http" ? forwardedProto : (req.socket as TLSSocket).encrypted ? "https" : "http";
    const host = firstValue(req.headers["x-forwarded-host"]) ?? firstValue(req.headers.host) ?? `${req.socket.localAddress ?? "127.0.0.1"}:${req.socket.localPort ?? 0}`;
    return `${scheme}://${host}`;
}

/** The whole request body as text. */
export function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        req.on("error", reject);
    });
}
