// The scale-set example as a Pulumi program: `pulumi preview` / `pulumi up` at the repository root.
import * as pulumi from "@pulumi/pulumi";
import { declareScaleSetStack } from "./program";

const config = new pulumi.Config();
const outputs = declareScaleSetStack({
    instances: config.getNumber("instances"),
    maxInstances: config.getNumber("maxInstances"),
    autoscaleMaximum: config.getNumber("autoscaleMaximum"),
    flexible: config.getBoolean("flexible"),
    frontendPortRangeStart: config.getNumber("frontendPortRangeStart"),
    sshPublicKey: config.require("sshPublicKey"),
    adminUsername: config.get("adminUsername"),
    sshSourceCidr: config.get("sshSourceCidr"),
});

export const resourceGroup = outputs.resourceGroup;
export const loadBalancer = outputs.loadBalancer;
export const backendPool = outputs.backendPool;
export const rule = outputs.rule;
export const frontendIp = outputs.frontendIp;
export const frontendPortRange = outputs.frontendPortRange;
export const portMappings = outputs.portMappings;
export const sshCommands = outputs.sshCommands;
export const sshAllowedFrom = outputs.sshAllowedFrom;
export const sshSecurityRule = outputs.sshSecurityRule;
