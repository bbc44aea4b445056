import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { armIdKey, lastSegment, loadBalancerIdOf, nicIdOf, parseNetworkResourceId, sameArmId, scaleSetIdOf, scaleSetMemberOf, standaloneNicOf } from "./arm-ids";

describe("ARM ids", () => {
    it("compare ignoring case, and never equal an id that is not there", () => {
        const id = "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/loadBalancers/LB";
        expect(sameArmId(id, id.toLowerCase())).toBe(true);
        expect(sameArmId(id, `${id}2`)).toBe(false);
        expect(sameArmId(undefined, undefined)).toBe(false);
        expect(sameArmId(id, undefined)).toBe(false);
    });

    it("name their resource by the last segment, trailing slashes ignored", () => {
        expect(lastSegment("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb")).toBe("lb");
        expect(lastSegment(".../inboundNatPools/ssh/")).toBe("ssh");
        expect(lastSegment("lb")).toBe("lb");
        fc.assert(fc.property(fc.array(fc.stringMatching(/^[A-Za-z0-9._-]+$/), { minLength: 1, maxLength: 6 }), (segments) => lastSegment(`/${segments.join("/")}`) === segments[segments.length - 1]));
    });

    it("find the load balancer of a child id, and none in an id that is not a load balancer's child", () => {
        const lb = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
        expect(loadBalancerIdOf(`${lb}/inboundNatPools/ssh`)).toBe(lb);
        expect(loadBalancerIdOf(`${lb}/frontendIPConfigurations/fe`)).toBe(lb);
        expect(loadBalancerIdOf(lb)).toBeUndefined();
        expect(loadBalancerIdOf("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/ip/x/y")).toBeUndefined();
        expect(loadBalancerIdOf(undefined)).toBeUndefined();
        const segment = fc.stringMatching(/^[A-Za-z0-9._-]+$/);
        fc.assert(fc.property(segment, segment, segment, (name, kind, child) =>
            loadBalancerIdOf(`${lb.replace(/lb$/, name)}/${kind}/${child}`) === lb.replace(/lb$/, name)));
    });

    it("read a scale-set VM's NIC id as its scale set and instance, names decoded", () => {
        const nic = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/web%20ss/virtualMachines/3/networkInterfaces/nic/ipConfigurations/ip";
        expect(scaleSetMemberOf(nic)).toEqual({ scaleSet: "web ss", instance: "3" });
        expect(scaleSetMemberOf("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic/ipConfigurations/ip")).toBeUndefined();
    });

    it("read a standalone NIC's ipConfiguration id as the NIC and its resource group, and a scale set's NIC as none", () => {
        const nic = "/subscriptions/s/resourceGroups/vm-rg/providers/Microsoft.Network/networkInterfaces/vm1-nic";
        expect(standaloneNicOf(`${nic}/ipConfigurations/ipconfig1`)).toEqual({ nicId: nic, resourceGroup: "vm-rg" });
        expect(standaloneNicOf(nic)).toBeUndefined();
        expect(standaloneNicOf("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines/0/networkInterfaces/nic/ipConfigurations/ip")).toBeUndefined();
    });

    it("key ids so that ids ARM takes for one resource meet, and others do not", () => {
        expect(armIdKey(" /subscriptions/S/resourceGroups/RG ")).toBe(armIdKey("/subscriptions/s/resourcegroups/rg"));
        expect(armIdKey("/a/b")).not.toBe(armIdKey("/a/c"));
    });

    it("find the scale set of a VM child id, and the NIC of an ipConfiguration id", () => {
        const ss = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/web";
        expect(scaleSetIdOf(`${ss}/virtualMachines/4/networkInterfaces/nic/ipConfigurations/ip`)).toBe(ss);
        expect(scaleSetIdOf(ss)).toBeUndefined();
        const nic = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic";
        expect(nicIdOf(`${nic}/ipConfigurations/ipconfig1`)).toBe(nic);
        expect(nicIdOf(` ${nic} `)).toBe(nic);
    });

    it("parse a top-level Microsoft.Network id into subscription, resource group and name, of the asked type only", () => {
        const segment = fc.stringMatching(/^[A-Za-z0-9._-]+$/);
        fc.assert(fc.property(segment, segment, segment, (subscriptionId, resourceGroupName, name) => {
            const parsed = parseNetworkResourceId(`/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Network/loadBalancers/${name}`, "loadBalancers");
            return parsed?.subscriptionId === subscriptionId && parsed.resourceGroupName === resourceGroupName && parsed.name === name;
        }));
        const lb = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
        expect(parseNetworkResourceId(lb.toLowerCase(), "loadBalancers")).toEqual({ subscriptionId: "s", resourceGroupName: "rg", name: "lb" });
        expect(parseNetworkResourceId(lb, "publicIPAddresses")).toBeUndefined();
        expect(parseNetworkResourceId(`${lb}/inboundNatRules/r`, "loadBalancers")).toBeUndefined();
        expect(parseNetworkResourceId(`/x${lb}`, "loadBalancers")).toBeUndefined();
    });
});
