import { z } from 'zod';

const duration = z.number().positive();
const rate = z.number().nonnegative();

/** One stage: a constant rate (a step) or a linear ramp from the previous stage's end rate. */
export const stageSchema = z.union([
  z.strictObject({ durationS: duration, ratePerSec: rate }),
  z.strictObject({ durationS: duration, rampToPerSec: rate, fromPerSec: rate.optional() }),
]);

/** A stage as written. */
export type StageSpec = z.infer<typeof stageSchema>;

interface Segment {
  readonly startUs: number;
  readonly durUs: number;
  /** Rate at the start and its slope, per µs and per µs². */
  readonly r0: number;
  readonly slope: number;
  /** Cumulative expected arrivals at the segment's start. */
  readonly cum0: number;
  readonly total: number;
}

/**
 * A piecewise-linear arrival rate λ(t) and the inverse of its integral Λ(t) = ∫₀ᵗ λ: arrival k
 * of a unit-rate renewal process at operational time s happens at Λ⁻¹(s). A ramp starts from
 * `fromPerSec` or the previous stage's end rate (0 for the first stage).
 */
export class RateSchedule {
  readonly #segments: Segment[] = [];
  #cursor = 0;
  /** Total duration, µs. */
  readonly endUs: number;
  /** Expected arrivals over the whole schedule. */
  readonly expectedArrivals: number;

  constructor(stages: readonly StageSpec[]) {
    let t = 0;
    let cum = 0;
    let prevEnd = 0;
    for (const st of stages) {
      const durUs = st.durationS * 1e6;
      const fromPerSec = 'ratePerSec' in st ? st.ratePerSec : st.fromPerSec ?? prevEnd;
      const toPerSec = 'ratePerSec' in st ? st.ratePerSec : st.rampToPerSec;
      const r0 = fromPerSec / 1e6;
      const slope = (toPerSec - fromPerSec) / 1e6 / durUs;
      const total = r0 * durUs + (slope * durUs * durUs) / 2;
      this.#segments.push({ startUs: t, durUs, r0, slope, cum0: cum, total });
      t += durUs;
      cum += total;
      prevEnd = toPerSec;
    }
    this.endUs = t;
    this.expectedArrivals = cum;
  }

  /** Rate at time t, per second (for tests and previews). */
  ratePerSecAt(tUs: number): number {
    for (const g of this.#segments) {
      if (tUs < g.startUs + g.durUs) return (g.r0 + g.slope * (tUs - g.startUs)) * 1e6;
    }
    return 0;
  }

  /** Λ⁻¹(s) in µs, or null past the schedule's end. Calls must come with non-decreasing s. */
  timeOfUs(s: number): number | null {
    for (; this.#cursor < this.#segments.length; this.#cursor++) {
      const g = this.#segments[this.#cursor]!;
      const x = s - g.cum0;
      if (x > g.total || g.total === 0) continue;
      // Solve r0·τ + slope·τ²/2 = x for τ in [0, dur]; the stable root form avoids cancellation.
      const tau = g.slope === 0 ? x / g.r0 : (2 * x) / (g.r0 + Math.sqrt(g.r0 * g.r0 + 2 * g.slope * x));
      return g.startUs + Math.min(g.durUs, Math.max(0, tau));
    }
    return null;
  }
}
