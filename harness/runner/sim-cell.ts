import { instantiate } from '../../policies/registry.js';
import { ROUTING_POLICIES } from '../../policies/routing/registry.js';
import { SCHEDULING_POLICIES } from '../../policies/scheduling/registry.js';
import { EVICTION_POLICIES } from '../../policies/kv/registry.js';
import type { EvictionPolicy } from '../../policies/kv/eviction/types.js';
import type { SchedulingPolicy } from '../../policies/scheduling/types.js';
import type { RoutingPolicy } from '../../policies/types.js';
import { RECOVERY_POLICIES, type RecoveryPolicy } from '../../policies/recovery/workflow-recovery.js';
import { LostKvLedger, startFailover, healthConfig, routerOptions, routerSchema, type Failover, type FaultSpec, type RouterSpec } from '../../sim/faults/index.js';
import { failoverFigures, type FaultJson } from '../../reports/failover.js';
import { SimClock } from '../../sim/sim-clock.js';
import { SeededRng } from '../../policies/rng.js';
import { EngineCore } from '../../sim/engine/engine-core.js';
import { SimInstance } from '../../sim/cluster/instance.js';
import { SimBackend } from '../../sim/sim-backend.js';
import type { CostModel } from '../../sim/cost-model/types.js';
import { WorkloadSource, type WorkloadSpec } from '../../workloads/workload.js';
import { ArrivalDriver } from '../../workloads/driver.js';
import { LogHistogram } from '../../reports/histogram.js';
import { Timeseries, type InstanceSample } from '../../reports/timeseries.js';
import { instanceStats, summarize, type InstanceStats, type Slo, type Summary } from '../../reports/summary.js';
import type { RequestRecord, WorkflowRecord } from '../../reports/records.js';
import { WorkflowRunner } from './workflow-runner.js';
import { clusterCostModel, type ResolvedCluster } from './resolve.js';
import { buildCellKv, kvSummary } from './kv-tiers.js';
import { checkKvTiers } from '../../sim/kv-tiers/index.js';
import type { PolicyEntry } from '../scenario/schema.js';
import type { LimitHit } from './truncation.js';

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
  /** Replace the cluster's cost model (tests use hand-computable ones). */
  readonly costModel?: CostModel | undefined;
  /** Folder that the workload's relative file paths (traces, empirical distributions) resolve against. */
  readonly baseDir?: string | undefined;
  /** Faults to inject (simulation) and the router's health checks, timeouts and retries. */
  readonly faults?: readonly FaultSpec[] | undefined;
  readonly router?: RouterSpec | undefined;
  /** Add the KV-tier / disaggregation metrics to the summary (a scenario where some policy uses them). */
  readonly kvMetrics?: boolean | undefined;
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
  /** The faults injected, when the cell had any. */
  readonly faults?: readonly FaultJson[];
  readonly events: number;
  readonly end: 'drained' | 'limit';
  /** The limit that stopped the cell (end 'limit'). */
  readonly limit?: LimitHit;
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
  const cost = spec.costModel ?? clusterCostModel(cluster);
  const instances: SimInstance[] = [];
  const schedulers: SchedulingPolicy[] = [];
  const evictions: EvictionPolicy[] = [];
  const kv = buildCellKv(policy, cluster, cost, ctx);
  for (let i = 0; i < cluster.instances; i++) {
    const scheduling = instantiate<SchedulingPolicy>(SCHEDULING_POLICIES, policy.scheduling, ctx, 'scheduling policy');
    const eviction = instantiate<EvictionPolicy>(EVICTION_POLICIES, policy.eviction, ctx, 'eviction policy');
    schedulers.push(scheduling);
    evictions.push(eviction);
    const connector = kv?.connectors[i] ?? null;
    const engine = new EngineCore(cluster.engine, cost, scheduling, eviction, connector);
    connector?.attach(engine.kv.pool.info);
    const inst = new SimInstance(`i${i}`, engine, clock, kv?.roles[i] ?? 'mixed');
    // The CPU tier lives in the engine's process: a crash loses it (the remote store survives).
    const cpuStore = kv?.connectors[i]?.cpuStore;
    if (cpuStore) inst.onCrash = (now) => cpuStore.clear(now);
    const links = kv?.links[i];
    if (kv?.pd && links?.pdIn && links.pdOut) {
      kv.pd.register(inst.id, engine, { out: links.pdOut, in: links.pdIn }, () => clock.at(clock.nowUs(), 'timer', () => inst.kick()));
    }
    instances.push(inst);
  }
  const routing = instantiate<RoutingPolicy>(ROUTING_POLICIES, policy.routing, ctx, 'routing policy');
  const prefillRouting = policy.disaggregation
    ? instantiate<RoutingPolicy>(ROUTING_POLICIES, policy.disaggregation.prefillRouting, ctx, 'routing policy')
    : undefined;
  const faults = spec.faults ?? [];
  const ledger = faults.length > 0 ? new LostKvLedger(cluster.engine.blockSize) : undefined;
  const backend = new SimBackend(clock, instances, routing, root.fork('routing'), {
    blockSize: cluster.engine.blockSize, viewRefreshUs: cluster.viewRefreshUs, check: spec.check,
    ...(spec.router ? { router: routerOptions(spec.router) } : {}),
    ...(ledger ? { onAttemptOk: (req, _inst, hashes) => ledger.onPrefilled(req, hashes) } : {}),
    ...(kv ? { connectors: kv.connectors } : {}),
    ...(kv && prefillRouting ? { disaggregation: { prefillPolicy: prefillRouting, ledger: kv.ledger } } : {}),
  });

  const requests: RequestRecord[] = [];
  const workflows: WorkflowRecord[] = [];
  const itlMs = new LogHistogram();
  const source = new WorkloadSource(workload, root.fork(`workload:${workload.name}`), { baseDir: spec.baseDir });
  let driver: ArrivalDriver | undefined = undefined;
  const runner = new WorkflowRunner(clock, backend, {
    request: (r) => requests.push(r),
    workflow: (w) => {
      workflows.push(w);
      driver?.workflowEnded(w.id); // closed-loop arrivals start the next workflow
    },
    itl: (ms) => itlMs.record(ms),
  }, {
    check: spec.check,
    recovery: { policy: instantiate<RecoveryPolicy>(RECOVERY_POLICIES, policy.recovery, ctx, 'recovery policy'), rng: root.fork('recovery') },
  });

  driver = new ArrivalDriver(source, {
    nowUs: () => clock.nowUs(),
    schedule: (atUs, fn) => clock.at(atUs, 'arrival', fn),
    start: (wf) => runner.start(wf),
  });
  driver.begin();
  const arrivalsDone = (): boolean => driver.done;
  const live = (): boolean => !arrivalsDone() || runner.activeWorkflows > 0;
  let failover: Failover | undefined;
  if (ledger) {
    failover = startFailover({
      clock, backend, instances, faults, ledger, live, rng: root.fork('faults'),
      health: healthConfig(spec.router ?? routerSchema.parse(undefined)),
    });
  }

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
        running: e.numRunning, waiting: e.numWaiting, healthy: inst.healthy, tokens: delta, state: inst.state,
      };
    });
    series.push(round);
    spec.onProgress?.({ simUs: clock.nowUs(), workflowsStarted: runner.startedWorkflows, workflowsEnded: workflows.length });
    if (live()) clock.at(clock.nowUs() + series.intervalUs, 'sample', sample);
  };
  clock.at(0, 'sample', sample);

  let end: ReturnType<typeof clock.run>;
  try {
    end = clock.run({ untilUs: spec.maxSimUs, maxEvents: spec.maxEvents });
  } finally {
    source.close();
  }
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
  if (kv) checkKvTiers(kv, clock.nowUs(), end === 'drained');

  const stats: InstanceStats[] = instances.map((inst) => instanceStats(inst.id, inst.engine.totals(), inst.engine.kv.pool.numBlocks));
  const summary = summarize({ requests, workflows, itlMs, instances: stats, samples: series.samples, slo: spec.slo });
  const traceStats = source.traceStats;
  if (traceStats && (workload as { skipBadRows?: boolean }).skipBadRows) summary['traceRowsSkipped'] = traceStats.skippedRows;
  Object.assign(summary, policyStats(routing, schedulers, evictions));
  if (prefillRouting) for (const [k, v] of Object.entries(prefillRouting.stats?.() ?? {})) summary[`prefillRouting.${k}`] = v;
  if (spec.kvMetrics) Object.assign(summary, kvSummary(kv, requests, stats.map((s) => s.busyUs), cluster.engine.blockSize));
  let faultList: FaultJson[] | undefined;
  if (failover) {
    const f = failoverFigures({
      requests, workflows, faults: failover.injector.records, samples: series.samples, sampleIntervalUs: series.intervalUs,
      recomputedPrefillTokens: failover.ledger.recomputedTokens, blockSize: cluster.engine.blockSize,
    });
    Object.assign(summary, f.summary);
    faultList = f.faults;
  }
  return {
    summary, requests, workflows, instances: stats, samples: series.samples, sampleIntervalUs: series.intervalUs,
    ...(faultList ? { faults: faultList } : {}),
    events: clock.eventsProcessed, end: end === 'drained' ? 'drained' : 'limit',
    ...(end === 'drained' ? {} : {
      limit: end === 'until'
        ? { limit: 'limits.maxSimS', value: spec.maxSimUs / 1e6, atS: clock.nowUs() / 1e6 }
        : { limit: 'limits.maxEvents', value: spec.maxEvents, atS: clock.nowUs() / 1e6 },
    }),
  };
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
