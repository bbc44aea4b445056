import { isIPv4, isIPv6 } from "node:net";
import { NatRuleValidationError, type ValidationIssue } from "./errors";
import type { Protocol } from "./types";
import { normalizeProtocol, validateNatRule } from "./validation";

/** Lowest and highest priority of a user-defined NSG rule (Azure NSG docs). */
export const MIN_SECURITY_RULE_PRIORITY = 100;
export const MAX_SECURITY_RULE_PRIORITY = 4096;
/** Where the automatic priority search starts, and its step: leaves 100–999 for rules people write by hand. */
export const FIRST_AUTOMATIC_PRIORITY = 1000;
export const AUTOMATIC_PRIORITY_STEP = 10;

/** The NSG protocol: ARM spells "any protocol" `*` where a NAT rule says `All`. */
export type SecurityRuleProtocol = "Tcp" | "Udp" | "*";

export interface SecurityRuleRequest {
    /** The NSG rule name: 1–80 letters, digits, `_`, `.`, `-`, starting with a letter or digit. */
    name: string;
    /** The NAT rule's backend port: NSGs see traffic after the load balancer has translated it. */
    backendPort: number;
    /** Default `Tcp`. */
    protocol?: Protocol;
    /** CIDRs (v4 or v6), single IPs, service tags (`Internet`, `VirtualNetwork`, `AzureLoadBalancer`, ...) or `*`. */
    allowedSourceAddressPrefixes: readonly string[];
    /** Priorities other rules of the NSG already use; values outside 100–4096 (Azure's default rules) are ignored. */
    existingPriorities?: readonly number[];
    /** Use this priority; it must be free. */
    preferredPriority?: number;
}

/** An inbound allow rule in ARM's shape (`SecurityRule` properties), ready for an NSG. */
export interface PlannedSecurityRule {
    name: string;
    priority: number;
    direction: "Inbound";
    access: "Allow";
    protocol: SecurityRuleProtocol;
    sourceAddressPrefixes: string[];
    sourcePortRange: "*";
    destinationAddressPrefix: "*";
    destinationPortRange: string;
}

/** Azure's default service tags, in their canonical spelling, matched in any casing. */
const DEFAULT_SERVICE_TAGS = ["Internet", "VirtualNetwork", "AzureLoadBalancer", "AzureCloud", "AzureTrafficManager", "GatewayManager"];
/** Other service tags (`Storage`, `Sql.WestEurope`, ...) are many and change; we check their shape only. */
const SERVICE_TAG_SHAPE = /^[A-Z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*$/;
const NSG_RULE_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,78}[A-Za-z0-9_])?$/;

/**
 * Checks one source prefix and returns it in ARM's spelling, or an issue. Host bits in a CIDR
 * (`10.0.0.5/24`) are accepted, as Azure accepts them.
 */
function normalizePrefix(field: string, value: unknown): string | ValidationIssue {
    const allowed = 'a CIDR ("203.0.113.0/24", "2001:db8::/32"), a single IP, a service tag ("Internet", "VirtualNetwork", "AzureLoadBalancer") or "*"';
    const bad = (fix: string): ValidationIssue => ({ field, value, allowed, fix });
    if (typeof value !== "string" || value.trim() === "") return bad("give the address or network that may connect, e.g. \"203.0.113.7/32\"");
    const prefix = value.trim();
    if (prefix === "*") return prefix;
    if (prefix.toLowerCase() === "any") return bad('write "*" for any source (ARM has no "Any"), or better, list the addresses that need access');
    const tag = DEFAULT_SERVICE_TAGS.find((t) => t.toLowerCase() === prefix.toLowerCase());
    if (tag) return tag;
    const [address, length, ...rest] = prefix.split("/");
    if (rest.length === 0 && (isIPv4(address) || isIPv6(address))) {
        if (length === undefined) return prefix;
        const max = isIPv4(address) ? 32 : 128;
        if (/^\d{1,3}$/.test(length) && Number(length) <= max) return prefix;
        return bad(`use a prefix length from 0 to ${max} after the "/"`);
    }
    if (SERVICE_TAG_SHAPE.test(prefix)) return prefix;
    return bad("fix the address (e.g. \"203.0.113.7\" or \"203.0.113.0/24\") or the service tag's spelling");
}

function freePriority(taken: ReadonlySet<number>): number | undefined {
    for (let p = FIRST_AUTOMATIC_PRIORITY; p <= MAX_SECURITY_RULE_PRIORITY; p += AUTOMATIC_PRIORITY_STEP) if (!taken.has(p)) return p;
    for (let p = MIN_SECURITY_RULE_PRIORITY; p < FIRST_AUTOMATIC_PRIORITY; p += AUTOMATIC_PRIORITY_STEP) if (!taken.has(p)) return p;
    for (let p = MIN_SECURITY_RULE_PRIORITY; p <= MAX_SECURITY_RULE_PRIORITY; p++) if (!taken.has(p)) return p;
    return undefined;
}

/**
 * The NSG rule that lets `allowedSourceAddressPrefixes` reach a NAT rule's backend port (a Standard
 * load balancer is closed to inbound traffic until an NSG allows it).
 *
 * Priority: `preferredPriority` when given (it must be free); otherwise the lowest free one of 1000,
 * 1010, ..., 4090, then 100, 110, ..., 990, then any free integer from 100 to 4096. Deterministic, so
 * the same inputs give the same rule on every deployment.
 *
 * Throws `NatRuleValidationError` listing every problem.
 */
export function planSecurityRule(request: SecurityRuleRequest): PlannedSecurityRule {
    const component = `security rule ${JSON.stringify(request.name)}`;
    const issues: ValidationIssue[] = [];
    if (typeof request.name !== "string" || !NSG_RULE_NAME.test(request.name)) {
        issues.push({ field: "name", value: request.name,
            allowed: "1-80 letters, digits, underscores, periods or hyphens, starting with a letter or digit and ending with a letter, digit or underscore",
            fix: 'use a name such as "allow-ssh-50000"' });
    }
    for (const i of validateNatRule({ backendPort: request.backendPort, protocol: request.protocol, frontendPort: 1 })) issues.push(i);

    const prefixes: string[] = [];
    if (!Array.isArray(request.allowedSourceAddressPrefixes) || request.allowedSourceAddressPrefixes.length === 0) {
        issues.push({ field: "allowedSourceAddressPrefixes", value: request.allowedSourceAddressPrefixes,
            allowed: "at least one address prefix (an empty list would allow nothing)",
            fix: 'list who may connect, e.g. ["203.0.113.7/32"] for one admin address, or ["VirtualNetwork"] for the virtual network' });
    } else {
        request.allowedSourceAddressPrefixes.forEach((value, index) => {
            const result = normalizePrefix(`allowedSourceAddressPrefixes[${index}]`, value);
            if (typeof result !== "string") issues.push(result);
            else if (!prefixes.includes(result)) prefixes.push(result); // Azure rejects duplicate prefixes; drop repeats.
        });
    }

    const taken = new Set((request.existingPriorities ?? []).filter((p) => Number.isInteger(p)));
    let priority: number | undefined;
    const preferred = request.preferredPriority;
    if (preferred !== undefined) {
        const range = `an integer from ${MIN_SECURITY_RULE_PRIORITY} to ${MAX_SECURITY_RULE_PRIORITY}`;
        if (!Number.isInteger(preferred) || preferred < MIN_SECURITY_RULE_PRIORITY || preferred > MAX_SECURITY_RULE_PRIORITY) {
            issues.push({ field: "preferredPriority", value: preferred, allowed: range, fix: "pick a priority in that range, or leave it unset to get a free one" });
        } else if (taken.has(preferred)) {
            const free = freePriority(taken);
            issues.push({ field: "preferredPriority", value: preferred, allowed: `${range} that no other rule of the NSG uses`,
                fix: free === undefined ? "free a priority in the NSG" : `use ${free} (free), or leave it unset to get a free one` });
        } else {
            priority = preferred;
        }
    } else {
        priority = freePriority(taken);
        if (priority === undefined) {
            issues.push({ field: "existingPriorities", value: `${taken.size} priorities`,
                allowed: `a free priority from ${MIN_SECURITY_RULE_PRIORITY} to ${MAX_SECURITY_RULE_PRIORITY}`,
                fix: "remove unused rules from the NSG" });
        }
    }
    if (issues.length > 0) throw new NatRuleValidationError(component, issues);

    const protocol = normalizeProtocol(request.protocol ?? "Tcp") as Protocol;
    return {
        name: request.name,
        priority: priority as number,
        direction: "Inbound",
        access: "Allow",
        protocol: protocol === "All" ? "*" : protocol,
        sourceAddressPrefixes: prefixes,
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: String(request.backendPort),
    };
}

/** Ports attackers scan for first, with what runs on them. */
export const MANAGEMENT_PORTS: Readonly<Record<number, string>> = { 22: "SSH", 3389: "RDP", 5985: "WinRM over HTTP", 5986: "WinRM over HTTPS" };

const OPEN_TO_ALL = new Set(["*", "internet", "any", "0.0.0.0/0", "::/0"]);

/**
 * Warnings for a management port opened to everyone (`*`, `Internet`, `Any`, `0.0.0.0/0`, `::/0`),
 * one per such prefix; none for other ports or narrower prefixes.
 */
export function managementPortWarnings(backendPort: number, prefixes: readonly string[]): string[] {
    const service = MANAGEMENT_PORTS[backendPort];
    if (!service) return [];
    return prefixes
        .filter((p) => typeof p === "string" && OPEN_TO_ALL.has(p.trim().toLowerCase()))
        .map((p) => `port ${backendPort} (${service}) is open to ${JSON.stringify(p)}, that is, to the whole internet, where it is scanned ` +
            `and brute-forced within minutes. Fix: allow only the addresses that need it (e.g. "203.0.113.7/32"), ` +
            `or reach the machines through Azure Bastion or a VPN.`);
}
