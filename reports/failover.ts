import { completedWorkflows, type RequestRecord, type Rows, type WorkflowRecord } from './records.js';
import { mean, percentiles, roundTo } from './stats.js';
import type { Summary } from './summary.js';
import type { InstanceSample } from './timeseries.js';

/** One injected fault as the simulator recorded it (µs; NaN where it did not happen). */
export interface FaultTimes {
  readonly kind: string;
  readonly instance: string;
  readonly atUs: number;
  readonly endUs: number;
  readonly detectedUs: number;
  readonly rejoinedUs: number;
  readonly attemptsFailed: number;
  readonly lostKvBlocks: number;
  readonly factor: number;
}

/** One fault in report.json (ms relative to the fault; null where it did not happen). */
export interface FaultJson {
  readonly kind: string;
  readonly instance: string;
  readonly atMs: number;
  /** How long it lasted (null: to the end of the run). */
  readonly durationMs: number | null;
  /** Fault → the router's health checks marked the instance down. */
  readonly timeToDetectMs: number | null;
  /** Fault → the router routed to the instance again. */
  readonly timeToRejoinMs: number | null;
  /** Fault → cluster output throughput back within 10 % of its level before the fault. */
  readonly timeToRecoverMs: number | null;
  readonly attemptsFailed: number;
  readonly lostKvTokens: number;
  readonly factor?: number;
}

/** What the failover figures are computed from. */
export interface FailoverInput {
  readonly requests: Rows<RequestRecord>;
  readonly workflows: Rows<WorkflowRecord>;
  readonly faults: readonly FaultTimes[];
  readonly samples: readonly InstanceSample[];
  readonly sampleIntervalUs: number;
  readonly recomputedPrefillTokens: number;
  readonly blockSize: number;
}

/** Throughput before a fault is averaged over this long. */
export const BASELINE_WINDOW_US = 60e6;
/** Throughput after a fault is averaged over windows this long (at least 2 samples). */
export const RECOVERY_WINDOW_US = 10e6;
/** "Recovered" means back to at least this share of the throughput before the fault. */
export const RECOVERED_SHARE = 0.9;

const ms = (us: number): number | null => (Number.isFinite(us) ? roundTo(us / 1000, 3) : null);

/** Cluster output throughput per sample round (tokens/s), from the instance timeseries. */
export function clusterThroughput(samples: readonly InstanceSample[], intervalUs: number): { tUs: number[]; rate: number[] } {
  const tUs: number[] = [];
  const rate: number[] = [];
  for (const s of samples) {
    const t = Math.round(s.tMs * 1000);
    if (tUs.length === 0 || tUs[tUs.length - 1] !== t) {
      tUs.push(t);
      rate.push(0);
    }
    rate[rate.length - 1]! += s.tokens / (intervalUs / 1e6);
  }
  return { tUs, rate };
}

/**
 * Time from a fault at `faultUs` until the cluster's throughput is back: the start of the first
 * sample round (after the fault) whose throughput is at least RECOVERED_SHARE of the mean over
 * BASELINE_WINDOW_US before the fault and from which the next RECOVERY_WINDOW_US also average
 * at least that. About 0 when the cluster absorbed the fault; NaN without a baseline or if it
 * never came back. The resolution is the timeseries interval.
 */
export function timeToRecoverUs(series: { tUs: number[]; rate: number[] }, intervalUs: number, faultUs: number): number {
  const { tUs, rate } = series;
  let sum = 0;
  let n = 0;
  for (let k = 0; k < tUs.length && tUs[k]! <= faultUs; k++) {
    if (tUs[k]! > faultUs - BASELINE_WINDOW_US && tUs[k]! - intervalUs >= 0) {
      sum += rate[k]!;
      n++;
    }
  }
  const baseline = n > 0 ? sum / n : NaN;
  if (!(baseline > 0)) return NaN;
  const m = Math.max(2, Math.round(RECOVERY_WINDOW_US / intervalUs));
  const first = tUs.findIndex((t) => t - intervalUs >= faultUs);
  if (first < 0) return NaN;
  for (let k = first; k + m <= tUs.length; k++) {
    if (rate[k]! < RECOVERED_SHARE * baseline) continue;
    let w = 0;
    for (let j = k; j < k + m; j++) w += rate[j]!;
    if (w / m >= RECOVERED_SHARE * baseline) return tUs[k]! - intervalUs - faultUs;
  }
  return NaN;
}

/**
 * The failover figures of one run (summary keys, added where faults ran) and its fault list.
 * A logical call is one node of one workflow: it was *retried* if it took more than one
 * attempt (router re-sends, runner retries, restarts), *recovered* if an attempt failed and a
 * later one succeeded, *lost* if no attempt succeeded.
 */
export function failoverFigures(d: FailoverInput): { summary: Summary; faults: FaultJson[] } {
  const calls = new Map<string, { attempts: number; ok: boolean; failed: boolean }>();
  const wfWithFailure = new Set<string>();
  for (const r of d.requests) {
    const key = `${r.workflowId}\u0000${r.nodeId}`;
    let c = calls.get(key);
    if (!c) calls.set(key, (c = { attempts: 0, ok: false, failed: false }));
    c.attempts++;
    if (r.outcome === 'ok') c.ok = true;
    else {
      c.failed = true;
      wfWithFailure.add(r.workflowId);
    }
  }
  let retried = 0;
  let recovered = 0;
  let lost = 0;
  for (const c of calls.values()) {
    if (c.attempts > 1) retried++;
    if (c.ok && c.failed) recovered++;
    if (!c.ok) lost++;
  }

  const series = clusterThroughput(d.samples, d.sampleIntervalUs);
  const faults: FaultJson[] = d.faults.map((f) => ({
    kind: f.kind, instance: f.instance, atMs: ms(f.atUs)!,
    durationMs: ms(f.endUs - f.atUs),
    timeToDetectMs: ms(f.detectedUs - f.atUs),
    timeToRejoinMs: ms(f.rejoinedUs - f.atUs),
    timeToRecoverMs: ms(timeToRecoverUs(series, d.sampleIntervalUs, f.atUs)),
    attemptsFailed: f.attemptsFailed,
    lostKvTokens: f.lostKvBlocks * d.blockSize,
    ...(f.kind === 'slowdown' ? { factor: f.factor } : {}),
  }));
  const detectable = d.faults.filter((f) => f.kind === 'crash' || f.kind === 'hang' || f.kind === 'partition');
  const detect = detectable.map((f) => f.detectedUs - f.atUs).filter(Number.isFinite);
  const recover = faults.map((f) => f.timeToRecoverMs).filter((x): x is number => x !== null);

  const done = completedWorkflows(d.workflows);
  const atFault = (w: WorkflowRecord): boolean => d.faults.some((f) => w.startUs <= f.atUs && f.atUs < w.endUs);
  const mkAt = done.filter(atFault).map((w) => (w.endUs - w.startUs) / 1000);
  const mkOther = done.filter((w) => !atFault(w)).map((w) => (w.endUs - w.startUs) / 1000);
  const [p50At] = percentiles(mkAt, [50]);
  const [p50Other] = percentiles(mkOther, [50]);

  const summary: Summary = {
    faultsInjected: d.faults.length,
    requestsRetried: retried,
    requestsRecovered: recovered,
    requestsLost: lost,
    workflowsRecovered: done.filter((w) => wfWithFailure.has(w.id)).length,
    recomputedPrefillTokens: d.recomputedPrefillTokens,
    lostKvTokens: faults.reduce((s, f) => s + f.lostKvTokens, 0),
    timeToDetectMs: mean(detect) / 1000,
    faultsUndetected: detectable.length - detect.length,
    timeToRecoverMs: mean(recover),
    faultsUnrecovered: faults.length - recover.length,
    workflowsAtFault: mkAt.length,
    makespanMsP50AtFault: p50At!,
    makespanMsP50NoFault: p50Other!,
    makespanInflationAtFault: p50At! / p50Other!,
  };
  for (const k of Object.keys(summary)) summary[k] = roundTo(summary[k]!, 6);
  return { summary, faults };
}
