/**
 * ARM's checks reach the model each instance runs, not only the scale set's latest: under upgrade
 * policy Manual an instance keeps its older model, and its NIC keeps that model's pools and rules,
 * until it is upgraded (docs virtual-machine-scale-sets-upgrade-policy; facts §7: a NAT pool is
 * removed only after the scale set's model drops it and the instances are updated).
 */
import { describe, expect, it } from "vitest";
import { ArmError } from "../../errors";
import type { LoadBalancerInput } from "../../resource-inputs";
import { AzureSimulator } from "../../simulator";

const RG = "rg";
const SUB = "00000000-0000-0000-0000-000000000000";
const LB_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/loadBalancers/lb`;
const FE = { id: `${LB_ID}/frontendIPConfigurations/fe` };
const VMSS_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/web`;
const pool = (name: string) => ({ id: `${LB_ID}/backendAddressPools/${name}` });

function scaleSet(ipConfiguration: Record<string, unknown>) {
    return {
        resourceGroupName: RG,
        vmScaleSetName: "web",
        sku: { name: "Standard_B1s", capacity: 2 },
        overprovision: false,
        upgradePolicy: { mode: "Manual" },
        virtualMachineProfile: { networkProfile: { networkInterfaceConfigurations: [{ name: "nic", ipConfigurations: [{ name: "ipconfig", ...ipConfiguration }] }] } },
    };
}

function base(extra: Partial<LoadBalancerInput> = {}): { sim: AzureSimulator; lb: LoadBalancerInput } {
    const sim = new AzureSimulator();
    sim.createResourceGroup({ resourceGroupName: RG, location: "westeurope" });
    const ip = sim.upsertPublicIPAddress({ resourceGroupName: RG, publicIpAddressName: "ip", sku: { name: "Standard" } });
    const lb: LoadBalancerInput = { resourceGroupName: RG, loadBalancerName: "lb", sku: { name: "Standard" }, frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip } }], ...extra };
    sim.upsertLoadBalancer(lb);
    return { sim, lb };
}

function rejected(sim: AzureSimulator, change: () => unknown): ArmError {
    const before = sim.toJSON();
    try {
        change();
    } catch (err) {
        expect(err).toBeInstanceOf(ArmError);
        // A refused change leaves the state exactly as it was.
        expect(sim.toJSON()).toEqual(before);
        return err as ArmError;
    }
    throw new Error("expected ARM to refuse the change");
}

const v2Rule = (name: string, poolName: string, start: number) => ({
    resourceGroupName: RG, loadBalancerName: "lb", inboundNatRuleName: name, frontendIPConfiguration: FE,
    backendAddressPool: pool(poolName), frontendPortRangeStart: start, frontendPortRangeEnd: start + 9, backendPort: 22, protocol: "Tcp",
});

describe("checks over the model an instance still runs (upgrade policy Manual)", () => {
    it("a NAT pool the latest model dropped can't be removed while an instance still uses it; after update-instances it can", () => {
        const natPool = { name: "natpool", frontendIPConfiguration: FE, protocol: "Tcp", frontendPortRangeStart: 50000, frontendPortRangeEnd: 50009, backendPort: 22 };
        const { sim, lb } = base({ inboundNatPools: [natPool] });
        sim.upsertScaleSet(scaleSet({ loadBalancerInboundNatPools: [{ id: `${LB_ID}/inboundNatPools/natpool` }] }));
        // The latest model drops the pool; both instances still run the old one.
        sim.upsertScaleSet(scaleSet({ loadBalancerInboundNatPools: [] }));
        const err = rejected(sim, () => sim.upsertLoadBalancer({ ...lb, inboundNatPools: [] }));
        expect(err.code).toBe("InboundNatPoolInUseByVirtualMachineScaleSet");
        expect(err.message).toBe(`Cannot remove inbound nat pool natpool from load balancer since it is in use by virtual machine scale set ${VMSS_ID}.`);
        sim.upgradeInstances(RG, "web", ["0"]);
        expect(rejected(sim, () => sim.upsertLoadBalancer({ ...lb, inboundNatPools: [] })).code).toBe("InboundNatPoolInUseByVirtualMachineScaleSet");
        sim.upgradeInstances(RG, "web", "*");
        sim.upsertLoadBalancer({ ...lb, inboundNatPools: [] });
        expect(sim.has(`${LB_ID}/inboundNatPools/natpool`)).toBe(false);
    });

    it("two rules with one backend port and protocol reach an old-model instance's ipconfig: RulesUseSameBackendPortProtocolAndIPConfig names it", () => {
        const { sim } = base({ backendAddressPools: [{ name: "a" }, { name: "b" }] });
        sim.upsertScaleSet(scaleSet({ loadBalancerBackendAddressPools: [pool("a"), pool("b")] }));
        sim.upsertScaleSet(scaleSet({ loadBalancerBackendAddressPools: [pool("a")] }));
        sim.upsertInboundNatRule(v2Rule("ssh-a", "a", 50000));
        // Only the old model puts an ipconfig in both pools, so only it makes the two rules meet.
        const err = rejected(sim, () => sim.upsertInboundNatRule(v2Rule("ssh-b", "b", 51000)));
        expect(err.code).toBe("RulesUseSameBackendPortProtocolAndIPConfig");
        expect(err.message).toContain(`must not be used with the same backend IP ${VMSS_ID}/virtualMachines/0/networkInterfaces/nic/ipConfigurations/ipconfig.`);
        sim.upgradeInstances(RG, "web", "*");
        sim.upsertInboundNatRule(v2Rule("ssh-b", "b", 51000));
        expect(sim.has(`${LB_ID}/inboundNatRules/ssh-b`)).toBe(true);
    });

    it("more than 300 rules on an old-model instance's NIC are refused, though the latest model's NIC has fewer", () => {
        // 300 rules per NIC: azure-subscription-service-limits; code: docs load-balancer-common-deployment-errors.
        const lbRules = (n: number) => Array.from({ length: n }, (_, i) => ({
            name: `r${i}`, frontendIPConfiguration: FE, backendAddressPool: pool("b"), protocol: "Tcp", frontendPort: 1000 + i, backendPort: 1000 + i,
        }));
        const { sim, lb } = base({ backendAddressPools: [{ name: "a" }, { name: "b" }] });
        sim.upsertScaleSet(scaleSet({ loadBalancerBackendAddressPools: [pool("a"), pool("b")] }));
        sim.upsertScaleSet(scaleSet({ loadBalancerBackendAddressPools: [pool("a")] }));
        sim.upsertLoadBalancer({ ...lb, loadBalancingRules: lbRules(300) });
        const err = rejected(sim, () => sim.upsertLoadBalancer({ ...lb, loadBalancingRules: lbRules(301) }));
        expect(err.code).toBe("LoadBalancerRuleCountLimitReachedForNic");
        expect(err.message).toContain("301 load balancer rules");
        sim.upgradeInstances(RG, "web", "*");
        sim.upsertLoadBalancer({ ...lb, loadBalancingRules: lbRules(301) });
    });
});
