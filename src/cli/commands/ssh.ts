/**
 * `azure-nat-rules ssh <instance>`: finds the instance's frontend port and runs ssh to it.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { Command } from "commander";
import { AzureNatRulesError } from "../../core/errors";
import { addMappingSourceOptions, byInstance, requireFrontendIp, resolveMappings, type MappingSourceOptions } from "../mapping-source";
import { sshCommand } from "../format";

export function register(program: Command): void {
    const command = program
        .command("ssh")
        .description("Run ssh to one instance behind a NAT rule, through the frontend port it is mapped to.")
        .argument("<instance>", "scale-set instance id (0, 1, ...) or VM name")
        .argument("[ssh-args...]", "more arguments for ssh, after --");
    addMappingSourceOptions(program, command)
        .option("--dry-run", "print the ssh command instead of running it")
        .addHelpText(
            "after",
            [
                "",
                "Examples:",
                "  $ azure-nat-rules ssh 7 --from-file outputs.json",
                "  $ azure-nat-rules ssh 7 -g my-rg -l my-lb -p my-pool --dry-run",
                "  ssh -p 50007 azureuser@203.0.113.10",
                "  $ azure-nat-rules ssh 7 --from-file outputs.json -- -i ~/.ssh/ops uptime",
            ].join("\n"),
        )
        .action(async (instance: string, sshArgs: string[], options: MappingSourceOptions & { dryRun?: boolean }) => {
            const { instances, user } = await resolveMappings("ssh", options);
            const mapping = instances.find((m) => m.instance === instance);
            if (!mapping) {
                const known = [...instances].sort(byInstance).map((m) => m.instance);
                const shown = known.slice(0, 20).join(", ") + (known.length > 20 ? `, … (${known.length - 20} more)` : "");
                throw new AzureNatRulesError(
                    `ssh: no instance ${JSON.stringify(instance)} among the mapped instances (${shown}). ` +
                        `Fix: pass one of those; an instance added since the mappings were read needs a fresh read (a live lookup, or pulumi stack output --json after pulumi up).`,
                );
            }
            const host = requireFrontendIp("ssh", mapping);
            const args = ["-p", String(mapping.frontendPort), `${user}@${host}`, ...sshArgs];
            if (options.dryRun) {
                process.stdout.write(`${[sshCommand(user, host, mapping.frontendPort), ...sshArgs.map(shellQuote)].join(" ")}\n`);
                return;
            }
            process.exitCode = await runSsh(args);
        });
}

function runSsh(args: string[]): Promise<number> {
    return new Promise((resolve, reject) => {
        const child = spawn("ssh", args, { stdio: "inherit" });
        child.on("error", (err: NodeJS.ErrnoException) =>
            reject(
                err.code === "ENOENT"
                    ? new AzureNatRulesError("ssh: the ssh command was not found on PATH. Fix: install an OpenSSH client, or print the command with --dry-run.")
                    : err,
            ),
        );
        // A shell's convention: ended by a signal, the status is 128 + the signal's number.
        child.on("close", (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
    });
}

function shellQuote(word: string): string {
    return /^[A-Za-z0-9@%+=:,./_-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
