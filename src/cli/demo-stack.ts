/**
 * The stack `azure-nat-rules demo` deploys to the local simulator: the scale-set example's own
 * program (examples/scale-set/program.ts), not a copy. The build compiles that one file into the
 * package beside the CLI (dist/examples/scale-set/program.js); it imports the package by its name,
 * as a user's program does, and Node resolves that name to the package itself (package.json
 * "exports"), so the demo and the CLI share one copy of the components.
 */
import { declareScaleSetStack, type ScaleSetStackSettings } from "../../examples/scale-set/program";

/** What the demo's flags tune: the example's settings, of which the demo always gives these. */
export type DemoStackSettings = ScaleSetStackSettings & Required<Pick<ScaleSetStackSettings, "instances" | "adminUsername" | "prefix">>;

/** The demo's maxInstances: the example's default range (50000-50009), which the demo never changes. */
export const DEMO_MAX_INSTANCES = 10;

/** Declares the demo's stack (the scale-set example) and returns its outputs. */
export function declareDemoStack(settings: DemoStackSettings): ReturnType<typeof declareScaleSetStack> {
    return declareScaleSetStack({ maxInstances: DEMO_MAX_INSTANCES, ...settings });
}

/** The example's program itself, for the test that the demo runs it. */
export { declareScaleSetStack };
