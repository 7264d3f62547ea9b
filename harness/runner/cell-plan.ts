import { workloadParams } from '../../reports/load.js';
import type { Report } from '../../reports/report.js';
import type { WorkloadSpec } from '../../workloads/workload.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { NamedPolicy } from '../scenario/policies.js';
import type { SimCellJob } from './cell-job.js';
import { resolveCluster, type ResolvedCluster } from './resolve.js';
import { shardCells, type ShardSpec } from './shard.js';

type Scenario = LoadedScenario['scenario'];
type SweepPoint = NonNullable<LoadedScenario['points']>[number];

/** One cell of a run: a (sweep point, workload, policy, seed), with what running it takes. */
export interface PlannedCell {
  /** 1-based position in the unsharded run's order. */
  readonly no: number;
  /** `[no/total] workload × policy × seed s`, for progress and errors. */
  readonly label: string;
  /** The sweep point's whole scenario (the scenario itself without a sweep). */
  readonly ps: Scenario;
  readonly cluster: ResolvedCluster;
  readonly workload: WorkloadSpec;
  readonly policy: NamedPolicy;
  readonly seed: number;
  /** What a worker thread needs to run it (simulation). */
  readonly job: SimCellJob;
}

/** A run's cells and what the report says of its workloads and sweep. */
export interface CellPlan {
  /** The cells this process runs, in report order (a shard's share, or all). */
  readonly cells: PlannedCell[];
  /** Cells of the whole (unsharded) run. */
  readonly total: number;
  readonly workloads: Report['workloads'][number][];
  /** The sweep points (one unlabelled point without a sweep). */
  readonly points: readonly SweepPoint[];
}

/**
 * The cells in report order: sweep point, workload, policy, seed. A sweep point is a whole
 * scenario whose workloads are reported as `<name> @ <point>`, so every table, chart and gate
 * keeps one row per load. A shard keeps its part, balanced by estimated cost (workflow count).
 * `named` gives a sweep point's policies with their report names.
 */
export function planCells(
  loaded: LoadedScenario, cluster: ResolvedCluster, policies: readonly NamedPolicy[], named: (ps: Scenario) => NamedPolicy[],
  opts: { readonly check: boolean; readonly shard?: ShardSpec | undefined },
): CellPlan {
  const sc = loaded.scenario;
  const points: readonly SweepPoint[] = loaded.points ?? [{ label: '', values: {}, scenario: sc }];
  const total = points.reduce((n, pt) => n + pt.scenario.workloads.length, 0) * policies.length * sc.seeds.length;
  const kvMetrics = policies.some((p) => p.entry.kvTiers !== undefined || p.entry.disaggregation !== undefined);
  const workloads: Report['workloads'][number][] = [];
  const cells: PlannedCell[] = [];
  for (const pt of points) {
    const ps = pt.scenario;
    const pointCluster = pt.label === '' ? cluster : resolveCluster(ps.cluster, loaded.file);
    const pointPolicies = pt.label === '' ? policies : named(ps);
    (ps.workloads as WorkloadSpec[]).forEach((spec, wi) => {
      const name = pt.label === '' ? spec.name : `${spec.name} @ ${pt.label}`;
      workloads.push({ name, pattern: spec.pattern, params: workloadParams(spec as unknown as Record<string, unknown>), ...(pt.label === '' ? {} : { base: spec.name, sweep: pt.values }) });
      pointPolicies.forEach((p, pi) => {
        for (const seed of sc.seeds) {
          const no = cells.length + 1;
          cells.push({
            no, label: `[${no}/${total}] ${name} × ${p.name} × seed ${seed}`, ps, cluster: pointCluster, workload: { ...spec, name }, policy: p, seed,
            job: { file: loaded.file, scenario: ps, workloadIndex: wi, workloadName: name, policyIndex: pi, seed, check: opts.check, kvMetrics },
          });
        }
      });
    });
  }
  if (!opts.shard) return { cells, total, workloads, points };
  const mine = shardCells(cells.map((c) => (c.workload as { workflows?: number }).workflows ?? 100), opts.shard.count)[opts.shard.index - 1]!;
  return { cells: mine.map((k) => cells[k]!), total, workloads, points };
}
