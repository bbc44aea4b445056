/**
 * `azure-nat-rules local-arm`: serves a saved simulator state as an ARM endpoint on loopback, so
 * `mappings` (or any ARM client) can run without Azure.
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { AzureNatRulesError } from "../../core/errors";

interface LocalArmOptions {
    port: string;
    state: string;
    host: string;
}

export function register(program: Command): void {
    program
        .command("local-arm")
        .description("Serve a saved simulator state as a local ARM endpoint (http on loopback) until Ctrl-C.")
        .requiredOption("--port <port>", "TCP port to listen on; 0 picks a free one")
        .requiredOption("--state <file>", "simulator state file (JSON written by AzureSimulator.save)")
        .option("--host <address>", "address to listen on; only 127.0.0.1 (the simulator serves loopback only)", "127.0.0.1")
        .addHelpText(
            "after",
            [
                "",
                "Example:",
                "  $ azure-nat-rules local-arm --port 8443 --state sim-state.json",
                "  local ARM endpoint: http://127.0.0.1:8443 (subscription 00000000-0000-0000-0000-000000000000)",
                "  $ azure-nat-rules mappings --endpoint http://127.0.0.1:8443 --token local -g rg -l lb -p pool",
            ].join("\n"),
        )
        .action(async (options: LocalArmOptions) => {
            await runLocalArm(options);
        });
}

async function runLocalArm(options: LocalArmOptions): Promise<void> {
    const port = Number(options.port);
    if (!/^\d+$/.test(options.port) || port > 65535) {
        throw new AzureNatRulesError(`local-arm: --port = ${JSON.stringify(options.port)} is invalid: allowed is an integer from 0 to 65535 (0 picks a free port).`);
    }
    if (options.host !== "127.0.0.1") {
        throw new AzureNatRulesError(
            `local-arm: --host = ${JSON.stringify(options.host)} is invalid: allowed is 127.0.0.1 (the simulator accepts any token, so it listens on loopback only).`,
        );
    }
    // AzureSimulator.load treats a missing file as an empty state; here a missing file is a mistake.
    if (!existsSync(options.state)) {
        throw new AzureNatRulesError(`local-arm: --state file ${JSON.stringify(options.state)} does not exist. Fix: pass a state file saved with AzureSimulator.save (e.g. by the demo).`);
    }
    // Loaded on use: the simulator pulls in Pulumi, which other commands do not need.
    const { AzureSimulator, startArmServer } = await import("../../testing");
    const sim = AzureSimulator.load(options.state);
    const server = await startArmServer(sim, { port, host: "127.0.0.1" });
    process.stdout.write(`local ARM endpoint: ${server.url} (subscription ${sim.subscriptionId})\n`);
    await new Promise<void>((resolve) => {
        const stop = (): void => {
            process.off("SIGINT", stop);
            process.off("SIGTERM", stop);
            resolve();
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
    });
    await server.close();
}
