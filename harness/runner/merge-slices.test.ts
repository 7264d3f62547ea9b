import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { quantileSorted } from 'simple-statistics';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/load.js';
import { testEngine } from '../live/testdata/cluster.js';
import { runScenario } from './matrix.js';
import { mergeShards } from './merge.js';

const dir = mkdtempSync(join(tmpdir(), 'ab-slices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A live load against a deployed target (an emulated engine on 127.0.0.1), driven as 3 slices
// the way 3 pods of `load workflows --shard K/3` would: 10 workflows of 2 calls each.
const target = (url: string, extra = '') => `
name: sliced
mode: live
live: { target: { baseUrl: "${url}", model: llama-3.1-8b } }
cluster: { instances: 1 }
policies: [{ routing: round-robin }]
seeds: [4]
slo: { ttftMs: 5000 }
workloads: [{ name: s, pattern: sequential, agents: 2, workflows: 10, arrivals: { kind: ${extra || 'constant, ratePerSec: 20'} },
  systemTokens: 64, contextTokens: 200, taskTokens: 16, outputTokens: 4 }]
`;
const rows = (f: string): Record<string, string>[] => parse(readFileSync(f, 'utf8'), { columns: true }) as Record<string, string>[];

describe('load workflows --shard K/N: slices of one live load, merged', () => {
  it('drives every N-th arrival per slice (together exactly the whole stream) and merges percentiles over the union', async () => {
    const e = await testEngine({ timeScale: 0.05 });
    try {
      const yaml = target(e.url);
      await runScenario(parseScenario(yaml, join(dir, 't.yaml')), { outDir: join(dir, 'whole'), check: false });
      for (const k of [1, 2, 3]) {
        await runScenario(parseScenario(yaml, join(dir, 't.yaml')), { outDir: join(dir, `slice${k}`), check: false, slice: { index: k, count: 3 } });
      }
      const ids = (d: string) => rows(join(dir, d, 'workflows.csv')).map((r) => r['id']!);
      // Arrivals 0, 3, 6, 9 go to slice 1; 1, 4, 7 to slice 2; 2, 5, 8 to slice 3.
      expect([ids('slice1').length, ids('slice2').length, ids('slice3').length]).toEqual([4, 3, 3]);
      const union = [...ids('slice1'), ...ids('slice2'), ...ids('slice3')];
      expect(new Set(union).size).toBe(10);
      expect([...union].sort()).toEqual([...ids('whole')].sort());

      const res = await mergeShards([join(dir, 'slice2'), join(dir, 'slice3'), join(dir, 'slice1')], join(dir, 'merged'));
      expect(res.startSpreadS).toBeGreaterThanOrEqual(0);
      const s = res.report.runs[0]!.summary;
      expect([s['workflowsTotal'], s['requestsTotal'], s['requestsOk']]).toEqual([10, 20, 20]);
      expect(res.report.shard).toBeUndefined();
      // The merged TTFT p50 / p99 are the percentiles of all 20 calls (type 7, computed here with
      // simple-statistics over requests.csv), not an average of the slices' percentiles.
      const ttft = rows(join(dir, 'merged', 'requests.csv')).map((r) => Number(r['ttftMs'])).sort((a, b) => a - b);
      expect(ttft).toHaveLength(20);
      expect(s['ttftMsP50']).toBeCloseTo(quantileSorted(ttft, 0.5), 2);
      expect(s['sloAttainment']).toBe(ttft.filter((t) => t <= 5000).length / 20);
      const sends = rows(join(dir, 'merged', 'requests.csv')).map((r) => Number(r['sendMs']));
      expect(sends).toEqual([...sends].sort((a, b) => a - b)); // rows in send order
      expect(readFileSync(join(dir, 'merged', 'report.html'), 'utf8')).toContain('sliced');
    } finally {
      await e.close();
    }
  });

  it('refuses slices mixed with cell shards, closed-loop arrivals and a spawned stack, saying why', async () => {
    await runScenario(parseScenario(`name: sliced
cluster: { instances: 1 }
policies: [{ routing: round-robin }]
seeds: [4]
workloads: [{ name: s, pattern: chat, workflows: 2, arrivals: { kind: constant, ratePerSec: 20 }, taskTokens: 16, outputTokens: 4 }]
`, join(dir, 'c.yaml')), { outDir: join(dir, 'cells2'), check: false, shard: { index: 2, count: 3 } });
    await expect(mergeShards([join(dir, 'slice1'), join(dir, 'cells2'), join(dir, 'slice3')], join(dir, 'm'))).rejects.toThrow(
      /is a share of the cells \(run --shard\), but .*slice1 is a slice of a live load \(load workflows --shard\)/,
    );
    const e = await testEngine({ timeScale: 0.05 });
    try {
      const closed = parseScenario(target(e.url, 'closed-loop, concurrency: 2'), join(dir, 't.yaml'));
      await expect(runScenario(closed, { outDir: join(dir, 'closed'), check: false, slice: { index: 1, count: 2 } })).rejects.toThrow(
        "workload 's': closed-loop arrivals cannot be split into slices (--shard); give each machine its own concurrency instead",
      );
    } finally {
      await e.close();
    }
    const spawned = parseScenario(target('http://127.0.0.1:9').replace(/live: \{ target: .*\n/, 'live: { spawn: local }\n'), join(dir, 't.yaml'));
    await expect(runScenario(spawned, { outDir: join(dir, 'sp'), check: false, slice: { index: 1, count: 2 } })).rejects.toThrow(
      '--shard: slices of a live load need a deployed target (live.target or --target)',
    );
  });
});
