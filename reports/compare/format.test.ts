import { describe, expect, it } from 'vitest';
import { compareReports } from './compare.js';
import { comparisonMarkdown, comparisonText, headline, methodLine } from './format.js';
import { makeReport } from './testdata/make-report.js';

// One cell, 5 seeds. makespan p99: every seed +12 % (a confirmed regression, p = 1/32);
// TTFT p99: per seed +8.0, −29.2, +50.0, −15.7, +17.9 % (median +8 %: 80 % of its 10 % limit, a
// near miss; signed-rank p = 16/32); throughput unchanged (p = 1: no seed moved) with an absolute
// minimum of 8 that 10 meets.
const base = makeReport([{ workload: 'par', policy: 'rr', metrics: { makespanMsP99: [1000, 1010, 990, 1005, 995], ttftMsP99: [1000, 1300, 900, 1150, 950], throughputRps: [10, 10, 10, 10, 10] } }]);
const cand = makeReport([{ workload: 'par', policy: 'rr', metrics: { makespanMsP99: [1120, 1131.2, 1108.8, 1125.6, 1114.4], ttftMsP99: [1080, 920, 1350, 970, 1120], throughputRps: [10, 10, 10, 10, 10] } }]);
const c = compareReports(base, cand, { gates: { makespanMsP99: { maxIncreasePct: 5 }, ttftMsP99: { maxIncreasePct: 10 }, throughputRps: { maxDecreasePct: 5, min: 8 } }, gatesSource: 'configured' });
const METRICS = ['makespanMsP99', 'ttftMsP99', 'throughputRps'];
const HINT = 'agentbench baseline update s.yaml b.json';

describe('comparisonMarkdown', () => {
  it('gives the verdict, the failure, the near miss, the passes per limit and the notes', () => {
    const lines = comparisonMarkdown(c, METRICS, { baseFile: 'b.json', candFile: 'c.json', refreshHint: HINT }).split('\n');
    // The bootstrap interval of the near miss is drawn by a resampler: matched by shape.
    expect(lines.slice(0, 14)).toEqual([
      "## agentbench gate: hand-made — ❌ FAIL: 1 of 4 gate check(s) failed",
      "",
      "Baseline `b.json` → candidate `c.json`.",
      "",
      "How: a relative limit fails when the median per-seed change (baseline and candidate paired by seed) passes it and a one-sided exact Wilcoxon signed-rank test over the per-seed differences agrees (p < α 0.05; 5 of 5 seeds one way gives p = 1/32); absolute limits (max, min) hold the candidate median.",
      "",
      "### Why it failed",
      "",
      "- par × rr: makespanMsP99 rose 12.0% (1000 → 1120; limit: rise ≤ 5%); per seed all +12.0% (median of 5 pairs); paired Wilcoxon signed-rank p = 0.031 (5 of 5 seeds moved, one-sided, exact) < α 0.05",
      "",
      "If this change is intended, refresh the baseline and commit it: `agentbench baseline update s.yaml b.json`",
      "",
      "### Near misses (within seed noise, or ≥ 50% of the limit used)",
      "",
    ]);
    expect(lines[14]).toMatch(/^- par × rr: 80% of the limit: ttftMsP99 rose 8\.0% \(1000 → 1080; limit: rise ≤ 10%\); per seed −29\.2% to \+50\.0% \(median of 5 pairs, 95% bootstrap CI of the median [−+]\d+\.\d% to [−+]\d+\.\d%\); paired Wilcoxon signed-rank p = 0\.50 \(5 of 5 seeds moved, one-sided, exact\)$/);
    expect(lines.slice(15)).toEqual([
      "",
      "### Passed",
      "",
      "| metric | limit | checks passed | largest move toward worse | where |",
      "|---|---|---:|---:|---|",
      "| ttftMsP99 | rise ≤ 10% | 1 | +8.0% | par × rr |",
      "| throughputRps | drop ≤ 5% | 1 | – |  |",
      "| throughputRps | ≥ 8 | 1 | – |  |",
      "",
      "Every check with its per-seed values: `agentbench compare BASE CAND --json`; only those that moved: `--changed-only`.",
      "",
      "",
    ]);
  });

  it('without a baseline: absolute limits only, named as such', () => {
    const none = compareReports(null, cand, { gates: { throughputRps: { min: 8 } }, gatesSource: 'default' });
    const md = comparisonMarkdown(none, METRICS, { candFile: 'c.json' });
    expect(md.split('\n').slice(0, 5)).toEqual([
      '## agentbench gate: hand-made — ✅ PASS: 1 gate check(s) passed', '', 'No baseline: absolute limits only (`c.json`).', '',
      'How: absolute limits (max, min) hold the candidate median.',
    ]);
    expect(md).toContain('> no gates configured (scenario `gates:` or --gate): default gates used\n');
  });
});

describe('comparisonText', () => {
  it('aligns one table per workload, then the method, the verdict, the failures and the refresh command', () => {
    expect(comparisonText(c, METRICS, { refreshHint: HINT })).toBe([
      "par:",
      "  policy  metric                  baseline            candidate  change      p  verdict",
      "  rr      makespanMsP99  1,000 [990–1,010]  1,120 [1,109–1,131]  +12.0%  0.031  fail",
      "  rr      ttftMsP99      1,000 [900–1,300]    1,080 [920–1,350]   +8.0%   0.50  pass",
      "  rr      throughputRps                 10                   10   +0.0%    1.0  pass",
      "",
      "How: a relative limit fails when the median per-seed change (baseline and candidate paired by seed) passes it and a one-sided exact Wilcoxon signed-rank test over the per-seed differences agrees (p < α 0.05; 5 of 5 seeds one way gives p = 1/32); absolute limits (max, min) hold the candidate median.",
      "gate FAIL: 1 of 4 gate check(s) failed",
      "  - par × rr: makespanMsP99 rose 12.0% (1000 → 1120; limit: rise ≤ 5%); per seed all +12.0% (median of 5 pairs); paired Wilcoxon signed-rank p = 0.031 (5 of 5 seeds moved, one-sided, exact) < α 0.05",
      "If this change is intended, refresh the baseline and commit it: agentbench baseline update s.yaml b.json",
      "",
    ].join('\n'));
  });

  it('--changed-only leaves out the rows that did not move, saying how many', () => {
    const text = comparisonText(c, METRICS, {}, { changedOnly: true });
    expect(text).not.toContain('throughputRps');
    expect(text).toContain('(--changed-only: 1 of 3 rows that did not move are not shown)');
    expect(text).not.toContain('refresh the baseline'); // no hint given
  });
});

describe('headline and methodLine', () => {
  it('counts noise and skipped checks apart, and states α when a test ran', () => {
    const noisy = compareReports(makeReport([{ workload: 'w', policy: 'p', metrics: { m: [1000, 1300, 900, 1150, 950] } }]),
      makeReport([{ workload: 'w', policy: 'p', metrics: { m: [1080, 920, 1350, 970, 1120] } }]), { gates: { m: { maxIncreasePct: 5 } }, gatesSource: 'configured', alpha: 0.1 });
    expect(headline(noisy)).toBe('PASS: 1 gate check(s) passed (1 within noise)');
    expect(methodLine(noisy)).toContain('(p < α 0.1; 5 of 5 seeds one way gives p = 1/32)');
    const skipped = compareReports(null, cand, { gates: { m: { maxIncreasePct: 5 } }, gatesSource: 'configured' });
    expect(headline(skipped)).toBe('PASS: 0 gate check(s) passed (1 skipped)');
    expect(methodLine(skipped)).toBe('');
    const few = compareReports(makeReport([{ workload: 'w', policy: 'p', metrics: { m: [1, 1] } }]), makeReport([{ workload: 'w', policy: 'p', metrics: { m: [2, 2] } }]), { gates: { m: { maxIncreasePct: 5 } }, gatesSource: 'configured' });
    expect(methodLine(few)).toBe('How: with fewer than 5 seeds the threshold alone decides.');
    expect(headline(few)).toBe('FAIL: 1 of 1 gate check(s) failed');
    const unpaired = compareReports(makeReport([{ workload: 'w', policy: 'p', metrics: { m: [1, 1, 1, 1, 1] } }], { seeds: [1, 2, 3, 4, 5] }),
      makeReport([{ workload: 'w', policy: 'p', metrics: { m: [1, 1, 1, 1, 1] } }], { seeds: [6, 7, 8, 9, 10] }), { gates: { m: { maxIncreasePct: 5 } }, gatesSource: 'configured' });
    expect(methodLine(unpaired)).toBe('How: where seeds do not pair, an unpaired one-sided Mann–Whitney U test stands in.');
  });
});
