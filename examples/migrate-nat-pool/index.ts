// The NAT pool migration example as a Pulumi program. Deploy the stages one after another:
//   pulumi config set sshPublicKey "$(cat ~/.ssh/id_ed25519.pub)"
//   pulumi config set stage before            && pulumi up   # today: an inbound NAT pool
//   pulumi config set stage detach-scale-set  && pulumi up   # step 1: NAT'ed ports go down
//   pulumi config set stage delete-nat-pool   && pulumi up   # step 2
//   pulumi config set stage after             && pulumi up   # step 3: a backend-pool NAT rule
import * as pulumi from "@pulumi/pulumi";
import { declareMigrationExample, MIGRATION_STAGES, STAGE_LAYOUTS, type MigrationStage } from "./program";

const config = new pulumi.Config();
const stage = config.get("stage") ?? "before";
if (!(MIGRATION_STAGES as readonly string[]).includes(stage)) {
    throw new pulumi.RunError(`migrate-nat-pool: config stage = ${JSON.stringify(stage)}: allowed is one of ${MIGRATION_STAGES.join(", ")}, deployed in that order. Fix: pulumi config set stage before`);
}
const outputs = declareMigrationExample(STAGE_LAYOUTS[stage as MigrationStage], {
    instances: config.getNumber("instances"),
    sshPublicKey: config.require("sshPublicKey"),
});

export const loadBalancer = outputs.loadBalancer;
export const scaleSet = outputs.scaleSet;
export const frontendIp = outputs.frontendIp;
export const rule = outputs.rule;
export const frontendPortRange = outputs.frontendPortRange;
export const portMappings = outputs.portMappings;
