import { SeededRng } from '../../policies/rng.js';
import { instantiate } from '../../policies/registry.js';
import { RECOVERY_POLICIES, type RecoveryPolicy } from '../../policies/recovery/workflow-recovery.js';
import type { Clock } from '../../policies/types.js';
import type { EvictionPolicy } from '../../policies/kv/eviction/types.js';
import type { SchedulingPolicy } from '../../policies/scheduling/types.js';
import type { RoutingPolicy } from '../../policies/types.js';
import type { Backend } from '../../workloads/backend.js';
import { ArrivalDriver } from '../../workloads/driver.js';
import { WorkloadSource, type WorkloadSpec } from '../../workloads/workload.js';
import { LogHistogram, type SparseHistogram } from '../../reports/histogram.js';
import { WorkflowTable } from '../../reports/workflow-table.js';
import { summarize, type InstanceStats, type Slo, type Summary } from '../../reports/summary.js';
import { Timeseries, type InstanceSample } from '../../reports/timeseries.js';
import type { FaultJson } from '../../reports/failover.js';
import type { PercentileMethod } from '../../reports/stats.js';
import type { PolicyEntry } from '../scenario/schema.js';
import type { ResolvedCluster } from './resolve.js';
import type { LimitHit } from './truncation.js';
import { WorkflowRunner } from './workflow-runner.js';
import type { ShardSpec } from './shard.js';
import { InputError } from '../../workloads/input-error.js';
import { RequestTable } from '../../reports/request-table.js';

/** What every matrix cell needs, simulated or live. */
export interface CellSpec {
  readonly cluster: ResolvedCluster;
  readonly workload: WorkloadSpec;
  readonly policy: PolicyEntry;
  readonly seed: number;
  readonly check: boolean;
  readonly sampleIntervalUs: number;
  readonly slo?: Slo | undefined;
  /** How the summary takes percentiles (default linear). */
  readonly percentileMethod?: PercentileMethod | undefined;
  /** Folder that the workload's relative file paths (traces, empirical distributions) resolve against. */
  readonly baseDir?: string | undefined;
  /**
   * Drive only slice K of N of the workload's arrivals (every N-th, from the K-th): `load
   * workflows --shard K/N` spreads one live load over N machines. Every arrival is still drawn
   * (the stream stays the unsliced one), so the N slices together are exactly the whole stream.
   */
  readonly slice?: ShardSpec | undefined;
  /** Called every sample interval with progress figures. */
  readonly onProgress?: ((p: { simUs: number; workflowsStarted: number; workflowsEnded: number }) => void) | undefined;
}

/** What one cell produced (the same shape in both worlds, so reports are written the same way). */
export interface CellResult {
  readonly summary: Summary;
  readonly requests: RequestTable;
  readonly workflows: WorkflowTable;
  readonly instances: readonly InstanceStats[];
  readonly samples: readonly InstanceSample[];
  readonly sampleIntervalUs: number;
  /** The faults injected, when the cell had any. */
  readonly faults?: readonly FaultJson[];
  readonly events: number;
  readonly end: 'drained' | 'limit';
  /** The limit that stopped the cell (end 'limit'). */
  readonly limit?: LimitHit;
  /** A sliced cell's inter-token latencies, for merging the slices' summaries. */
  readonly itlMs?: SparseHistogram;
}

/**
 * The world a cell runs in: its time (a SimClock's virtual µs, or a WallClock), the backend the
 * workflows call (SimBackend, or HttpBackend to a router or a target), and the instances the
 * sampler can see (none for a deployed target).
 */
export interface CellWorld {
  readonly clock: Clock;
  readonly backend: Backend;
  /** Run `fn` at `atUs`; `kind` orders same-time events in simulation. */
  schedule(kind: 'arrival' | 'sample', atUs: number, fn: () => void): void;
  /** One sample of every visible instance at `tMs`. */
  sampleInstances(tMs: number): InstanceSample[];
  /** Every workflow has arrived and ended (a live world resolves its run; a simulated one drains by itself). */
  onIdle?(): void;
}

/**
 * The one cell loop of both worlds: the workload's arrivals (an ArrivalDriver, so open-loop,
 * closed-loop and staged arrivals work the same in simulation and live), the workflow runner
 * with the policy's recovery, the records, the ITL histogram and the instance timeseries.
 * Streams fork by label from the seed: the workload's draws (`workload:<name>`) do not depend on
 * the policy, so every policy sees the same workflows; recovery draws from `recovery`.
 */
export class CellRun {
  readonly requests = new RequestTable();
  readonly workflows = new WorkflowTable();
  readonly runner: WorkflowRunner;
  readonly source: WorkloadSource;
  readonly series: Timeseries;
  readonly #itlMs = new LogHistogram();
  readonly #spec: CellSpec;
  readonly #world: CellWorld;
  readonly #driver: ArrivalDriver;

  constructor(spec: CellSpec, world: CellWorld, instanceCount: number) {
    this.#spec = spec;
    this.#world = world;
    const root = new SeededRng(spec.seed);
    const ctx = { blockSize: spec.cluster.engine.blockSize };
    this.source = new WorkloadSource(spec.workload, root.fork(`workload:${spec.workload.name}`), { baseDir: spec.baseDir });
    this.runner = new WorkflowRunner(world.clock, world.backend, {
      request: (r) => this.requests.push(r),
      workflow: (w) => {
        this.workflows.push(w);
        this.#driver.workflowEnded(w.id); // closed-loop arrivals start the next workflow
        if (!this.active) world.onIdle?.();
      },
      itl: (ms) => this.#itlMs.record(ms),
    }, {
      check: spec.check,
      recovery: { policy: instantiate<RecoveryPolicy>(RECOVERY_POLICIES, spec.policy.recovery, ctx, 'recovery policy'), rng: root.fork('recovery') },
    });
    const slice = spec.slice;
    // A closed loop's next arrival waits for the end of one of its workflows: one left to another slice would never end here.
    if (slice && this.source.streams.some((st) => st.closedLoop)) {
      throw new InputError([`workload '${spec.workload.name}': closed-loop arrivals cannot be split into slices (--shard); give each machine its own concurrency instead`]);
    }
    let arrivalNo = 0;
    this.#driver = new ArrivalDriver(this.source, {
      nowUs: () => world.clock.nowUs(),
      schedule: (atUs, fn) => world.schedule('arrival', atUs, fn),
      start: (wf) => {
        if (!slice || arrivalNo++ % slice.count === slice.index - 1) this.runner.start(wf);
      },
    });
    this.series = new Timeseries(spec.sampleIntervalUs, instanceCount);
  }

  /** Workflows still to arrive or running. */
  get active(): boolean {
    return !this.#driver.done || this.runner.activeWorkflows > 0;
  }

  /** Start the arrivals and the sampler (the first sample at the current time). */
  begin(): void {
    this.#driver.begin();
    const sample = (): void => {
      const now = this.#world.clock.nowUs();
      const round = this.#world.sampleInstances(now / 1000);
      if (round.length > 0) this.series.push(round);
      this.#spec.onProgress?.({ simUs: now, workflowsStarted: this.runner.startedWorkflows, workflowsEnded: this.workflows.length });
      if (this.active) this.#world.schedule('sample', now + this.series.intervalUs, sample);
      else this.#world.onIdle?.();
    };
    this.#world.schedule('sample', this.#world.clock.nowUs(), sample);
  }

  /** `count` inter-token gaps of `ms` each (the plain tokens of a simulated steady decode step). */
  itlMany(ms: number, count: number): void {
    this.#itlMs.recordMany(ms, count);
  }

  /** The inter-token latencies recorded, as JSON carries them (a sliced run's partial report). */
  itlSparse(): SparseHistogram {
    return this.#itlMs.toSparse();
  }

  /** The summary over the records and the instances' totals (+ trace rows skipped, when asked to skip). */
  summary(instances: readonly InstanceStats[]): Summary {
    const summary = summarize({ requests: this.requests, workflows: this.workflows, itlMs: this.#itlMs, instances, samples: this.series.samples, slo: this.#spec.slo, percentileMethod: this.#spec.percentileMethod });
    const traceStats = this.source.traceStats;
    if (traceStats && (this.#spec.workload as { skipBadRows?: boolean }).skipBadRows) summary['traceRowsSkipped'] = traceStats.skippedRows;
    return summary;
  }
}

/**
 * The policies' own counters (migrations, fallbacks, workflow batches...), prefixed by interface:
 * `routing.<key>` from the router, `scheduling.<key>` and `eviction.<key>` summed over instances.
 */
export function policyStats(routing: RoutingPolicy, scheduling: readonly SchedulingPolicy[], eviction: readonly EvictionPolicy[]): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (prefix: string, s: Record<string, number> | undefined): void => {
    if (!s) return;
    for (const [k, v] of Object.entries(s)) out[`${prefix}.${k}`] = (out[`${prefix}.${k}`] ?? 0) + v;
  };
  add('routing', routing.stats?.());
  for (const p of scheduling) add('scheduling', p.stats?.());
  for (const p of eviction) add('eviction', p.stats?.());
  return out;
}
