import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ArmError, SimulatorStateError } from "./errors";
import { AzureSimulator } from "./simulator";

const RG = "rg";
const SUB = "00000000-0000-0000-0000-000000000000";
const LB_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/loadBalancers/lb`;
const FE = { id: `${LB_ID}/frontendIPConfigurations/fe` };
const POOL = { id: `${LB_ID}/backendAddressPools/pool` };

interface Setup {
    capacity?: number;
    start?: number;
    end?: number;
    sku?: string;
}

/** Resource group, public IP, LB with frontend and pool, scale set `web` in the pool, V2 rule `ssh`. */
function standardSetup(options: Setup = {}): AzureSimulator {
    const sim = new AzureSimulator();
    sim.createResourceGroup({ resourceGroupName: RG, location: "westeurope" });
    const sku = options.sku ?? "Standard";
    const ip = sim.upsertPublicIPAddress({ resourceGroupName: RG, publicIpAddressName: "ip", sku: { name: sku } });
    sim.upsertLoadBalancer({
        resourceGroupName: RG,
        loadBalancerName: "lb",
        sku: { name: sku },
        frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip } }],
        backendAddressPools: [{ name: "pool" }],
    });
    addScaleSet(sim, "web", options.capacity ?? 3);
    sim.upsertInboundNatRule({
        resourceGroupName: RG,
        loadBalancerName: "lb",
        inboundNatRuleName: "ssh",
        frontendIPConfiguration: FE,
        backendAddressPool: POOL,
        frontendPortRangeStart: options.start ?? 50000,
        frontendPortRangeEnd: options.end ?? 50009,
        backendPort: 22,
        protocol: "Tcp",
    });
    return sim;
}

function addScaleSet(sim: AzureSimulator, name: string, capacity: number, natPools: { id: string }[] = []): string {
    return sim.upsertScaleSet({
        resourceGroupName: RG,
        vmScaleSetName: name,
        sku: { name: "Standard_B1s", capacity },
        overprovision: false,
        virtualMachineProfile: {
            networkProfile: {
                networkInterfaceConfigurations: [{
                    name: "nic",
                    ipConfigurations: [{
                        name: "ipconfig",
                        loadBalancerBackendAddressPools: natPools.length > 0 ? [] : [POOL],
                        loadBalancerInboundNatPools: natPools,
                    }],
                }],
            },
        },
    });
}

function ports(sim: AzureSimulator, rule = "ssh"): Record<string, number> {
    return Object.fromEntries(sim.portMappings(RG, "lb", { rule }).map((m) => [m.instance, m.frontendPort]));
}

/** Asserts `change` is rejected with `code` and leaves the simulator exactly as it was. */
function expectRejected(sim: AzureSimulator, change: () => unknown, code: string): ArmError {
    const before = sim.toJSON();
    let caught: unknown;
    try {
        change();
    } catch (err) {
        caught = err;
    }
    expect(caught, `expected ${code}`).toBeInstanceOf(ArmError);
    expect((caught as ArmError).code).toBe(code);
    expect(sim.toJSON()).toEqual(before);
    return caught as ArmError;
}

describe("V2 port assignment", () => {
    it("hands out ports from the range start in instance-id order on create", () => {
        const sim = standardSetup({ capacity: 3 });
        expect(ports(sim)).toEqual({ 0: 50000, 1: 50001, 2: 50002 });
        const mapping = sim.portMappings(RG, "lb")[0];
        expect(mapping.ipConfigurationId).toBe(
            `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/web/virtualMachines/0/networkInterfaces/nic/ipConfigurations/ipconfig`,
        );
        expect(mapping.frontendIp).toMatch(/^203\.0\.113\.\d+$/);
    });

    it("scale-out keeps survivors' ports and gives new instances the lowest free ports", () => {
        const sim = standardSetup({ capacity: 3 });
        sim.deleteInstances(RG, "web", ["1"]);
        expect(ports(sim)).toEqual({ 0: 50000, 2: 50002 });
        expect(sim.listInstances(RG, "web").map((i) => i.instanceId)).toEqual(["0", "2"]);
        sim.setCapacity(RG, "web", 4);
        // New ids continue after the highest ever given (3, 4); 50001 is free again.
        expect(ports(sim)).toEqual({ 0: 50000, 2: 50002, 3: 50001, 4: 50003 });
    });

    it("scales in by removing the highest instance ids, and never reuses ids", () => {
        const sim = standardSetup({ capacity: 5 });
        expect(sim.scaleIn(RG, "web", 2)).toEqual(["0", "1", "2"]);
        expect(ports(sim)).toEqual({ 0: 50000, 1: 50001, 2: 50002 });
        expect(sim.setCapacity(RG, "web", 4)).toEqual(["0", "1", "2", "5"]);
        expect(ports(sim)[5]).toBe(50003);
    });

    it("blocks a scale-out the range cannot serve and leaves the state unchanged", () => {
        const sim = standardSetup({ capacity: 3, end: 50003 });
        const err = expectRejected(sim, () => sim.setCapacity(RG, "web", 5), "InboundNatRulePortRangeExhausted");
        expect(err.statusCode).toBe(400);
        // Docs (inbound-nat-rules): not enough free ports blocks the scale-out. The message speaks ARM's terms only.
        expect(err.message).toMatch(/inboundNatRules\/ssh has frontend port range 50000-50003 \(4 ports\), fewer than the 5 backend addresses/);
        expect(err.message).toContain("No frontend port is left for: 4.");
        expect(err.message).not.toMatch(/maxInstances|Fix:/);
        expect(sim.listInstances(RG, "web")).toHaveLength(3);
    });

    it("orders members: one scale set's instances, then the next scale set's, then standalone NICs by name", () => {
        const sim = standardSetup({ capacity: 2, end: 50019 });
        addScaleSet(sim, "api", 2);
        // One batch: both NICs join at once, so the order among them is the model's, not arrival order.
        sim.batch(() => {
            for (const vm of ["vm-b", "vm-a"]) {
                sim.upsertNetworkInterface({
                    resourceGroupName: RG,
                    networkInterfaceName: `${vm}-nic`,
                    ipConfigurations: [{ name: "ipconfig", loadBalancerBackendAddressPools: [POOL] }],
                });
            }
        });
        const order = sim.portMappings(RG, "lb").map((m) => `${m.ipConfigurationId?.includes("/api/") ? "api" : m.ipConfigurationId?.includes("/web/") ? "web" : "nic"}:${m.instance}:${m.frontendPort}`);
        expect(order).toEqual(["web:0:50000", "web:1:50001", "api:0:50002", "api:1:50003", "nic:vm-a:50004", "nic:vm-b:50005"]);
    });

    it("re-declaring a scale set with another capacity scales it like setCapacity", () => {
        const sim = standardSetup({ capacity: 4 });
        addScaleSet(sim, "web", 2);
        expect(ports(sim)).toEqual({ 0: 50000, 1: 50001 });
        addScaleSet(sim, "web", 3);
        expect(ports(sim)).toEqual({ 0: 50000, 1: 50001, 4: 50002 });
    });

    it("survivors keep ports, ports are unique and in range, and an error comes exactly when demand exceeds the range", () => {
        const op = fc.oneof(
            fc.record({ kind: fc.constant("setCapacity" as const), n: fc.integer({ min: 0, max: 14 }) }),
            fc.record({ kind: fc.constant("scaleIn" as const), n: fc.integer({ min: 0, max: 4 }) }),
            fc.record({ kind: fc.constant("deleteInstances" as const), pick: fc.array(fc.nat(), { maxLength: 3 }) }),
        );
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 5 }), fc.array(op, { maxLength: 8 }), (capacity, initial, ops) => {
                fc.pre(initial <= capacity);
                const sim = standardSetup({ capacity: initial, start: 60000, end: 60000 + capacity - 1 });
                for (const o of ops) {
                    const before = ports(sim);
                    const beforeState = sim.toJSON();
                    const instances = Object.keys(before);
                    let target: number;
                    let run: () => unknown;
                    if (o.kind === "setCapacity") {
                        target = o.n;
                        run = () => sim.setCapacity(RG, "web", o.n);
                    } else if (o.kind === "scaleIn") {
                        if (o.n > instances.length) continue;
                        target = instances.length - o.n;
                        run = () => sim.scaleIn(RG, "web", o.n);
                    } else {
                        const ids = [...new Set(o.pick.filter((i) => i < instances.length).map((i) => instances[i]))];
                        target = instances.length - ids.length;
                        run = () => sim.deleteInstances(RG, "web", ids);
                    }
                    let failed: unknown;
                    try {
                        run();
                    } catch (err) {
                        failed = err;
                    }
                    expect(failed !== undefined).toBe(target > capacity);
                    if (failed) {
                        expect((failed as ArmError).code).toBe("InboundNatRulePortRangeExhausted");
                        expect(sim.toJSON()).toEqual(beforeState);
                        continue;
                    }
                    const after = ports(sim);
                    const values = Object.values(after);
                    expect(values).toHaveLength(target);
                    expect(new Set(values).size).toBe(values.length);
                    for (const p of values) expect(p >= 60000 && p < 60000 + capacity).toBe(true);
                    for (const [instance, port] of Object.entries(before)) {
                        if (instance in after) expect(after[instance]).toBe(port);
                    }
                }
            }),
            { numRuns: 1000 },
        );
    });
});

describe("ARM rejections", () => {
    const rule = (overrides: Record<string, unknown>) => ({
        resourceGroupName: RG,
        loadBalancerName: "lb",
        inboundNatRuleName: "admin",
        frontendIPConfiguration: FE,
        backendPort: 22,
        protocol: "Tcp",
        ...overrides,
    });

    it("MissedInboundNatRuleV2Properties: a backend pool without a range", () => {
        const sim = standardSetup();
        const err = expectRejected(sim, () => sim.upsertInboundNatRule(rule({ backendAddressPool: POOL, frontendPortRangeStart: 51000 })), "MissedInboundNatRuleV2Properties");
        expect(err.message).toContain("FrontendPortRangeStart, FrontendPortRangeEnd should not be null");
    });

    it("UnsupportedSetOfInboundNatRulePropertiesWhenFrontendPortIsSpecified: frontendPort with a range", () => {
        const sim = standardSetup();
        const err = expectRejected(
            sim,
            () => sim.upsertInboundNatRule(rule({ backendAddressPool: POOL, frontendPort: 22, frontendPortRangeStart: 51000, frontendPortRangeEnd: 51010 })),
            "UnsupportedSetOfInboundNatRulePropertiesWhenFrontendPortIsSpecified",
        );
        expect(err.message).toContain("If FrontendPort 22 is set");
    });

    it("overlapping frontend ports on one frontend and protocol, across NAT rules and load-balancing rules", () => {
        const sim = standardSetup();
        const err = expectRejected(sim, () => sim.upsertInboundNatRule(rule({ frontendPort: 50005 })), "FrontendPortOverlapsAnotherRule");
        expect(err.message).toMatch(/ssh.*admin|admin.*ssh/);
        // "All" overlaps Tcp; Udp does not.
        expectRejected(sim, () => sim.upsertInboundNatRule(rule({ frontendPort: 50005, protocol: "All" })), "FrontendPortOverlapsAnotherRule");
        sim.upsertInboundNatRule(rule({ frontendPort: 50005, protocol: "Udp", backendPort: 53 }));
        expectRejected(sim, () => sim.upsertLoadBalancer({
            resourceGroupName: RG,
            loadBalancerName: "lb",
            sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/publicIPAddresses/ip` } }],
            backendAddressPools: [{ name: "pool" }],
            loadBalancingRules: [{ name: "web", frontendIPConfiguration: FE, backendAddressPool: POOL, protocol: "Tcp", frontendPort: 50009, backendPort: 80 }],
        }), "FrontendPortOverlapsAnotherRule");
    });

    it("out-of-bound ports and values (InvalidParameter)", () => {
        const sim = standardSetup();
        expectRejected(sim, () => sim.upsertInboundNatRule(rule({ backendAddressPool: POOL, frontendPortRangeStart: 65000, frontendPortRangeEnd: 65535 })), "InvalidParameter");
        expectRejected(sim, () => sim.upsertInboundNatRule(rule({ frontendPort: 0 })), "InvalidParameter");
        expectRejected(sim, () => sim.upsertInboundNatRule(rule({ frontendPort: 2222, backendPort: 65536 })), "InvalidParameter");
        expectRejected(sim, () => sim.upsertInboundNatRule(rule({ frontendPort: 2222, idleTimeoutInMinutes: 31 })), "InvalidParameter");
        expectRejected(sim, () => sim.upsertInboundNatRule(rule({ frontendPort: 2222, protocol: "Icmp" })), "InvalidParameter");
        const err = expectRejected(sim, () => sim.upsertInboundNatRule(rule({ backendAddressPool: POOL, frontendPortRangeStart: 52000, frontendPortRangeEnd: 51000 })), "InvalidParameter");
        expect(err.message).toContain("frontendPortRangeEnd");
    });

    it("a V2 rule on a Basic SKU load balancer", () => {
        const sim = new AzureSimulator();
        sim.createResourceGroup({ resourceGroupName: RG });
        const ip = sim.upsertPublicIPAddress({ resourceGroupName: RG, publicIpAddressName: "ip", sku: { name: "Basic" } });
        sim.upsertLoadBalancer({ resourceGroupName: RG, loadBalancerName: "lb", sku: { name: "Basic" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip } }], backendAddressPools: [{ name: "pool" }] });
        expectRejected(sim, () => sim.upsertInboundNatRule(rule({ backendAddressPool: POOL, frontendPortRangeStart: 50000, frontendPortRangeEnd: 50009 })),
            "InboundNatRuleV2NotSupportedOnBasicSkuLoadBalancer");
        sim.upsertInboundNatRule(rule({ frontendPort: 2222 })); // V1 is fine on Basic
        expect(sim.has(`${LB_ID}/inboundNatRules/admin`)).toBe(true);
    });

    it("public IP and load balancer SKUs must match", () => {
        const sim = new AzureSimulator();
        sim.createResourceGroup({ resourceGroupName: RG });
        const ip = sim.upsertPublicIPAddress({ resourceGroupName: RG, publicIpAddressName: "ip", sku: { name: "Basic" } });
        expectRejected(sim, () => sim.upsertLoadBalancer({ resourceGroupName: RG, loadBalancerName: "lb", sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip } }] }), "DifferentSkuLoadBalancersAndPublicIPAddressNotAllowed");
    });

    function natPoolSetup(): { sim: AzureSimulator; ip: string } {
        const sim = new AzureSimulator();
        sim.createResourceGroup({ resourceGroupName: RG });
        const ip = sim.upsertPublicIPAddress({ resourceGroupName: RG, publicIpAddressName: "ip" });
        sim.upsertLoadBalancer({
            resourceGroupName: RG, loadBalancerName: "lb", sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip } }],
            inboundNatPools: [{ name: "natpool", frontendIPConfiguration: FE, protocol: "Tcp", frontendPortRangeStart: 50000, frontendPortRangeEnd: 50003, backendPort: 22 }],
        });
        addScaleSet(sim, "web", 2, [{ id: `${LB_ID}/inboundNatPools/natpool` }]);
        return { sim, ip };
    }

    it("a NAT pool's per-instance rules are listed as <pool>.<instance id>, port = start + instance id, backend the instance's ipconfig", () => {
        // Names: Azure/AzLoadBalancerMigration NatRulesMigration.psm1 ("natpoolname.0"); ports: MicrosoftDocs/azure-docs#29183 (model, see nat-pool-rules.ts).
        const { sim } = natPoolSetup();
        const vmss = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/web`;
        type Rule = { name: string; properties: { frontendPort: number; backendPort: number; protocol: string; backendIPConfiguration: { id: string }; frontendIPConfiguration: { id: string } } };
        const lb = sim.get(LB_ID) as { properties: { inboundNatRules: Rule[] } };
        const rules = lb.properties.inboundNatRules.map((r) => [r.name, r.properties.frontendPort, r.properties.backendPort, r.properties.protocol, r.properties.backendIPConfiguration.id]);
        expect(rules).toEqual([
            ["natpool.0", 50000, 22, "Tcp", `${vmss}/virtualMachines/0/networkInterfaces/nic/ipConfigurations/ipconfig`],
            ["natpool.1", 50001, 22, "Tcp", `${vmss}/virtualMachines/1/networkInterfaces/nic/ipConfigurations/ipconfig`],
        ]);
        expect(lb.properties.inboundNatRules[0].properties.frontendIPConfiguration.id).toBe(FE.id);
        expect((sim.get(`${LB_ID}/inboundNatRules`) as { value: Rule[] }).value.map((r) => r.name)).toEqual(["natpool.0", "natpool.1"]);
        expect((sim.get(`${LB_ID}/inboundNatRules/natpool.1`) as Rule).properties.frontendPort).toBe(50001);
        // Instance 0 leaves: instance 1 keeps its port (start + its id).
        sim.deleteInstances(RG, "web", ["0"]);
        expect((sim.get(`${LB_ID}/inboundNatRules`) as { value: Rule[] }).value.map((r) => [r.name, r.properties.frontendPort])).toEqual([["natpool.1", 50001]]);
    });

    it("a NAT rule added beside a NAT pool is refused with ARM's code and sentence (MicrosoftDocs/azure-docs#59705)", () => {
        const { sim } = natPoolSetup();
        const err = expectRejected(sim, () => sim.upsertInboundNatRule(rule({ frontendPort: 2222 })), "AddingOrUpdatingNatRulesWhenNatPoolIsPresentOnLoadbalancerIsNotSupported");
        expect(err.message).toBe(
            `Adding or updating NAT Rules when NAT pool is present on loadbalancer ${LB_ID} is not supported. ` +
                "To modify the load balancer, pass in all NAT rules unchanged or remove the LoadBalancerInboundNatRules property from your PUT request.",
        );
    });

    it("a NAT pool added beside NAT rules: the spec's exclusion (code is a guess)", () => {
        const sim = standardSetup();
        sim.upsertInboundNatRule(rule({ frontendPort: 2222 }));
        const lb = sim.get(LB_ID) as { properties: { frontendIPConfigurations: { name: string; properties: { publicIPAddress: { id: string } } }[] } };
        expectRejected(sim, () => sim.upsertLoadBalancer({
            resourceGroupName: RG, loadBalancerName: "lb", sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: lb.properties.frontendIPConfigurations[0].properties.publicIPAddress }],
            backendAddressPools: [{ name: "pool" }],
            inboundNatPools: [{ name: "natpool", frontendIPConfiguration: FE, protocol: "Tcp", frontendPortRangeStart: 50000, frontendPortRangeEnd: 50003, backendPort: 22 }],
        }), "LoadBalancerCannotHaveBothInboundNatRulesAndInboundNatPools");
    });

    it("a load balancer PUT may send a NAT pool's rules back unchanged, not changed (read-modify-write, azure-docs#59705)", () => {
        const { sim, ip } = natPoolSetup();
        type Rule = { name: string; properties: { frontendPort: number; backendPort: number; protocol: string; frontendIPConfiguration: { id: string } } };
        const read = (sim.get(LB_ID) as { properties: { inboundNatRules: Rule[] } }).properties.inboundNatRules;
        expect(read.map((r) => r.name)).toEqual(["natpool.0", "natpool.1"]);
        const body = (rules: Rule[]) => ({
            resourceGroupName: RG, loadBalancerName: "lb", sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip } }],
            inboundNatPools: [{ name: "natpool", frontendIPConfiguration: FE, protocol: "Tcp", frontendPortRangeStart: 50000, frontendPortRangeEnd: 50003, backendPort: 22 }],
            inboundNatRules: rules.map((r) => ({ name: r.name, ...r.properties })),
        });
        sim.upsertLoadBalancer(body(read));
        // Still derived, not turned into records: an instance that leaves takes its rule with it.
        sim.deleteInstances(RG, "web", ["0"]);
        expect((sim.get(`${LB_ID}/inboundNatRules`) as { value: Rule[] }).value.map((r) => r.name)).toEqual(["natpool.1"]);
        const now = (sim.get(LB_ID) as { properties: { inboundNatRules: Rule[] } }).properties.inboundNatRules;
        const changed = now.map((r) => ({ ...r, properties: { ...r.properties, frontendPort: r.properties.frontendPort + 2 } }));
        expectRejected(sim, () => sim.upsertLoadBalancer(body(changed)), "AddingOrUpdatingNatRulesWhenNatPoolIsPresentOnLoadbalancerIsNotSupported");
        expectRejected(sim, () => sim.upsertLoadBalancer(body([...now, { name: "extra", properties: { frontendPort: 2222, backendPort: 22, protocol: "Tcp", frontendIPConfiguration: FE } }])),
            "AddingOrUpdatingNatRulesWhenNatPoolIsPresentOnLoadbalancerIsNotSupported");
    });

    it("a NAT pool's per-instance rule can't be changed or deleted on its own (docs: update-load-balancer-with-vm-scale-set)", () => {
        const { sim } = natPoolSetup();
        expectRejected(sim, () => sim.upsertInboundNatRule({ resourceGroupName: RG, loadBalancerName: "lb", inboundNatRuleName: "natpool.0", frontendIPConfiguration: FE,
            protocol: "Tcp", frontendPort: 50002, backendPort: 22 }), "AddingOrUpdatingNatRulesWhenNatPoolIsPresentOnLoadbalancerIsNotSupported");
        expectRejected(sim, () => sim.delete(`${LB_ID}/inboundNatRules/natpool.0`), "AddingOrUpdatingNatRulesWhenNatPoolIsPresentOnLoadbalancerIsNotSupported");
        expect(sim.has(`${LB_ID}/inboundNatRules/natpool.0`)).toBe(true);
    });

    it("an instance's NIC lists the NAT pool rule that reaches its ipconfig in loadBalancerInboundNatRules", () => {
        // The derived rule's backendIPConfiguration is the instance's ipconfig, and an ipconfig lists the rules reaching it (spec: IPConfiguration.loadBalancerInboundNatRules).
        const { sim } = natPoolSetup();
        const vmss = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/web`;
        type Nic = { properties: { ipConfigurations: { properties: { loadBalancerInboundNatRules: { id: string }[] } }[] } };
        const nic = sim.get(`${vmss}/virtualMachines/1/networkInterfaces/nic`) as Nic;
        expect(nic.properties.ipConfigurations[0].properties.loadBalancerInboundNatRules).toEqual([{ id: `${LB_ID}/inboundNatRules/natpool.1` }]);
    });

    it("a frontend IP configuration lists its NAT pool's per-instance rules among its inboundNatRules", () => {
        const { sim } = natPoolSetup();
        const fe = sim.get(FE.id) as { properties: { inboundNatRules: { id: string }[]; inboundNatPools: { id: string }[] } };
        expect(fe.properties.inboundNatRules.map((r) => r.id)).toEqual([`${LB_ID}/inboundNatRules/natpool.0`, `${LB_ID}/inboundNatRules/natpool.1`]);
        expect(fe.properties.inboundNatPools.map((p) => p.id)).toEqual([`${LB_ID}/inboundNatPools/natpool`]);
        const inLb = (sim.get(LB_ID) as { properties: { frontendIPConfigurations: { properties: { inboundNatRules: { id: string }[] } }[] } }).properties.frontendIPConfigurations[0];
        expect(inLb.properties.inboundNatRules).toEqual(fe.properties.inboundNatRules);
    });

    it("removing a NAT pool a scale set still references", () => {
        const { sim, ip } = natPoolSetup();
        const err = expectRejected(sim, () => sim.upsertLoadBalancer({
            resourceGroupName: RG, loadBalancerName: "lb", sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip } }],
        }), "InboundNatPoolInUseByVirtualMachineScaleSet");
        expect(err.message).toContain("Cannot remove inbound nat pool natpool from load balancer since it is in use by virtual machine scale set");
    });

    it("a NAT pool range smaller than the scale set", () => {
        const { sim } = natPoolSetup();
        expectRejected(sim, () => sim.setCapacity(RG, "web", 5), "InboundNatPoolFrontendPortRangeSmallerThanRequestedPorts");
        expect(sim.setCapacity(RG, "web", 4)).toHaveLength(4);
    });

    it("more than 300 rules on one NIC (LoadBalancerRuleCountLimitReachedForNic)", () => {
        const sim = standardSetup({ capacity: 1 });
        const ip = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/publicIPAddresses/ip`;
        const lbWithRules = (count: number) => ({
            resourceGroupName: RG, loadBalancerName: "lb", sku: { name: "Standard" },
            frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip } }],
            backendAddressPools: [{ name: "pool" }],
            loadBalancingRules: Array.from({ length: count }, (_, i) => ({
                name: `r${i}`, frontendIPConfiguration: FE, backendAddressPool: POOL, protocol: "Tcp", frontendPort: 1000 + i, backendPort: 1000 + i,
            })),
        });
        sim.upsertLoadBalancer(lbWithRules(299)); // + the V2 rule = 300
        const err = expectRejected(sim, () => sim.upsertLoadBalancer(lbWithRules(300)), "LoadBalancerRuleCountLimitReachedForNic");
        expect(err.message).toContain("301");
    });

    it("dangling references, a missing parent and a missing resource group", () => {
        const sim = standardSetup();
        expectRejected(sim, () => sim.upsertInboundNatRule(rule({ backendAddressPool: { id: `${LB_ID}/backendAddressPools/nope` }, frontendPortRangeStart: 51000, frontendPortRangeEnd: 51009 })), "InvalidResourceReference");
        expectRejected(sim, () => sim.upsertInboundNatRule({ ...rule({ frontendPort: 2222 }), loadBalancerName: "other" }), "ParentResourceNotFound");
        expectRejected(sim, () => sim.upsertPublicIPAddress({ resourceGroupName: "nope", publicIpAddressName: "x" }), "ResourceGroupNotFound");
        expectRejected(sim, () => sim.setCapacity(RG, "web", 1001), "InvalidParameter");
    });
});

describe("save and load", () => {
    const dir = mkdtempSync(join(tmpdir(), "azure-nat-rules-sim-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("round-trips the state through a file", () => {
        const sim = standardSetup({ capacity: 4 });
        sim.deleteInstances(RG, "web", ["2"]);
        const file = join(dir, "nested", "state.json");
        sim.save(file);
        expect(JSON.parse(readFileSync(file, "utf8")).format).toBe("azure-nat-rules-simulator/1");
        const loaded = AzureSimulator.load(file);
        expect(loaded.toJSON()).toEqual(sim.toJSON());
        expect(ports(loaded)).toEqual(ports(sim));
        // The loaded copy keeps the id counter: the next instance is 4, not 2.
        expect(loaded.setCapacity(RG, "web", 4)).toEqual(["0", "1", "3", "4"]);
    });

    it("a missing file gives an empty simulator", () => {
        const file = join(dir, "missing.json");
        expect(existsSync(file)).toBe(false);
        expect(AzureSimulator.load(file).toJSON()).toEqual(new AzureSimulator().toJSON());
    });

    it("a corrupt or foreign file is a SimulatorStateError naming the file and the problem", () => {
        const corrupt = join(dir, "corrupt.json");
        writeFileSync(corrupt, "{ not json");
        expect(() => AzureSimulator.load(corrupt)).toThrow(SimulatorStateError);
        expect(() => AzureSimulator.load(corrupt)).toThrow(/corrupt\.json.*not valid JSON/);
        const foreign = join(dir, "foreign.json");
        writeFileSync(foreign, JSON.stringify({ format: "something-else/9" }));
        expect(() => AzureSimulator.load(foreign)).toThrow(/foreign\.json.*format is "something-else\/9"/);
        const broken = join(dir, "broken.json");
        writeFileSync(broken, JSON.stringify({ ...new AzureSimulator().toJSON(), loadBalancers: [] }));
        expect(() => AzureSimulator.load(broken)).toThrow(/broken\.json.*loadBalancers/);
    });
});

describe("reads", () => {
    it("answers the port-mapping query by ipConfiguration id or IP address, and rejects non-members", () => {
        const sim = standardSetup({ capacity: 2 });
        const [first, second] = sim.listInstances(RG, "web");
        expect(sim.queryInboundNatRulePortMapping(RG, "lb", "pool", { ipConfiguration: { id: first.ipConfigurationIds[0] } }))
            .toEqual({ inboundNatRulePortMappings: [{ inboundNatRuleName: "ssh", protocol: "Tcp", frontendPort: 50000, backendPort: 22 }] });
        expect(sim.queryInboundNatRulePortMapping(RG, "lb", "pool", { ipAddress: second.privateIPAddress }).inboundNatRulePortMappings[0].frontendPort).toBe(50001);
        expect(() => sim.queryInboundNatRulePortMapping(RG, "lb", "pool", { ipAddress: "10.9.9.9" })).toThrow(expect.objectContaining({ code: "BackendAddressNotInBackendPool" }));
    });

    it("IP-based pool members get ports and answer the query by IP address", () => {
        const sim = standardSetup({ capacity: 0 });
        sim.upsertBackendAddressPool({
            resourceGroupName: RG,
            loadBalancerName: "lb",
            backendAddressPoolName: "pool",
            loadBalancerBackendAddresses: [{ name: "b", ipAddress: "10.1.0.5" }, { name: "a", ipAddress: "10.1.0.4" }],
        });
        expect(ports(sim)).toEqual({ a: 50000, b: 50001 });
        expect(sim.queryInboundNatRulePortMapping(RG, "lb", "pool", { ipAddress: "10.1.0.5" }).inboundNatRulePortMappings[0].frontendPort).toBe(50001);
    });

    it("a single-VM rule attached to a NIC shows it as backendIPConfiguration; a V2 rule cannot be attached", () => {
        const sim = standardSetup();
        sim.upsertInboundNatRule({ resourceGroupName: RG, loadBalancerName: "lb", inboundNatRuleName: "rdp", frontendIPConfiguration: FE, frontendPort: 3390, backendPort: 3389 });
        const nic = sim.upsertNetworkInterface({
            resourceGroupName: RG,
            networkInterfaceName: "admin-nic",
            ipConfigurations: [{ name: "ipconfig", loadBalancerInboundNatRules: [{ id: `${LB_ID}/inboundNatRules/rdp` }] }],
        });
        const rule = sim.get(`${LB_ID}/inboundNatRules/rdp`) as { properties: Record<string, unknown> };
        expect(rule.properties.backendIPConfiguration).toEqual({ id: `${nic}/ipConfigurations/ipconfig` });
        expectRejected(sim, () => sim.upsertNetworkInterface({
            resourceGroupName: RG,
            networkInterfaceName: "other-nic",
            ipConfigurations: [{ name: "ipconfig", loadBalancerInboundNatRules: [{ id: `${LB_ID}/inboundNatRules/ssh` }] }],
        }), "InvalidParameter");
    });

    it("deletes a NAT rule (its mappings go) but not a load balancer a scale set uses", () => {
        const sim = standardSetup();
        expectRejected(sim, () => sim.delete(LB_ID), "LoadBalancerInUseByVirtualMachineScaleSet");
        expect(sim.delete(`${LB_ID}/inboundNatRules/ssh`)).toBe(true);
        expect(sim.portMappings(RG, "lb")).toEqual([]);
        expect(sim.delete(`${LB_ID}/inboundNatRules/ssh`)).toBe(false);
    });

    it("GET of a V2 rule shows frontendPort 0, as Azure does", () => {
        const sim = standardSetup();
        const rule = sim.get(`${LB_ID}/inboundNatRules/ssh`) as { properties: Record<string, unknown> };
        expect(rule.properties).toMatchObject({ frontendPort: 0, frontendPortRangeStart: 50000, frontendPortRangeEnd: 50009, backendAddressPool: POOL });
    });
});

describe("a rejected change", () => {
    const nic = (name: string, ipConfiguration: Record<string, unknown>) => ({
        resourceGroupName: RG,
        networkInterfaceName: name,
        ipConfigurations: [{ name: "ipconfig", ...ipConfiguration }],
    });

    it("that touched several resources, deleted one and scaled a scale set leaves the state exactly as it was, key order included", () => {
        const sim = standardSetup({ capacity: 2 });
        sim.upsertNetworkSecurityGroup({ resourceGroupName: RG, networkSecurityGroupName: "spare" });
        sim.upsertNetworkInterface(nic("old-nic", { loadBalancerBackendAddressPools: [POOL] }));
        sim.upsertNetworkSecurityGroup({ resourceGroupName: RG, networkSecurityGroupName: "last" });
        const before = JSON.stringify(sim.toJSON());
        const mappings = sim.portMappings(RG, "lb");
        const err = expectRejected(sim, () => sim.batch(() => {
            sim.setCapacity(RG, "web", 4);
            sim.upsertNetworkInterface(nic("old-nic", {}));
            sim.upsertNetworkInterface(nic("new-nic", { loadBalancerBackendAddressPools: [POOL] }));
            sim.delete(`/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/networkSecurityGroups/spare`);
            sim.upsertInboundNatRule({ resourceGroupName: RG, loadBalancerName: "lb", inboundNatRuleName: "direct", frontendIPConfiguration: FE, frontendPort: 2200, backendPort: 22 });
            // The V2 rule ssh (backend port 22) already reaches this pool member: hashicorp/terraform-provider-azurerm#84.
            sim.upsertNetworkInterface(nic("both-nic", { loadBalancerBackendAddressPools: [POOL], loadBalancerInboundNatRules: [{ id: `${LB_ID}/inboundNatRules/direct` }] }));
        }), "RulesUseSameBackendPortProtocolAndIPConfig");
        expect(err.message).toContain("networkInterfaces/both-nic/ipConfigurations/ipconfig");
        expect(JSON.stringify(sim.toJSON())).toBe(before);
        expect(sim.portMappings(RG, "lb")).toEqual(mappings);
        // The simulator goes on from the old state: the next scale-out gives the next instance id and port.
        sim.setCapacity(RG, "web", 3);
        expect(ports(sim)).toEqual({ 0: 50000, 1: 50001, old: 50002, 2: 50003 });
    });

    it("is checked against the pool members it did not touch", () => {
        const sim = standardSetup({ capacity: 1 });
        sim.upsertInboundNatRule({ resourceGroupName: RG, loadBalancerName: "lb", inboundNatRuleName: "direct", frontendIPConfiguration: FE, frontendPort: 2200, backendPort: 2222 });
        sim.upsertNetworkInterface(nic("admin-nic", { loadBalancerBackendAddressPools: [POOL], loadBalancerInboundNatRules: [{ id: `${LB_ID}/inboundNatRules/direct` }] }));
        // Only the load balancer changes; the NIC it now conflicts on is untouched (hashicorp/terraform-provider-azurerm#84).
        const err = expectRejected(sim, () => sim.upsertInboundNatRule({
            resourceGroupName: RG, loadBalancerName: "lb", inboundNatRuleName: "ssh-2222", frontendIPConfiguration: FE,
            backendAddressPool: POOL, frontendPortRangeStart: 51000, frontendPortRangeEnd: 51009, backendPort: 2222, protocol: "Tcp",
        }), "RulesUseSameBackendPortProtocolAndIPConfig");
        expect(err.message).toContain("networkInterfaces/admin-nic/ipConfigurations/ipconfig");
    });
});
