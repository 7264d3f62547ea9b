import { describe, expect, it } from 'vitest';
import { EVICTION_POLICIES } from '../../policies/kv/registry.js';
import { ROUTING_POLICIES } from '../../policies/routing/registry.js';
import { SCHEDULING_POLICIES } from '../../policies/scheduling/registry.js';
import { workloadSchema, type WorkloadSpec } from '../../workloads/workload.js';
import { clusterSchema, type PolicyEntry } from '../scenario/schema.js';
import { resolveCluster } from './resolve.js';
import { runSimCell } from './sim-cell.js';

// Four small instances under KV pressure (300 blocks each) and a mix of tool waits and fan-out.
const cluster = resolveCluster(clusterSchema.parse({ instances: 4, kvBlocks: 300 }), 'test.yaml');
const workloads = [
  workloadSchema.parse({
    name: 'seq', pattern: 'sequential', agents: 3, workflows: 12, arrivals: { kind: 'poisson', ratePerSec: 20 },
    systemTokens: 256, contextTokens: 800, taskTokens: 64, outputTokens: 40, toolWaitMs: { dist: 'exponential', mean: 50 }, toolResultTokens: 50,
  }),
  workloadSchema.parse({
    name: 'par', pattern: 'parallel', workers: 4, workflows: 8, arrivals: { kind: 'poisson', ratePerSec: 20 },
    systemTokens: 256, contextTokens: 1000, taskTokens: 64, outputTokens: 40,
  }),
] as WorkloadSpec[];

const ref = (kind: string) => ({ kind, options: {} });
const run = (policy: PolicyEntry, workload: WorkloadSpec) =>
  runSimCell({ cluster, workload, policy, seed: 3, check: true, maxSimUs: 600e6, maxEvents: 5e6, sampleIntervalUs: 1e6 });

const entries: [string, PolicyEntry][] = [
  ...Object.keys(ROUTING_POLICIES).map((k): [string, PolicyEntry] => [`routing ${k}`, { routing: ref(k), scheduling: ref('fcfs'), eviction: ref('lru'), recovery: ref('fail-workflow') }]),
  ...Object.keys(SCHEDULING_POLICIES).map((k): [string, PolicyEntry] => [`scheduling ${k}`, { routing: ref('least-loaded'), scheduling: ref(k), eviction: ref('lru'), recovery: ref('fail-workflow') }]),
  ...Object.keys(EVICTION_POLICIES).map((k): [string, PolicyEntry] => [`eviction ${k}`, { routing: ref('least-loaded'), scheduling: ref('fcfs'), eviction: ref(k), recovery: ref('fail-workflow') }]),
];

describe('every policy in the simulator (--check on: conservation, causality, oracle boundary)', () => {
  for (const [label, policy] of entries) {
    it(`${label}: all workflows complete, deterministically`, () => {
      for (const w of workloads) {
        const a = run(policy, w);
        expect(a.end).toBe('drained');
        expect(a.summary['workflowsCompleted']).toBe(w.workflows);
        expect(a.summary['requestsFailed']).toBe(0);
        expect(run(policy, w).summary).toEqual(a.summary);
      }
    });
  }

  it('policy counters reach the run summary with their prefix', () => {
    const s = run({ routing: ref('workflow-aware'), scheduling: ref('workflow-batching'), eviction: ref('tool-ttl'), recovery: ref('fail-workflow') }, workloads[0]!).summary;
    expect(s['routing.newWorkflows']).toBe(12);
    expect(s['routing.affinityHits']! + s['routing.migrations']!).toBe(12 * 3 - 12);
    expect(s['scheduling.workflowBatches']! + s['scheduling.mixedBatches']!).toBeGreaterThan(0);
    expect(s['eviction.pinned']).toBeGreaterThan(0);
  });
});
