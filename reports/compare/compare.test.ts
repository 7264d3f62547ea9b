import { describe, expect, it } from 'vitest';
import { compareReports, incompatibilities } from './compare.js';
import { comparisonMarkdown, comparisonText } from './format.js';
import { DEFAULT_GATES, type Gates } from './gates.js';
import { makeReport } from './testdata/make-report.js';
import { mannWhitneyU } from './mann-whitney.js';

const gate = (gates: Gates) => ({ gates, gatesSource: 'configured' as const });
const cell = (metrics: Record<string, readonly (number | null)[]>) => [{ workload: 'parallel', policy: 'least-loaded', metrics }];
const BASE5 = [1000, 1010, 990, 1005, 995]; // median 1000

describe('compareReports on hand-made reports', () => {
  it('passes an improvement', () => {
    const base = makeReport(cell({ makespanMsP99: BASE5, throughputRps: [10, 10, 10, 10, 10] }));
    const cand = makeReport(cell({ makespanMsP99: BASE5.map((v) => v * 0.8), throughputRps: [12, 12, 12, 12, 12] }));
    const c = compareReports(base, cand, gate({ makespanMsP99: { maxIncreasePct: 5 }, throughputRps: { maxDecreasePct: 5 } }));
    expect(c.passed).toBe(true);
    expect(c.checks.map((x) => x.verdict)).toEqual(['pass', 'pass']);
    expect(c.checks[0]!.changePct).toBeCloseTo(-20, 9);
    expect(c.checks[0]!.reason).toContain('fell 20.0%');
  });

  it('fails a regression beyond the threshold that the test confirms', () => {
    const base = makeReport(cell({ makespanMsP99: BASE5 }));
    const cand = makeReport(cell({ makespanMsP99: BASE5.map((v) => v * 1.12) }));
    const c = compareReports(base, cand, gate({ makespanMsP99: { maxIncreasePct: 5 } }));
    expect(c.passed).toBe(false);
    const x = c.checks[0]!;
    expect(x.verdict).toBe('fail');
    // Every seed +12%: all 5 differences positive, so the one-sided exact p is 1/2^5.
    expect(x.test).toMatchObject({ method: 'wilcoxon-signed-rank', pairs: 5, nonZero: 5, alpha: 0.05, pValue: 1 / 32 });
    expect(x.reason).toMatch(/^makespanMsP99 rose 12\.0% \(1000 → 1120; limit: rise ≤ 5%\); per seed all \+12\.0% \(median of 5 pairs\); paired Wilcoxon signed-rank p = 0\.031 \(5 of 5 seeds moved, one-sided, exact\) < α 0\.05$/);
    const md = comparisonMarkdown(c, ['makespanMsP99'], { refreshHint: 'agentbench baseline update s.yaml b.json' });
    expect(md).toContain('### Why it failed');
    expect(md).toContain('parallel × least-loaded: makespanMsP99 rose 12.0%');
    expect(md).toContain('agentbench baseline update s.yaml b.json');
    expect(comparisonText(c, ['makespanMsP99'])).toContain('gate FAIL: 1 of 1 gate check(s) failed');
  });

  it('passes a regression within seed noise (threshold exceeded, test disagrees)', () => {
    const base = makeReport(cell({ makespanMsP99: [1000, 1300, 900, 1150, 950] })); // median 1000
    const cand = makeReport(cell({ makespanMsP99: [1080, 920, 1350, 970, 1120] })); // median 1080: +8%
    const c = compareReports(base, cand, gate({ makespanMsP99: { maxIncreasePct: 5 } }));
    const x = c.checks[0]!;
    expect(x.changePct).toBeCloseTo(8, 9);
    expect(x.verdict).toBe('noise');
    // d = 80, −380, 450, −180, 170: W+ = 1 + 5 + 2 = 8 of 15; P(W+ ≥ 8) = 16/32 (see signed-rank.test.ts).
    expect(x.test).toMatchObject({ method: 'wilcoxon-signed-rank', pValue: 0.5 });
    expect(x.reason).toContain('within seed noise');
    expect(c.passed).toBe(true);
  });

  it('honours alpha from the rule and from the options', () => {
    const base = makeReport(cell({ m: [100, 100, 100, 100, 100] }));
    const cand = makeReport(cell({ m: [99, 102, 103, 104, 105] })); // per seed −1, +2, +3, +4, +5%: median +3%, p = 2/32
    expect(compareReports(base, cand, gate({ m: { maxIncreasePct: 2 } })).checks[0]!.verdict).toBe('noise');
    expect(compareReports(base, cand, gate({ m: { maxIncreasePct: 2, alpha: 0.1 } })).checks[0]!.verdict).toBe('fail');
    expect(compareReports(base, cand, { ...gate({ m: { maxIncreasePct: 2 } }), alpha: 0.1 }).checks[0]!.verdict).toBe('fail');
  });

  it('catches the missed regression of issue 18: a consistent drop on every seed, hidden by the seed spread', () => {
    // Hit rate per seed: −8%, −20%, −29%, −15%, −10% (median −15%) against a limit of −2%.
    const base = makeReport(cell({ prefixCacheHitRate: [0.40, 0.45, 0.50, 0.55, 0.60] }));
    const cand = makeReport(cell({ prefixCacheHitRate: [0.368, 0.36, 0.355, 0.4675, 0.54] }));
    const x = compareReports(base, cand, gate({ prefixCacheHitRate: { maxDecreasePct: 2 } })).checks[0]!;
    // Unpaired, the seed spread hides it: U(cand) = 2 + 3 = 5 and P(U ≤ 5) = 19/252 ≈ 0.075
    // (partitions of 0..5 into ≤ 5 parts ≤ 5: 1 + 1 + 2 + 3 + 5 + 7), above α 0.05.
    expect(mannWhitneyU(cand.runs.map((r) => r.summary['prefixCacheHitRate']!), base.runs.map((r) => r.summary['prefixCacheHitRate']!), 'less').pValue)
      .toBeCloseTo(19 / 252, 12);
    // Paired, all 5 seeds fell: p = 1/32.
    expect(x.verdict).toBe('fail');
    expect(x.changePct).toBeCloseTo(-15, 9);
    expect(x.test).toMatchObject({ method: 'wilcoxon-signed-rank', pValue: 1 / 32, pairs: 5, nonZero: 5 });
    expect(x.test?.method === 'wilcoxon-signed-rank' && x.test.changesPct.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([-8, -20, -29, -15, -10]);
  });

  it('falls back to the unpaired Mann–Whitney test only when seeds do not pair, and says so', () => {
    const base = makeReport(cell({ m: [1000, 1010, 990, 1005, 995] }), { seeds: [1, 2, 3, 4, 5] });
    const cand = makeReport(cell({ m: [1120, 1131, 1109, 1126, 1114] }), { seeds: [6, 7, 8, 9, 10] });
    const x = compareReports(base, cand, gate({ m: { maxIncreasePct: 5 } })).checks[0]!;
    expect(x.test).toMatchObject({ method: 'mann-whitney', exact: true, pValue: 1 / 252 }); // fully separated 5 vs 5
    expect(x.changePct).toBeCloseTo(12, 9); // 1000 → 1120: the change of the medians
    expect(x.reason).toContain('unpaired Mann–Whitney p = 0.0040 (only 0 seed(s) in both reports, so 5 vs 5 seeds compared unpaired) < α 0.05');
    expect(x.verdict).toBe('fail');
  });

  it('falls back to the threshold alone with fewer than 5 seeds, and says so', () => {
    const base = makeReport(cell({ ttftMsP99: [100, 101, 99] }));
    const cand = makeReport(cell({ ttftMsP99: [108, 95, 120] })); // +8%, noisy, but only 3 seeds
    const c = compareReports(base, cand, gate({ ttftMsP99: { maxIncreasePct: 5 } }));
    expect(c.checks[0]!.verdict).toBe('fail');
    expect(c.checks[0]!.test).toMatchObject({ method: 'threshold-only' });
    expect(c.checks[0]!.reason).toContain('fewer than 5: threshold alone');
    expect(c.notes.join('\n')).toContain('fewer than 5 seeds');
  });

  it('checks absolute SLOs on the candidate median, with or without a baseline', () => {
    const cand = makeReport(cell({ ttftMsP99: [700, 900, 850], prefixCacheHitRate: [0.6, 0.55, 0.4] }));
    const c = compareReports(null, cand, gate({ ttftMsP99: { max: 800, maxIncreasePct: 5 }, prefixCacheHitRate: { min: 0.5 } }));
    expect(c.checks.map((x) => [x.metric, x.kind, x.verdict])).toEqual([
      ['ttftMsP99', 'maxIncreasePct', 'skipped'], ['ttftMsP99', 'max', 'fail'], ['prefixCacheHitRate', 'min', 'pass'],
    ]);
    expect(c.checks[1]!.reason).toBe('ttftMsP99 median 850 > max 800');
    expect(c.passed).toBe(false);
  });

  it('handles zero and undefined baselines and a metric that became undefined', () => {
    const base = makeReport(cell({ requestsFailed: [0, 0, 0], goodputWps: [null, null, null], ttftMsP99: [10, 10, 10] }));
    const cand = makeReport(cell({ requestsFailed: [0, 2, 1], goodputWps: [1, 1, 1], ttftMsP99: [null, null, null] }));
    const c = compareReports(base, cand, gate({ requestsFailed: { maxIncreasePct: 0 }, goodputWps: { maxDecreasePct: 5 }, ttftMsP99: { maxIncreasePct: 5 } }));
    const by = Object.fromEntries(c.checks.map((x) => [x.metric, x]));
    expect(by['requestsFailed']!.changePct).toBe(Infinity);
    expect(by['requestsFailed']!.verdict).toBe('fail');
    expect(by['goodputWps']!.verdict).toBe('pass');
    expect(by['ttftMsP99']!.verdict).toBe('fail');
    expect(by['ttftMsP99']!.reason).toContain('now undefined');
  });

  it('fails a (workload, policy) missing from the candidate and notes new ones', () => {
    const base = makeReport([...cell({ m: [1, 1, 1] }), { workload: 'seq', policy: 'rr', metrics: { m: [1, 1, 1] } }]);
    const cand = makeReport([...cell({ m: [1, 1, 1] }), { workload: 'seq', policy: 'new', metrics: { m: [1, 1, 1] } }]);
    const c = compareReports(base, cand, gate({ m: { maxIncreasePct: 5 } }));
    const missing = c.checks.find((x) => x.policy === 'rr')!;
    expect(missing.verdict).toBe('fail');
    expect(missing.reason).toContain('no runs of this workload × policy in the candidate');
    expect(c.checks.find((x) => x.policy === 'new')!.verdict).toBe('skipped');
    expect(c.notes.join('\n')).toMatch(/seq × new is new in the candidate[\s\S]*seq × rr is in the baseline but missing/);
  });

  it('default gates pass an identical rerun', () => {
    const metrics = Object.fromEntries(Object.keys(DEFAULT_GATES).map((m) => [m, [5, 6, 7, 8, 9]]));
    const r = makeReport(cell(metrics));
    const c = compareReports(r, r, { gates: DEFAULT_GATES, gatesSource: 'default' });
    expect(c.passed).toBe(true);
    expect(c.checks).toHaveLength(Object.keys(DEFAULT_GATES).length);
    expect(c.checks.every((x) => x.verdict === 'pass' && x.test?.method === 'wilcoxon-signed-rank' && x.test.pValue === 1 && x.test.nonZero === 0)).toBe(true);
    expect(c.notes.join('\n')).toContain('default gates used');
  });
});

describe('incompatibilities (mismatched scenarios are refused)', () => {
  it('names what differs between scenarios', () => {
    const a = makeReport(cell({ m: [1, 2, 3] }), { hash: 'a'.repeat(64) });
    const b = { ...makeReport(cell({ m: [1, 2] }), { hash: 'b'.repeat(64) }), cluster: { instances: 4 } };
    const problems = incompatibilities(a, b);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^scenario hash differs: baseline aaaaaaaaaaaa \(hand-made\), candidate bbbbbbbbbbbb/);
    expect(problems[0]).toContain('seeds [1, 2, 3] vs [1, 2]');
    expect(problems[0]).toContain('cluster.instances 2 vs 4');
  });

  it('reports a schema version change and an invisible difference', () => {
    const a = makeReport(cell({ m: [1] }), { hash: 'a'.repeat(64) });
    const b = { ...makeReport(cell({ m: [1] }), { hash: 'c'.repeat(64) }), schemaVersion: 2 };
    const problems = incompatibilities(a, b);
    expect(problems[0]).toBe('report schemaVersion differs: baseline 1, candidate 2');
    expect(problems[1]).toContain('a setting report.json does not record differs');
    expect(incompatibilities(a, a)).toEqual([]);
  });
});

describe('compareReports: the reason of every branch, word for word', () => {
  it('an unchanged metric and an absolute minimum missed', () => {
    const r = makeReport(cell({ m: [0.5, 0.5, 0.5, 0.5, 0.5] }));
    const c = compareReports(r, r, gate({ m: { maxDecreasePct: 10, min: 0.6 } }));
    // Values below 1 print with 3 significant digits; no seed moved: p = 1 (all 32 sign patterns count).
    expect(c.checks.map((x) => [x.verdict, x.reason])).toEqual([
      ['pass', 'm unchanged (0.500 → 0.500; limit: drop ≤ 10%); per seed all +0.0% (median of 5 pairs); paired Wilcoxon signed-rank p = 1.0 (0 of 5 seeds moved, one-sided, exact)'],
      ['fail', 'm median 0.500 < min 0.6'],
    ]);
    expect([c.baseLabel, c.candLabel, c.scenario, c.cells]).toEqual(['baseline', 'candidate', 'hand-made', [{ workload: 'parallel', policy: 'least-loaded' }]]);
  });

  it('a rise within its limit, the per-seed range and the bootstrap interval, an absolute maximum met', () => {
    const base = makeReport(cell({ tp: [10, 10, 10, 10, 10] }));
    const cand = makeReport(cell({ tp: [10.5, 11, 11.5, 12, 12.5] })); // +5, +10, +15, +20, +25 %: median +15 %
    const c = compareReports(base, cand, { ...gate({ tp: { maxIncreasePct: 30, max: 20 } }), baseLabel: 'b.json', candLabel: 'c.json' });
    // Values from 1 to 100 print with 2 decimals; all 5 seeds rose: p = 1/32 → "0.031".
    expect(c.checks[0]!.reason).toMatch(/^tp rose 15\.0% \(10\.00 → 11\.50; limit: rise ≤ 30%\); per seed \+5\.0% to \+25\.0% \(median of 5 pairs, 95% bootstrap CI of the median \+\d+\.\d% to \+\d+\.\d%\); paired Wilcoxon signed-rank p = 0\.031 \(5 of 5 seeds moved, one-sided, exact\)$/);
    expect(c.checks[0]!.verdict).toBe('pass');
    expect(c.checks[1]).toMatchObject({ verdict: 'pass', reason: 'tp median 11.50 ≤ max 20' });
    expect([c.baseLabel, c.candLabel]).toEqual(['b.json', 'c.json']);
    expect(c.samples('cand', 'parallel', 'least-loaded', 'tp')).toMatchObject({ median: 11.5, min: 10.5, max: 12.5, values: [10.5, 11, 11.5, 12, 12.5] });
    expect(c.samples('base', 'parallel', 'nobody', 'tp')).toBeNull();
  });

  it('an absolute maximum passed: ">" and the value printed whole from 100 up', () => {
    const c = compareReports(null, makeReport(cell({ m: [150, 160, 170] })), gate({ m: { max: 155, min: 100 } }));
    expect(c.checks.map((x) => [x.verdict, x.reason])).toEqual([['fail', 'm median 160 > max 155'], ['pass', 'm median 160 ≥ min 100']]);
  });

  it('skips relative limits without a baseline, or for a cell the baseline lacks, saying which', () => {
    const cand = makeReport(cell({ m: [1, 1, 1] }));
    const none = compareReports(null, cand, gate({ m: { maxIncreasePct: 5 } }));
    expect(none.checks[0]).toMatchObject({ verdict: 'skipped', reason: 'm rise ≤ 5%: no baseline to compare against' });
    expect(none.notes).toEqual(['no baseline: relative limits skipped (give one with --baseline)']);
    expect(none.baseLabel).toBeNull();
    const other = makeReport([{ workload: 'seq', policy: 'rr', metrics: { m: [1, 1, 1] } }]);
    expect(compareReports(other, cand, gate({ m: { maxIncreasePct: 5 } })).checks[0]).toMatchObject({ verdict: 'skipped', reason: 'm rise ≤ 5%: not in the baseline' });
  });

  it('undefined values: in both, in the baseline only, in the candidate under an absolute limit', () => {
    const base = makeReport(cell({ a: [null, null, null], b: [null, null, null], c: [1, 1, 1] }));
    const cand = makeReport(cell({ a: [null, null, null], b: [1, 1, 1], c: [null, null, null] }));
    const c = compareReports(base, cand, gate({ a: { maxIncreasePct: 5 }, b: { maxIncreasePct: 5 }, c: { max: 5 } }));
    expect(c.checks.map((x) => [x.verdict, x.reason])).toEqual([
      ['pass', 'a undefined in both'],
      ['pass', 'b undefined in the baseline, 1.00 now'],
      ['fail', 'c ≤ 5: undefined (null) in every seed of the candidate'],
    ]);
  });

  it('a rise from zero is infinite; with 3 seeds the threshold decides alone', () => {
    // 0 prints as (0).toPrecision(3) = "0.00".
    const c = compareReports(makeReport(cell({ x: [0, 0, 0] })), makeReport(cell({ x: [1, 1, 1] })), gate({ x: { maxIncreasePct: 0 } }));
    expect(c.checks[0]).toMatchObject({
      verdict: 'fail', changePct: Infinity, test: { method: 'threshold-only' },
      reason: 'x rose ∞% (0.00 → 1.00; limit: rise ≤ 0%); 3 seed(s), fewer than 5: threshold alone, no test',
    });
    // A fall to zero from a positive baseline: −100 %, within a 100 % drop limit.
    const d = compareReports(makeReport(cell({ y: [4, 4, 4] })), makeReport(cell({ y: [0, 0, 0] })), gate({ y: { maxDecreasePct: 100 } }));
    expect(d.checks[0]).toMatchObject({ verdict: 'pass', changePct: -100, reason: 'y fell 100.0% (4.00 → 0.00; limit: drop ≤ 100%); 3 seed(s), fewer than 5: threshold alone, no test' });
  });
});

describe('compareReports: edges', () => {
  const one = (metrics: Record<string, readonly (number | null)[]>, opts: Parameters<typeof makeReport>[1] = {}) => makeReport([{ workload: 'w', policy: 'p', metrics }], opts);

  it('an absolute limit met exactly passes; 100 prints whole, a change is not computed without a baseline', () => {
    const c = compareReports(null, one({ m: [100, 100, 100] }), gate({ m: { max: 100, min: 100 } }));
    expect(c.checks.map((x) => [x.verdict, x.reason, x.changePct])).toEqual([['pass', 'm median 100 ≤ max 100', null], ['pass', 'm median 100 ≥ min 100', null]]);
    expect(c.notes).toEqual([]); // nothing skipped: no "no baseline" note
  });

  it('prints a p below 0.001 in exponent form: 10 seeds all one way, p = 1/1024', () => {
    const base = one({ m: Array(10).fill(100) });
    const cand = one({ m: Array(10).fill(120) });
    expect(compareReports(base, cand, gate({ m: { maxIncreasePct: 5 } })).checks[0]!.reason).toContain('paired Wilcoxon signed-rank p = 9.8e-4 (10 of 10 seeds moved, one-sided, exact) < α 0.05');
  });

  it('with every change infinite there is no per-seed range to print', () => {
    const c = compareReports(one({ m: [0, 0, 0, 0, 0] }), one({ m: [1, 1, 1, 1, 1] }), gate({ m: { maxIncreasePct: 5 } }));
    expect(c.checks[0]!.reason).toBe('m rose ∞% (0.00 → 1.00; limit: rise ≤ 5%); per seed  (median of 5 pairs); paired Wilcoxon signed-rank p = 0.031 (5 of 5 seeds moved, one-sided, exact) < α 0.05');
  });

  it('the unpaired test needs 5 seeds on both sides; else the threshold decides, naming the smaller side', () => {
    const c = compareReports(one({ m: [1, 1, 1, 1, 1] }, { seeds: [1, 2, 3, 4, 5] }), one({ m: [2, 2, 2] }, { seeds: [6, 7, 8] }), gate({ m: { maxIncreasePct: 5 } }));
    expect(c.checks[0]!.test).toEqual({ method: 'threshold-only', reason: '3 seed(s), fewer than 5: threshold alone, no test' });
    expect(c.notes).toEqual(['fewer than 5 seeds on a side: relative gates use the threshold alone, without a statistical test']);
  });

  it('says whether the unpaired test was exact: above 50 seeds in all it is not', () => {
    const seeds = (from: number) => Array.from({ length: 26 }, (_, i) => from + i);
    const c = compareReports(one({ m: Array(26).fill(1) }, { seeds: seeds(1) }), one({ m: Array(26).fill(2) }, { seeds: seeds(100) }), gate({ m: { maxIncreasePct: 5 } }));
    expect(c.checks[0]!.test).toMatchObject({ method: 'mann-whitney', exact: false });
  });

  it('a seed with an undefined value is left out of that side\'s sample', () => {
    const c = compareReports(one({ m: [1, 2, 3] }), one({ m: [10, null, 30] }), gate({ m: { max: 100 } }));
    expect(c.samples('cand', 'w', 'p', 'm')).toMatchObject({ values: [10, 30], median: 20, min: 10, max: 30 });
    expect(c.samples('base', 'w', 'p', 'm')).toMatchObject({ values: [1, 2, 3], median: 2 });
  });

  it('cells are the (workload, policy) pairs in both reports; the threshold note comes with any threshold-only check', () => {
    const base = makeReport([{ workload: 'w', policy: 'p', metrics: { m: [1, 1, 1, 1, 1], n: [1, 1, 1, 1, 1] } }]);
    const cand = makeReport([{ workload: 'w', policy: 'p', metrics: { m: [1, 1, 1, 1, 1], n: [1, 1, 1, 1, 1] } }, { workload: 'w', policy: 'new', metrics: { m: [1, 1, 1, 1, 1], n: [1, 1, 1, 1, 1] } }]);
    const c = compareReports(base, cand, gate({ m: { maxIncreasePct: 5 } }));
    expect(c.cells).toEqual([{ workload: 'w', policy: 'p' }]);
    const mixed = compareReports(one({ m: [1, 1, 1, 1, 1], n: [1, 1] }), one({ m: [1, 1, 1, 1, 1], n: [1, 1] }), gate({ m: { maxIncreasePct: 5 }, n: { maxIncreasePct: 5 } }));
    expect(mixed.notes).toContain('fewer than 5 seeds on a side: relative gates use the threshold alone, without a statistical test');
  });

  it('incompatibilities name a differing mode, policies (or only their settings) and workloads', () => {
    const a = makeReport(cell({ m: [1] }), { hash: 'a'.repeat(64) });
    const b = { ...makeReport(cell({ m: [1] }), { hash: 'b'.repeat(64) }), policies: [{ name: 'least-loaded', routing: 'x' }], workloads: [{ name: 'other' }] };
    b.scenario = { ...b.scenario, mode: 'live' };
    const [p] = incompatibilities(a, b);
    expect(p).toBe('scenario hash differs: baseline aaaaaaaaaaaa (hand-made), candidate bbbbbbbbbbbb (hand-made); differences: mode sim vs live; policies least-loaded vs least-loaded (settings differ); workloads parallel vs other');
    const c = { ...a, scenario: { ...a.scenario, hash: 'c'.repeat(64) }, policies: [{ name: 'rr' }] };
    expect(incompatibilities(a, c)[0]).toMatch(/differences: policies least-loaded vs rr$/); // other names: no "(settings differ)"
  });
});
