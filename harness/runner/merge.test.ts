import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/load.js';
import { runScenario } from './matrix.js';
import { mergeShards } from './merge.js';

const dir = mkdtempSync(join(tmpdir(), 'ab-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A sweep (2 points) × 2 policies × 2 workloads × 2 seeds = 16 cells, with an SLO (capacity at SLO
// must be recomputed over every shard's runs).
const scenario = (name = 'shards') => `name: ${name}
cluster: { instances: 1 }
seeds: [1, 2]
policies: [{ routing: round-robin }, { routing: least-loaded }]
slo: { ttftMs: 150 }
sweep:
  workloads[*].arrivals.ratePerSec: [2, 12]
workloads:
  - { name: chat, pattern: chat, workflows: 10, arrivals: { kind: poisson, ratePerSec: 1 }, taskTokens: 1500, outputTokens: 30 }
  - { name: seq, pattern: sequential, agents: 2, workflows: 4, arrivals: { kind: poisson, ratePerSec: 1 }, contextTokens: 600 }
`;
const FILES = ['report.json', 'summary.csv', 'requests.csv', 'workflows.csv', 'report.md'];
const read = (d: string) => Object.fromEntries(FILES.map((f) => [f, readFileSync(join(d, f), 'utf8')]));

describe('run --shard K/N and merge', () => {
  const shardDir = (k: number) => join(dir, `s${k}`);

  it('shards 1/3 + 2/3 + 3/3, merged, are the unsharded run byte for byte', async () => {
    await runScenario(parseScenario(scenario(), join(dir, 's.yaml')), { outDir: join(dir, 'full'), check: false });
    const sizes: number[] = [];
    for (const k of [1, 2, 3]) {
      const r = await runScenario(parseScenario(scenario(), join(dir, 's.yaml')), { outDir: shardDir(k), check: false, shard: { index: k, count: 3 } });
      sizes.push(r.report.runs.length);
    }
    // 16 cells of two costs (10 and 4 workflows), balanced: 6 + 5 + 5.
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(16);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    await mergeShards([shardDir(3), shardDir(1), shardDir(2)], join(dir, 'merged'));
    const full = read(join(dir, 'full'));
    const merged = read(join(dir, 'merged'));
    expect(JSON.parse(full['report.json']!).sweep.capacityAtSlo.length).toBe(4);
    for (const f of FILES) expect(merged[f], f).toBe(full[f]);
    // report.html's extra data, rebuilt from the CSV rows (µs): the same distributions and
    // timelines as the unsharded run's, figures equal to within the file's 0.001 ms rounding.
    const charts = (d: string) => JSON.parse(readFileSync(join(d, 'chart-data.json'), 'utf8')) as {
      cdfs: { workload: string; policy: string; metric: string; n: number; points: [number, number][] }[];
      gantt: { workflowId: string; nodeId: string; sendMs: number; firstTokenMs: number; endMs: number }[];
    };
    const [a, b] = [charts(join(dir, 'full')), charts(join(dir, 'merged'))];
    expect(a.cdfs.length).toBe(24); // 4 workload rows × 2 policies × 3 metrics
    expect(b.cdfs.map((c) => [c.workload, c.policy, c.metric, c.n, c.points.length])).toEqual(a.cdfs.map((c) => [c.workload, c.policy, c.metric, c.n, c.points.length]));
    b.cdfs.forEach((c, i) => c.points.forEach(([x, p], j) => {
      expect(Math.abs(x - a.cdfs[i]!.points[j]![0])).toBeLessThanOrEqual(0.0021);
      expect(p).toBe(a.cdfs[i]!.points[j]![1]);
    }));
    expect(a.gantt.length).toBeGreaterThan(20);
    expect(b.gantt.map((g) => `${g.workflowId}/${g.nodeId}`)).toEqual(a.gantt.map((g) => `${g.workflowId}/${g.nodeId}`));
    b.gantt.forEach((g, i) => {
      for (const k of ['sendMs', 'firstTokenMs', 'endMs'] as const) expect(Math.abs(g[k] - a.gantt[i]![k])).toBeLessThanOrEqual(0.0021);
    });
  });

  it('refuses a missing shard, a duplicate one and another scenario, naming them', async () => {
    await expect(mergeShards([shardDir(1), shardDir(3)], join(dir, 'm1'))).rejects.toThrow('merge: missing shard(s) 2/3');
    await expect(mergeShards([shardDir(1), shardDir(1), shardDir(2), shardDir(3)], join(dir, 'm2'))).rejects.toThrow(`merge: shard 1/3 given twice: ${shardDir(1)} and ${shardDir(1)}`);
    await runScenario(parseScenario(scenario('other'), join(dir, 'o.yaml')), { outDir: join(dir, 'other2'), check: false, shard: { index: 2, count: 3 } });
    await expect(mergeShards([shardDir(1), join(dir, 'other2'), shardDir(3)], join(dir, 'm3'))).rejects.toThrow(/merge: .*other2: another scenario \(hash [0-9a-f]{12}, 'other'/);
    await expect(mergeShards([join(dir, 'full')], join(dir, 'm4'))).rejects.toThrow(/not a shard's run folder/);
  });
});
