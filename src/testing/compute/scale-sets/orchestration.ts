/** What ARM checks about a scale set's orchestration mode before it creates or updates it. */
import { ARM_ERROR_CODES } from "../../errors";
import { fail } from "../../lookups";
import { FLEXIBLE } from "./instance-model";

const MODES = ["Uniform", FLEXIBLE];

/**
 * Flexible scale sets do not overprovision (docs virtual-machine-scale-sets-orchestration-modes,
 * feature table: "Overprovisioning: Flexible no") and need `platformFaultDomainCount`
 * (Azure/azure-rest-api-specs#27029). No recorded ARM answer gives the codes: `InvalidParameter`
 * and the wording are ours (docs/simulator.md marks them as a guess).
 */
export function checkOrchestration(scaleSetId: string, mode: string, overprovision: boolean | undefined, platformFaultDomainCount: number | undefined): void {
    if (!MODES.some((m) => m.toLowerCase() === mode.toLowerCase())) {
        throw fail(ARM_ERROR_CODES.invalidParameter, 400, `The value '${mode}' of parameter 'orchestrationMode' of ${scaleSetId} is not valid. Allowed values: ${MODES.join(", ")}.`);
    }
    if (mode.toLowerCase() !== FLEXIBLE.toLowerCase()) return;
    if (overprovision === true) {
        throw fail(ARM_ERROR_CODES.invalidParameter, 400,
            `The property 'overprovision' is not supported for Virtual Machine Scale Set ${scaleSetId} with orchestrationMode Flexible.`);
    }
    if (platformFaultDomainCount === undefined) {
        throw fail(ARM_ERROR_CODES.invalidParameter, 400,
            `Required parameter 'platformFaultDomainCount' is missing (null) for Virtual Machine Scale Set ${scaleSetId} with orchestrationMode Flexible.`);
    }
}
