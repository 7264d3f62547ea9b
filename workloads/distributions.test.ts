import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../policies/rng.js';
import { distributionSchema, makeSampler, nominalMean, standardGamma, type DistributionSpec } from './distributions.js';
import { zipfMoments, zipfSampler } from './zipf.js';

const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));

function moments(draw: () => number, n: number): { mean: number; variance: number; min: number; max: number } {
  let s = 0;
  let s2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = s / n;
  return { mean, variance: s2 / n - mean * mean, min, max };
}

function sample(spec: unknown, n = 20_000, seed = 7) {
  const parsed = distributionSchema.parse(spec);
  const draw = makeSampler(parsed, { baseDir: testdata });
  const rng = new SeededRng(seed);
  return moments(() => draw(rng), n);
}

describe('distributions: means and variances for fixed seeds', () => {
  const cases: [string, unknown, number, number][] = [
    ['constant', { dist: 'constant', value: 42 }, 42, 0],
    ['uniform', { dist: 'uniform', min: 10, max: 50 }, 30, 1600 / 12],
    ['normal', { dist: 'normal', mean: 100, std: 20 }, 100, 400],
    ['lognormal', { dist: 'lognormal', mean: 200, std: 80 }, 200, 6400],
    ['exponential', { dist: 'exponential', mean: 300 }, 300, 90_000],
    ['zipf', { dist: 'zipf', s: 1.2, max: 100 }, zipfMoments(100, 1.2).mean, zipfMoments(100, 1.2).variance],
    ['empirical list', { dist: 'empirical', values: [1, 2, 3, 10] }, 4, 12.5],
    ['empirical file', { dist: 'empirical', file: 'lengths.txt' }, 400, (100 ** 2 + 200 ** 2 + 300 ** 2 + 1000 ** 2) / 4 - 400 ** 2],
    ['empirical csv column', { dist: 'empirical', file: 'lengths.csv', column: 'tokens' }, 400, 122_500],
  ];
  for (const [name, spec, mean, variance] of cases) {
    it(name, () => {
      const m = sample(spec);
      // Mean within 4 standard errors; variance within 8% (15% for the heavy-tailed Zipf).
      expect(Math.abs(m.mean - mean)).toBeLessThanOrEqual(4 * Math.sqrt(variance / 20_000) + 1e-9);
      expect(Math.abs(m.variance - variance)).toBeLessThanOrEqual((name === 'zipf' ? 0.15 : 0.08) * variance + 1e-9);
      expect(nominalMean(distributionSchema.parse(spec), { baseDir: testdata })).toBeCloseTo(mean, 6);
    });
  }

  it('truncated normal stays within [min, max]', () => {
    const m = sample({ dist: 'normal', mean: 100, std: 100, min: 50, max: 120 });
    expect(m.min).toBeGreaterThanOrEqual(50);
    expect(m.max).toBeLessThanOrEqual(120);
  });

  it('zipf moments match a direct sum (not the sampler they check)', () => {
    // Σ_{k=1..100} k·k^-1.2 / Σ k^-1.2 = 13.6631 (mean); Σ k²·k^-1.2 / Σ k^-1.2 − mean² = 432.665.
    expect(zipfMoments(100, 1.2).mean).toBeCloseTo(13.6631, 3);
    expect(zipfMoments(100, 1.2).variance).toBeCloseTo(432.665, 2);
  });

  it('zipf: support [min, max] and P(k)/P(k+1) = ((k+1)/k)^s', () => {
    const draw = makeSampler(distributionSchema.parse({ dist: 'zipf', s: 1.5, min: 5, max: 14 }));
    const rng = new SeededRng(3);
    const counts = new Array<number>(10).fill(0);
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const x = draw(rng);
      expect(Number.isInteger(x) && x >= 5 && x <= 14).toBe(true);
      counts[x - 5]!++;
    }
    expect(counts[0]! / counts[1]!).toBeCloseTo(2 ** 1.5, 1);
    expect(counts[1]! / counts[2]!).toBeCloseTo(1.5 ** 1.5, 1);
  });

  it('zipf sampler handles s = 1 and a large support without a table', () => {
    const draw = zipfSampler(10_000_000, 1);
    const rng = new SeededRng(9);
    let ones = 0;
    for (let i = 0; i < 20_000; i++) if (draw(rng) === 1) ones++;
    // P(1) = 1/H(1e7) with H(n) ≈ ln n + γ.
    expect(ones / 20_000).toBeCloseTo(1 / (Math.log(1e7) + 0.5772), 2);
  });

  it('gamma: mean = shape, variance = shape (scale 1), also for shape < 1', () => {
    for (const shape of [0.25, 1, 3]) {
      const rng = new SeededRng(11);
      const m = moments(() => standardGamma(rng, shape), 40_000);
      expect(m.mean).toBeCloseTo(shape, 1);
      expect(Math.abs(m.variance - shape)).toBeLessThan(0.08 * shape);
    }
  });

  it('the same seed gives the same draws', () => {
    const spec = distributionSchema.parse({ dist: 'lognormal', mean: 200, std: 80 }) as DistributionSpec;
    const a = new SeededRng(5);
    const b = new SeededRng(5);
    const d = makeSampler(spec);
    for (let i = 0; i < 100; i++) expect(d(a)).toBe(d(b));
  });
});

describe('distribution specs: validation', () => {
  const bad = (spec: unknown) => distributionSchema.safeParse(spec).error?.issues.map((i) => i.message).join('; ') ?? '';
  it('rejects inconsistent specs with a reason', () => {
    expect(bad({ dist: 'zipf', s: 1, min: 10, max: 5 })).toMatch(/min <= max/);
    expect(bad({ dist: 'zipf', s: 0, max: 5 })).not.toBe('');
    expect(bad({ dist: 'empirical' })).toMatch(/exactly one of `values`/);
    expect(bad({ dist: 'empirical', values: [1], file: 'x' })).toMatch(/exactly one/);
    expect(bad({ dist: 'empirical', values: [1], column: 'x' })).toMatch(/`column` needs `file`/);
  });

  it('a bad empirical file names file:line and what was found', () => {
    const spec = distributionSchema.parse({ dist: 'empirical', file: 'lengths-bad.txt' });
    expect(() => makeSampler(spec, { baseDir: testdata })).toThrow(/lengths-bad\.txt:3: expected a non-negative number, found "abc"/);
    const missing = distributionSchema.parse({ dist: 'empirical', file: 'lengths.csv', column: 'nope' });
    expect(() => makeSampler(missing, { baseDir: testdata })).toThrow(/lengths\.csv:1: header has no column 'nope'; columns: id, tokens/);
  });
});
