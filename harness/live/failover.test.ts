import { describe, expect, it } from 'vitest';
import { resolveCluster } from '../runner/resolve.js';
import { scenarioSchema } from '../scenario/schema.js';
import type { WorkloadSpec } from '../../workloads/workload.js';
import { runLiveCell } from './live-cell.js';

describe('live failover', () => {
  it('kills one engine mid-run: broken calls are retried elsewhere and every workflow finishes', async () => {
    const sc = scenarioSchema.parse({
      name: 'failover', mode: 'live',
      live: { spawn: 'local', timeScale: 0.1, requestTimeoutS: 60, maxDurationS: 60, router: { healthIntervalMs: 100, healthTimeoutMs: 100 } },
      cluster: { instances: 2 },
      policies: [{ routing: 'round-robin', recovery: 'retry-call' }],
      // The crash waits until i1 streams at least three calls, so it always breaks some.
      workloads: [{
        name: 'seq', pattern: 'sequential', agents: 2, workflows: 8, arrivals: { kind: 'constant', ratePerSec: 10 },
        systemTokens: 128, contextTokens: 800, taskTokens: 32, outputTokens: { dist: 'uniform', min: 80, max: 120 },
      }],
    });
    const res = await runLiveCell({
      cluster: resolveCluster(sc.cluster, 'failover'), workload: sc.workloads[0] as WorkloadSpec, policy: sc.policies[0]!, seed: 1,
      check: true, live: sc.live, sampleIntervalUs: 200_000,
      faults: [{ atUs: 500_000, instance: 1, kind: 'crash', minInflight: 3 }],
    });
    const s = res.summary;
    expect(res.end).toBe('drained');
    expect(s['workflowsCompleted']).toBe(8);
    expect(s['workflowsFailed']).toBe(0);
    // Failures are recorded as such, each followed by a retry that succeeded on the survivor.
    const failed = res.requests.rows().filter((r) => r.outcome === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) {
      expect(f.instance).toBe('i1');
      // One of the forms http-backend.ts gives a broken call (a status, a broken or cut stream, a transport code).
      expect(f.reason).toMatch(/^(HTTP 5\d\d: |stream error: |stream ended before \[DONE\]$|E[A-Z_]+: |other side closed|terminated|socket hang up)/);
    }
    expect(s['requestsFailed']).toBe(failed.length);
    expect(s['requestsRetried']).toBe(failed.length);
    expect(s['requestsRecovered']).toBe(failed.length);
    expect(s['timeToRecoverMs']).toBeGreaterThan(0);
    for (const r of res.requests.rows().filter((x) => x.attempt > 0)) {
      expect(r.outcome).toBe('ok');
      expect(r.instance).toBe('i0');
      expect(r.id).toMatch(/#1$/);
    }
    expect(res.workflows.rows().reduce((n, w) => n + w.retries, 0)).toBe(failed.length);
    // After the crash the router (health checks or refused connections) sees i1 down.
    const last = res.samples.filter((x) => x.instance === 'i1').at(-1)!;
    expect(last.healthy).toBe(false);
    expect(res.samples.some((x) => x.instance === 'i1' && x.healthy)).toBe(true);
  });
});
