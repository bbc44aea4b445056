/**
 * Entry point of the `pulumi-resource-azure-native` stand-in plugin (bin/pulumi-resource-azure-native
 * runs it): serves the provider protocol and prints its port, as the engine expects of a plugin.
 */
import { serve } from "./grpc-server";
import { standInSchema, standInVersion } from "./plugin";

serve({ version: standInVersion(), schema: standInSchema() }).catch((err: unknown) => {
    process.stderr.write(`azure-native stand-in: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
});
