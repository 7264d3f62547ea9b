import type { LogHistogram } from './histogram.js';
import { sloCounts, type Slo } from './slo.js';
import { completedWorkflows, requestLatencies, type RequestRecord, type Rows, type WorkflowRecord } from './records.js';
import { coefficientOfVariation, mean, percentiles as percentilesBy, roundTo, type PercentileMethod } from './stats.js';
import type { InstanceSample } from './timeseries.js';

/** Per-instance totals of one run. */
export interface InstanceStats {
  readonly id: string;
  readonly busyUs: number;
  readonly steps: number;
  readonly prefillTokens: number;
  readonly decodeTokens: number;
  readonly preemptions: number;
  readonly evictions: number;
  /** vLLM's prefix-cache counters (tokens), including recompute after preemption. */
  readonly prefixQueries: number;
  readonly prefixHits: number;
  readonly kvBlocksTotal: number;
  readonly requestsFinished: number;
}

/** An instance's stats from its engine totals (the same mapping in simulation and live). */
export function instanceStats(
  id: string,
  t: { busyUs: number; steps: number; prefillTokens: number; decodeTokens: number; preemptions: number; finished: number; evictions: number; prefixQueries: number; prefixHits: number },
  kvBlocksTotal: number,
): InstanceStats {
  return {
    id, busyUs: t.busyUs, steps: t.steps, prefillTokens: t.prefillTokens, decodeTokens: t.decodeTokens, preemptions: t.preemptions,
    evictions: t.evictions, prefixQueries: t.prefixQueries, prefixHits: t.prefixHits, kvBlocksTotal, requestsFinished: t.finished,
  };
}

export type { Slo } from './slo.js';

/** Everything one run (one workload × policy × seed) produced. */
export interface RunData {
  readonly requests: Rows<RequestRecord>;
  readonly workflows: Rows<WorkflowRecord>;
  readonly itlMs: LogHistogram;
  readonly instances: readonly InstanceStats[];
  readonly samples: readonly InstanceSample[];
  readonly slo?: Slo | undefined;
  /** Of the request and workflow percentiles (ITL comes from a log histogram either way). Default linear. */
  readonly percentileMethod?: PercentileMethod | undefined;
}

/** A run's summary metrics; key order is fixed (reports diff cleanly). */
export type Summary = Record<string, number>;

/**
 * Compute the DESIGN metrics of one run. Rates are over the run's active window (first send to
 * last end). Percentiles are type-7 interpolations; NaN (null in JSON) marks an undefined metric.
 */
export function summarize(d: RunData): Summary {
  const method = d.percentileMethod ?? 'linear';
  const percentiles = (values: ArrayLike<number>, ps: readonly number[]): number[] => percentilesBy(values, ps, method);
  const reqs = d.requests;
  // One pass over the calls (a cell's table may hold millions): latencies of the successful
  // ones as columns, the rest as running totals.
  const ttft: number[] = [];
  const tpot: number[] = [];
  const e2e: number[] = [];
  const queue: number[] = [];
  let first = Infinity;
  let last = -Infinity;
  let outTokens = 0;
  let promptTokens = 0;
  let cached = 0;
  let crossAgent = 0;
  let preemptions = 0;
  const outcomes: Record<RequestRecord['outcome'], number> = { ok: 0, failed: 0, rejected: 0, timeout: 0 };
  for (const r of reqs) {
    if (r.sendUs < first) first = r.sendUs;
    if (r.endUs > last) last = r.endUs;
    preemptions += r.preemptions;
    outcomes[r.outcome]++;
    if (r.outcome !== 'ok') continue;
    const l = requestLatencies(r);
    ttft.push(l.ttftMs);
    tpot.push(l.tpotMs);
    e2e.push(l.e2eMs);
    queue.push(l.queueMs);
    outTokens += r.outputTokens;
    promptTokens += r.promptTokens;
    cached += r.cachedPromptTokens;
    crossAgent += Number.isFinite(r.crossAgentCachedTokens) ? r.crossAgentCachedTokens : 0;
  }
  const okCount = outcomes.ok;
  const [ttft50, ttft90, ttft99] = percentiles(ttft, [50, 90, 99]);
  const [tpot50, tpot99] = percentiles(tpot, [50, 99]);
  const [e2e50, e2e99] = percentiles(e2e, [50, 99]);
  const [queue50, queue99] = percentiles(queue, [50, 99]);

  const done = completedWorkflows(d.workflows);
  const makespans = done.map((w) => (w.endUs - w.startUs) / 1000);
  const [mk50, mk90, mk99] = percentiles(makespans, [50, 90, 99]);
  const crit = done.map((w) => w.criticalPathUs / 1000);
  const slow = done.map((w) => (w.criticalPathUs > 0 ? (w.endUs - w.startUs) / w.criticalPathUs : NaN));

  const windowS = last > first ? (last - first) / 1e6 : NaN;

  const slo = d.slo ? sloCounts(d.slo, reqs, d.workflows) : undefined;

  let queries = 0;
  let hits = 0;
  let evictions = 0;
  for (const i of d.instances) {
    queries += i.prefixQueries;
    hits += i.prefixHits;
    evictions += i.evictions;
  }
  const kv = d.samples.map((s) => s.kvUsage);
  const summary: Summary = {
    requestsTotal: reqs.length,
    requestsOk: okCount,
    requestsFailed: reqs.length - okCount,
    requestsRejected: outcomes.rejected,
    requestsTimedOut: outcomes.timeout,
    workflowsTotal: d.workflows.length,
    workflowsCompleted: done.length,
    workflowsFailed: d.workflows.length - done.length,
    ttftMsP50: ttft50!, ttftMsP90: ttft90!, ttftMsP99: ttft99!,
    tpotMsP50: tpot50!, tpotMsP99: tpot99!,
    itlMsP50: d.itlMs.percentile(50), itlMsP99: d.itlMs.percentile(99),
    e2eMsP50: e2e50!, e2eMsP99: e2e99!,
    queueMsP50: queue50!, queueMsP99: queue99!,
    makespanMsP50: mk50!, makespanMsP90: mk90!, makespanMsP99: mk99!, makespanMsMean: mean(makespans),
    criticalPathMsP50: percentiles(crit, [50])[0]!,
    slowdownP50: percentiles(slow, [50])[0]!,
    throughputRps: Number.isFinite(windowS) ? okCount / windowS : 0,
    outputTokensPerSec: Number.isFinite(windowS) ? outTokens / windowS : 0,
    workflowsPerSec: Number.isFinite(windowS) ? done.length / windowS : 0,
    goodputWps: slo && Number.isFinite(windowS) ? slo.goodWorkflows / windowS : NaN,
    // With an SLO: good calls per second, and the shares of calls / workflows that met it.
    ...(slo ? {
      goodputRps: Number.isFinite(windowS) ? slo.goodCalls / windowS : NaN,
      sloAttainment: slo.calls > 0 ? slo.goodCalls / slo.calls : NaN,
      workflowSloAttainment: slo.workflows > 0 ? slo.goodWorkflows / slo.workflows : NaN,
    } : {}),
    prefixCacheHitRate: promptTokens > 0 ? cached / promptTokens : 0,
    crossAgentHitRate: promptTokens > 0 ? crossAgent / promptTokens : 0,
    engineCacheHitRate: queries > 0 ? hits / queries : 0,
    workflowAffinity: mean(Array.from(d.workflows, (w) => w.affinity)),
    loadImbalanceCov: coefficientOfVariation(d.instances.map((i) => i.busyUs)),
    kvUsageMean: mean(kv),
    kvUsagePeak: kv.length > 0 ? Math.max(...kv) : NaN,
    preemptions,
    evictions,
    promptTokens,
    outputTokens: outTokens,
    simDurationS: windowS,
  };
  for (const k of Object.keys(summary)) summary[k] = roundTo(summary[k]!, 6);
  return summary;
}
