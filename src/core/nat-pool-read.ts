/** Reading and checking an inbound NAT pool and a scale set from their plain objects. */
import { armProperty, asArray, isObject, refId } from "./arm-json";
import { NatRuleValidationError, type ValidationIssue } from "./errors";
import { MAX_BACKEND_PORT, MAX_FRONTEND_PORT, MAX_IDLE_TIMEOUT_MINUTES, MIN_IDLE_TIMEOUT_MINUTES, MIN_PORT } from "./limits";
import { MAX_NAT_POOL_FRONTEND_PORT, type InboundNatPool, type NatPoolScaleSet } from "./migration-types";
import type { Protocol } from "./types";
import { normalizeProtocol, PROTOCOLS } from "./validation";

/** Issues of one integer field, in a NAT pool's own bounds. */
function integerIssue(issues: ValidationIssue[], field: string, value: unknown, min: number, max: number, required: boolean, fix: string): number | undefined {
    if (value === undefined) {
        if (required) issues.push({ field, value, allowed: `an integer from ${min} to ${max}`, fix });
        return undefined;
    }
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        issues.push({ field, value, allowed: `an integer from ${min} to ${max}`, fix });
        return undefined;
    }
    return value;
}

function booleanIssue(issues: ValidationIssue[], field: string, value: unknown): boolean | undefined {
    if (value === undefined || typeof value === "boolean") return value;
    issues.push({ field, value, allowed: "true or false", fix: `set ${field} to true or false, or leave it out` });
    return undefined;
}

/**
 * Reads one inbound NAT pool: azure-native `InboundNatPoolArgs` (plain values), the ARM JSON of
 * `properties.inboundNatPools[]`, az's flattened form, or an `InboundNatPool`. Checks the pool's own bounds (which
 * differ from a rule's: the end may be 65535) and throws a `NatRuleValidationError` naming
 * `source` and every bad field under `path`.
 */
export function readInboundNatPool(value: unknown, source = "natPoolToRule", path = "natPool"): InboundNatPool {
    if (!isObject(value)) {
        throw new NatRuleValidationError(source, [{ field: path, value, allowed: "an object with the inbound NAT pool's settings",
            fix: "pass one entry of the load balancer's inboundNatPools" }]);
    }
    const issues: ValidationIssue[] = [];
    const at = (field: string): string => `${path}.${field}`;
    const name = armProperty(value, "name");
    if (typeof name !== "string" || name.trim() === "") {
        issues.push({ field: at("name"), value: name, allowed: "a non-empty string", fix: "give the pool's name as Azure shows it" });
    }
    const id = armProperty(value, "id");
    // `frontendIPConfigurationId`: an already read `InboundNatPool` reads as itself.
    const frontendId = refId(armProperty(value, "frontendIPConfiguration")) ?? armProperty(value, "frontendIPConfigurationId");
    if (typeof frontendId !== "string" || frontendId.trim() === "") {
        issues.push({ field: at("frontendIPConfiguration.id"), value: frontendId, allowed: "the ARM id of one of the load balancer's frontend IP configurations",
            fix: "set frontendIPConfiguration: { id } as the pool has it" });
    }
    const rawProtocol = armProperty(value, "protocol");
    const protocol = normalizeProtocol(rawProtocol);
    if (!protocol) {
        issues.push({ field: at("protocol"), value: rawProtocol, allowed: `one of ${PROTOCOLS.join(", ")}`, fix: "copy the pool's protocol" });
    }
    const start = integerIssue(issues, at("frontendPortRangeStart"), armProperty(value, "frontendPortRangeStart"), MIN_PORT, MAX_FRONTEND_PORT, true,
        "copy the pool's first frontend port");
    const end = integerIssue(issues, at("frontendPortRangeEnd"), armProperty(value, "frontendPortRangeEnd"), MIN_PORT, MAX_NAT_POOL_FRONTEND_PORT, true,
        "copy the pool's last frontend port");
    if (start !== undefined && end !== undefined && end < start) {
        issues.push({ field: at("frontendPortRangeEnd"), value: end, allowed: `at least frontendPortRangeStart (${start})`, fix: "copy the pool's range as Azure shows it" });
    }
    const backendPort = integerIssue(issues, at("backendPort"), armProperty(value, "backendPort"), MIN_PORT, MAX_BACKEND_PORT, true,
        "copy the port the instances listen on");
    const idle = integerIssue(issues, at("idleTimeoutInMinutes"), armProperty(value, "idleTimeoutInMinutes"), MIN_IDLE_TIMEOUT_MINUTES, MAX_IDLE_TIMEOUT_MINUTES, false,
        `use ${MIN_IDLE_TIMEOUT_MINUTES}-${MAX_IDLE_TIMEOUT_MINUTES}, or leave it out`);
    const floating = booleanIssue(issues, at("enableFloatingIP"), armProperty(value, "enableFloatingIP"));
    const tcpReset = booleanIssue(issues, at("enableTcpReset"), armProperty(value, "enableTcpReset"));
    if (id !== undefined && typeof id !== "string") {
        issues.push({ field: at("id"), value: id, allowed: "an ARM id string", fix: "leave id out, or copy it as Azure shows it" });
    }
    if (issues.length > 0) throw new NatRuleValidationError(source, issues);
    return {
        name: name as string,
        ...(typeof id === "string" ? { id } : {}),
        frontendIPConfigurationId: frontendId as string,
        protocol: protocol as Protocol,
        frontendPortRangeStart: start as number,
        frontendPortRangeEnd: end as number,
        backendPort: backendPort as number,
        // UDP has no idle timeout or TCP reset; ARM still echoes the defaults on a UDP pool, and the rule must not carry them.
        ...(idle !== undefined && protocol !== "Udp" ? { idleTimeoutInMinutes: idle } : {}),
        ...(floating !== undefined ? { enableFloatingIP: floating } : {}),
        ...(tcpReset !== undefined && !(protocol === "Udp" && tcpReset === false) ? { enableTcpReset: tcpReset } : {}),
    };
}

/**
 * Reads a scale set from its ARM JSON (`az vmss show`, or a GET): name, id, capacity,
 * overprovision, upgrade policy and the NAT pools its network profile references.
 */
export function readScaleSet(value: unknown, source = "readScaleSet", path = "scaleSet"): NatPoolScaleSet {
    const name = armProperty(value, "name");
    if (!isObject(value) || typeof name !== "string" || name === "") {
        throw new NatRuleValidationError(source, [{ field: `${path}.name`, value: isObject(value) ? name : value,
            allowed: "a scale set object with a name", fix: "pass the JSON of a scale set, as `az vmss show` prints it" }]);
    }
    const id = armProperty(value, "id");
    const capacity = armProperty(armProperty(value, "sku"), "capacity");
    const overprovision = armProperty(value, "overprovision");
    const mode = armProperty(armProperty(value, "upgradePolicy"), "mode");
    const natPoolIds: string[] = [];
    const profile = armProperty(armProperty(value, "virtualMachineProfile"), "networkProfile");
    for (const nic of asArray(armProperty(profile, "networkInterfaceConfigurations"))) {
        for (const ip of asArray(armProperty(nic, "ipConfigurations"))) {
            for (const ref of asArray(armProperty(ip, "loadBalancerInboundNatPools"))) {
                const poolId = refId(ref);
                if (typeof poolId === "string") natPoolIds.push(poolId);
            }
        }
    }
    const issues: ValidationIssue[] = [];
    if (capacity !== undefined && (typeof capacity !== "number" || !Number.isInteger(capacity) || capacity < 0)) {
        issues.push({ field: `${path}.sku.capacity`, value: capacity, allowed: "a whole number", fix: "copy the scale set's sku.capacity" });
    }
    if (overprovision !== undefined && typeof overprovision !== "boolean") {
        issues.push({ field: `${path}.overprovision`, value: overprovision, allowed: "true or false", fix: "copy the scale set's overprovision" });
    }
    if (issues.length > 0) throw new NatRuleValidationError(source, issues);
    return {
        name,
        ...(typeof id === "string" ? { id } : {}),
        ...(typeof capacity === "number" ? { capacity } : {}),
        ...(typeof overprovision === "boolean" ? { overprovision } : {}),
        ...(typeof mode === "string" ? { upgradePolicyMode: mode } : {}),
        natPoolIds,
    };
}
