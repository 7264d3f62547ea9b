import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/load.js';
import { runScenario } from '../runner/matrix.js';
import { resolveCluster } from '../runner/resolve.js';
import { scenarioSchema } from '../scenario/schema.js';
import type { WorkloadSpec } from '../../workloads/workload.js';
import { runLiveCell } from './live-cell.js';
import { testEngine } from './testdata/cluster.js';
import { maxInFlight } from '../runner/testing.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ab-modes-'));
  dirs.push(d);
  return d;
};

describe('live mode runs the simulator\'s arrival driver', () => {
  it('closed-loop arrivals: K workflows in flight, the next starts when one ends', async () => {
    const sc = scenarioSchema.parse({
      name: 'closed', mode: 'live', live: { spawn: 'local', timeScale: 0.1, requestTimeoutS: 60, maxDurationS: 60 },
      cluster: { instances: 2 }, policies: [{ routing: 'round-robin' }],
      workloads: [{ name: 'r', pattern: 'react', turns: 2, workflows: 6, arrivals: { kind: 'closed-loop', concurrency: 2 } }],
    });
    const res = await runLiveCell({
      cluster: resolveCluster(sc.cluster, 'closed'), workload: sc.workloads[0] as WorkloadSpec, policy: sc.policies[0]!, seed: 1,
      check: true, live: sc.live, sampleIntervalUs: 1e6,
    });
    expect(res.end).toBe('drained');
    expect(res.workflows.rows().map((w) => w.outcome)).toEqual(Array(6).fill('completed'));
    expect(maxInFlight(res.workflows.rows())).toBe(2);
    const starts = res.workflows.rows().map((w) => w.startUs).sort((a, b) => a - b);
    const ends = res.workflows.rows().map((w) => w.endUs);
    // Think time 0: every start after the first two follows an end at once — within 1 s of run
    // time, i.e. 100 ms of wall time at time scale 0.1 (a loaded machine delays timers).
    for (const s of starts.slice(2)) expect(ends.some((e) => s >= e && s - e < 1_000_000), `start ${s} after ends ${ends.join(', ')}`).toBe(true);
  });
});

describe('a deployed target', () => {
  const target = (url: string, policies: string, extra = '') => `
name: tgt
mode: live
live: { target: { baseUrl: "${url}", model: llama-3.1-8b }${extra} }
cluster: { instances: 2, gpu: h100-sxm }
policies: ${policies}
seeds: [1, 2]
workloads: [{ name: s, pattern: sequential, agents: 2, workflows: 3, arrivals: { kind: constant, ratePerSec: 20 },
  systemTokens: 64, contextTokens: 200, taskTokens: 16, outputTokens: 4 }]
`;

  it('refuses more than one policy entry, saying why and what to do', () => {
    expect(() => parseScenario(target('http://127.0.0.1:9', '[{ routing: round-robin }, { routing: least-loaded }]'), 't.yaml')).toThrow(
      /t\.yaml:\d+:\d+: policies: a deployed target \(live\.target\) runs its own routing, scheduling and KV policies: agentbench applies none of them there, so 2 policy entries would measure the same stack 2 times under different names\. Give one entry \(reported as 'target'.*or compare policies with live\.spawn: local or in simulation/,
    );
  });

  it('is reported as what ran: one row labelled target, the URL and model in the header, no simulated cluster, no empty charts; the reset command runs between cells', async () => {
    const e = await testEngine({ timeScale: 0.05 });
    const out = tmp();
    const marker = join(out, 'resets.txt');
    try {
      const loaded = parseScenario(target(e.url, '[{ routing: least-loaded, recovery: retry-call }]', `, warmup: { requests: 2 }, resetBetweenCells: { run: "echo reset >> '${marker}'" }`), 't.yaml');
      const res = await runScenario(loaded, { outDir: join(out, 'run'), check: true });
      expect(res.report.runs.map((r) => `${r.policy}/${r.seed}`)).toEqual(['target/1', 'target/2']);
      expect(res.report.policies).toEqual([{ name: 'target', routing: "the target's own", scheduling: "the target's own", eviction: "the target's own", recovery: 'retry-call' }]);
      expect(res.report.cluster).toMatchObject({ target: e.url, model: 'llama-3.1-8b', warmupRequests: 2 });
      expect(res.report.cluster['instances']).toBeUndefined();
      // Two cells: the reset ran once, before the second.
      expect(readFileSync(marker, 'utf8')).toBe('reset\n');
      const md = readFileSync(join(out, 'run', 'report.md'), 'utf8');
      expect(md).toContain(`- deployed target: target ${e.url}, model llama-3.1-8b`);
      expect(md).not.toMatch(/^- cluster:/m);
      expect(md).not.toContain('h100');
      const html = readFileSync(join(out, 'run', 'report.html'), 'utf8');
      expect(html).toContain(`<dt>deployed target</dt><dd>target ${e.url}`);
      expect(html).not.toContain('<dt>cluster</dt>');
      expect(html).not.toContain('Instances over time');
      // The engine behind the target saw the warm-ups and every call: 2 cells × 3 workflows × 2 agents.
      expect(res.report.runs.every((r) => r.summary['requestsOk'] === 6)).toBe(true);
    } finally {
      await e.close();
    }
  });
});
