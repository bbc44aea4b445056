import { readFileSync } from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocatePorts } from "./allocation";
import { NatRuleValidationError } from "./errors";
import {
    MIGRATED_BACKEND_POOL_PREFIX,
    MIGRATED_RULE_PREFIX,
    natPoolToRule,
    planNatPoolMigration,
    readInboundNatPool,
    readScaleSet,
    type NatPoolScaleSet,
} from "./migration";
import { scaleSetDemand } from "./range";

const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(__dirname, "..", "..", "test", "fixtures", name), "utf8"));

const LB = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
const FRONTEND = `${LB}/frontendIPConfigurations/fe`;

/** An inbound NAT pool as azure-native's LoadBalancer args declare it. */
const nativePool = {
    name: "ssh",
    frontendIPConfiguration: { id: FRONTEND },
    protocol: "Tcp",
    frontendPortRangeStart: 50000,
    frontendPortRangeEnd: 50119,
    backendPort: 22,
    idleTimeoutInMinutes: 15,
    enableFloatingIP: false,
    enableTcpReset: true,
};

const codes = (warnings: { code: string }[]): string[] => warnings.map((w) => w.code);

describe("natPoolToRule", () => {
    it("copies the pool 1:1 (range end included) onto a rule named like Microsoft's script", () => {
        const { rule } = natPoolToRule(nativePool, [{ name: "vmss", capacity: 2, overprovision: false, upgradePolicyMode: "Manual" }]);
        expect(rule).toEqual({
            name: `${MIGRATED_RULE_PREFIX}ssh`,
            backendPoolName: `${MIGRATED_BACKEND_POOL_PREFIX}ssh`,
            backendAddressPoolId: `${LB}/backendAddressPools/${MIGRATED_BACKEND_POOL_PREFIX}ssh`,
            loadBalancerId: LB,
            frontendIPConfigurationId: nativePool.frontendIPConfiguration.id,
            protocol: nativePool.protocol,
            frontendPortRangeStart: nativePool.frontendPortRangeStart,
            frontendPortRangeEnd: nativePool.frontendPortRangeEnd,
            backendPort: nativePool.backendPort,
            idleTimeoutInMinutes: nativePool.idleTimeoutInMinutes,
            enableFloatingIP: nativePool.enableFloatingIP,
            enableTcpReset: nativePool.enableTcpReset,
        });
    });

    it("reads the same pool from ARM's nested JSON and from az's flattened, differently cased JSON", () => {
        const arm = {
            name: "ssh",
            id: `${LB}/inboundNatPools/ssh`,
            properties: { ...nativePool, name: undefined, frontendIPConfiguration: { id: FRONTEND } },
        };
        const az = {
            name: "ssh",
            id: `${LB}/inboundNatPools/ssh`,
            frontendIpConfiguration: { id: FRONTEND, resourceGroup: "rg" },
            protocol: "tcp",
            frontendPortRangeStart: 50000,
            frontendPortRangeEnd: 50119,
            backendPort: 22,
            idleTimeoutInMinutes: 15,
            enableFloatingIp: false,
            enableTcpReset: true,
        };
        const fromNative = natPoolToRule(nativePool).rule;
        expect(natPoolToRule(arm).rule).toEqual(fromNative);
        expect(natPoolToRule(az).rule).toEqual(fromNative);
    });

    it("takes names and the backend pool id when given", () => {
        const { rule } = natPoolToRule(nativePool, [], { ruleName: "ssh-v2", backendPoolName: "web", backendAddressPoolId: "pool-id" });
        expect([rule.name, rule.backendPoolName, rule.backendAddressPoolId]).toEqual(["ssh-v2", "web", "pool-id"]);
    });

    it("drops the idle timeout ARM echoes on a UDP pool, which a UDP rule must not carry", () => {
        const { rule, warnings } = natPoolToRule({ ...nativePool, protocol: "Udp", enableTcpReset: false }, []);
        expect(rule.idleTimeoutInMinutes).toBeUndefined();
        expect(rule.enableTcpReset).toBeUndefined();
        expect(codes(warnings)).not.toContain("RuleInvalid");
    });

    it("warns when the range is too small for the demand, ×2 while overprovisioning", () => {
        const pool = { ...nativePool, frontendPortRangeEnd: 50009 }; // 10 ports
        for (const scaleSet of [
            { name: "a", capacity: 6, upgradePolicyMode: "Manual" },
            { name: "a", capacity: 6, overprovision: true, upgradePolicyMode: "Manual" },
            { name: "a", capacity: 6, overprovision: false, upgradePolicyMode: "Manual" },
            { name: "a", capacity: 11, overprovision: false, upgradePolicyMode: "Manual" },
        ] satisfies NatPoolScaleSet[]) {
            const migration = natPoolToRule(pool, [scaleSet]);
            const demand = scaleSetDemand(scaleSet.capacity, scaleSet.overprovision);
            expect(migration.demand).toBe(demand);
            expect(codes(migration.warnings).includes("RangeTooSmall")).toBe(demand > 10);
        }
        const message = natPoolToRule(pool, [{ name: "a", capacity: 6, upgradePolicyMode: "Manual" }]).warnings.find((w) => w.code === "RangeTooSmall")!.message;
        expect(message).toMatch(/50000-50009 holds 10 ports, but its scale sets need 12 .*a: capacity 6 × 2 while overprovisioning is on/);
        expect(message).toMatch(/end the rule's range at 50011/);
    });

    it("warns about a Rolling upgrade policy, and about an unknown one, but not about Manual or Automatic", () => {
        const warned = (mode: string | undefined): string[] =>
            codes(natPoolToRule(nativePool, [{ name: "a", capacity: 1, overprovision: false, upgradePolicyMode: mode }]).warnings);
        expect(warned("Rolling")).toContain("RollingUpgradePolicy");
        expect(warned("rolling")).toContain("RollingUpgradePolicy");
        expect(warned(undefined)).toContain("UpgradePolicyUnknown");
        for (const mode of ["Manual", "Automatic"]) expect(warned(mode)).toEqual([]);
    });

    it("keeps one scale set's ports: sequential by instance id before and after", () => {
        const migration = natPoolToRule(nativePool, [{ name: "a", instanceIds: ["3", "0", "10", "1"], capacity: 4, overprovision: false, upgradePolicyMode: "Manual" }]);
        const expected = allocatePorts({ rule: "r", range: { start: 50000, end: 50119, capacity: 120 }, instances: ["0", "1", "3", "10"] });
        expect(migration.ports.map((p) => [p.instance, p.before, p.after])).toEqual(expected.map((a) => [a.instance, a.frontendPort, a.frontendPort]));
        expect(migration.ports.every((p) => !p.changed && p.beforeSource === "model")).toBe(true);
        expect(codes(migration.warnings)).not.toContain("PortsChange");
    });

    it("shows which ports change when two scale sets share a pool (interleaved before, one after another after)", () => {
        const scaleSets: NatPoolScaleSet[] = [
            { name: "a", capacity: 2, overprovision: false, upgradePolicyMode: "Manual" },
            { name: "b", capacity: 2, overprovision: false, upgradePolicyMode: "Manual" },
        ];
        const migration = natPoolToRule(nativePool, scaleSets);
        const start = nativePool.frontendPortRangeStart;
        expect(migration.ports.map((p) => `${p.scaleSet}/${p.instance}:${p.before}->${p.after}`)).toEqual([
            `a/0:${start}->${start}`,
            `a/1:${start + 2}->${start + 1}`,
            `b/0:${start + 1}->${start + 2}`,
            `b/1:${start + 3}->${start + 3}`,
        ]);
        const warning = migration.warnings.find((w) => w.code === "PortsChange")!;
        expect(warning.message).toMatch(/2 of 4 instances get another frontend port/);
        expect(warning.message).toContain(`a/1 ${start + 2} → ${start + 1}`);
    });

    it("uses observed ports for 'before' and marks them as Azure's", () => {
        const migration = natPoolToRule(nativePool, [{ name: "a", instanceIds: ["0", "1", "3"], capacity: 3, overprovision: false, upgradePolicyMode: "Manual" }], {
            observedPorts: [
                { scaleSet: "a", instance: "0", frontendPort: 50000 },
                { scaleSet: "a", instance: "1", frontendPort: 50001 },
                { scaleSet: "a", instance: "3", frontendPort: 50003 },
            ],
        });
        expect(migration.ports.map((p) => [p.instance, p.before, p.after, p.beforeSource, p.changed])).toEqual([
            ["0", 50000, 50000, "azure", false],
            ["1", 50001, 50001, "azure", false],
            ["3", 50003, 50002, "azure", true],
        ]);
    });

    it("gives no port 'after' to instances the range cannot serve", () => {
        const migration = natPoolToRule({ ...nativePool, frontendPortRangeEnd: 50001 }, [{ name: "a", capacity: 3, overprovision: false, upgradePolicyMode: "Manual" }]);
        expect(migration.ports.map((p) => p.after)).toEqual([50000, 50001, undefined]);
        expect(codes(migration.warnings)).toContain("RangeTooSmall");
    });

    it("warns when no scale set references the pool", () => {
        const migration = natPoolToRule(nativePool, []);
        expect(migration.ports).toEqual([]);
        expect(codes(migration.warnings)).toEqual(["NoScaleSet"]);
    });

    it("copies a pool range ending at 65535 as is, and warns that a rule refuses it", () => {
        const migration = natPoolToRule({ ...nativePool, frontendPortRangeStart: 65500, frontendPortRangeEnd: 65535 }, []);
        expect(migration.rule.frontendPortRangeEnd).toBe(65535);
        const warning = migration.warnings.find((w) => w.code === "RuleInvalid");
        expect(warning?.message).toMatch(/frontendPortRangeEnd = 65535: allowed is an integer from 1 to 65534/);
    });

    it("rejects a malformed pool, naming every bad field, its value and what is allowed", () => {
        let error: unknown;
        try {
            natPoolToRule({ name: "ssh", protocol: "Icmp", frontendPortRangeStart: 50100, frontendPortRangeEnd: 50000 }, [], { source: "lb.json" });
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(NatRuleValidationError);
        const e = error as NatRuleValidationError;
        expect(e.component).toBe("lb.json");
        expect(e.issues.map((i) => i.field)).toEqual([
            "natPool.frontendIPConfiguration.id",
            "natPool.protocol",
            "natPool.frontendPortRangeEnd",
            "natPool.backendPort",
        ]);
        expect(e.message).toMatch(/natPool.protocol = "Icmp": allowed is one of Tcp, Udp, All/);
        expect(() => readInboundNatPool("ssh")).toThrow(/natPool = "ssh": allowed is an object/);
    });

    it("ports after are distinct, inside the range, sequential per scale set, for any scale sets", () => {
        const scaleSet = fc.record({
            capacity: fc.integer({ min: 0, max: 12 }),
            overprovision: fc.boolean(),
        });
        fc.assert(
            fc.property(fc.array(scaleSet, { maxLength: 4 }), fc.integer({ min: 1, max: 40 }), (sets, size) => {
                const scaleSets = sets.map((s, i) => ({ name: `s${i}`, upgradePolicyMode: "Manual", ...s }));
                const pool = { ...nativePool, frontendPortRangeEnd: nativePool.frontendPortRangeStart + size - 1 };
                const migration = natPoolToRule(pool, scaleSets);
                const after = migration.ports.map((p) => p.after).filter((p): p is number => p !== undefined);
                expect(new Set(after).size).toBe(after.length);
                expect(after.every((p) => p >= pool.frontendPortRangeStart && p <= pool.frontendPortRangeEnd)).toBe(true);
                // Sequential from the start, scale set after scale set, until the range runs out.
                expect(after).toEqual(after.map((_, i) => pool.frontendPortRangeStart + i));
                expect(after.length).toBe(Math.min(size, migration.ports.length));
                const demand = scaleSets.reduce((n, s) => n + scaleSetDemand(s.capacity, s.overprovision), 0);
                expect(codes(migration.warnings).includes("RangeTooSmall")).toBe(demand > size);
            }),
            { numRuns: 200 },
        );
    });
});

describe("readScaleSet", () => {
    it("reads capacity, overprovision, upgrade policy and the NAT pools a scale set references", () => {
        const scaleSet = readScaleSet(fixture("vmss-web.json"));
        expect(scaleSet).toMatchObject({ name: "web-vmss", capacity: 3, overprovision: true, upgradePolicyMode: "Manual" });
        expect(scaleSet.natPoolIds).toHaveLength(1);
        expect(scaleSet.natPoolIds![0]).toMatch(/\/inboundNatPools\/ssh$/);
    });
});

describe("planNatPoolMigration", () => {
    it("plans each pool of a load balancer with the scale sets that reference it", () => {
        const plan = planNatPoolMigration(fixture("lb-one-nat-pool.json"), { scaleSets: [fixture("vmss-web.json")] });
        expect(plan.loadBalancer).toMatchObject({ name: "natpool-lb", sku: "Standard" });
        expect(plan.migrations).toHaveLength(1);
        const [migration] = plan.migrations;
        expect(migration.scaleSets).toEqual(["web-vmss"]);
        expect(migration.rule.backendAddressPoolId).toBe(`${plan.loadBalancer.id}/backendAddressPools/be_migrated_ssh`);
        // capacity 3 × 2 overprovisioning = 6 > 5 ports in 50000-50004
        expect(codes(plan.warnings)).toEqual(["RangeTooSmall"]);
    });

    it("takes the instances and real ports from the pools' per-instance NAT rules in az's output", () => {
        const plan = planNatPoolMigration(fixture("lb-two-nat-pools.json"));
        expect(plan.migrations.map((m) => m.rule.name)).toEqual(["natrule_migrated_ssh", "natrule_migrated_dns"]);
        const ssh = plan.migrations[0];
        expect(ssh.scaleSets).toEqual(["game-vmss"]);
        expect(ssh.ports.map((p) => [p.instance, p.before, p.after, p.beforeSource])).toEqual([
            ["0", 50000, 50000, "azure"],
            ["1", 50001, 50001, "azure"],
            ["3", 50003, 50002, "azure"],
        ]);
        expect(codes(ssh.warnings)).toEqual(expect.arrayContaining(["CapacityUnknown", "UpgradePolicyUnknown", "PortsChange"]));
        expect(codes(plan.migrations[1].warnings)).not.toContain("PortsChange");
    });

    it("has nothing to migrate on a load balancer without pools", () => {
        const plan = planNatPoolMigration(fixture("lb-no-nat-pools.json"));
        expect(plan.migrations).toEqual([]);
        expect(plan.warnings).toEqual([]);
    });

    it("warns about a Basic load balancer and taken names", () => {
        const lb = fixture("lb-one-nat-pool.json") as { sku: { name: string }; properties: { backendAddressPools: { name: string }[] } };
        lb.sku.name = "Basic";
        lb.properties.backendAddressPools.push({ name: "be_migrated_ssh" });
        const plan = planNatPoolMigration(lb, { scaleSets: [fixture("vmss-web.json")] });
        expect(codes(plan.warnings)).toEqual(expect.arrayContaining(["NotStandardSku", "NameTaken"]));
    });

    it("rejects what is not a load balancer, and a pool with bad fields, naming the source", () => {
        expect(() => planNatPoolMigration([], { source: "x.json" })).toThrow(/x.json: 1 invalid argument:.*allowed is one load balancer object/s);
        expect(() => planNatPoolMigration({ foo: 1 }, { source: "x.json" })).toThrow(/allowed is a load balancer/);
        expect(() => planNatPoolMigration(fixture("lb-invalid-nat-pool.json"), { source: "bad.json" })).toThrow(
            /bad.json: 2 invalid arguments:[\s\S]*inboundNatPools\[0\].frontendPortRangeEnd = 50000: allowed is at least frontendPortRangeStart \(50100\)[\s\S]*inboundNatPools\[0\].backendPort = undefined/,
        );
    });
});
