// The ops-access stack: run it from this directory (its Pulumi.yaml is here), after the scale-set stack.
import * as pulumi from "@pulumi/pulumi";
import { declareOpsAccessStack } from "./program";

const config = new pulumi.Config();
const outputs = declareOpsAccessStack({
    scaleSetStack: config.require("scaleSetStack"),
    hostPrefix: config.get("hostPrefix"),
    user: config.get("user"),
});

export const hosts = outputs.hosts;
export const sshConfig = outputs.sshConfig;
export const sshConfigFile = outputs.sshConfigFile;
export const inventory = outputs.inventory;
