/**
 * `azure-nat-rules inventory`: an Ansible inventory of the instances behind a NAT rule.
 */
import type { Command } from "commander";
import { addMappingSourceOptions, type MappingSourceOptions } from "../mapping-source";
import { ansibleInventory, formatInventoryYaml } from "../format";
import { hostEntries } from "./ssh-config";

export function register(program: Command): void {
    const command = program
        .command("inventory")
        .description("Print an Ansible inventory (all: hosts: with ansible_host, ansible_port, ansible_user) of the instances behind a NAT rule; YAML unless --json.");
    addMappingSourceOptions(program, command)
        .option("--json", "print the inventory as JSON (ansible-inventory's structure) instead of YAML")
        .addHelpText(
            "after",
            [
                "",
                "Examples:",
                "  $ pulumi stack output --json > outputs.json",
                "  $ azure-nat-rules inventory --from-file outputs.json > inventory.yml",
                "  $ ansible -i inventory.yml all -m ping",
                "  $ azure-nat-rules inventory -g my-rg -l my-lb -p my-pool --json",
            ].join("\n"),
        )
        .action(async (options: MappingSourceOptions & { json?: boolean }) => {
            const hosts = await hostEntries("inventory", options);
            process.stdout.write(options.json ? `${JSON.stringify(ansibleInventory(hosts), null, 2)}\n` : formatInventoryYaml(hosts));
        });
}
