import { describe, expect, it } from 'vitest';
import { highlights } from './highlights.js';
import type { AggregateEntry, Report, Spread } from './report.js';

const sp = (median: number, min = median, max = median, n = 3): Spread => ({ median, min, max, n });

function report(aggs: { policy: string; m: Record<string, Spread> }[], extra: Partial<Report> = {}): Report {
  const aggregates: AggregateEntry[] = aggs.map((a) => ({ workload: 'w', policy: a.policy, seeds: [1, 2, 3], summary: a.m }));
  return {
    schemaVersion: 1, tool: { name: 'agentbench', version: 't' },
    scenario: { name: 's', hash: 'h', mode: 'sim', seeds: [1, 2, 3] },
    cluster: {}, policies: aggs.map((a) => ({ name: a.policy, routing: a.policy, scheduling: 'fcfs', eviction: 'lru', recovery: 'fail-workflow' })),
    workloads: [{ name: 'w', pattern: 'parallel' }], runs: [], aggregates, ...extra,
  };
}

describe('highlights', () => {
  it('names the winner of each headline metric, by how much, and whether seeds agree', () => {
    const text = highlights(report([
      { policy: 'rr', m: { makespanMsP99: sp(1000, 950, 1100), ttftMsP99: sp(100, 90, 110), outputTokensPerSec: sp(500), prefixCacheHitRate: sp(0.5) } },
      { policy: 'pa', m: { makespanMsP99: sp(800, 780, 820), ttftMsP99: sp(95, 80, 120), outputTokensPerSec: sp(502), prefixCacheHitRate: sp(0.7) } },
    ])).join(' ');
    // The verdict (leaderboard, makespan p99) first; the other headline metrics after it.
    expect(text).toContain('On w (parallel): pa wins: makespan p99 800 ms, 20.0% below rr;');
    expect(text).toContain('Also pa has the lowest TTFT p99 (95.0 ms, 5.0% below rr, seed ranges overlap)');
    expect(text).toContain('pa has the highest prefix-cache hit rate (70.0%, 40.0% above rr, on every seed)');
    expect(text).toContain('the policies are within 1% of each other on output throughput.');
  });

  it('says when one policy wins everything, and flags failures and preemptions', () => {
    const text = highlights(report([
      { policy: 'rr', m: { makespanMsP99: sp(1000), ttftMsP99: sp(100), workflowsFailed: sp(2), preemptions: sp(0) } },
      { policy: 'pa', m: { makespanMsP99: sp(900), ttftMsP99: sp(80), workflowsFailed: sp(0), preemptions: sp(7) } },
    ])).join(' ');
    expect(text).toContain('On w (parallel): pa wins: makespan p99 900 ms, 10.0% below rr;');
    expect(text).toContain('Also pa has the lowest TTFT p99 (80.0 ms, 20.0% below rr, on every seed).');
    expect(text).toContain('Workflows failed (median across seeds): on w: rr (2).');
    expect(text).toContain('Requests were preempted because the KV cache ran short (median across seeds): on w: pa (7).');
  });

  it('collapses a finding repeated across many policies into one sentence, most first, naming five', () => {
    const aggs = Array.from({ length: 8 }, (_, i) => ({ policy: `p${i}`, m: { makespanMsP99: sp(1000 + i), preemptions: sp(i + 1) } }));
    const lines = highlights(report(aggs));
    const pre = lines.filter((l) => l.includes('preempted'));
    expect(pre).toEqual(['Requests were preempted because the KV cache ran short (median across seeds): on w: all 8 policies, p7 (8), p6 (7), p5 (6), p4 (5), p3 (4) and 3 more.']);
  });

  it('names the leaders when only they tie, instead of calling every policy alike', () => {
    const text = highlights(report([
      { policy: 'rr', m: { makespanMsP99: sp(1250) } },
      { policy: 'ca', m: { makespanMsP99: sp(1000) } },
      { policy: 'wa', m: { makespanMsP99: sp(1005) } },
    ])).join(' ');
    expect(text).toContain('On w (parallel): no clear winner: ca, wa are within 1% on makespan p99 (1,000 ms).');
    expect(text).not.toContain('the policies are within');
  });

  it('has something to say with a single policy', () => {
    expect(highlights(report([{ policy: 'rr', m: { makespanMsP99: sp(1000) } }]))).toEqual(['Only one policy ran, so there is nothing to compare.']);
  });
});
