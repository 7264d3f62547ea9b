import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROUTING_POLICIES } from '../../policies/routing/registry.js';
import { parseScenario } from '../scenario/load.js';
import { runScenario } from '../runner/matrix.js';
import type { Report } from '../../reports/report.js';
import { scenarioSchema } from '../scenario/schema.js';
import type { WorkloadSpec } from '../../workloads/workload.js';
import { runLiveCell } from './live-cell.js';
import { testCluster, testEngine } from './testdata/cluster.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// Every registered routing policy, short sequential and parallel workloads, through spawned
// engines + router on loopback at ten times real speed (functional check, not a latency check).
const scenario = `
name: live-e2e
mode: live
seeds: [3]
live: { spawn: local, timeScale: 0.1, requestTimeoutS: 60, maxDurationS: 60 }
cluster: { instances: 2, model: llama-3.1-8b, gpu: h100-sxm }
policies:
${Object.keys(ROUTING_POLICIES).map((k) => `  - routing: ${k}`).join('\n')}
workloads:
  - name: seq
    pattern: sequential
    agents: 3
    workflows: 4
    arrivals: { kind: poisson, ratePerSec: 4 }
    systemTokens: 256
    contextTokens: { dist: uniform, min: 500, max: 1000 }
    taskTokens: 32
    outputTokens: { dist: uniform, min: 10, max: 30 }
    toolWaitMs: 50
    toolResultTokens: 20
  - name: par
    pattern: parallel
    workers: 3
    workflows: 3
    arrivals: { kind: poisson, ratePerSec: 4 }
    systemTokens: 256
    contextTokens: 600
    taskTokens: 32
    outputTokens: { dist: uniform, min: 10, max: 30 }
`;

describe('live mode end to end (spawn: local)', () => {
  it('runs every policy on sequential and parallel workflows and writes the usual reports', async () => {
    const out = mkdtempSync(join(tmpdir(), 'agentbench-live-'));
    dirs.push(out);
    const loaded = parseScenario(scenario, 'live-e2e.yaml');
    const res = await runScenario(loaded, { outDir: out, check: true });
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(report.scenario.mode).toBe('live');
    expect(report.cluster['liveTarget']).toBe('spawn:local');
    const policies = Object.keys(ROUTING_POLICIES);
    expect(report.runs).toHaveLength(policies.length * 2);
    for (const run of report.runs) {
      const s = run.summary;
      const wf = run.workload === 'seq' ? 4 : 3;
      const calls = run.workload === 'seq' ? 4 * 3 : 3 * 5;
      expect(run.end, `${run.workload}/${run.policy}`).toBe('drained');
      expect(s['workflowsCompleted'], `${run.workload}/${run.policy}`).toBe(wf);
      expect(s['requestsOk']).toBe(calls);
      expect(s['requestsFailed']).toBe(0);
      expect(s['ttftMsP50']).toBeGreaterThan(0);
      expect(s['e2eMsP50']).toBeGreaterThan(s['ttftMsP50']!);
      expect(s['itlPerChunk']).toBe(1);
      // Shared system prompts and contexts hit the emulated prefix cache.
      expect(s['prefixCacheHitRate']).toBeGreaterThan(0.1);
      expect(run.instances.map((i) => i.id)).toEqual(['i0', 'i1']);
      expect(run.instances.reduce((n, i) => n + i.requestsFinished, 0)).toBe(calls);
    }
    const csv = readFileSync(join(out, 'requests.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(1 + policies.length * (12 + 15));
    for (const line of csv.slice(1)) expect(line).toMatch(/,i[01],ok,/);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/seq/);
    expect(res.files.map((f) => f.split('/').pop())).toContain('workflows.csv');
  });
});

describe('live mode against a deployed target', () => {
  it('sends the workflows to target.baseUrl with the key from apiKeyEnv', async () => {
    const engine = await testEngine({ timeScale: 0.1, apiKey: 'deployed-key' });
    process.env['AB_TARGET_KEY'] = 'deployed-key';
    try {
      const sc = scenarioSchema.parse({
        name: 't', mode: 'live', live: { target: { baseUrl: engine.url, model: 'llama-3.1-8b', apiKeyEnv: 'AB_TARGET_KEY' }, maxDurationS: 30 },
        cluster: { instances: 1 }, policies: [{ routing: 'round-robin' }],
        workloads: [{ name: 'seq', pattern: 'sequential', agents: 2, workflows: 3, arrivals: { kind: 'constant', ratePerSec: 20 }, contextTokens: 200, outputTokens: 5 }],
      });
      const res = await runLiveCell({
        cluster: testCluster(), workload: sc.workloads[0] as WorkloadSpec, policy: sc.policies[0]!, seed: 1, check: true, live: sc.live, sampleIntervalUs: 1e6,
      });
      expect(res.summary['workflowsCompleted']).toBe(3);
      expect(res.requests.rows().every((r) => r.outcome === 'ok' && r.instance === 'target' && r.outputTokens === 5)).toBe(true);
      expect(res.instances).toEqual([]);
      expect(engine.engine.totals().finished).toBe(6);
    } finally {
      delete process.env['AB_TARGET_KEY'];
      await engine.close();
    }
  });
});
