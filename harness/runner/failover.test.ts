import { describe, expect, it } from 'vitest';
import { LinearCostModel } from '../../sim/engine/testing.js';
import type { RequestRecord } from '../../reports/records.js';
import { runTestCell } from './testing.js';

// planner -> 4 workers -> aggregator on 2 instances, round robin: the workflow arrives at 1 s,
// the planner runs on i0 (1.0 - 1.21 s), workers on i1, i0, i1, i0 (1.21 - 1.42 s), the
// aggregator after; i0 crashes at 1.3 s for good.
const parallel = {
  pattern: 'parallel', workers: 4, systemTokens: 0, contextTokens: 400, taskTokens: 100, outputTokens: 200, workflows: 1,
};
const crashI0 = [{ kind: 'crash', target: 'i0', atS: 1.3 }];
const cell = (recovery: unknown, router: Record<string, unknown> = {}, faults: unknown[] = crashI0) => runTestCell({
  cluster: { instances: 2 }, workload: parallel, costModel: new LinearCostModel(),
  policy: { routing: 'round-robin', recovery }, faults, router,
});

/** Attempts of each node in order; each node's attempt numbers must be 0, 1, 2... */
function byNode(reqs: readonly RequestRecord[]): Map<string, RequestRecord[]> {
  const m = new Map<string, RequestRecord[]>();
  for (const r of reqs) m.set(r.nodeId, [...(m.get(r.nodeId) ?? []), r]);
  for (const rows of m.values()) {
    rows.sort((a, b) => a.attempt - b.attempt);
    expect(rows.map((r) => r.attempt)).toEqual(rows.map((_, k) => k));
  }
  return m;
}

describe('workflow-level recovery', () => {
  it('fail-workflow: the first call lost fails the workflow; nothing new starts', () => {
    const r = cell('fail-workflow');
    const nodes = byNode(r.requests.rows());
    const killed = r.requests.rows().filter((q) => q.outcome !== 'ok');
    expect(killed.map((q) => [q.nodeId, q.instance, q.reason])).toEqual([
      ['worker-1', 'i0', 'instance i0 crashed (connection reset)'],
      ['worker-3', 'i0', 'instance i0 crashed (connection reset)'],
    ]);
    expect(nodes.has('aggregator')).toBe(false);
    expect(r.workflows.at(0)).toMatchObject({ outcome: 'failed', reason: 'worker-1: failed: instance i0 crashed (connection reset)', retries: 0 });
    expect(r.summary).toMatchObject({ requestsLost: 2, requestsRetried: 0, workflowsFailed: 1, faultsInjected: 1 });
  });

  it('retry-call: the lost calls are re-sent until they land on a live instance; the workflow completes', () => {
    const r = cell({ kind: 'retry-call', jitter: false, initialIntervalMs: 100, maxAttempts: 5 });
    const nodes = byNode(r.requests.rows());
    expect(r.workflows.at(0)).toMatchObject({ outcome: 'completed' });
    for (const w of ['worker-1', 'worker-3']) {
      const rows = nodes.get(w)!;
      expect(rows[0]).toMatchObject({ outcome: 'failed', reason: 'instance i0 crashed (connection reset)' });
      expect(rows.at(-1)).toMatchObject({ outcome: 'ok', instance: 'i1' });
      expect(rows.at(-1)!.id).toBe(`${r.workflows.at(0)!.id}/${w}#${rows.length - 1}`);
      // Round robin still sends some re-sends to i0 before the health check (60 s) notices.
      for (const q of rows.slice(1, -1)) expect(q.reason).toBe('instance i0 is down (connection refused)');
    }
    // The aggregator, sent after the workers, was refused by i0 too (round robin) and re-sent.
    expect(nodes.get('aggregator')!.map((q) => [q.outcome, q.reason])).toEqual([['failed', 'instance i0 is down (connection refused)'], ['ok', '']]);
    expect(r.workflows.at(0)!.retries).toBe(r.requests.rows().filter((q) => q.outcome !== 'ok').length);
    expect(r.summary).toMatchObject({ requestsRecovered: 3, requestsRetried: 3, requestsLost: 0, workflowsRecovered: 1 });
    // The killed workers' own blocks existed only on i0: re-sent to i1, they were prefilled again.
    expect(r.summary['recomputedPrefillTokens']).toBeGreaterThan(0);
  });

  it('retry-call with router reroutes: refused attempts never reach the workflow', () => {
    const r = cell({ kind: 'retry-call', jitter: false, initialIntervalMs: 100 }, { retry: { maxAttempts: 2 } });
    expect(r.workflows.at(0)).toMatchObject({ outcome: 'completed', retries: 2 });
    const refused = r.requests.rows().filter((q) => q.reason.includes('connection refused'));
    // Each refused attempt was followed, under the same request id, by an attempt on i1.
    for (const q of refused) expect(r.requests.rows().some((o) => o.id === q.id && o.instance === 'i1' && o.attempt === q.attempt + 1)).toBe(true);
  });

  it('retry-call budget running out: the workflow fails with the last reason', () => {
    const r = cell({ kind: 'retry-call', jitter: false, initialIntervalMs: 100, maxAttempts: 2 }, {}, [{ kind: 'crash', target: 'all', atS: 1.3 }]);
    expect(r.workflows.at(0)!.outcome).toBe('failed');
    expect(r.workflows.at(0)!.reason).toMatch(/^worker-\d: failed: instance i[01] is down \(connection refused\)$/);
    expect(Math.max(...byNode(r.requests.rows()).get('worker-1')!.map((q) => q.attempt))).toBe(1);
    expect(r.summary['requestsLost']).toBe(4);
    expect(r.end).toBe('drained');
  });

  it('restart-workflow: once the calls in flight have ended, the workflow runs again from the planner', () => {
    const r = cell({ kind: 'restart-workflow', jitter: false, initialIntervalMs: 100 }, { retry: { maxAttempts: 2 } });
    const wf = r.workflows.at(0)!;
    expect(wf).toMatchObject({ outcome: 'completed', retries: 1 });
    const nodes = byNode(r.requests.rows());
    const planner = nodes.get('planner')!;
    expect(planner.map((q) => [q.id, q.outcome])).toEqual([[`${wf.id}/planner`, 'ok'], [`${wf.id}/planner#1`, 'ok']]);
    // The rerun starts 100 ms after the last call of the first run ended.
    const firstRun = r.requests.rows().filter((q) => q.sendUs < planner[1]!.sendUs);
    expect(planner[1]!.sendUs).toBe(Math.max(...firstRun.map((q) => q.endUs)) + 100_000);
    expect(wf.startUs).toBe(1_000_000); // the makespan counts the lost run
    // Planner and workers ran twice; the aggregator's refused attempt was re-sent by the router.
    expect(nodes.get('aggregator')!.map((q) => [q.id, q.outcome])).toEqual([[`${wf.id}/aggregator`, 'failed'], [`${wf.id}/aggregator`, 'ok']]);
    expect(r.summary['requestsRetried']).toBe(6);
    // The planner's task blocks and the killed workers' own blocks lived on i0 only: 3 × 6 blocks.
    expect(r.summary['recomputedPrefillTokens']).toBe(288);
  });

  it('every instance down at once: every workflow fails with a clear reason, and the run still finishes and reports', () => {
    const r = runTestCell({
      cluster: { instances: 3 }, costModel: new LinearCostModel(),
      workload: { ...parallel, workflows: 6, arrivals: { kind: 'constant', ratePerSec: 4 } },
      policy: { routing: 'least-loaded', recovery: { kind: 'retry-call', jitter: false, initialIntervalMs: 100 } },
      faults: [{ kind: 'crash', target: 'all', atS: 0.3 }],
      router: { healthCheck: { intervalS: 1 }, retry: { maxAttempts: 2 } },
    });
    expect(r.end).toBe('drained');
    expect(r.summary['workflowsFailed']).toBe(6);
    expect(r.summary['workflowsCompleted']).toBe(0);
    const reasons = new Set(r.requests.rows().filter((q) => q.outcome !== 'ok').map((q) => q.reason.replace(/i\d/, 'iN')));
    expect([...reasons].sort()).toEqual([
      'instance iN crashed (connection reset)', 'instance iN is down (connection refused)', 'router: no healthy instance',
    ]);
    expect(r.summary['faultsInjected']).toBe(3);
    expect(r.summary['timeToDetectMs']).toBe(700);
  });
});

describe('failover invariants over a run', () => {
  const run = () => runTestCell({
    cluster: { instances: 4 },
    workload: { pattern: 'sequential', agents: 3, systemTokens: 64, contextTokens: 800, taskTokens: 64, outputTokens: 120, toolWaitMs: 200, workflows: 80, arrivals: { kind: 'poisson', ratePerSec: 4 } },
    policy: { routing: 'least-loaded', recovery: 'retry-call' },
    faults: [
      { kind: 'crash', target: 'random', atS: 4, recoverAfterS: 6 },
      { kind: 'hang', target: 'i2', atS: 8, durationS: 3 },
      { kind: 'partition', target: 'i3', atS: 12, durationS: 2 },
      { kind: 'slowdown', target: 'all', atS: 1, factor: 2, durationS: 2 },
      { kind: 'kv-loss', target: { fraction: 0.5 }, atS: 6 },
    ],
    router: { healthCheck: { intervalS: 2, timeoutS: 1 }, retry: { timeoutS: 2, maxAttempts: 3 } },
  });

  it('same seed, same results (faults, retries and jitter included)', () => {
    const a = run();
    const b = run();
    expect(JSON.stringify([a.summary, a.faults, a.requests, a.workflows, a.samples])).toBe(JSON.stringify([b.summary, b.faults, b.requests, b.workflows, b.samples]));
    expect(a.faults!.length).toBe(7);
  });

  it('nothing is sent to an instance while the router knows it is down; every call ends exactly once', () => {
    const r = run();
    const down = (r.faults ?? []).filter((f) => f.timeToDetectMs !== null)
      .map((f) => ({ instance: f.instance, fromMs: f.atMs + f.timeToDetectMs!, toMs: f.timeToRejoinMs === null ? Infinity : f.atMs + f.timeToRejoinMs }));
    expect(down.length).toBeGreaterThan(0);
    for (const q of r.requests) {
      for (const d of down) if (q.instance === d.instance) expect(q.sendUs / 1000 >= d.fromMs && q.sendUs / 1000 < d.toMs).toBe(false);
    }
    expect(r.end).toBe('drained'); // the conservation checks passed
    byNode(r.requests.rows().filter((q) => q.workflowId === r.workflows.at(0)!.id));
    expect(r.summary['requestsTotal']).toBe(r.requests.length);
  });
});
