import { routerOptions, routerSchema, type RouterSpec } from '../../sim/faults/spec.js';
import { TokenDeltas, type InstanceSample } from '../../reports/timeseries.js';
import { instanceStats, type InstanceStats } from '../../reports/summary.js';
import { CellRun, policyStats, type CellResult, type CellSpec, type CellWorld } from '../runner/cell.js';
import { HttpBackend } from './http-backend.js';
import { liveSchema, type LiveSettings } from './live-schema.js';
import { startLocalStack, warmUpStack, type LocalStack } from './local-stack.js';
import { WallClock } from './wall-clock.js';
import { runFaultCommand, type FaultCommandResult, type LiveFault } from './live-faults.js';
import { liveSummary } from './live-summary.js';

export type { LiveFault } from './live-faults.js';

/** Everything one live matrix cell needs. */
export interface LiveCellSpec extends CellSpec {
  readonly live?: LiveSettings | undefined;
  /** The scenario's `router:` section: the spawned router's attempts, backoff and timeout (as the simulated router's). */
  readonly router?: RouterSpec | undefined;
  /** Faults on spawned engines (the scenario's `faults:` via liveFaultsFromScenario, or tests'). */
  readonly faults?: readonly LiveFault[] | undefined;
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
 * Run one (workload, policy, seed) cell live: the same cell loop as the simulator ({@link CellRun}:
 * the same workflows from the same seed streams, the same arrival driver), in wall-clock time
 * through HttpBackend to a freshly spawned local stack (emulated engines running the policy's
 * scheduling and eviction + a router running its routing, with the scenario's `router:`
 * settings) or to a deployed target. Produces the same CellResult as the simulator.
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
      router: routerOptions(spec.router ?? routerSchema.parse(undefined)),
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

  let finish: (end: 'drained' | 'limit') => void = () => {};
  const ended = new Promise<'drained' | 'limit'>((resolve) => {
    finish = resolve;
  });
  const engines = stack?.engines ?? [];
  const deltas = new TokenDeltas(engines.length);
  const world: CellWorld = {
    clock, backend,
    schedule: (_kind, atUs, fn) => void clock.schedule(atUs, fn),
    sampleInstances: (tMs) => engines.map((e, k): InstanceSample => {
      const core = e.engine.core;
      return {
        tMs, instance: `i${k}`, kvUsage: Math.round(core.kv.pool.usage * 1e4) / 1e4, running: core.numRunning, waiting: core.numWaiting,
        healthy: stack!.router.upstreams[k]!.healthy, ...deltas.next(k, e.engine.totals()),
        // The emulated engine's own truth (a fault endpoint crash/hang/slow), as in simulation.
        state: e.engine.faultState,
      };
    }),
    onIdle: () => finish('drained'),
  };
  const cell = new CellRun(spec, world, engines.length);
  const { runner, requests } = cell;
  scheduleFaults(spec.faults ?? [], stack, clock);
  const commandRuns: Promise<FaultCommandResult>[] = [];
  for (const c of live.commands) clock.schedule(Math.round(c.atS * 1e6), () => void commandRuns.push(runFaultCommand(c)));
  cell.begin();
  const limit = setTimeout(() => finish('limit'), live.maxDurationS * 1000);

  let end: 'drained' | 'limit';
  try {
    end = await ended;
  } finally {
    clearTimeout(limit);
    cell.source.close();
  }
  if (end === 'limit') runner.abortAll(`run limit: live.maxDurationS (${live.maxDurationS} s) reached`);
  clock.close();
  await backend.close();
  if (end === 'drained' && (runner.inflightCalls !== 0 || backend.open !== 0)) {
    throw new Error(`request conservation: ${runner.inflightCalls} calls still open in the runner, ${backend.open} in the backend`);
  }
  const instances: InstanceStats[] = engines.map((e, k) => instanceStats(`i${k}`, e.engine.totals(), e.engine.core.kv.pool.numBlocks));
  if (stack && end === 'drained' && !spec.faults?.length) {
    for (const [k, e] of engines.entries()) {
      if (e.engine.inflight !== 0) throw new Error(`request conservation: engine i${k} still holds ${e.engine.inflight} requests`);
      e.engine.core.checkInvariants();
    }
  }
  const routerCounters = stack?.router.counters;
  let engineTtftS = 0;
  let engineTtftN = 0;
  for (const e of engines) {
    engineTtftS += e.engine.ttftS.sum;
    engineTtftN += e.engine.ttftS.count;
  }
  // The policies' own counters, as the simulator reports them: the router's routing policy and
  // every spawned engine's scheduling and eviction policies.
  const stats = stack ? policyStats(stack.routing, engines.flatMap((e) => e.engine.policies().scheduling), engines.flatMap((e) => e.engine.policies().eviction)) : {};
  stackClock.close();
  await stack?.close();

  const commands = await Promise.all(commandRuns);
  for (const r of commands) {
    if (r.exitCode !== 0) process.stderr.write(`agentbench: fault command exited ${r.exitCode ?? r.signal}: ${r.run}\n${r.outputTail}\n`);
  }
  const summary = cell.summary(instances);
  if (live.commands.length > 0) {
    summary['faultCommands'] = commands.length;
    summary['faultCommandsFailed'] = commands.filter((r) => r.exitCode !== 0).length;
  }
  Object.assign(summary, stats, liveSummary(requests, timeScale, routerCounters), {
    // The engines' own mean TTFT (arrival at the engine → first token, engine timeline): the gap
    // to the client's mean TTFT is what HTTP, tokenisation and the router add.
    engineTtftMsMean: engineTtftN > 0 ? (engineTtftS / engineTtftN) * 1000 : NaN,
  });
  return {
    summary, requests, workflows: cell.workflows, instances, samples: cell.series.samples, sampleIntervalUs: cell.series.intervalUs, events: 0, end,
    ...(spec.slice ? { itlMs: cell.itlSparse() } : {}),
    ...(end === 'limit' ? { limit: { limit: 'live.maxDurationS', value: live.maxDurationS, atS: live.maxDurationS } } : {}),
  };
}

// Faults on spawned engines at their times (a fault waiting for `minInflight` requests polls every 10 ms).
function scheduleFaults(faults: readonly LiveFault[], stack: LocalStack | undefined, clock: WallClock): void {
  for (const f of faults) {
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
}

