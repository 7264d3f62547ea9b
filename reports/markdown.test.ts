import { describe, expect, it } from 'vitest';
import { columnsFor, MD_COLUMNS, workloadTable, type Column } from './markdown.js';
import type { AggregateEntry, Spread } from './report.js';

const spread = (median: number | null, min = median, max = median, n = 3): Spread => ({ median, min, max, n });
const entry = (policy: string, summary: Record<string, Spread>): AggregateEntry => ({ workload: 'w', policy, seeds: [1, 2, 3], summary });
const COLS: Column[] = [{ metric: 'makespanMsP99', title: 'makespan p99 (ms)', digits: 0 }, { metric: 'prefixCacheHitRate', title: 'hit', digits: 3 }];

describe('workloadTable', () => {
  it('shows the median, the seed range when the seeds differ, and each later policy\'s change against the first', () => {
    const rows = [
      entry('rr', { makespanMsP99: spread(1000, 900, 1200), prefixCacheHitRate: spread(0.5) }),
      // 1100 vs 1000: +10.0 %; 0.45 vs 0.5: −10.0 %.
      entry('ll', { makespanMsP99: spread(1100, 1100, 1100), prefixCacheHitRate: spread(0.45, 0.4, 0.5) }),
      // A metric the policy lacks prints –; a null median prints – and no change.
      entry('x', { makespanMsP99: spread(null, null, null) }),
    ];
    expect(workloadTable(rows, COLS).split('\n')).toEqual([
      '| policy | makespan p99 (ms) | hit |',
      '|---|---:|---:|',
      '| rr | 1,000 [900–1,200] | 0.500 |',
      '| ll | 1,100 (+10.0%) | 0.450 [0.400–0.500] (−10.0%) |',
      '| x | – | – |',
    ]);
  });

  it('shows no range for a single seed, and no change when the first policy\'s median is 0', () => {
    const rows = [entry('a', { makespanMsP99: spread(0, 0, 0, 1) }), entry('b', { makespanMsP99: spread(5, 1, 9, 1) })];
    expect(workloadTable(rows, COLS.slice(0, 1)).split('\n').slice(2)).toEqual(['| a | 0 |', '| b | 5 |']);
  });
});

describe('columnsFor', () => {
  it('adds the goodput column only when some policy has a goodput', () => {
    expect(columnsFor([entry('a', { goodputWps: spread(null) })])).toBe(MD_COLUMNS);
    const withSlo = columnsFor([entry('a', { goodputWps: spread(null) }), entry('b', { goodputWps: spread(1.5) })]);
    expect(withSlo.slice(0, MD_COLUMNS.length)).toEqual(MD_COLUMNS);
    expect(withSlo.slice(MD_COLUMNS.length)).toEqual([{ metric: 'goodputWps', title: 'goodput (workflows/s within SLO)', digits: 3 }]);
  });
});
