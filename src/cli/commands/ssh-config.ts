/**
 * `azure-nat-rules ssh-config`: an OpenSSH client config with one `Host` block per instance.
 */
import type { Command } from "commander";
import { addMappingSourceOptions, byInstance, hostAlias, requireFrontendIp, resolveMappings, type MappingSourceOptions } from "../mapping-source";
import { formatSshConfig, type HostEntry } from "../format";

export function register(program: Command): void {
    const command = program
        .command("ssh-config")
        .description("Print an ssh config (Host <prefix>-<instance> blocks with HostName, Port and User) for the instances behind a NAT rule.");
    addMappingSourceOptions(program, command)
        .addHelpText(
            "after",
            [
                "",
                "Examples:",
                "  $ pulumi stack output --json > outputs.json",
                "  $ azure-nat-rules ssh-config --from-file outputs.json --host-prefix web >> ~/.ssh/config",
                "  $ azure-nat-rules ssh-config -g my-rg -l my-lb -p my-pool --rule ssh --user ops",
                "  $ ssh web-0",
            ].join("\n"),
        )
        .action(async (options: MappingSourceOptions) => {
            process.stdout.write(formatSshConfig(await hostEntries("ssh-config", options)));
        });
}

/** The mappings the options point at, as named hosts in instance order. */
export async function hostEntries(command: string, options: MappingSourceOptions): Promise<HostEntry[]> {
    const { instances, hostPrefix, user } = await resolveMappings(command, options);
    return [...instances].sort(byInstance).map((m) => ({ alias: hostAlias(hostPrefix, m.instance), hostName: requireFrontendIp(command, m), port: m.frontendPort, user }));
}
