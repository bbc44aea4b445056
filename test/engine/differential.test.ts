/**
 * The embedded engine (`runDeployment` with its checkpoint) against the real Pulumi CLI (with the
 * azure-native stand-in), on one scenario of examples/scale-set, each engine over its own simulator:
 * first up, scale-out, an instance deleted outside Pulumi then `up`, autoscale declared, autoscale
 * acting under ignoreChanges then `up`, a raised autoscale maximum, and a maximum past the range
 * (refused). Each step previews, then updates (`up --skip-preview`, as the demo runs its update after
 * its own preview), and compares the plans (plannedPortMappings), Azure's mappings after the update,
 * the errors (which step failed, and the error's key text) and the resources written (runDeployment's
 * `sent` against the engine's create/update steps). Under the real CLI each plan is also checked
 * against Azure after `up`, as in day2.test.ts. The last step is the failed update: what Azure and
 * the Pulumi state hold afterwards, in both engines.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { declareScaleSetStack, type ScaleSetStackSettings } from "../../examples/scale-set/program";
import { runDeployment, StackCheckpoint } from "../../src/testing";
import { startLocalAzure, type LocalAzure } from "./standin-helpers";
import {
    azureMappings,
    deleteInstancesOverRest,
    expectPlanMatches,
    plannedInPreview,
    RG,
    scaleSetStack,
    SSH_KEY,
    stripped,
    VMSS,
    writtenByEngine,
    type Mapping,
    type ScaleSetStack,
} from "./scale-set-stack";

interface Step {
    name: string;
    /** Stack config after this step (the embedded engine gets the same settings). */
    config: { instances?: number; autoscaleMaximum?: number };
    /** A change outside Pulumi before the step, on the engine's own local Azure. */
    outside?: (azure: LocalAzure) => Promise<void>;
}

const steps: Step[] = [
    { name: "first up", config: { instances: 3 } },
    { name: "scale-out to 5", config: { instances: 5 } },
    { name: "instance 1 deleted outside Pulumi, then up", config: { instances: 5 }, outside: (azure) => deleteInstancesOverRest(azure, ["1"]) },
    { name: "autoscale declared, maximum 6", config: { instances: 5, autoscaleMaximum: 6 } },
    { name: "autoscale acts (to 2), then up", config: { instances: 5, autoscaleMaximum: 6 }, outside: async (azure) => void azure.sim.autoscale(RG, VMSS, 2) },
    { name: "autoscale maximum raised to 8", config: { instances: 5, autoscaleMaximum: 8 } },
    { name: "autoscale maximum 20, past the range of 10", config: { instances: 5, autoscaleMaximum: 20 } },
];

interface Outcome {
    plan?: Mapping[];
    previewError?: string;
    upError?: string;
    mappings: Mapping[];
    written: string[];
}

/** The error's key text: the library's own error class and what it says the demand is, or the first line. */
function keyText(message: string | undefined): string | undefined {
    if (message === undefined) return undefined;
    const own = /(\d+ instances need a port[^)]*\))/.exec(message);
    return own ? own[1] : message.split("\n")[0];
}

const program = (config: Step["config"]) => () => declareScaleSetStack({ ...config, sshPublicKey: SSH_KEY } satisfies ScaleSetStackSettings);
const planOf = (plan: unknown): Mapping[] => (plan as Mapping[]).map(({ source: _s, ...m }) => m);

describe("the embedded engine (runDeployment) and the real CLI agree on a day-2 scenario of examples/scale-set", () => {
    let real: ScaleSetStack;
    let embedded: LocalAzure;
    const checkpoint = new StackCheckpoint();
    const outcomes: Array<{ step: string; embedded: Outcome; real: Outcome }> = [];

    beforeAll(async () => {
        real = await scaleSetStack("differential");
        embedded = await startLocalAzure();
    });
    afterAll(async () => {
        await real?.dispose();
        await embedded?.close();
    });

    async function runEmbedded(step: Step): Promise<Outcome> {
        await step.outside?.(embedded);
        const outcome: Outcome = { mappings: [], written: [] };
        try {
            const preview = await runDeployment(embedded.sim, program(step.config), { preview: true, checkpoint, project: "azure-nat-rules-example", stack: "dev" });
            outcome.plan = planOf((preview.outputs as { plannedPortMappings: unknown }).plannedPortMappings);
        } catch (err) {
            outcome.previewError = (err as Error).message;
        }
        const sent: string[] = [];
        try {
            await runDeployment(embedded.sim, program(step.config), { checkpoint, project: "azure-nat-rules-example", stack: "dev", onSent: (r) => sent.push(`${r.type} ${r.name}`) });
        } catch (err) {
            outcome.upError = (err as Error).message;
        }
        outcome.written = sent.filter((s) => s.startsWith("azure-native:")).sort();
        outcome.mappings = azureMappings(embedded);
        return outcome;
    }

    const configured: Record<string, string> = {};
    async function runReal(step: Step): Promise<Outcome> {
        await step.outside?.(real.azure);
        for (const [key, value] of Object.entries(step.config)) {
            if (configured[key] !== String(value)) await real.ws.setConfig(key, String(value));
            configured[key] = String(value);
        }
        const outcome: Outcome = { mappings: [], written: [] };
        const preview = await real.ws.preview({ allowFailure: true });
        if (preview.code === 0) outcome.plan = planOf(plannedInPreview(preview.json));
        else outcome.previewError = errorOf(preview.json, preview.stderr);
        const up = await real.ws.up({ allowFailure: true });
        if (up.code !== 0) outcome.upError = errorOf(up.json, up.stderr);
        outcome.written = writtenByEngine(up.json);
        outcome.mappings = azureMappings(real.azure);
        return outcome;
    }

    it("runs each step through both engines: same plans, same mappings, same errors, same resources written", async () => {
        for (const step of steps) {
            const embeddedOutcome = await runEmbedded(step);
            const realOutcome = await runReal(step);
            outcomes.push({ step: step.name, embedded: embeddedOutcome, real: realOutcome });
            const where = `step "${step.name}"`;
            expect(realOutcome.plan, `${where}: plan`).toEqual(embeddedOutcome.plan);
            expect(realOutcome.mappings, `${where}: Azure's mappings after up`).toEqual(embeddedOutcome.mappings);
            expect(realOutcome.previewError === undefined, `${where}: preview failed (real: ${realOutcome.previewError})`).toBe(embeddedOutcome.previewError === undefined);
            expect(realOutcome.upError === undefined, `${where}: up failed (real: ${realOutcome.upError}; embedded: ${embeddedOutcome.upError})`).toBe(embeddedOutcome.upError === undefined);
            expect(keyText(realOutcome.previewError), `${where}: preview error`).toEqual(keyText(embeddedOutcome.previewError));
            expect(keyText(realOutcome.upError), `${where}: up error`).toEqual(keyText(embeddedOutcome.upError));
            expect(realOutcome.written, `${where}: resources written`).toEqual(embeddedOutcome.written);
            // The real engine's plan against Azure after up (a refused step has no plan).
            if (realOutcome.plan && !realOutcome.upError) expectPlanMatches(realOutcome.plan, realOutcome.mappings, where);
        }
    });

    it("the failed update (autoscale maximum 20): Azure and the Pulumi state keep what was accepted before the failure, in both engines", async () => {
        const last = outcomes.at(-1);
        expect(last?.step).toBe(steps.at(-1)!.name);
        expect(last!.real.previewError).toMatch(/20 instances need a port/);
        expect(last!.real.upError).toMatch(/20 instances need a port/);
        const maximumIn = (azure: LocalAzure) => {
            const setting = azure.sim.get(`/subscriptions/${azure.sim.subscriptionId}/resourceGroups/${RG}/providers/microsoft.insights/autoscalesettings/natdemo-autoscale`) as
                { properties: { profiles: { capacity: { maximum: string } }[] } };
            return setting.properties.profiles[0].capacity.maximum;
        };
        const realMaximum = maximumIn(real.azure);
        expect(realMaximum).toBe(maximumIn(embedded));
        // Pulumi's state: the autoscale setting's inputs in the stack's checkpoint.
        const exported = await real.ws.exportStack();
        const setting = exported.deployment.resources?.find((r) => r.type === "azure-native:monitor:AutoscaleSetting");
        const stateMaximum = (setting?.inputs as { profiles: { capacity: { maximum: string } }[] }).profiles[0].capacity.maximum;
        const embeddedEntry = checkpoint.toJSON().resources[`/subscriptions/${embedded.sim.subscriptionId}/resourcegroups/${RG}/providers/microsoft.insights/autoscalesettings/natdemo-autoscale`.toLowerCase()];
        const embeddedStateMaximum = (embeddedEntry?.inputs as { profiles: { capacity: { maximum: string } }[] } | undefined)?.profiles[0].capacity.maximum;
        expect(stateMaximum).toBe(embeddedStateMaximum);
        expect(stateMaximum).toBe(realMaximum);
        // The stack's outputs are the last successful update's.
        const outputs = await real.ws.stackOutput();
        expect(stripped(outputs.portMappings)).toEqual(outcomes.at(-2)!.real.mappings);
        console.log(`failed update: Azure's autoscale maximum ${realMaximum}, the state's ${stateMaximum}; written before the failure: real ${JSON.stringify(last!.real.written)}, embedded ${JSON.stringify(last!.embedded.written)}`);
    });
});

/** The CLI's error for a failed operation: the error diagnostics' text, else its stderr. */
function errorOf(json: { diagnostics?: Array<{ message: string; severity: string }> }, stderr: string): string {
    const errors = (json.diagnostics ?? []).filter((d) => d.severity === "error").map((d) => d.message.trim());
    return errors.length > 0 ? errors.join("\n") : stderr.trim();
}
