/**
 * What `pulumi preview/up/refresh/destroy --json` print, and the parsing of it for the harness
 * (pulumi-cli.ts): preview prints one JSON object; up, refresh and destroy print the engine's
 * events, one JSON object a line.
 */

/** What `pulumi preview/up/refresh/destroy --json` print: the fields the tests read. */
export interface OperationJson {
    steps?: Array<{
        op: string;
        urn: string;
        provider?: string;
        oldState?: { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
        newState?: { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
        diffReasons?: string[];
        replaceReasons?: string[];
        detailedDiff?: Record<string, unknown>;
    }>;
    diagnostics?: Array<{ urn?: string; message: string; severity: string }>;
    changeSummary?: Record<string, number>;
    duration?: number;
}

/** {@link OperationJson}, by the name the first version of the harness gave it. */
export type PreviewJson = OperationJson;

/** One line of `pulumi up/refresh/destroy --json`: one of these keys is set. */
export interface EngineEvent {
    sequence: number;
    timestamp: number;
    preludeEvent?: { config: Record<string, string> };
    summaryEvent?: { maybeCorrupt: boolean; durationSeconds: number; resourceChanges?: Record<string, number> };
    diagnosticEvent?: { urn?: string; prefix?: string; message: string; severity: string };
    resourcePreEvent?: { metadata: StepMetadata };
    resOutputsEvent?: { metadata: StepMetadata };
    resOpFailedEvent?: { metadata: StepMetadata; status: number; steps: number };
    [other: string]: unknown;
}

interface StepMetadata {
    op: string;
    urn: string;
    type: string;
    provider?: string;
    old?: { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> } | null;
    new?: { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> } | null;
    diffs?: string[];
    detailedDiff?: Record<string, unknown> | null;
}

export function parsePreview(stdout: string): { json: OperationJson; events: EngineEvent[] } {
    try {
        return { json: JSON.parse(stdout) as OperationJson, events: [] };
    } catch {
        return { json: {}, events: [] };
    }
}

export function parseEvents(stdout: string): { json: OperationJson; events: EngineEvent[] } {
    const events: EngineEvent[] = [];
    for (const line of stdout.split("\n")) {
        if (!line.trim().startsWith("{")) continue;
        try {
            events.push(JSON.parse(line) as EngineEvent);
        } catch {
            // A line that is not an event (the CLI's own message): left to stdout.
        }
    }
    if (events.length === 0) return { json: {}, events };
    const steps: NonNullable<OperationJson["steps"]> = [];
    const diagnostics: NonNullable<OperationJson["diagnostics"]> = [];
    let changeSummary: Record<string, number> | undefined;
    for (const event of events) {
        const metadata = event.resOutputsEvent?.metadata ?? event.resOpFailedEvent?.metadata;
        if (metadata) {
            steps.push({
                op: metadata.op,
                urn: metadata.urn,
                provider: metadata.provider,
                oldState: metadata.old ?? undefined,
                newState: metadata.new ?? undefined,
                diffReasons: metadata.diffs,
                detailedDiff: metadata.detailedDiff ?? undefined,
            });
        }
        const diagnostic = event.diagnosticEvent;
        if (diagnostic && diagnostic.severity !== "debug") diagnostics.push({ urn: diagnostic.urn, message: diagnostic.message, severity: diagnostic.severity });
        if (event.summaryEvent) changeSummary = event.summaryEvent.resourceChanges ?? {};
    }
    return { json: { steps, diagnostics, changeSummary }, events };
}

