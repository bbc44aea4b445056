import * as pulumi from "@pulumi/pulumi";
import { ansibleInventory, formatSshConfig, hostEntries, readNatMappings } from "azure-nat-rules";

/** What the ops-access stack is told. */
export interface OpsAccessSettings {
    /** The stack that declares the NAT rule, fully qualified: "<org>/<project>/<stack>". */
    scaleSetStack: string;
    /** Host aliases are `<hostPrefix>-<instance>`. @default "natdemo" */
    hostPrefix?: string;
    /** Login user on the instances. @default "azureuser" */
    user?: string;
}

/**
 * Reads the scale-set stack's `portMappings` output and turns it into an OpenSSH client config (a
 * text output and a file asset) and an Ansible inventory. They are the mappings as of that stack's
 * last `pulumi up`: an instance that autoscale adds afterwards appears after the next `up` there
 * and here, or at once with `azure-nat-rules ssh-config` (a live lookup).
 */
export function declareOpsAccessStack(settings: OpsAccessSettings) {
    const scaleSet = new pulumi.StackReference(settings.scaleSetStack);
    const mappings = readNatMappings(scaleSet, "portMappings");
    const hosts = mappings.apply((m) => hostEntries(m, { hostPrefix: settings.hostPrefix ?? "natdemo", user: settings.user }));
    const sshConfig = hosts.apply(formatSshConfig);
    return {
        hosts: hosts.apply((h) => h.map((x) => x.alias)),
        sshConfig,
        sshConfigFile: sshConfig.apply((text) => new pulumi.asset.StringAsset(text)),
        inventory: hosts.apply(ansibleInventory),
    };
}
