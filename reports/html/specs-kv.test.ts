import { describe, expect, it } from 'vitest';
import type { Report } from '../report.js';
import { disaggregationChart, kvTiersChart } from './specs-kv.js';

const sp = (median: number) => ({ median, min: median, max: median, n: 1 });
function report(withTiers: boolean): Report {
  return {
    schemaVersion: 1, tool: { name: 'agentbench', version: 't' }, scenario: { name: 's', hash: 'h', mode: 'sim', seeds: [1] }, cluster: {},
    policies: [
      { name: 'plain', routing: 'rr', scheduling: 'fcfs', eviction: 'lru', recovery: 'fail-workflow' },
      { name: 'tiered', routing: 'rr', scheduling: 'fcfs', eviction: 'lru', recovery: 'fail-workflow', ...(withTiers ? { kvTiers: 'cpu 64 GiB' } : {}) },
    ],
    workloads: [{ name: 'w', pattern: 'sequential' }], runs: [],
    aggregates: ['plain', 'tiered'].map((policy, i) => ({
      workload: 'w', policy, seeds: [1],
      summary: { engineCacheHitRate: sp(0.5), kvCpuHitRate: sp(i * 0.2), kvRemoteHitRate: sp(0), kvLoadS: sp(i * 3), kvSavedComputeS: sp(i * 9) },
    })),
  };
}

describe('KV-tier and disaggregation charts', () => {
  it('draw hit rate by tier and load time against compute saved, only where a policy has tiers', () => {
    expect(kvTiersChart(report(false), 'w', 0)).toBeNull();
    expect(disaggregationChart(report(true), 'w', 0)).toBeNull(); // no policy disaggregates
    const c = kvTiersChart(report(true), 'w', 0)!;
    const [hits, time] = (c.spec['hconcat'] as { data: { values: Record<string, unknown>[] } }[]);
    expect(hits!.data.values.filter((v) => v['policy'] === 'tiered').map((v) => [v['series'], v['median']]))
      .toEqual([['GPU prefix cache (engine counter)', 0.5], ['CPU tier', 0.2], ['remote tier', 0]]);
    expect(time!.data.values.filter((v) => v['policy'] === 'tiered').map((v) => v['median'])).toEqual([3, 9]);
  });
});
