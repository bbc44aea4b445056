#!/usr/bin/env node
/**
 * The `azure-nat-rules` command. Each sub-command lives in ./commands/<name>.ts and exports
 * `register(program)`; this file only wires them together (./cli-command words commander's usage errors).
 */
import type { Command } from "commander";
import { AzureNatRulesError } from "../core/errors";
import { packageVersion } from "../package-schema/package-root";
import { CliCommand } from "./cli-command";
// Static imports cost nothing at start-up: each command loads its heavy dependencies when it runs.
import * as demo from "./commands/demo";
import * as inventory from "./commands/inventory";
import * as localArm from "./commands/local-arm";
import * as mappings from "./commands/mappings";
import * as migrate from "./commands/migrate";
import * as plan from "./commands/plan";
import * as schema from "./commands/schema";
import * as ssh from "./commands/ssh";
import * as sshConfig from "./commands/ssh-config";

/** The sub-commands in the order `--help` lists them; each registers itself on the program. */
const COMMANDS: { register(program: Command): void }[] = [plan, schema, migrate, mappings, sshConfig, inventory, ssh, localArm, demo];

export function buildProgram(): Command {
    const program = new CliCommand("azure-nat-rules")
        .description("Plan, check, simulate and read Azure Load Balancer inbound NAT rules.")
        .version(packageVersion())
        .exitOverride();
    for (const command of COMMANDS) command.register(program);
    return program;
}

export async function main(argv: string[]): Promise<number> {
    const program = buildProgram();
    try {
        await program.parseAsync(argv, { from: "user" });
        return Number(process.exitCode ?? 0);
    } catch (err) {
        const code = (err as { code?: string; exitCode?: number }).code;
        if (typeof code === "string" && code.startsWith("commander.")) {
            // commander already printed help, version or the usage error.
            return (err as { exitCode?: number }).exitCode ?? 1;
        }
        const message = err instanceof AzureNatRulesError || err instanceof Error ? err.message : String(err);
        process.stderr.write(`azure-nat-rules: ${message}\n`);
        return 1;
    }
}

if (require.main === module) {
    // `azure-nat-rules ... | head` closes stdout early; that is not an error.
    process.stdout.on("error", (err: NodeJS.ErrnoException) => {
        if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
        throw err;
    });
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
