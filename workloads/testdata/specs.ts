// Test helpers: workload fixtures and specs with defaults.
import { fileURLToPath } from 'node:url';
import { SeededRng } from '../../policies/rng.js';
import type { Workflow } from '../workflow.js';
import { WorkloadSource, workloadSchema, type WorkloadSpec } from '../workload.js';

/** Folder of the workload fixtures. */
export const TESTDATA = fileURLToPath(new URL('.', import.meta.url));

/** Parse a workload with defaults: name 'w', 4 workflows at 2/s. */
export function workload(raw: Record<string, unknown>): WorkloadSpec {
  return workloadSchema.parse({ name: 'w', workflows: 4, arrivals: { kind: 'poisson', ratePerSec: 2 }, ...raw }) as WorkloadSpec;
}

/** Parse a trace workload (name 't'). */
export function trace(raw: Record<string, unknown>): WorkloadSpec {
  return workloadSchema.parse({ name: 't', pattern: 'trace', ...raw }) as WorkloadSpec;
}

/** One small spec per pattern. */
export const PATTERN_SPECS: Record<string, Record<string, unknown>> = {
  sequential: { pattern: 'sequential', agents: 3, toolWaitMs: 100, toolResultTokens: 50 },
  parallel: { pattern: 'parallel', workers: 3 },
  'cache-reuse': { pattern: 'cache-reuse', questions: 3, questionGapMs: { dist: 'exponential', mean: 2000 }, contextTokens: 4000 },
  hierarchical: { pattern: 'hierarchical', workers: 2, rounds: 2, toolWaitMs: 200, toolResultTokens: 100 },
  react: { pattern: 'react', turns: 3 },
  debate: { pattern: 'debate', agents: 2, rounds: 2, judge: true, roles: ['actor', 'critic'] },
  custom: {
    pattern: 'custom',
    nodes: [
      { kind: 'llm', id: 'write', after: ['plan', 'search'], role: 'writer' },
      { kind: 'tool', id: 'search', after: ['plan'], waitMs: 300, resultTokens: 400 },
      { kind: 'llm', id: 'plan', role: 'planner' },
      { kind: 'llm', id: 'review', after: ['write'], role: 'reviewer', sharing: 'selective' },
    ],
  },
  chat: { pattern: 'chat', turns: 2, thinkTimeMs: 1000 },
  mixed: {
    pattern: 'mixed',
    mix: [{ pattern: 'react', weight: 3, turns: 2 }, { pattern: 'parallel', workers: 2 }],
    background: { arrivals: { kind: 'poisson', ratePerSec: 1 }, taskTokens: 50 },
  },
};

/** The first `n` workflows of a workload, built from its own seed stream (as a run forks it). */
export function build(spec: WorkloadSpec, n: number, seed = 1): Workflow[] {
  const src = new WorkloadSource(spec, new SeededRng(seed).fork(`workload:${spec.name}`));
  const out: Workflow[] = [];
  for (let a = src.nextArrival(); a && out.length < n; a = src.nextArrival()) out.push(src.build(a));
  return out;
}
