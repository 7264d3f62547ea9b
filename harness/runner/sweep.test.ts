import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/load.js';
import { runScenario } from './matrix.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const scenario = (extra: string) => `name: sw
cluster: { instances: 1 }
policies: [{ routing: round-robin }]
seeds: [1, 2]
workloads:
  - { name: chat, pattern: chat, workflows: 40, arrivals: { kind: poisson, ratePerSec: 1 }, taskTokens: 2000, outputTokens: 200 }
${extra}`;

describe('sweeps', () => {
  it('runs every point as its own workload row and finds the highest rate within the SLO', async () => {
    const loaded = parseScenario(scenario('slo: { ttftMs: 200, attainment: 0.9 }\nsweep:\n  workloads[*].arrivals.ratePerSec: [2, 20, 200]\n'), 'sw.yaml');
    expect(loaded.points!.map((p) => p.label)).toEqual(['ratePerSec=2', 'ratePerSec=20', 'ratePerSec=200']);
    expect(loaded.points!.map((p) => (p.scenario.workloads[0] as { arrivals: { ratePerSec: number } }).arrivals.ratePerSec)).toEqual([2, 20, 200]);
    const dir = mkdtempSync(join(tmpdir(), 'ab-sweep-'));
    dirs.push(dir);
    const res = await runScenario(loaded, { outDir: dir, check: true });
    const r = res.report;
    expect(r.workloads.map((w) => w.name)).toEqual(['chat @ ratePerSec=2', 'chat @ ratePerSec=20', 'chat @ ratePerSec=200']);
    expect(r.workloads[1]).toMatchObject({ base: 'chat', sweep: { 'workloads[*].arrivals.ratePerSec': 20 } });
    expect(r.runs).toHaveLength(6); // 3 points × 1 policy × 2 seeds
    const att = (w: string) => r.aggregates.find((a) => a.workload === w)!.summary['sloAttainment']!.median!;
    // 2,000-token prompts on one H100 prefill in ~50 ms: at 2/s nearly every call meets 200 ms;
    // at 200/s the queue grows without bound and almost none does.
    expect(att('chat @ ratePerSec=2')).toBeGreaterThanOrEqual(0.9);
    expect(att('chat @ ratePerSec=200')).toBeLessThan(0.5);
    const cap = r.sweep!.capacityAtSlo!;
    expect(cap).toHaveLength(1);
    expect(cap[0]).toMatchObject({ workload: 'chat', policy: 'round-robin', axis: 'workloads[*].arrivals.ratePerSec', attainment: 'call' });
    expect(cap[0]!.met.map((m) => m.value)).toEqual([2, 20, 200]);
    // Capacity: the last value met before the first miss.
    // Measured attainment (median of 2 seeds): 100% at 2/s, 46% at 20/s, 2.5% at 200/s: capacity 2.
    // (56% at 20/s before the API-server front end, 4 ms + 0.25 µs × 2,256 prompt tokens = 4.6 ms
    // on every call, and async scheduling's one-step admission lag for calls arriving mid-step.)
    expect(cap[0]!.met.map((m) => m.meets)).toEqual([true, false, false]);
    expect(cap[0]!.capacity).toBe(2);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('## Capacity at SLO');
    expect(md).toContain('| chat | round-robin | 2 | 2: 100%, 20: 46% ✗, 200: 3% ✗ |');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<h3>Capacity at SLO</h3>');
    expect(html).toContain('<td>chat</td><td>round-robin</td><td>2</td><td>2: 100%, 20: 46% ✗, 200: 3% ✗</td>');
    expect(html).toMatch(/<figure[^>]*id="sweep-0"[\s\S]*?<svg/); // the curves across the sweep, drawn
  });

  it('--set overrides any key before validation; bad paths and sweeps are errors naming them', () => {
    const loaded = parseScenario(scenario(''), 'sw.yaml', { set: [['cluster.instances', 3], ['workloads[*].arrivals.ratePerSec', 5]] });
    expect(loaded.scenario.cluster.instances).toBe(3);
    expect((loaded.scenario.workloads[0] as { arrivals: { ratePerSec: number } }).arrivals.ratePerSec).toBe(5);
    expect(() => parseScenario(scenario(''), 'sw.yaml', { set: [['workloads[3].workflows', 1]] })).toThrow('--set workloads[3].workflows: workloads has 1 entry, no [3]');
    expect(() => parseScenario(scenario(''), 'sw.yaml', { set: [['cluster.instances', -1]] })).toThrow(/cluster\.instances: expected a number > 0|cluster\.instances/);
    expect(() => parseScenario(scenario('sweep:\n  cluster.instances: []\n'), 'sw.yaml')).toThrow('sw.yaml: sweep.cluster.instances: expected a non-empty list of numbers, strings or booleans, found []');
    expect(() => parseScenario(scenario('sweep:\n  seeds: [1, 2]\n'), 'sw.yaml')).toThrow(/sweep\.seeds: seeds are paired across every point already/);
    expect(() => parseScenario(scenario('sweep:\n  cluster.instances: [1, -2]\n'), 'sw.yaml')).toThrow(/^sweep point instances=-2: sw\.yaml:\d+:\d+: cluster\.instances|sweep point instances=-2: .*cluster\.instances/);
  });
});
