import { instantiate } from '../../policies/registry.js';
import { ROUTING_POLICIES } from '../../policies/routing/registry.js';
import { SCHEDULING_POLICIES } from '../../policies/scheduling/registry.js';
import { EVICTION_POLICIES } from '../../policies/kv/registry.js';
import type { EvictionPolicy } from '../../policies/kv/eviction/types.js';
import type { SchedulingPolicy } from '../../policies/scheduling/types.js';
import type { RoutingPolicy } from '../../policies/types.js';
import { SimClock } from '../../sim/sim-clock.js';
import { SeededRng } from '../../sim/rng.js';
import { EngineCore } from '../../sim/engine/engine-core.js';
import { SimInstance } from '../../sim/cluster/instance.js';
import { SimBackend } from '../../sim/sim-backend.js';
import { RooflineCostModel } from '../../sim/cost-model/roofline.js';
import { WorkloadSource, type WorkloadSpec } from '../../workloads/workload.js';
import { LogHistogram } from '../../reports/histogram.js';
import { Timeseries, type InstanceSample } from '../../reports/timeseries.js';
import { summarize, type InstanceStats, type Slo, type Summary } from '../../reports/summary.js';
import type { RequestRecord, WorkflowRecord } from '../../reports/records.js';
import { WorkflowRunner } from './workflow-runner.js';
import type { ResolvedCluster } from './resolve.js';
import type { PolicyEntry } from '../scenario/schema.js';

/** Everything one simulated matrix cell needs. */
export interface SimCellSpec {
  readonly cluster: ResolvedCluster;
  readonly workload: WorkloadSpec;
  readonly policy: PolicyEntry;
  readonly seed: number;
  readonly check: boolean;
  readonly maxSimUs: number;
  readonly maxEvents: number;
  readonly sampleIntervalUs: number;
  readonly slo?: Slo | undefined;
  /** Called every sample interval of simulated time with progress figures. */
  readonly onProgress?: ((p: { simUs: number; workflowsStarted: number; workflowsEnded: number }) => void) | undefined;
}

/** What one simulated cell produced. */
export interface CellResult {
  readonly summary: Summary;
  readonly requests: readonly RequestRecord[];
  readonly workflows: readonly WorkflowRecord[];
  readonly instances: readonly InstanceStats[];
  readonly samples: readonly InstanceSample[];
  readonly sampleIntervalUs: number;
  readonly events: number;
  readonly end: 'drained' | 'limit';
}

/**
 * Run one (workload, policy, seed) cell in simulation. Streams are forked by label from the
 * seed: the workload's draws (`workload:<name>`) do not depend on the policy, so every policy
 * sees the same workflows; routing draws from `routing`.
 */
export function runSimCell(spec: SimCellSpec): CellResult {
  const { cluster, workload, policy, seed } = spec;
  const root = new SeededRng(seed);
  const clock = new SimClock();
  const ctx = { blockSize: cluster.engine.blockSize };
  const cost = new RooflineCostModel(cluster.model, cluster.gpu, { coefficients: cluster.coefficients, tensorParallel: cluster.tensorParallel });
  const instances: SimInstance[] = [];
  for (let i = 0; i < cluster.instances; i++) {
    const engine = new EngineCore(
      cluster.engine,
      cost,
      instantiate<SchedulingPolicy>(SCHEDULING_POLICIES, policy.scheduling, ctx, 'scheduling policy'),
      instantiate<EvictionPolicy>(EVICTION_POLICIES, policy.eviction, ctx, 'eviction policy'),
    );
    instances.push(new SimInstance(`i${i}`, engine, clock));
  }
  const routing = instantiate<RoutingPolicy>(ROUTING_POLICIES, policy.routing, ctx, 'routing policy');
  const backend = new SimBackend(clock, instances, routing, root.fork('routing'), {
    blockSize: cluster.engine.blockSize, viewRefreshUs: cluster.viewRefreshUs, check: spec.check,
  });

  const requests: RequestRecord[] = [];
  const workflows: WorkflowRecord[] = [];
  const itlMs = new LogHistogram();
  const runner = new WorkflowRunner(clock, backend, {
    request: (r) => requests.push(r),
    workflow: (w) => workflows.push(w),
    itl: (ms) => itlMs.record(ms),
  }, { check: spec.check });

  const source = new WorkloadSource(workload, root.fork(`workload:${workload.name}`));
  let arrivalsDone = false;
  const scheduleArrival = (): void => {
    const a = source.nextArrival();
    if (!a) {
      arrivalsDone = true;
      return;
    }
    clock.at(a.arrivalUs, 'arrival', () => {
      runner.start(source.build(a));
      scheduleArrival();
    });
  };
  scheduleArrival();

  const series = new Timeseries(spec.sampleIntervalUs, instances.length);
  const lastTokens = instances.map(() => 0);
  const sample = (): void => {
    const tMs = clock.nowUs() / 1000;
    const round: InstanceSample[] = instances.map((inst, k) => {
      const e = inst.engine;
      const tokens = e.counters.outputTokens;
      const delta = tokens - lastTokens[k]!;
      lastTokens[k] = tokens;
      return {
        tMs, instance: inst.id, kvUsage: Math.round(e.kv.pool.usage * 1e4) / 1e4,
        running: e.numRunning, waiting: e.numWaiting, healthy: inst.healthy, tokens: delta,
      };
    });
    series.push(round);
    spec.onProgress?.({ simUs: clock.nowUs(), workflowsStarted: runner.startedWorkflows, workflowsEnded: workflows.length });
    if (!arrivalsDone || runner.activeWorkflows > 0) clock.at(clock.nowUs() + series.intervalUs, 'sample', sample);
  };
  clock.at(0, 'sample', sample);

  const end = clock.run({ untilUs: spec.maxSimUs, maxEvents: spec.maxEvents });
  if (end !== 'drained') {
    runner.abortAll(end === 'until' ? `run limit: maxSimS reached at ${(clock.nowUs() / 1e6).toFixed(1)} s` : 'run limit: maxEvents reached');
  }

  // Conservation checks: every request ended exactly once, every engine is empty and its KV
  // blocks are all accounted for.
  if (end === 'drained') {
    if (runner.inflightCalls !== 0 || backend.inflight !== 0) {
      throw new Error(`request conservation: ${runner.inflightCalls} calls still open in the runner, ${backend.inflight} in the backend`);
    }
    for (const inst of instances) {
      if (inst.engine.numRequests !== 0) throw new Error(`request conservation: ${inst.id} still holds ${inst.engine.numRequests} requests`);
    }
  }
  for (const inst of instances) {
    inst.engine.checkInvariants();
    if (inst.stalls > 0) throw new Error(`engine ${inst.id} stalled ${inst.stalls} times with work queued`);
  }

  const stats: InstanceStats[] = instances.map((inst) => {
    const e = inst.engine;
    return {
      id: inst.id, busyUs: e.counters.busyUs, steps: e.counters.steps, prefillTokens: e.counters.prefillTokens,
      decodeTokens: e.counters.decodeTokens, preemptions: e.counters.preemptions, evictions: e.kv.pool.evictions,
      prefixQueries: e.kv.stats.queries, prefixHits: e.kv.stats.hits, kvBlocksTotal: e.kv.pool.numBlocks,
      requestsFinished: e.counters.finished,
    };
  });
  const summary = summarize({ requests, workflows, itlMs, instances: stats, samples: series.samples, slo: spec.slo });
  return {
    summary, requests, workflows, instances: stats, samples: series.samples, sampleIntervalUs: series.intervalUs,
    events: clock.eventsProcessed, end: end === 'drained' ? 'drained' : 'limit',
  };
}
