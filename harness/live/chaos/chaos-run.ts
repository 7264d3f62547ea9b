import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { SeededRng } from '../../../policies/rng.js';
import { LeastLoadedPolicy } from '../../../policies/routing/least-loaded.js';
import { ENVOY_OUTLIER_DEFAULTS } from '../../../policies/recovery/outlier-detection.js';
import { ROUTER_DEFAULTS, type RouterCoreOptions } from '../../../sim/router-core.js';
import { clusterSchema } from '../../scenario/schema.js';
import { resolveCluster } from '../../runner/resolve.js';
import { buildEmulatedEngine } from '../engine/build.js';
import { startEngineServer, type EngineFault, type EngineServer } from '../engine/engine-server.js';
import { parsePrometheus } from '../prometheus.js';
import { percentile } from '../../../reports/stats.js';
import { startRouterServer, type RouterServer } from '../router/router-server.js';
import { WallClock } from '../wall-clock.js';

/** One fault at a time offset from the start of the load. */
export interface ChaosStep {
  readonly atMs: number;
  readonly engine: number;
  readonly fault: EngineFault;
}

/** A bounded chaos run: a fixed number of requests, a fixed fault timeline. */
export interface ChaosOptions {
  /** Requests sent (after `warmup`), alternately streamed and not. */
  readonly requests: number;
  /** Time between request starts, ms (open loop: the load does not slow down when the router does). */
  readonly intervalMs: number;
  /** Unmeasured requests before the run (the RSS baseline is taken after them). */
  readonly warmup: number;
  readonly timeline: readonly ChaosStep[];
  /** `process`: the router is `agentbench router` in its own process (its RSS is measured); `inline`: in this process. */
  readonly router: { readonly mode: 'inline' } | { readonly mode: 'process'; readonly cli: string };
  /** Engine time scale (1: real time). */
  readonly timeScale: number;
  readonly maxTokens: number;
  /** Idle time after the load before the last RSS reading, ms (default 1000). */
  readonly settleMs?: number | undefined;
}

/** The router settings of the run: production-stack's defaults plus the recovery options this run exercises. */
export const CHAOS_ROUTER = {
  maxAttempts: 3, firstTokenTimeoutMs: 1000, upstreamTimeoutMs: 3000,
  outlier: { ...ENVOY_OUTLIER_DEFAULTS, consecutive5xx: 3, baseEjectionUs: 2e6, maxEjectionPercent: 67 },
  health: { intervalMs: 300, timeoutMs: 300, unhealthyThreshold: 2, scrapeIntervalMs: 500 },
} as const;

/** The issue's scenario: one engine killed, one answering 500 for a while, one hung, then all back. */
export function defaultTimeline(totalMs: number): ChaosStep[] {
  const t = (f: number): number => Math.round(totalMs * f);
  return [
    { atMs: t(0.25), engine: 0, fault: 'crash' },
    { atMs: t(0.33), engine: 1, fault: 'error' },
    { atMs: t(0.5), engine: 1, fault: 'recover' },
    { atMs: t(0.5), engine: 2, fault: 'hang' },
    { atMs: t(0.7), engine: 2, fault: 'recover' },
    { atMs: t(0.7), engine: 0, fault: 'recover' },
  ];
}

type Phase = 'before' | 'during' | 'after';

/** How one client request ended (exactly one record per request). */
export interface ClientRecord {
  readonly id: string;
  readonly phase: Phase;
  readonly streamed: boolean;
  readonly ok: boolean;
  readonly reason: string;
  readonly latencyMs: number;
  /** Streams: time to the first content token (NaN: none). */
  readonly ttftMs: number;
  /** A token reached the client before the request failed. */
  readonly gotTokens: boolean;
}

/** What the run measured. */
export interface ChaosReport {
  readonly sent: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly failedReasons: Record<string, number>;
  /** Client failures of requests that had received no token (the target is 0). */
  readonly failedBeforeFirstToken: number;
  /** Attempts the router re-sent to another backend. */
  readonly rerouted: number;
  /** Requests the client retried (the SDK runs with maxRetries 0: always 0, so the router's work is what is measured). */
  readonly clientRetries: number;
  readonly latencyMs: Record<Phase, { n: number; p50: number; p99: number }>;
  readonly maxTtftMs: number;
  readonly routerIncoming: number;
  readonly routerEnded: Record<string, number>;
  /** Every request ended exactly once: ids unique on the client, router's ends = its incoming = client's sent, router ok = client ok. */
  readonly endedExactlyOnce: boolean;
  readonly rssMiB: { readonly start: number; readonly afterWarmup: number; readonly after: number; readonly scope: 'router process' | 'whole test process' };
  readonly durationMs: number;
  readonly settleMs: number;
  /** Every measured request, in send order. */
  readonly records: readonly ClientRecord[];
  /** Send time of each measured request from the start of the load, ms (by id). */
  readonly sentAtMs: Readonly<Record<string, number>>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function rssMiBOf(pid: number | undefined): number {
  if (pid === undefined) return process.memoryUsage().rss / 2 ** 20;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

interface RouterHandle {
  readonly url: string;
  readonly pid: number | undefined;
  close(): Promise<void>;
}

async function startRouter(opts: ChaosOptions, engines: readonly EngineServer[]): Promise<RouterHandle> {
  const c = CHAOS_ROUTER;
  if (opts.router.mode === 'inline') {
    const router: RouterCoreOptions = {
      timeoutUs: c.upstreamTimeoutMs * 1000, retry: { ...ROUTER_DEFAULTS.retry, maxAttempts: c.maxAttempts },
      firstTokenTimeoutUs: c.firstTokenTimeoutMs * 1000, outlierDetection: c.outlier, moveOnMarkedDown: true,
    };
    const r: RouterServer = await startRouterServer({
      upstreams: engines.map((e, i) => ({ id: `e${i}`, url: e.url })), policy: new LeastLoadedPolicy(), rng: new SeededRng(1).fork('routing'),
      clock: new WallClock(), blockSize: 16, health: c.health, router,
    });
    return { url: r.url, pid: undefined, close: () => r.close() };
  }
  const args = [
    opts.router.cli, 'router', '--port', '0', '--routing', 'least-loaded', ...engines.flatMap((e, i) => ['--backend', `e${i}=${e.url}`]),
    '--move-on-down', '--max-attempts', String(c.maxAttempts), '--first-token-timeout-ms', String(c.firstTokenTimeoutMs), '--upstream-timeout-ms', String(c.upstreamTimeoutMs),
    '--outlier-consecutive-5xx', String(c.outlier.consecutive5xx), '--outlier-base-ejection-ms', String(c.outlier.baseEjectionUs / 1000),
    '--outlier-max-ejection-percent', String(c.outlier.maxEjectionPercent), '--health-interval-ms', String(c.health.intervalMs),
    '--health-timeout-ms', String(c.health.timeoutMs), '--unhealthy-threshold', String(c.health.unhealthyThreshold), '--scrape-interval-ms', String(c.health.scrapeIntervalMs),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, AGENTBENCH_API_KEY: '' } });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`router did not start within 20 s: ${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = / at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`router exited with ${String(code)}: ${out}`)));
  });
  return {
    url, pid: child.pid,
    close: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

async function routerCounts(url: string): Promise<{ incoming: number; rerouted: number; ended: Record<string, number> }> {
  const out = { incoming: 0, rerouted: 0, ended: {} as Record<string, number> };
  for (const m of parsePrometheus(await (await fetch(`${url}/metrics`)).text())) {
    if (m.name === 'agentbench:router_requests_ended_total') out.ended[m.labels['outcome']!] = m.value;
    if (m.name === 'vllm:num_incoming_requests_total') out.incoming = m.value;
    if (m.name === 'agentbench:router_reroutes_total') out.rerouted = m.value;
  }
  return out;
}

function reasonOf(e: unknown): string {
  if (e instanceof OpenAI.APIError) return `${e.constructor.name}${e.status !== undefined ? ` ${e.status}` : ''}: ${e.message.slice(0, 120)}`;
  return `${(e as Error).name}: ${String((e as Error).message).slice(0, 120)}`;
}

/**
 * Run the chaos scenario: 3 emulated engines behind the router, a fixed number of requests
 * from the official `openai` SDK (maxRetries 0), faults applied on a fixed timeline. Bounded:
 * `requests × intervalMs` of load plus the slowest request (the SDK's 30 s timeout at most).
 */
export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const clock = new WallClock({ timeScale: opts.timeScale });
  const cluster = resolveCluster(clusterSchema.parse({ instances: 1 }), 'chaos');
  const engines: EngineServer[] = [];
  for (let i = 0; i < 3; i++) {
    const engine = buildEmulatedEngine({ cluster, scheduling: { kind: 'fcfs', options: {} }, eviction: { kind: 'lru', options: {} }, clock });
    engines.push(await startEngineServer({ engine, enableFaultEndpoint: false }));
  }
  const router = await startRouter(opts, engines);
  const rssStart = rssMiBOf(router.pid);
  const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: 'chaos', maxRetries: 0, timeout: 30_000 });
  const model = cluster.model.name;
  const records = new Map<string, ClientRecord>();
  const sentAtMs: Record<string, number> = {};
  let duplicateEnds = 0;

  async function one(id: string, k: number, phaseOf: () => Phase, measured: boolean): Promise<void> {
    const streamed = k % 2 === 0;
    const phase = phaseOf();
    const t0 = performance.now();
    let ttftMs = NaN;
    let ok = false;
    let reason = '';
    let gotTokens = false;
    const messages = [{ role: 'user' as const, content: `chaos request ${id}: ${'lorem ipsum dolor sit amet '.repeat(4 + (k % 7))}` }];
    try {
      if (streamed) {
        const s = await client.chat.completions.create({ model, messages, max_tokens: opts.maxTokens, stream: true }, { headers: { 'x-request-id': id } });
        for await (const chunk of s) {
          if (chunk.choices[0]?.delta?.content) {
            if (!gotTokens) ttftMs = performance.now() - t0;
            gotTokens = true;
          }
        }
      } else {
        const r = await client.chat.completions.create({ model, messages, max_tokens: opts.maxTokens }, { headers: { 'x-request-id': id } });
        if (typeof r.choices[0]?.message.content !== 'string') throw new Error('no content in the answer');
      }
      ok = true;
    } catch (e) {
      reason = reasonOf(e);
    }
    if (!measured) return;
    if (records.has(id)) duplicateEnds++;
    records.set(id, { id, phase, streamed, ok, reason, latencyMs: performance.now() - t0, ttftMs, gotTokens });
  }

  try {
    // The warm-up is the run's load without faults, paced the same: the RSS baseline is the
    // router's steady state at this load (JIT, heap and connection pools grown), not a cold start.
    const warm: Promise<void>[] = [];
    const w0 = performance.now();
    for (let k = 0; k < opts.warmup; k++) {
      const wait = w0 + k * opts.intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      warm.push(one(`warm-${k}`, k, () => 'before', false));
    }
    await Promise.all(warm);
    await sleep(300);
    const rssWarm = rssMiBOf(router.pid);
    const base = await routerCounts(router.url);
    const firstFault = Math.min(...opts.timeline.map((s) => s.atMs));
    const lastFault = Math.max(...opts.timeline.map((s) => s.atMs));
    const start = performance.now();
    const phaseOf = (): Phase => {
      const t = performance.now() - start;
      return t < firstFault ? 'before' : t < lastFault ? 'during' : 'after';
    };
    const faults = opts.timeline.map((s) => setTimeout(() => void engines[s.engine]!.fault(s.fault), s.atMs));
    const inflight: Promise<void>[] = [];
    for (let k = 0; k < opts.requests; k++) {
      const due = start + k * opts.intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      sentAtMs[`req-${k}`] = Math.round(performance.now() - start);
      inflight.push(one(`req-${k}`, k, phaseOf, true));
    }
    await Promise.all(inflight);
    for (const f of faults) clearTimeout(f);
    const durationMs = performance.now() - start;
    await sleep(opts.settleMs ?? 1000);
    const rssAfter = rssMiBOf(router.pid);
    // The run's own counts: the router's counters now minus after the warm-up.
    const now = await routerCounts(router.url);
    const routerEnded: Record<string, number> = {};
    for (const [k, n] of Object.entries(now.ended)) if (n - (base.ended[k] ?? 0) > 0) routerEnded[k] = n - (base.ended[k] ?? 0);
    const routerIncoming = now.incoming - base.incoming;
    const rerouted = now.rerouted - base.rerouted;
    const recs = [...records.values()];
    const failed = recs.filter((r) => !r.ok);
    const failedReasons: Record<string, number> = {};
    for (const r of failed) failedReasons[r.reason] = (failedReasons[r.reason] ?? 0) + 1;
    const lat = (p: Phase): { n: number; p50: number; p99: number } => {
      const xs = recs.filter((r) => r.ok && r.phase === p).map((r) => r.latencyMs);
      return { n: xs.length, p50: percentile(xs, 50, 'nearest-rank'), p99: percentile(xs, 99, 'nearest-rank') };
    };
    const routerTotal = Object.values(routerEnded).reduce((a, b) => a + b, 0);
    const succeeded = recs.length - failed.length;
    return {
      sent: opts.requests, succeeded, failed: failed.length, failedReasons,
      failedBeforeFirstToken: failed.filter((r) => !r.gotTokens).length,
      rerouted, clientRetries: 0,
      latencyMs: { before: lat('before'), during: lat('during'), after: lat('after') },
      maxTtftMs: Math.max(0, ...recs.filter((r) => r.ok && r.streamed).map((r) => r.ttftMs)),
      routerIncoming, routerEnded,
      endedExactlyOnce: duplicateEnds === 0 && records.size === opts.requests && routerIncoming === opts.requests
        && routerTotal === routerIncoming && (routerEnded['ok'] ?? 0) === succeeded,
      rssMiB: { start: rssStart, afterWarmup: rssWarm, after: rssAfter, scope: router.pid === undefined ? 'whole test process' : 'router process' },
      durationMs, settleMs: opts.settleMs ?? 1000, records: recs, sentAtMs,
    };
  } finally {
    await router.close();
    await Promise.all(engines.map((e) => e.close()));
    clock.close();
  }
}

/** The report as a Markdown table (what `npm run chaos` prints). */
export function chaosTable(r: ChaosReport): string {
  const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : '-');
  const rows: [string, string][] = [
    ['requests sent', String(r.sent)],
    ['succeeded', String(r.succeeded)],
    ['failed at the client', String(r.failed)],
    ...Object.entries(r.failedReasons).map(([k, n]): [string, string] => [`  failed: ${k}`, String(n)]),
    ['failed before any token reached the client (target 0)', String(r.failedBeforeFirstToken)],
    ['re-sent by the router to another backend', String(r.rerouted)],
    ['retried by the client', String(r.clientRetries)],
    ...(['before', 'during', 'after'] as const).map((p): [string, string] => [`latency ${p} (ok, n=${r.latencyMs[p].n}) p50 / p99 ms`, `${f(r.latencyMs[p].p50)} / ${f(r.latencyMs[p].p99)}`]),
    ['max time to first token of a successful stream, ms', f(r.maxTtftMs)],
    ['router: incoming / ended (by outcome)', `${r.routerIncoming} / ${Object.entries(r.routerEnded).map(([k, n]) => `${k} ${n}`).join(', ')}`],
    ['every request ended exactly once (client and router agree)', r.endedExactlyOnce ? 'yes' : 'NO'],
    [`RSS MiB (${r.rssMiB.scope}) start / after warm-up / ${(r.settleMs / 1000).toFixed(0)} s after the run`, `${r.rssMiB.start.toFixed(1)} / ${r.rssMiB.afterWarmup.toFixed(1)} / ${r.rssMiB.after.toFixed(1)}`],
    ['RSS after the run vs after warm-up (target within 10 %)', `${(((r.rssMiB.after - r.rssMiB.afterWarmup) / r.rssMiB.afterWarmup) * 100).toFixed(1)} %`],
    ['load duration, ms', f(r.durationMs)],
  ];
  return ['| measure | value |', '|---|---|', ...rows.map(([a, b]) => `| ${a} | ${b} |`)].join('\n');
}
