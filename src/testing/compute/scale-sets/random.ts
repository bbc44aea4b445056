/**
 * Seeded draws for what Azure chooses at random (which overprovisioned VMs survive, Flexible VM
 * and NIC name suffixes). The seed and the draw count live in the state, so a saved state, a
 * clone and a rolled-back change all draw the same values as the original would.
 */
import { createHash } from "node:crypto";
import type { SimulatorState } from "../../model";

export const DEFAULT_SEED = 0;

/**
 * 32 random bits from the state's seed and draw counter (sha256, so any seed spreads well). The
 * counter is replaced, not changed in place: states share it, and the journal puts it back.
 */
function draw(s: SimulatorState): number {
    const { seed, draws } = s.random ?? { seed: DEFAULT_SEED, draws: 0 };
    s.random = { seed, draws: draws + 1 };
    return createHash("sha256").update(`${seed}:${draws}`).digest().readUInt32BE(0);
}

/** Eight lower-case hex digits, as Azure's Flexible VM and NIC name suffixes (e.g. `myScaleSet_0e7d4d21`). */
export function hex8(s: SimulatorState): string {
    return draw(s).toString(16).padStart(8, "0");
}

/** A seeded Fisher-Yates shuffle of a copy. */
export function shuffled<T>(s: SimulatorState, items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
        const j = draw(s) % (i + 1);
        [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
}
