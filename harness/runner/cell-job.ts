import { dirname } from 'node:path';
import type { Scenario } from '../scenario/schema.js';
import type { WorkloadSpec } from '../../workloads/workload.js';
import { resolveCluster, type ResolvedCluster } from './resolve.js';
import type { SimCellSpec } from './sim-cell.js';

/**
 * One simulated cell as plain data (structured-clone safe, so a worker thread can run it): the
 * sweep point's whole scenario and which workload, policy entry and seed. Both the in-process
 * loop and the workers turn it into the same SimCellSpec with {@link simCellSpec}, so a cell's
 * result does not depend on where it ran.
 */
export interface SimCellJob {
  /** The scenario file (relative paths in workloads resolve against its folder). */
  readonly file: string;
  readonly scenario: Scenario;
  readonly workloadIndex: number;
  /** The workload's name as reported (`<name> @ <sweep point>` in a sweep). */
  readonly workloadName: string;
  readonly policyIndex: number;
  readonly seed: number;
  readonly check: boolean;
  readonly kvMetrics: boolean;
}

/**
 * The cell's spec (without progress reporting, which is the caller's). `cluster`: the point's
 * cluster already resolved (resolving reads model configs and calibration files); a worker,
 * which gets plain data, resolves it itself.
 */
export function simCellSpec(job: SimCellJob, cluster: ResolvedCluster = resolveCluster(job.scenario.cluster, job.file)): SimCellSpec {
  const ps = job.scenario;
  return {
    cluster,
    workload: { ...(ps.workloads[job.workloadIndex] as WorkloadSpec), name: job.workloadName },
    policy: ps.policies[job.policyIndex]!,
    seed: job.seed, check: job.check,
    maxSimUs: ps.limits.maxSimS * 1e6, maxEvents: ps.limits.maxEvents,
    sampleIntervalUs: ps.report.sampleIntervalMs * 1000, slo: ps.slo, baseDir: dirname(job.file), faults: ps.faults, router: ps.router,
    kvMetrics: job.kvMetrics, percentileMethod: ps.report.percentiles,
  };
}
