/** The benchmark programs written with BackendPoolNatRule (the library, loaded as a user loads it). */
import { BackendPoolNatRule } from "../src";
import { BACKEND_PORT, COMPARISON_SUBNET, declareBase, declareScaleSet, GROWTH_SUBNET, RANGE_START } from "./programs";

/** The comparison stack: a scale set of `instances` behind one BackendPoolNatRule sized to it. */
export function componentScaleSetProgram(instances: number, readAzureMappings: boolean) {
    const base = declareBase("bench", COMPARISON_SUBNET);
    const scaleSet = declareScaleSet("bench", base, instances);
    const ssh = new BackendPoolNatRule("bench-ssh", {
        loadBalancerId: base.loadBalancer.id,
        frontendIPConfigurationId: base.frontendId,
        backendAddressPoolId: base.poolId,
        frontendPortRangeStart: RANGE_START,
        maxInstances: instances,
        backendPort: BACKEND_PORT,
        protocol: "Tcp",
        scaleSet,
        frontendIpAddress: base.publicIp.ipAddress.apply((ip) => ip ?? ""),
        readAzureMappings,
    });
    return { ruleId: ssh.ruleId, frontendPortRange: ssh.frontendPortRange, portMappings: ssh.portMappings };
}

/** The growth stack: one BackendPoolNatRule over a group of VMs (their NICs exist already). */
export function componentGroupProgram(names: string[], readAzureMappings: boolean) {
    const base = declareBase("grow", GROWTH_SUBNET);
    const ssh = new BackendPoolNatRule("grow-ssh", {
        loadBalancerId: base.loadBalancer.id,
        frontendIPConfigurationId: base.frontendId,
        backendAddressPoolId: base.poolId,
        frontendPortRangeStart: RANGE_START,
        maxInstances: names.length,
        backendPort: BACKEND_PORT,
        protocol: "Tcp",
        virtualMachineNames: names,
        frontendIpAddress: base.publicIp.ipAddress.apply((ip) => ip ?? ""),
        readAzureMappings,
    });
    return { ruleId: ssh.ruleId, frontendPortRange: ssh.frontendPortRange, portMappings: ssh.portMappings };
}
