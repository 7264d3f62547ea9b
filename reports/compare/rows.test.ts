import { describe, expect, it } from 'vitest';
import { compareReports } from './compare.js';
import { comparisonRows, sampleText, verdictLabel } from './rows.js';
import { makeReport } from './testdata/make-report.js';

describe('comparisonRows', () => {
  it('shows gated metrics first, then the headline metrics present; ungated rows get better / worse / same', () => {
    const base = makeReport([{ workload: 'w', policy: 'p', metrics: { makespanMsP99: [100, 100, 100], ttftMsP50: [10, 10, 10], throughputRps: [4, 4, 4], prefixCacheHitRate: [0.5, 0.5, 0.5], goodputWps: [null, null, null] } }]);
    const cand = makeReport([{ workload: 'w', policy: 'p', metrics: { makespanMsP99: [110, 110, 110], ttftMsP50: [9, 9, 9], throughputRps: [3, 3, 3], prefixCacheHitRate: [0.5, 0.5, 0.5], goodputWps: [null, null, null] } }]);
    const c = compareReports(base, cand, { gates: { makespanMsP99: { maxIncreasePct: 5, max: 200 } }, gatesSource: 'configured' });
    const rows = comparisonRows(c, ['makespanMsP99', 'ttftMsP50', 'throughputRps', 'prefixCacheHitRate', 'goodputWps', 'promptTokens']);
    expect(rows.map((r) => [r.metric, r.base, r.cand, r.change, r.limits, r.p, r.verdict, r.moved])).toEqual([
      // +10 % with 3 seeds: threshold alone ("n<5"); the relative limit fails, the absolute one passes: the worst shows.
      ['makespanMsP99', '100', '110', '+10.0%', 'rise ≤ 5%, ≤ 200', 'n<5', 'fail', true],
      ['ttftMsP50', '10', '9', '−10.0%', '', '–', 'better', true],
      ['throughputRps', '4', '3', '−25.0%', '', '–', 'worse', true],
      // goodputWps is undefined on both sides: no row; promptTokens is not a headline metric.
      ['prefixCacheHitRate', '0.500', '0.500', '+0.0%', '', '–', 'same', false],
    ]);
  });

  it('without a baseline lists the cells of the checks, candidate only', () => {
    const cand = makeReport([{ workload: 'w', policy: 'p', metrics: { ttftMsP99: [700, 900, 800] } }, { workload: 'w', policy: 'q', metrics: { ttftMsP99: [1, 1, 1] } }]);
    const c = compareReports(null, cand, { gates: { ttftMsP99: { max: 850 } }, gatesSource: 'configured' });
    expect(comparisonRows(c, ['ttftMsP99']).map((r) => [r.policy, r.base, r.cand, r.change, r.verdict])).toEqual([
      ['p', '–', '800 [700–900]', '–', 'pass'], ['q', '–', '1', '–', 'pass'],
    ]);
  });

  it('takes the smallest p-value of a metric\'s checks, at 2 significant digits', () => {
    const base = makeReport([{ workload: 'w', policy: 'p', metrics: { m: [100, 100, 100, 100, 100] } }]);
    const cand = makeReport([{ workload: 'w', policy: 'p', metrics: { m: [101, 102, 103, 104, 105] } }]);
    const c = compareReports(base, cand, { gates: { m: { maxIncreasePct: 1, maxDecreasePct: 1 } }, gatesSource: 'configured' });
    // Rise: all 5 seeds up, p = 1/32 = 0.03125 → "0.031"; the drop test's p is 1.
    expect(comparisonRows(c, ['m'])[0]).toMatchObject({ p: '0.031', verdict: 'fail', limits: 'rise ≤ 1%, drop ≤ 1%' });
  });
});

describe('sampleText and verdictLabel', () => {
  const s = (values: number[]) => ({ values, median: values[Math.floor(values.length / 2)]!, min: Math.min(...values), max: Math.max(...values), bySeed: new Map<number, number>() });

  it('picks digits by size and kind: integers whole, ratios 3, from 1000 whole, from 10 one, from 1 two, below 1 three', () => {
    expect(sampleText('m', s([1200.5, 1300.5]))).toBe('1,301 [1,201–1,301]');
    expect(sampleText('m', s([12.25, 12.25]))).toBe('12.3');
    expect(sampleText('m', s([1.234]))).toBe('1.23');
    expect(sampleText('m', s([0.1234]))).toBe('0.123');
    expect(sampleText('prefixCacheHitRate', s([12.5]))).toBe('12.500');
    expect(sampleText('m', s([3, 4, 5]))).toBe('4 [3–5]');
    expect(sampleText('m', null)).toBe('–');
  });

  it('labels verdicts with a glyph, and leaves unknown ones as they are', () => {
    expect(['fail', 'noise', 'pass', 'skipped', 'better', 'worse', 'same', '–'].map(verdictLabel)).toEqual(['❌ fail', '〰️ noise', '✅ pass', '⏭️ skipped', '▲ better', '▼ worse', '= same', '–']);
  });
});
