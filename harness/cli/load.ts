import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { parseShard, type ShardSpec } from '../runner/shard.js';
import type { WorkloadSpec } from '../../workloads/workload.js';
import { InputError } from '../../workloads/input-error.js';
import { loadScenarioAsync, scenarioHash } from '../scenario/load.js';
import { runScenario } from '../runner/matrix.js';
import { truncationWarning } from '../runner/truncation.js';
import { liveSchema, targetSchema } from '../live/live-schema.js';
import { parseStages, type RateStage } from '../live/load/stages.js';
import { Progress } from '../progress.js';
import { consoleSummary } from './summary-table.js';
import { numberFlag } from './live-flags.js';
import { saturateBody, statusBreakdown } from '../live/load/saturate-body.js';
import { percentiles } from '../../reports/stats.js';

interface SaturateFlags {
  url: string;
  model: string;
  path: string;
  connections: number;
  durationS: number;
  amount?: number;
  promptTokens: number;
  maxTokens: number;
  stream?: boolean;
  bodyFile?: string;
  apiKey?: string;
  timeoutS: number;
  json?: boolean;
}

interface WorkflowFlags {
  stages: string;
  target?: string;
  model?: string;
  apiKeyEnv?: string;
  out?: string;
  quiet?: boolean;
  json?: boolean;
  shard?: ShardSpec;
}

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/** `agentbench load`: saturation with autocannon, and workflow load in rate stages. */
export function registerLoad(program: Command): void {
  const load = program.command('load').description('load-test an OpenAI-compatible stack (bounded in time and count)');

  load
    .command('saturate')
    .description('fixed request bodies from N connections for a duration (autocannon): RPS, latency percentiles, errors')
    .requiredOption('--url <base>', 'base URL of the router or engine, e.g. http://127.0.0.1:8001')
    .requiredOption('--model <name>', 'model name to request')
    .option('--path <path>', 'endpoint path', '/v1/completions')
    .option('--connections <n>', 'concurrent connections', numberFlag(1, 10_000, true), 10)
    .option('--duration-s <s>', 'how long to run (at most 600)', numberFlag(1, 600), 10)
    .option('--amount <n>', 'stop after this many requests (at most 10,000,000)', numberFlag(1, 10_000_000, true))
    .option('--prompt-tokens <n>', 'rendered prompt length of the generated body', numberFlag(1, 1_000_000, true), 128)
    .option('--max-tokens <n>', 'max_tokens (with ignore_eos) of the generated body', numberFlag(1, 1_000_000, true), 16)
    .option('--stream', 'ask for a streamed answer')
    .option('--body-file <file>', 'send this JSON body instead of the generated one')
    .option('--api-key <key>', 'Authorization: Bearer key (default: $AGENTBENCH_API_KEY)')
    .option('--timeout-s <s>', 'per-request timeout', numberFlag(1, 3600), 60)
    .option('--json', 'print the figures as JSON')
    .action(async (o: SaturateFlags) => {
      let body: string;
      if (o.bodyFile !== undefined) {
        try {
          body = readFileSync(o.bodyFile, 'utf8');
          JSON.parse(body);
        } catch (e) {
          throw new InputError([`--body-file: ${o.bodyFile}: ${(e as Error).message}`]);
        }
      } else {
        body = saturateBody(o.path, { model: o.model, promptTokens: o.promptTokens, maxTokens: o.maxTokens, stream: o.stream === true });
      }
      let base: URL;
      try {
        base = new URL(o.url);
      } catch {
        throw new InputError([`--url: expected http://host:port, found '${o.url}'`]);
      }
      const key = o.apiKey ?? process.env['AGENTBENCH_API_KEY'];
      // Imported here: autocannon (and its HDR histogram, pako...) would cost every CLI start-up.
      const { default: autocannon } = await import('autocannon');
      const run = autocannon({
        url: new URL(o.path, base).toString(), method: 'POST', body, connections: o.connections, duration: o.durationS,
        timeout: o.timeoutS, headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        ...(o.amount !== undefined ? { amount: o.amount } : {}),
      });
      // Latency over the successful (2xx) answers only: a fast 4xx/5xx must not flatter it.
      const okMs: number[] = [];
      run.on('response', (_client, status, _bytes, ms) => {
        if (status >= 200 && status < 300) okMs.push(ms);
      });
      const r = await run;
      const [okP50, okP90, okP99] = percentiles(okMs, [50, 90, 99], 'nearest-rank');
      const figures = {
        url: new URL(o.path, base).toString(), connections: o.connections, durationS: r.duration,
        requests: r.requests.total, rps: round(r.requests.average), succeeded: okMs.length,
        latencyMsP50: round(okP50!), latencyMsP90: round(okP90!), latencyMsP99: round(okP99!), latencyMsMax: round(Math.max(0, ...okMs)),
        errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx,
        bytesPerSec: round(r.throughput.average, 0), statuses: statusBreakdown(r['statusCodeStats']),
      };
      if (o.json) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
      else {
        process.stdout.write(`${figures.requests} requests in ${figures.durationS} s from ${o.connections} connections: ${figures.rps} req/s\n` +
          `latency of the ${figures.succeeded} successful, ms: p50 ${figures.latencyMsP50}  p90 ${figures.latencyMsP90}  p99 ${figures.latencyMsP99}  max ${figures.latencyMsMax}\n` +
          `errors ${figures.errors}  timeouts ${figures.timeouts}  non-2xx ${figures.non2xx}  by status: ${figures.statuses || '-'}\n` +
          '');
      }
      if (r.errors + r.timeouts + r.non2xx > 0) process.exitCode = 1;
    });

  load
    .command('workflows')
    .description('run a scenario\'s workflows live with open-loop arrivals in rate stages, against a target or a spawned stack')
    .argument('<scenario>', 'scenario YAML (its workloads and policies; arrivals come from --stages)')
    .requiredOption('--stages <list>', 'rate stages, e.g. 30s@1,30s@4,30s@8 (workflows per second)')
    .option('--target <url>', 'deployed router or engine (default: the scenario\'s live section, else spawn: local)')
    .option('--model <name>', 'model name at the target (required with --target)')
    .option('--api-key-env <name>', 'environment variable holding the target\'s key')
    .option('-o, --out <dir>', 'output directory (default: runs/<scenario name>-load)')
    .option('--shard <K/N>', 'drive slice K of N of the workflows (every N-th arrival) against a deployed target, into a partial folder; `agentbench merge` joins the N slices', (v: string) => {
      const s = parseShard(v);
      if ('error' in s) throw new InvalidArgumentError(s.error);
      return s;
    })
    .option('-q, --quiet', 'no progress on stderr')
    .option('--json', 'print a machine-readable summary')
    .action(async (file: string, o: WorkflowFlags) => {
      const stages = parseStages(o.stages);
      if ('error' in stages) throw new InputError([`--stages: ${stages.error}`]);
      const loaded = await loadScenarioAsync(file, { mode: 'live' });
      const sc = loaded.scenario;
      let live = sc.live ?? liveSchema.parse({});
      if (o.target !== undefined) {
        if (o.model === undefined) throw new InputError(['--model: required with --target']);
        const target = targetSchema.safeParse({ baseUrl: o.target, model: o.model, ...(o.apiKeyEnv ? { apiKeyEnv: o.apiKeyEnv } : {}) });
        if (!target.success) throw new InputError(target.error.issues.map((i) => `--target: ${i.message}`));
        const { spawn: _spawn, ...rest } = live;
        live = { ...rest, timeScale: 1, target: target.data };
      }
      const policies = live.target ? targetPolicies(sc.policies) : sc.policies;
      // The stages become each workload's arrivals (the workloads' own `stages` process), so the
      // one arrival driver runs them, exactly as the same scenario would in simulation.
      const scenario = { ...sc, live, policies, workloads: sc.workloads.map((w) => withStages(w, stages)) };
      const outDir = o.out ?? join('runs', `${sc.name}-load`);
      const progress = new Progress(process.stderr, !o.quiet && !o.json);
      const res = await runScenario({ file, scenario, hash: scenarioHash({ scenario, stages }) }, {
        outDir, check: false, progress, slice: o.shard,
      });
      process.stderr.write(truncationWarning(res.report.runs));
      if (o.json) process.stdout.write(`${JSON.stringify({ outDir: res.outDir, files: res.files, aggregates: res.report.aggregates }, null, 2)}\n`);
      else {
        process.stdout.write(consoleSummary(res.report));
        const slice = o.shard ? ` (slice ${o.shard.index}/${o.shard.count}: one arrival in ${o.shard.count}; join the ${o.shard.count} folders with agentbench merge)` : '';
        process.stdout.write(`\n${res.calls} LLM calls in ${(res.wallMs / 1000).toFixed(1)} s over stages ${o.stages}${slice}; reports in ${res.outDir}/\n`);
      }
    });
}

/**
 * A deployed target applies its own routing, scheduling and KV policies: the scenario's entries
 * differ there only in their client-side recovery. Entries that agree on it are one run (the
 * first entry); entries that differ would be different measurements under one label, so refuse.
 */
export function targetPolicies<P extends { readonly recovery: { readonly kind: string; readonly options: unknown } }>(policies: readonly P[]): P[] {
  const recoveries = [...new Set(policies.map((p) => JSON.stringify(p.recovery)))];
  if (recoveries.length > 1) {
    throw new InputError([`--target: the scenario's policy entries differ in recovery (${recoveries.join(', ')}); against a deployed target only recovery applies, so give a scenario with one policy entry`]);
  }
  return policies.slice(0, 1);
}

/** A workload whose arrivals are Poisson rate stages, bounded by the stages (not by a workflow count). */
export function withStages<W extends WorkloadSpec | { readonly pattern: 'trace' }>(w: W, stages: readonly RateStage[]): W {
  if (w.pattern === 'trace') return w; // a trace brings its own arrival times
  const { workflows: _n, ...rest } = w as W & { workflows?: number };
  return { ...rest, arrivals: { kind: 'stages', process: 'poisson', burstiness: 1, stages: stages.map((s) => ({ durationS: s.durationS, ratePerSec: s.ratePerSec })) } } as unknown as W;
}
