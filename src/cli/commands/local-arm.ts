/**
 * `azure-nat-rules local-arm`: serves a saved simulator state as an ARM endpoint on loopback, so
 * `mappings` (or any ARM client) can run without Azure.
 */
import { existsSync, rmSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { AzureNatRulesError } from "../../core/errors";

interface LocalArmOptions {
    port: string;
    state: string;
    host: string;
    pidFile?: string;
    retryAfter?: string;
    lroPolls?: string;
    throttling: boolean;
    fast?: boolean;
}

export function register(program: Command): void {
    program
        .command("local-arm")
        .description("Serve a saved simulator state as a local ARM endpoint (http on loopback) until Ctrl-C.")
        .requiredOption("--port <port>", "TCP port to listen on; 0 picks a free one")
        .requiredOption("--state <file>", "simulator state file (JSON written by AzureSimulator.save)")
        .option("--host <address>", "address to listen on; only 127.0.0.1 (the simulator serves loopback only)", "127.0.0.1")
        .option("--pid-file <file>", "write this process's id to <file> once listening, and remove it on exit (to stop a server started in the background)")
        .option("--retry-after <seconds>", "Retry-After of long-running answers (Azure sends 10; azure-core clients take 0 as absent)", "10")
        .option("--lro-polls <n>", "polls of a long-running operation (write, delete, port-mapping query) that answer 'in progress' before it is done", "1")
        .option("--no-throttling", "do not apply Azure's request limits (by default reads 250 then 25/s, writes 200 then 10/s, Microsoft.Network 1,000 writes per 5 minutes)")
        .option("--fast", "quick answers, no throttling (same as --retry-after 1 --lro-polls 0 --no-throttling), for tests")
        .addHelpText(
            "after",
            [
                "",
                "Example:",
                "  $ azure-nat-rules local-arm --port 8443 --state sim-state.json",
                "  local ARM endpoint: http://127.0.0.1:8443 (subscription 00000000-0000-0000-0000-000000000000)",
                "  $ azure-nat-rules mappings --endpoint http://127.0.0.1:8443 --token local -g rg -l lb -p pool",
                "",
                "In the background, stopped when the script ends:",
                "  $ azure-nat-rules local-arm --port 8443 --state sim-state.json --fast --pid-file local-arm.pid &",
                "  $ trap 'kill \"$(cat local-arm.pid)\"' EXIT",
            ].join("\n"),
        )
        .action(async (options: LocalArmOptions) => {
            await runLocalArm(options);
        });
}

async function runLocalArm(options: LocalArmOptions): Promise<void> {
    const port = Number(options.port);
    if (!/^\d+$/.test(options.port) || port > 65535) {
        throw new AzureNatRulesError(
            `local-arm: --port = ${JSON.stringify(options.port)} is invalid: allowed is an integer from 0 to 65535 (0 picks a free port). ` +
                `Fix: pass a port such as --port 8443, or --port 0 and read the port from the line it prints.`,
        );
    }
    if (options.host !== "127.0.0.1") {
        throw new AzureNatRulesError(
            `local-arm: --host = ${JSON.stringify(options.host)} is invalid: allowed is 127.0.0.1 (the simulator accepts any token, so it listens on loopback only). ` +
                `Fix: leave out --host; to use it from another machine, forward the port over ssh (ssh -L 8443:127.0.0.1:8443 <this host>).`,
        );
    }
    const retryAfterSeconds = options.fast ? 1 : Number(options.retryAfter ?? "10");
    if (!/^\d+$/.test(options.retryAfter ?? "10") || retryAfterSeconds > 3600) {
        throw new AzureNatRulesError(
            `local-arm: --retry-after = ${JSON.stringify(options.retryAfter)} is invalid: allowed is a whole number of seconds from 0 to 3600. Fix: pass e.g. --retry-after 10 (Azure's value) or --retry-after 0.`,
        );
    }
    const lroPolls = options.fast ? 0 : Number(options.lroPolls ?? "1");
    if (!/^\d+$/.test(options.lroPolls ?? "1") || lroPolls > 1000) {
        throw new AzureNatRulesError(
            `local-arm: --lro-polls = ${JSON.stringify(options.lroPolls)} is invalid: allowed is a whole number from 0 to 1000. Fix: pass e.g. --lro-polls 0 (done at the first poll) or --lro-polls 1.`,
        );
    }
    const throttling = options.fast ? false : options.throttling;
    // AzureSimulator.load treats a missing file as an empty state; here a missing file is a mistake.
    if (!existsSync(options.state)) {
        throw new AzureNatRulesError(`local-arm: --state file ${JSON.stringify(options.state)} does not exist. Fix: pass a state file saved with AzureSimulator.save (e.g. by the demo).`);
    }
    // Loaded on use: the simulator pulls in Pulumi, which other commands do not need.
    const { AzureSimulator, startArmServer } = await import("../../testing");
    const sim = AzureSimulator.load(options.state);
    let server: Awaited<ReturnType<typeof startArmServer>>;
    try {
        server = await startArmServer(sim, { port, host: "127.0.0.1", retryAfterSeconds, lroPolls, throttling, stateFile: options.state });
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
            throw new AzureNatRulesError(
                `local-arm: port ${port} on 127.0.0.1 is already in use (EADDRINUSE). ` +
                    `Fix: stop what holds it (an earlier local-arm started with --pid-file: kill "$(cat <file>)"; else find it with lsof -i :${port}), ` +
                    `or pass another --port, or --port 0 for a free one.`,
            );
        }
        throw err;
    }
    // Listen before announcing: whoever reads the pid file or the endpoint line may signal at once.
    const stopped = new Promise<void>((resolve) => {
        const stop = (): void => {
            process.off("SIGINT", stop);
            process.off("SIGTERM", stop);
            resolve();
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
    });
    if (options.pidFile !== undefined) writeFileSync(options.pidFile, `${process.pid}\n`);
    process.stdout.write(`local ARM endpoint: ${server.url} (subscription ${sim.subscriptionId})\n`);
    process.stdout.write(
        throttling
            ? `answering as Azure: Retry-After ${retryAfterSeconds} s on long-running queries, Azure's request limits (pass --fast for neither)\n`
            : `Retry-After ${retryAfterSeconds} s on long-running queries, no request limits\n`,
    );
    await stopped;
    await server.close();
    if (options.pidFile !== undefined) rmSync(options.pidFile, { force: true });
}
