/**
 * The hand-written growth program plus what BackendPoolNatRule hands Pulumi besides its rule: a
 * component resource (its mapping lists stay out of its saved state, as the component's do) and
 * one mapping per member, exported as the stack's `portMappings`. No planning, checks or reads, so
 * its program part is the floor under the component's for outputs of that size.
 */
import * as pulumi from "@pulumi/pulumi";
import { BACKEND_PORT, declareBase, declareHandWrittenRule, GROWTH_SUBNET, RANGE_START } from "./programs";

interface Mapping {
    instance: string;
    frontendIp: string;
    frontendPort: number;
    backendPort: number;
    protocol: string;
    source: "planned";
}

/** A component that holds the mappings as properties and registers only small outputs, as BackendPoolNatRule does. */
class MappingOutputs extends pulumi.ComponentResource {
    public readonly plannedPortMappings: pulumi.Output<Mapping[]>;
    public readonly portMappings: pulumi.Output<Mapping[]>;
    constructor(name: string, mappings: pulumi.Output<Mapping[]>) {
        super("bench:index:MappingOutputs", name, {}, {});
        this.plannedPortMappings = mappings;
        this.portMappings = mappings;
        this.registerOutputs({ ruleName: name });
    }
}

/** The growth stack: a raw V2 rule over a group of VMs, and the component's outputs for them. */
export function outputsFloorGroupProgram(names: string[]) {
    const base = declareBase("grow", GROWTH_SUBNET);
    const rule = declareHandWrittenRule("grow", base, names.length, []);
    const portMappings = base.publicIp.ipAddress.apply((ip) =>
        names.map((instance, i): Mapping => ({ instance, frontendIp: ip ?? "", frontendPort: RANGE_START + i, backendPort: BACKEND_PORT, protocol: "Tcp", source: "planned" })));
    const outputs = new MappingOutputs("grow-ssh", portMappings);
    return { ruleId: rule.id, frontendPortRange: { start: RANGE_START, end: RANGE_START + names.length - 1 }, portMappings: outputs.portMappings };
}
