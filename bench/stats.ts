/** Summaries and tables for the benchmark report. */

/** Median, min and max of some runs' values. */
export interface Spread {
    median: number;
    min: number;
    max: number;
}

export function spread(values: readonly number[]): Spread {
    if (values.length === 0) throw new Error("spread: no values (a case with zero runs).");
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** `a / b`, or NaN when b is 0. */
export function ratio(a: number, b: number): number {
    return b === 0 ? Number.NaN : a / b;
}

/** A number rounded for the JSON output: 3 significant decimals at most. */
export function round(value: number, decimals = 3): number {
    if (!Number.isFinite(value)) return value;
    const factor = 10 ** decimals;
    return Math.round(value * factor) / factor;
}

/** "171 ms", "1.4 s" style, for times in milliseconds. */
export function formatMs(ms: number): string {
    if (!Number.isFinite(ms)) return "n/a";
    if (ms < 10) return `${ms.toFixed(1)} ms`;
    if (ms < 10_000) return `${Math.round(ms).toLocaleString("en-US")} ms`;
    return `${(ms / 1000).toFixed(1)} s`;
}

/** "171 ms (165–180)": the median and the range of the runs; the range is left out for one run. */
export function formatSpreadMs(s: Spread, runs: number): string {
    if (runs <= 1) return formatMs(s.median);
    const min = formatMs(s.min);
    const max = formatMs(s.max);
    // "165–180 ms" when both ends share a unit, "950 ms–1.2 s" when they do not.
    const unit = (text: string): string => text.slice(text.lastIndexOf(" "));
    return `${formatMs(s.median)} (${unit(min) === unit(max) ? min.slice(0, min.lastIndexOf(" ")) : min}–${max})`;
}

export function formatMb(mb: number): string {
    return Number.isFinite(mb) ? `${mb.toFixed(0)} MB` : "n/a";
}

export function formatSpreadMb(s: Spread, runs: number): string {
    if (runs <= 1) return formatMb(s.median);
    return `${formatMb(s.median)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
}

export function formatRatio(value: number): string {
    return Number.isFinite(value) ? `${value.toFixed(2)}×` : "n/a";
}

/** A Markdown table with padded columns, readable as plain text and pasteable into a README. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => (c ?? "").padEnd(widths[i])).join(" | ")} |`;
    return [line(headers), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}
