/** The benchmark programs written by hand with azure-native: the same resources, a raw InboundNatRule. */
import { COMPARISON_SUBNET, declareBase, declareHandWrittenRule, declareScaleSet, GROWTH_SUBNET, RANGE_START } from "./programs";

/** The comparison stack: a scale set of `instances` and a raw V2 rule with the same range. */
export function handWrittenScaleSetProgram(instances: number) {
    const base = declareBase("bench", COMPARISON_SUBNET);
    const scaleSet = declareScaleSet("bench", base, instances);
    const rule = declareHandWrittenRule("bench", base, instances, [scaleSet]);
    return { ruleId: rule.id, frontendPortRange: { start: RANGE_START, end: RANGE_START + instances - 1 } };
}

/** The growth stack: a raw V2 rule over a group of VMs (their NICs exist already). */
export function handWrittenGroupProgram(names: string[]) {
    const base = declareBase("grow", GROWTH_SUBNET);
    const rule = declareHandWrittenRule("grow", base, names.length, []);
    return { ruleId: rule.id, frontendPortRange: { start: RANGE_START, end: RANGE_START + names.length - 1 } };
}
