import { describe, expect, it } from 'vitest';
import { SeededRng } from '../policies/rng.js';
import { arrivalsSchema, makeArrivals, type OpenLoopSpec } from './arrivals.js';
import { RateSchedule } from './rate-stages.js';

function times(spec: unknown, max = 1_000_000, seed = 1): number[] {
  const p = makeArrivals(arrivalsSchema.parse(spec) as OpenLoopSpec);
  const rng = new SeededRng(seed);
  const out: number[] = [];
  for (let t = p.nextUs(rng); t !== null && out.length < max; t = p.nextUs(rng)) out.push(t);
  return out;
}

function gapStats(ts: number[]): { meanS: number; cv2: number } {
  const gaps = ts.map((t, i) => (t - (i > 0 ? ts[i - 1]! : 0)) / 1e6);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const variance = gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length;
  return { meanS: mean, cv2: variance / (mean * mean) };
}

const count = (ts: number[], fromS: number, toS: number) => ts.filter((t) => t >= fromS * 1e6 && t < toS * 1e6).length;

describe('arrival processes: rates for fixed seeds', () => {
  it('poisson: mean gap 1/rate, exponential gaps (CV² = 1)', () => {
    const g = gapStats(times({ kind: 'poisson', ratePerSec: 5 }, 20_000));
    expect(g.meanS).toBeCloseTo(0.2, 2);
    expect(g.cv2).toBeGreaterThan(0.93);
    expect(g.cv2).toBeLessThan(1.07);
  });

  it('constant: exactly 1/rate apart', () => {
    const ts = times({ kind: 'constant', ratePerSec: 4 }, 10);
    expect(ts).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((k) => k * 250_000));
  });

  it('gamma: mean gap 1/rate, CV² = 1/burstiness (vLLM benchmark_serving)', () => {
    for (const b of [0.25, 1, 4]) {
      const g = gapStats(times({ kind: 'gamma', ratePerSec: 5, burstiness: b }, 40_000, 3));
      expect(Math.abs(g.meanS - 0.2)).toBeLessThan(0.2 * 0.03);
      expect(Math.abs(g.cv2 - 1 / b)).toBeLessThan(0.1 / b);
    }
  });

  it('step stages: each stage at its own rate, then arrivals end', () => {
    const ts = times({ kind: 'stages', stages: [{ durationS: 100, ratePerSec: 2 }, { durationS: 100, ratePerSec: 10 }] });
    // Poisson counts: 200 ± 14 and 1000 ± 32; allow 4 standard deviations.
    expect(Math.abs(count(ts, 0, 100) - 200)).toBeLessThan(4 * Math.sqrt(200));
    expect(Math.abs(count(ts, 100, 200) - 1000)).toBeLessThan(4 * Math.sqrt(1000));
    expect(ts[ts.length - 1]!).toBeLessThanOrEqual(200e6);
  });

  it('constant-process stages place arrivals exactly', () => {
    const ts = times({ kind: 'stages', process: 'constant', stages: [{ durationS: 10, ratePerSec: 2 }, { durationS: 5, ratePerSec: 0 }, { durationS: 10, ratePerSec: 10 }] });
    expect(count(ts, 0, 10.000001)).toBe(20);
    expect(count(ts, 10.000001, 15)).toBe(0); // the pause
    expect(count(ts, 15, 25.000001)).toBe(100);
    expect(ts.length).toBe(120);
  });

  it('ramp: a linear rate gives arrival k at sqrt(2k / slope)', () => {
    const ts = times({ kind: 'stages', process: 'constant', stages: [{ durationS: 100, rampToPerSec: 10 }] });
    expect(ts.length).toBe(500); // ∫ λ = 10 × 100 / 2
    const slope = 10 / 100; // per s²
    for (const k of [1, 5, 50, 499]) expect(ts[k - 1]! / 1e6).toBeCloseTo(Math.sqrt((2 * k) / slope), 6);
  });

  it('a ramp starts from the previous stage end rate (or fromPerSec)', () => {
    const r = new RateSchedule([{ durationS: 10, ratePerSec: 4 }, { durationS: 10, rampToPerSec: 0 }, { durationS: 10, rampToPerSec: 6, fromPerSec: 2 }]);
    expect(r.ratePerSecAt(5e6)).toBeCloseTo(4, 9);
    expect(r.ratePerSecAt(15e6)).toBeCloseTo(2, 9);
    expect(r.ratePerSecAt(25e6)).toBeCloseTo(4, 9);
    expect(r.expectedArrivals).toBeCloseTo(40 + 20 + 40, 9);
    expect(r.endUs).toBe(30e6);
  });

  it('poisson ramp: counts follow the integrated rate', () => {
    const ts = times({ kind: 'stages', stages: [{ durationS: 200, fromPerSec: 1, rampToPerSec: 9 }] }, 1e6, 5);
    // Expected: first half ∫₀¹⁰⁰ (1 + 0.04 t) dt = 300, second half 700.
    expect(Math.abs(count(ts, 0, 100) - 300)).toBeLessThan(4 * Math.sqrt(300));
    expect(Math.abs(count(ts, 100, 200) - 700)).toBeLessThan(4 * Math.sqrt(700));
  });

  it('rejects unknown kinds and bad stages', () => {
    expect(arrivalsSchema.safeParse({ kind: 'gamma', ratePerSec: 1, burstiness: 0 }).success).toBe(false);
    expect(arrivalsSchema.safeParse({ kind: 'stages', stages: [] }).success).toBe(false);
    expect(arrivalsSchema.safeParse({ kind: 'stages', stages: [{ durationS: 1 }] }).success).toBe(false);
    expect(arrivalsSchema.safeParse({ kind: 'closed-loop', concurrency: 0 }).success).toBe(false);
  });
});
