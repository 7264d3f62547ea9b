import { SeededRng } from '../../policies/rng.js';
import { instantiate } from '../../policies/registry.js';
import { RECOVERY_POLICIES, type RecoveryPolicy } from '../../policies/recovery/workflow-recovery.js';
import { WorkloadSource, type Arrival, type WorkloadSpec } from '../../workloads/workload.js';
import { LogHistogram } from '../../reports/histogram.js';
import { Timeseries, type InstanceSample } from '../../reports/timeseries.js';
import { instanceStats, summarize, type InstanceStats, type Slo } from '../../reports/summary.js';
import type { RequestRecord, WorkflowRecord } from '../../reports/records.js';
import { WorkflowRunner } from '../runner/workflow-runner.js';
import type { CellResult } from '../runner/sim-cell.js';
import type { ResolvedCluster } from '../runner/resolve.js';
import type { PolicyEntry } from '../scenario/schema.js';
import { HttpBackend } from './http-backend.js';
import { liveSchema, type LiveSettings } from './live-schema.js';
import { startLocalStack, warmUpStack, type LocalStack } from './local-stack.js';
import { WallClock } from './wall-clock.js';
import { runFaultCommand, type FaultCommandResult, type LiveFault } from './live-faults.js';

export type { LiveFault } from './live-faults.js';

/** Produces the arrivals of a cell (default: the workload's own arrival process). */
export interface ArrivalSchedule {
  next(): Arrival | null;
}

/** Everything one live matrix cell needs. */
export interface LiveCellSpec {
  readonly cluster: ResolvedCluster;
  readonly workload: WorkloadSpec;
  readonly policy: PolicyEntry;
  readonly seed: number;
  readonly check: boolean;
  readonly live?: LiveSettings | undefined;
  readonly sampleIntervalUs: number;
  readonly slo?: Slo | undefined;
  /** Faults on spawned engines (the scenario's `faults:` via liveFaultsFromScenario, or tests'). */
  readonly faults?: readonly LiveFault[] | undefined;
  /** Replace the workload's arrival process (e.g. `agentbench load` rate stages). */
  readonly arrivals?: ((source: WorkloadSource) => ArrivalSchedule) | undefined;
  readonly onProgress?: ((p: { simUs: number; workflowsStarted: number; workflowsEnded: number }) => void) | undefined;
}

/** The key of a deployed target, from the scenario or its environment variable. */
export function targetApiKey(live: LiveSettings): string | undefined {
  const t = live.target;
  if (!t) return undefined;
  if (t.apiKeyEnv !== undefined) {
    const v = process.env[t.apiKeyEnv];
    if (v === undefined || v === '') throw new Error(`live.target.apiKeyEnv: environment variable ${t.apiKeyEnv} is not set`);
    return v;
  }
  return t.apiKey;
}

/**
 * Run one (workload, policy, seed) cell live: the same workflows as in simulation (same seed
 * streams), sent in wall-clock time with open-loop arrivals through HttpBackend to a freshly
 * spawned local stack (emulated engines + router running the policy) or to a deployed target.
 * Produces the same CellResult as the simulator, so reports are written the same way.
 */
export async function runLiveCell(spec: LiveCellSpec): Promise<CellResult> {
  const live = spec.live ?? liveSchema.parse({});
  const timeScale = live.timeScale;
  const stackClock = new WallClock({ timeScale });
  let stack: LocalStack | undefined;
  if (!live.target) {
    stack = await startLocalStack({
      cluster: spec.cluster, policy: spec.policy, seed: spec.seed, clock: stackClock,
      health: {
        intervalMs: live.router.healthIntervalMs, timeoutMs: live.router.healthTimeoutMs,
        unhealthyThreshold: live.router.unhealthyThreshold, scrapeIntervalMs: live.router.scrapeIntervalMs,
      },
      maxAttempts: live.router.maxAttempts,
    });
    await warmUpStack(stack, stackClock, spec.cluster.model.name);
  }
  const clock = new WallClock({ timeScale });
  const backend = new HttpBackend({
    baseUrl: stack ? stack.router.url : live.target!.baseUrl,
    model: stack ? spec.cluster.model.name : live.target!.model,
    apiKey: targetApiKey(live),
    clock,
    requestTimeoutUs: live.requestTimeoutS * 1e6,
    forceOutputLength: live.forceOutputLength,
    sendOutputKey: stack !== undefined,
    maxConcurrency: live.maxConcurrency,
    instanceLabel: live.target ? 'target' : undefined,
  });

  const requests: RequestRecord[] = [];
  const workflows: WorkflowRecord[] = [];
  const itlMs = new LogHistogram();
  let arrivalsDone = false;
  let finish: (end: 'drained' | 'limit') => void = () => {};
  const ended = new Promise<'drained' | 'limit'>((resolve) => {
    finish = resolve;
  });
  const runner = new WorkflowRunner(clock, backend, {
    request: (r) => requests.push(r),
    workflow: (w) => {
      workflows.push(w);
      if (arrivalsDone && runner.activeWorkflows === 0) finish('drained');
    },
    itl: (ms) => itlMs.record(ms),
  }, {
    check: spec.check,
    // The same workflow-level recovery as in simulation (the policy entry's `recovery:`).
    recovery: {
      policy: instantiate<RecoveryPolicy>(RECOVERY_POLICIES, spec.policy.recovery, { blockSize: spec.cluster.engine.blockSize }, 'recovery policy'),
      rng: new SeededRng(spec.seed).fork('recovery'),
    },
  });

  const source = new WorkloadSource(spec.workload, new SeededRng(spec.seed).fork(`workload:${spec.workload.name}`));
  const schedule = spec.arrivals ? spec.arrivals(source) : { next: () => source.nextArrival() };
  const scheduleArrival = (): void => {
    const a = schedule.next();
    if (!a) {
      arrivalsDone = true;
      if (runner.activeWorkflows === 0) finish('drained');
      return;
    }
    clock.schedule(a.arrivalUs, () => {
      runner.start(source.build(a));
      scheduleArrival();
    });
  };
  scheduleArrival();

  for (const f of spec.faults ?? []) {
    const e = stack?.engines[f.instance];
    if (!e) throw new Error(`live fault: instance ${f.instance} is not a spawned engine`);
    const apply = (): void => {
      if (e.engine.inflight < (f.minInflight ?? 0)) {
        clock.schedule(clock.nowUs() + 10_000, apply);
        return;
      }
      void e.fault(f.kind, f.factor);
      if (f.recoverAfterUs !== undefined) clock.schedule(clock.nowUs() + f.recoverAfterUs, () => void e.fault('recover'));
    };
    clock.schedule(f.atUs, apply);
  }

  const commandRuns: Promise<FaultCommandResult>[] = [];
  for (const c of live.commands) clock.schedule(Math.round(c.atS * 1e6), () => void commandRuns.push(runFaultCommand(c)));

  const series = new Timeseries(spec.sampleIntervalUs, stack?.engines.length ?? 0);
  const lastTokens = (stack?.engines ?? []).map(() => 0);
  const sample = (): void => {
    if (stack) {
      const tMs = clock.nowUs() / 1000;
      series.push(stack.engines.map((e, k): InstanceSample => {
        const core = e.engine.core;
        const tokens = e.engine.totals().outputTokens;
        const delta = tokens - lastTokens[k]!;
        lastTokens[k] = tokens;
        return {
          tMs, instance: `i${k}`, kvUsage: Math.round(core.kv.pool.usage * 1e4) / 1e4, running: core.numRunning, waiting: core.numWaiting,
          healthy: stack!.router.upstreams[k]!.healthy, tokens: delta,
          // The emulated engine's own truth (a fault endpoint crash/hang/slow), as in simulation.
          state: e.engine.faultState,
        };
      }));
    }
    spec.onProgress?.({ simUs: clock.nowUs(), workflowsStarted: runner.startedWorkflows, workflowsEnded: workflows.length });
    clock.schedule(clock.nowUs() + series.intervalUs, sample);
  };
  sample();
  const limit = setTimeout(() => finish('limit'), live.maxDurationS * 1000);

  const end = await ended;
  clearTimeout(limit);
  if (end === 'limit') runner.abortAll(`run limit: live.maxDurationS (${live.maxDurationS} s) reached`);
  clock.close();
  await backend.close();
  if (end === 'drained' && (runner.inflightCalls !== 0 || backend.open !== 0)) {
    throw new Error(`request conservation: ${runner.inflightCalls} calls still open in the runner, ${backend.open} in the backend`);
  }
  const instances: InstanceStats[] = (stack?.engines ?? []).map((e, k) => instanceStats(`i${k}`, e.engine.totals(), e.engine.core.kv.pool.numBlocks));
  if (stack && end === 'drained' && !spec.faults?.length) {
    for (const [k, e] of stack.engines.entries()) {
      if (e.engine.inflight !== 0) throw new Error(`request conservation: engine i${k} still holds ${e.engine.inflight} requests`);
      e.engine.core.checkInvariants();
    }
  }
  const routerCounters = stack?.router.counters;
  let engineTtftS = 0;
  let engineTtftN = 0;
  for (const e of stack?.engines ?? []) {
    engineTtftS += e.engine.ttftS.sum;
    engineTtftN += e.engine.ttftS.count;
  }
  stackClock.close();
  await stack?.close();

  const commands = await Promise.all(commandRuns);
  for (const r of commands) {
    if (r.exitCode !== 0) process.stderr.write(`agentbench: fault command exited ${r.exitCode ?? r.signal}: ${r.run}\n${r.outputTail}\n`);
  }
  const summary = summarize({ requests, workflows, itlMs, instances, samples: series.samples, slo: spec.slo });
  if (live.commands.length > 0) {
    summary['faultCommands'] = commands.length;
    summary['faultCommandsFailed'] = commands.filter((r) => r.exitCode !== 0).length;
  }
  Object.assign(summary, liveSummary(requests, timeScale, routerCounters), {
    // The engines' own mean TTFT (arrival at the engine → first token, engine timeline): the gap
    // to the client's mean TTFT is what HTTP, tokenisation and the router add.
    engineTtftMsMean: engineTtftN > 0 ? (engineTtftS / engineTtftN) * 1000 : NaN,
  });
  return {
    summary, requests, workflows, instances, samples: series.samples, sampleIntervalUs: series.intervalUs, events: 0, end,
    ...(end === 'limit' ? { limit: { limit: 'live.maxDurationS', value: live.maxDurationS, atS: live.maxDurationS } } : {}),
  };
}

/**
 * Live-only summary figures: retries and recoveries (`requestsRetried`, `requestsRecovered`,
 * `timeToRecoverMs` from the first failed attempt to the end of the last successful retry),
 * the router's reroutes and rejections, `itlPerChunk` (1: ITL is per streamed chunk) and the
 * time scale.
 */
export function liveSummary(requests: readonly RequestRecord[], timeScale: number, router?: { reroutes: number; rejected: number }): Record<string, number> {
  let retried = 0;
  let recovered = 0;
  let firstFailUs = Infinity;
  let lastRecoveryUs = -Infinity;
  for (const r of requests) {
    if (r.outcome === 'failed' && r.endUs < firstFailUs) firstFailUs = r.endUs;
    if (r.attempt > 0) {
      retried++;
      if (r.outcome === 'ok') {
        recovered++;
        if (r.endUs > lastRecoveryUs) lastRecoveryUs = r.endUs;
      }
    }
  }
  return {
    requestsRetried: retried,
    requestsRecovered: recovered,
    timeToRecoverMs: Number.isFinite(firstFailUs) && lastRecoveryUs > firstFailUs ? Math.round(lastRecoveryUs - firstFailUs) / 1000 : NaN,
    routerReroutes: router?.reroutes ?? NaN,
    routerRejected: router?.rejected ?? NaN,
    itlPerChunk: 1,
    timeScale,
  };
}
