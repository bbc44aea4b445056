#!/usr/bin/env node
/**
 * The `azure-nat-rules` command. Each sub-command lives in ./commands/<name>.ts and exports
 * `register(program)`; this file only wires them together and words commander's usage errors.
 */
import { Command, type Option } from "commander";
import { AzureNatRulesError } from "../core/errors";
import { packageVersion } from "../internal/package-root";
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

/** How a long flag is written in help and in a fix: `--resource-group <name>`. */
function flagUsage(option: Option): string {
    const value = option.flags.match(/ ([<[].*)$/)?.[1];
    return `${option.long ?? option.short}${value ? ` ${value}` : ""}`;
}

/**
 * Commander, with usage errors that name what is wrong, what is allowed and how to fix it. Its
 * own order checks required options before unknown ones, so a mistyped required flag
 * (`--resource-grp`) was reported as missing; here the unknown flag is named first.
 */
class CliCommand extends Command {
    override createCommand(name?: string): Command {
        return new CliCommand(name);
    }

    override error(message: string, errorOptions?: { code?: string; exitCode?: number }): never {
        const code = errorOptions?.code;
        if (code === "commander.missingMandatoryOptionValue") {
            const unknown = this.unknownFlags();
            if (unknown.length > 0) {
                // Commander's own unknown-option report, suggestion included ("Did you mean ...?").
                const report = (this as unknown as { unknownOption?: (flag: string) => never }).unknownOption;
                if (typeof report === "function") report.call(this, unknown[0]);
            }
            const missing = this.options.filter((o) => o.mandatory && this.getOptionValue(o.attributeName()) === undefined);
            const list = missing.map(flagUsage);
            return super.error(
                `error: required option${list.length === 1 ? "" : "s"} ${list.map((f) => `'${f}'`).join(", ")} not specified. ` +
                    `Fix: add ${list.join(" ")} (${this.commandPath()} --help describes each).`,
                errorOptions,
            );
        }
        if (code === "commander.unknownOption") {
            const allowed = this.options.map(flagUsage);
            const suggested = /Did you mean (--?[\w-]+)\?/.exec(message)?.[1];
            return super.error(
                `${message.replace(/\n/g, " ")}. ${this.commandPath()} takes: ${allowed.join(", ")}, --help. ` +
                    `Fix: ${suggested ? `write ${suggested}` : "remove it or use one of those"} (${this.commandPath()} --help describes each).`,
                errorOptions,
            );
        }
        return super.error(message, errorOptions);
    }

    /** `azure-nat-rules mappings`. */
    private commandPath(): string {
        const names: string[] = [];
        for (let c: Command | null = this; c; c = c.parent) names.unshift(c.name());
        return names.join(" ");
    }

    /** Long flags among this command's arguments that none of its options (or its parents') declare. */
    private unknownFlags(): string[] {
        const known = new Set<string>(["--help", "-h"]);
        for (let c: Command | null = this; c; c = c.parent) for (const o of c.options) for (const f of [o.long, o.short]) if (f) known.add(f);
        return this.args.filter((arg) => arg.startsWith("-") && arg !== "--" && !known.has(arg.split("=")[0]) && !/^-\d/.test(arg));
    }
}

export function buildProgram(): Command {
    const program = new CliCommand("azure-nat-rules")
        .description("Plan, check, simulate and read Azure Load Balancer inbound NAT rules.")
        .version(packageVersion())
        .showHelpAfterError()
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
