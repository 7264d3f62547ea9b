import type { ComparableReport } from '../report-schema.js';

/** Per-seed values of metrics for one (workload, policy). */
export interface CellValues {
  readonly workload: string;
  readonly policy: string;
  readonly metrics: Readonly<Record<string, readonly (number | null)[]>>;
}

/**
 * A hand-made report.json: one run per seed and cell, with the given per-seed metric values
 * (the i-th value belongs to the i-th seed).
 */
export function makeReport(cells: readonly CellValues[], opts: { seeds?: readonly number[]; hash?: string; name?: string; gates?: ComparableReport['scenario']['gates'] } = {}): ComparableReport {
  const n = Math.max(...cells.flatMap((c) => Object.values(c.metrics).map((v) => v.length)));
  const seeds = opts.seeds ?? Array.from({ length: n }, (_, i) => i + 1);
  return {
    schemaVersion: 1,
    tool: { name: 'agentbench', version: '0.0.0-test' },
    scenario: { name: opts.name ?? 'hand-made', hash: opts.hash ?? 'a'.repeat(64), mode: 'sim', seeds: [...seeds], ...(opts.gates ? { gates: opts.gates } : {}) },
    cluster: { instances: 2 },
    policies: [...new Set(cells.map((c) => c.policy))].map((name) => ({ name })),
    workloads: [...new Set(cells.map((c) => c.workload))].map((name) => ({ name })),
    runs: cells.flatMap((c) => seeds.map((seed, i) => ({
      workload: c.workload, policy: c.policy, seed,
      summary: Object.fromEntries(Object.entries(c.metrics).map(([m, v]) => [m, v[i] ?? null])),
    }))),
  };
}
