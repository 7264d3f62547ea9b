import { instantiatePolicy } from '../scenario/policy-modules.js';
import type { EvictionPolicy } from '../../policies/kv/eviction/types.js';
import type { SchedulingPolicy } from '../../policies/scheduling/types.js';
import { SeededRng } from '../../policies/rng.js';
import { LostKvLedger, startFailover, healthConfig, routerOptions, routerSchema, type Failover, type FaultSpec, type RouterSpec } from '../../sim/faults/index.js';
import { SimClock } from '../../sim/sim-clock.js';
import { EngineCore } from '../../sim/engine/engine-core.js';
import { SimInstance } from '../../sim/cluster/instance.js';
import { SimBackend } from '../../sim/sim-backend.js';
import type { CostModel } from '../../sim/cost-model/types.js';
import { checkKvTiers } from '../../sim/kv-tiers/index.js';
import { failoverFigures, type FaultJson } from '../../reports/failover.js';
import { instanceStats, type InstanceStats } from '../../reports/summary.js';
import { TokenDeltas } from '../../reports/timeseries.js';
import { CellRun, policyStats, type CellResult, type CellSpec, type CellWorld } from './cell.js';
import { clusterCostModel } from './resolve.js';
import { buildCellKv, kvSummary } from './kv-tiers.js';
import { InputError } from '../../workloads/input-error.js';

/** Everything one simulated matrix cell needs. */
export interface SimCellSpec extends CellSpec {
  readonly maxSimUs: number;
  readonly maxEvents: number;
  /** Replace the cluster's cost model (tests use hand-computable ones). */
  readonly costModel?: CostModel | undefined;
  /** Faults to inject (simulation) and the router's health checks, timeouts and retries. */
  readonly faults?: readonly FaultSpec[] | undefined;
  readonly router?: RouterSpec | undefined;
  /** Add the KV-tier / disaggregation metrics to the summary (a scenario where some policy uses them). */
  readonly kvMetrics?: boolean | undefined;
  /** How engines step (default: {@link engineStepsFromEnv}); both give identical results. */
  readonly engineSteps?: 'fast' | 'reference' | undefined;
}

export type { CellResult } from './cell.js';

/**
 * How simulated engines step: `AGENTBENCH_ENGINE=reference` selects the step-by-step reference
 * path (for equivalence checks and bisecting), unset or `fast` the fast path; both give
 * byte-identical reports. Read per cell, so `run --jobs` workers follow the parent's setting.
 */
export function engineStepsFromEnv(env: NodeJS.ProcessEnv = process.env): 'fast' | 'reference' {
  const v = env['AGENTBENCH_ENGINE'];
  if (v === undefined || v === '' || v === 'fast') return 'fast';
  if (v === 'reference') return 'reference';
  throw new InputError([`environment variable AGENTBENCH_ENGINE: expected fast or reference, found '${v}'`]);
}

/**
 * Run one (workload, policy, seed) cell in simulation. Streams are forked by label from the
 * seed: the workload's draws (`workload:<name>`) do not depend on the policy, so every policy
 * sees the same workflows; routing draws from `routing`.
 */
export function runSimCell(spec: SimCellSpec): CellResult {
  const { cluster, policy, seed } = spec;
  const root = new SeededRng(seed);
  const clock = new SimClock();
  const ctx = { blockSize: cluster.engine.blockSize };
  const cost = spec.costModel ?? clusterCostModel(cluster);
  const fastSteps = (spec.engineSteps ?? engineStepsFromEnv()) === 'fast';
  const instances: SimInstance[] = [];
  const schedulers: SchedulingPolicy[] = [];
  const evictions: EvictionPolicy[] = [];
  const kv = buildCellKv(policy, cluster, cost, ctx);
  for (let i = 0; i < cluster.instances; i++) {
    const scheduling = instantiatePolicy('scheduling', policy.scheduling, ctx);
    const eviction = instantiatePolicy('eviction', policy.eviction, ctx);
    schedulers.push(scheduling);
    evictions.push(eviction);
    const connector = kv?.connectors[i] ?? null;
    const engine = new EngineCore(cluster.engine, cost, scheduling, eviction, connector, { fastSteps });
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
  const routing = instantiatePolicy('routing', policy.routing, ctx);
  const prefillRouting = policy.disaggregation
    ? instantiatePolicy('routing', policy.disaggregation.prefillRouting, ctx)
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

  const world: CellWorld = {
    clock, backend,
    schedule: (kind, atUs, fn) => clock.at(atUs, kind, fn),
    sampleInstances: (tMs) => instances.map((inst, k) => {
      const e = inst.engine;
      return {
        tMs, instance: inst.id, kvUsage: Math.round(e.kv.pool.usage * 1e4) / 1e4,
        running: e.numRunning, waiting: e.numWaiting, healthy: inst.healthy, ...deltas.next(k, e.counters), state: inst.state,
      };
    }),
  };
  const deltas = new TokenDeltas(instances.length);
  const cell = new CellRun(spec, world, instances.length);
  const { runner, requests, workflows, source, series } = cell;
  // Steady decode steps hand their plain tokens over at once: one histogram entry per gap.
  // Only while answers reach the router (not hung or partitioned), and not in P/D pools.
  for (const inst of instances) {
    inst.engine.tokenSink = {
      ready: () => inst.reachable && inst.role === 'mixed',
      tokens: (_nowUs, gapUs, count) => cell.itlMany(gapUs / 1000, count),
    };
  }
  cell.begin();
  let failover: Failover | undefined;
  if (ledger) {
    failover = startFailover({
      clock, backend, instances, faults, ledger, live: () => cell.active, rng: root.fork('faults'),
      health: healthConfig(spec.router ?? routerSchema.parse(undefined)),
    });
  }

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
  const summary = cell.summary(stats);
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
