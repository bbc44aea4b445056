#!/usr/bin/env node
/**
 * The `azure-nat-rules` command. Each sub-command lives in ./commands/<name>.ts and exports
 * `register(program)`; this file only wires them together.
 */
import { Command } from "commander";
import { AzureNatRulesError } from "../core/errors";
import { packageVersion } from "../internal/package-root";

// Each entry: a module under ./commands that exports `register(program: Command): void`.
const COMMANDS: string[] = ["plan", "schema", "migrate", "mappings", "local-arm", "demo"];

export function buildProgram(): Command {
    const program = new Command("azure-nat-rules")
        .description("Plan, check, simulate and read Azure Load Balancer inbound NAT rules.")
        .version(packageVersion())
        .showHelpAfterError()
        .exitOverride();
    for (const name of COMMANDS) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require(`./commands/${name}`) as { register(p: Command): void }).register(program);
    }
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
