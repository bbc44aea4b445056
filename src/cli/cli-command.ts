/**
 * Commander's `Command`, with usage errors that name what is wrong, what is allowed and how to fix
 * it, followed by one usage line and where to read more (not the whole `--help`).
 */
import { Command, type Option } from "commander";

/** An example value per option, shown in the fix when a required option is missing. */
const EXAMPLES = new WeakMap<Option, string>();

/** Gives `command`'s option `flag` an example value (`--rule` → `ssh:22:10`) for the missing-option fix. */
export function setFlagExample(command: Command, flag: string, example: string): void {
    const option = command.options.find((o) => o.long === flag);
    if (!option) throw new Error(`${command.name()} has no ${flag} option to give an example to`);
    EXAMPLES.set(option, example);
}

/** How a long flag is written in help and in a fix: `--resource-group <name>`. */
export function flagUsage(option: Option): string {
    const value = option.flags.match(/ ([<[].*)$/)?.[1];
    return `${option.long ?? option.short}${value ? ` ${value}` : ""}`;
}

export class CliCommand extends Command {
    override createCommand(name?: string): Command {
        return new CliCommand(name);
    }

    override error(message: string, errorOptions?: { code?: string; exitCode?: number }): never {
        const code = errorOptions?.code;
        const withUsage = (text: string): never => super.error(`${text}\n${this.usageLines()}`, errorOptions);
        if (code === "commander.missingMandatoryOptionValue") {
            // Commander checks required options before unknown ones, so a mistyped required flag
            // (`--resource-grp`) would be reported as missing; name the unknown flag first.
            const unknown = this.unknownFlags();
            if (unknown.length > 0) {
                // Commander's own unknown-option report, suggestion included ("Did you mean ...?").
                const report = (this as unknown as { unknownOption?: (flag: string) => never }).unknownOption;
                if (typeof report === "function") report.call(this, unknown[0]);
            }
            const missing = this.options.filter((o) => o.mandatory && this.getOptionValue(o.attributeName()) === undefined);
            const list = missing.map(flagUsage);
            const examples = missing.filter((o) => EXAMPLES.has(o)).map((o) => `${o.long} ${EXAMPLES.get(o)}`);
            return withUsage(
                `error: required option${list.length === 1 ? "" : "s"} ${list.map((f) => `'${f}'`).join(", ")} not specified. ` +
                    `Fix: add ${list.join(" ")}${examples.length > 0 ? `, e.g. ${examples.join(" ")}` : ""}.`,
            );
        }
        if (code === "commander.unknownOption") {
            const allowed = this.options.map(flagUsage);
            const suggested = /Did you mean (--?[\w-]+)\?/.exec(message)?.[1];
            return withUsage(
                `${message.replace(/\n/g, " ")}. ${this.commandPath()} takes: ${allowed.join(", ")}, --help. ` +
                    `Fix: ${suggested ? `write ${suggested}` : "remove it or use one of those"}.`,
            );
        }
        // Other usage errors (an invalid option value, a missing argument, an unknown command) keep commander's words.
        return withUsage(message.trim().replace(/\n/g, " "));
    }

    /** One usage line, required options spelled out, and where the rest is described. */
    private usageLines(): string {
        const required = this.options.filter((o) => o.mandatory).map(flagUsage);
        return [`Usage: ${[this.commandPath(), ...required, this.usage()].join(" ")}`, `More: ${this.commandPath()} --help`].join("\n");
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
