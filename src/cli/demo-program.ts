/**
 * The demo's Pulumi program under the real CLI (`azure-nat-rules demo --engine pulumi`): the
 * project that demo writes beside its state file loads this module and exports what
 * {@link demoProgram} returns as the stack's outputs. The settings come from the stack's config,
 * which the demo passes to `pulumi preview`/`up` (`--config`).
 */
import * as pulumi from "@pulumi/pulumi";
import { declareDemoStack } from "./demo-stack";

/** The prefix of the diagnostic that carries the preview's plan: `pulumi preview --json` has no stack outputs. */
export const PLAN_LOG_PREFIX = "azure-nat-rules demo planned: ";

export function demoProgram(): Record<string, unknown> {
    const config = new pulumi.Config();
    const outputs = declareDemoStack({
        instances: config.requireNumber("instances"),
        sshPublicKey: config.require("sshPublicKey"),
        adminUsername: config.require("adminUsername"),
        prefix: config.require("prefix"),
        autoscaleMaximum: config.getNumber("autoscaleMaximum"),
    });
    if (pulumi.runtime.isDryRun()) {
        pulumi.output(outputs.plannedPortMappings).apply((planned) => pulumi.log.info(PLAN_LOG_PREFIX + JSON.stringify(planned ?? [])));
    }
    return outputs;
}
