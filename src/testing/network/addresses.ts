/** IPv4 helpers for the simulator's address assignment. */
import { ARM_ERROR_CODES, ArmError } from "../errors";

export interface Cidr {
    base: number;
    size: number;
}

export function ipv4ToNumber(ip: string): number | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip.trim());
    if (!m) return undefined;
    const octets = m.slice(1).map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    return ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
}

export function numberToIpv4(n: number): string {
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function parseCidr(owner: string, prefix: string): Cidr {
    const m = /^([\d.]+)\/(\d{1,2})$/.exec(prefix.trim());
    const base = m ? ipv4ToNumber(m[1]) : undefined;
    const bits = m ? Number(m[2]) : NaN;
    if (base === undefined || !(bits >= 8 && bits <= 29)) {
        throw new ArmError(
            ARM_ERROR_CODES.invalidAddressPrefix,
            400,
            `${owner}: address prefix ${JSON.stringify(prefix)} is not valid: allowed is an IPv4 CIDR from /8 to /29, e.g. "10.0.1.0/24".`,
        );
    }
    const size = 2 ** (32 - bits);
    return { base: base - (base % size), size };
}

/** Azure reserves the first four addresses and the last one of every subnet. */
export const FIRST_HOST_OFFSET = 4;

/** Public IPs come from 203.0.113.0/24 (TEST-NET-3, reserved for documentation). */
export const PUBLIC_IP_BASE = ipv4ToNumber("203.0.113.0") as number;

/** Implicit address space of ipConfigurations that name no subnet. */
export const IMPLICIT_SUBNET: Cidr = { base: ipv4ToNumber("172.16.0.0") as number, size: 65536 };
