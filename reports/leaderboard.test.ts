import { describe, expect, it } from 'vitest';
import { leaderboard } from './leaderboard.js';
import { aggregate, type Report, type RunEntry } from './report.js';

function report(perSeed: Record<string, number[]>, params?: Record<string, unknown>): Report {
  const runs: RunEntry[] = Object.entries(perSeed).flatMap(([policy, vals]) => vals.map((v, i) => ({
    workload: 'w', policy, seed: i + 1, end: 'drained' as const, instances: [],
    summary: { makespanMsP99: v, ttftMsP99: 10, outputTokensPerSec: 100, prefixCacheHitRate: 0.5 },
  })));
  const seeds = Object.values(perSeed)[0]!.map((_, i) => i + 1);
  return {
    schemaVersion: 1, tool: { name: 'agentbench', version: 't' }, scenario: { name: 's', hash: 'h', mode: 'sim', seeds },
    cluster: {}, policies: Object.keys(perSeed).map((name) => ({ name, routing: name, scheduling: 'fcfs', eviction: 'lru', recovery: 'fail-workflow' })),
    workloads: [{ name: 'w', pattern: 'sequential', ...(params ? { params } : {}) }], runs, aggregates: aggregate(runs),
  };
}

describe('leaderboard', () => {
  it('ranks by makespan p99 and tests each gap to the leader over paired seeds', () => {
    const lb = leaderboard(report({
      c: [90, 200, 130, 150, 160], // median 150
      a: [100, 110, 120, 130, 140], // median 120: the leader
      b: [105, 115, 125, 135, 145], // median 125
    }, { workflows: 120, arrivals: { kind: 'poisson', ratePerSec: 6 }, agents: 4 }), 'w')!;
    expect(lb.rows.map((r) => r.policy)).toEqual(['a', 'b', 'c']);
    expect(lb.rows[1]!.vsLeaderPct).toBeCloseTo((125 - 120) / 120 * 100, 9); // +4.17%
    // b − a = +5 on all 5 seeds: p = 1/32.
    expect(lb.rows[1]!.pValue).toBe(1 / 32);
    // c − a = −10, +90, +10, +20, +20: mid-ranks 1.5, 5, 1.5, 3.5, 3.5; W+ = 13.5 of 15 (doubled 27 of 30);
    // sign patterns with doubled W+ ≥ 27 leave ≤ 3 negative: {}, {1.5a}, {1.5b} → 3/32.
    expect(lb.rows[2]!.pValue).toBe(3 / 32);
    // (125 − 120) / 125 = 4.0% below the runner-up.
    expect(lb.verdict).toBe('On w (sequential, poisson arrivals at 6/s, 120 workflows): a wins: makespan p99 120 ms, 4.0% below b; better on seeds as pairs, p = 0.031.');
  });

  it('ranks by the scenario\'s report.rankBy when set (higher is better for throughput)', () => {
    const r = report({ a: [100, 100], b: [200, 200] });
    const tput = { ...r, scenario: { ...r.scenario, rankBy: 'outputTokensPerSec' }, aggregates: r.aggregates.map((x) => ({ ...x, summary: { ...x.summary, outputTokensPerSec: { median: x.policy === 'a' ? 50 : 80, min: 0, max: 100, n: 2 } } })) };
    const lb = leaderboard(tput, 'w')!;
    expect(lb.metric).toBe('outputTokensPerSec');
    expect(lb.rows.map((x) => x.policy)).toEqual(['b', 'a']);
    // (80 − 50) / 50 = 60% above the runner-up.
    expect(lb.verdict).toBe('On w (sequential): b wins: output tok/s 80 tok/s, 60.0% above a; 2 paired seed(s): too few for a test (5 are needed for p < 0.05).');
  });

  it('says when seeds are too few to test, and when the leaders tie', () => {
    const two = leaderboard(report({ a: [100, 120], b: [130, 150] }), 'w')!;
    expect(two.verdict).toBe('On w (sequential): a wins: makespan p99 110 ms, 21.4% below b; 2 paired seed(s): too few for a test (5 are needed for p < 0.05).');
    const tie = leaderboard(report({ a: [100, 100], b: [100.5, 100.5], c: [200, 200] }), 'w')!;
    expect(tie.verdict).toBe('On w (sequential): no clear winner: a, b are within 1% on makespan p99 (100 ms).');
  });
});
