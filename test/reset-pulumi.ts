/**
 * Runs before each test file. Workers are shared across files (vitest.config.mts), and Pulumi's
 * runtime settings are process-wide: a file that previewed left `isDryRun()` true, and a file that
 * drives the simulator's mocks directly then saw a preview. Each file starts in update mode, with
 * mocks that refuse any registration it did not set up itself.
 */
import * as pulumi from "@pulumi/pulumi";

// At load, before the test file is imported: a file that sets its own mocks at import time keeps them.
// setMocks does its work synchronously (it awaits nothing), so the settings hold once it returns.
void pulumi.runtime.setMocks(
    {
        newResource(args) {
            throw new Error(`no Pulumi mocks set up for this test file (registration of ${args.type} "${args.name}")`);
        },
        call(args) {
            throw new Error(`no Pulumi mocks set up for this test file (call of ${args.token})`);
        },
    },
    "project",
    "stack",
    false,
);
