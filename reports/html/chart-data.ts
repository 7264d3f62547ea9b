import { requestLatencies, type RequestRecord, type Rows, type WorkflowRecord } from '../records.js';
import { quantileSorted, roundTo } from '../stats.js';

/** Latencies drawn as distributions (per request; inter-token latency exists only as a per-run histogram). */
export const CDF_METRICS = ['ttftMs', 'tpotMs', 'e2eMs'] as const;
/** One of CDF_METRICS. */
export type CdfMetric = (typeof CDF_METRICS)[number];

/** A latency distribution of one (workload, policy) pooled over every seed, as up to `points` quantiles. */
export interface CdfSeries {
  readonly workload: string;
  readonly policy: string;
  readonly metric: CdfMetric;
  /** Successful requests the distribution covers (all seeds). */
  readonly n: number;
  /** [value ms, cumulative fraction], ascending. */
  readonly points: readonly (readonly [number, number])[];
}

/** One call of a sampled workflow, in ms since the workflow started. */
export interface GanttCall {
  readonly workload: string;
  readonly policy: string;
  readonly workflowId: string;
  readonly nodeId: string;
  readonly instance: string;
  readonly outcome: string;
  readonly sendMs: number;
  /** End of the wait in the engine's queue (NaN where unknown, e.g. live). */
  readonly queuedUntilMs: number;
  /** NaN when no token arrived. */
  readonly firstTokenMs: number;
  readonly endMs: number;
}

/** What report.html draws beyond report.json: latency quantiles over every seed, and a few workflows of the first seed. */
export interface ChartData {
  /** The seed the workflow timelines come from. */
  readonly seed: number;
  /** Seeds pooled into the latency distributions. */
  readonly cdfSeeds: readonly number[];
  readonly cdfs: readonly CdfSeries[];
  readonly gantt: readonly GanttCall[];
}

/** Bounds of a chart sample. */
export interface ChartSampleLimits {
  /** Quantile points per latency distribution. */
  readonly cdfPoints: number;
  /** Workflows per workload in the timeline (the same ones for every policy). */
  readonly ganttWorkflows: number;
  /** Calls per workflow drawn at most. */
  readonly ganttCallsPerWorkflow: number;
}

const DEFAULT_LIMITS: ChartSampleLimits = { cdfPoints: 100, ganttWorkflows: 4, ganttCallsPerWorkflow: 40 };

/**
 * Collects, cell by cell, the few things the HTML charts need: latency quantiles of every
 * seed (pooled when read) and the calls of a few workflows of the first seed. Memory is
 * bounded by the limits × workloads × policies × seeds, whatever the run length; the cell's
 * records are not kept.
 */
export class ChartSampler {
  readonly #seed: number;
  readonly #limits: ChartSampleLimits;
  /** Per (workload, policy, metric) in arrival order: each seed's quantiles. */
  readonly #perSeed = new Map<string, { workload: string; policy: string; metric: CdfMetric; parts: CdfSeries[] }>();
  readonly #cdfSeeds = new Set<number>();
  readonly #gantt: GanttCall[] = [];
  /** Workflow ids drawn per workload, chosen on the workload's first policy. */
  readonly #chosen = new Map<string, Set<string>>();

  constructor(seed: number, limits: Partial<ChartSampleLimits> = {}) {
    this.#seed = seed;
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Take what the charts need from one cell: its latency quantiles, and workflow calls when it is the first seed's. */
  addCell(workload: string, policy: string, seed: number, requests: Rows<RequestRecord>, workflows: Rows<WorkflowRecord>): void {
    const ok: ReturnType<typeof requestLatencies>[] = [];
    for (const r of requests) if (r.outcome === 'ok') ok.push(requestLatencies(r));
    this.#cdfSeeds.add(seed);
    for (const metric of CDF_METRICS) {
      const sorted = Float64Array.from(ok.map((l) => l[metric]).filter(Number.isFinite)).sort();
      const k = `${workload}\u0000${policy}\u0000${metric}`;
      let g = this.#perSeed.get(k);
      if (!g) this.#perSeed.set(k, (g = { workload, policy, metric, parts: [] }));
      g.parts.push({ workload, policy, metric, n: sorted.length, points: cdfPoints(sorted, this.#limits.cdfPoints) });
    }
    if (seed !== this.#seed) return;
    let chosen = this.#chosen.get(workload);
    if (!chosen) {
      chosen = pickWorkflows(workflows, this.#limits.ganttWorkflows);
      this.#chosen.set(workload, chosen);
    }
    const starts = new Map<string, number>();
    for (const w of workflows) if (chosen.has(w.id)) starts.set(w.id, w.startUs);
    const perWf = new Map<string, number>();
    for (const r of requests) {
      const t0 = starts.get(r.workflowId);
      if (t0 === undefined) continue;
      const k = perWf.get(r.workflowId) ?? 0;
      if (k >= this.#limits.ganttCallsPerWorkflow) continue;
      perWf.set(r.workflowId, k + 1);
      const ms = (us: number): number => roundTo((us - t0) / 1000, 3);
      this.#gantt.push({
        workload, policy, workflowId: r.workflowId, nodeId: r.attempt > 0 ? `${r.nodeId}#${r.attempt}` : r.nodeId,
        instance: r.instance, outcome: r.outcome, sendMs: ms(r.sendUs),
        queuedUntilMs: Number.isFinite(r.queueUs) ? ms(r.sendUs + r.queueUs) : NaN,
        firstTokenMs: ms(r.firstTokenUs), endMs: ms(r.endUs),
      });
    }
  }

  /** The samples collected so far (distributions pooled over the seeds seen). */
  data(): ChartData {
    const cdfs = [...this.#perSeed.values()].map((g) => ({
      workload: g.workload, policy: g.policy, metric: g.metric, n: g.parts.reduce((s, p) => s + p.n, 0),
      points: poolCdfs(g.parts, this.#limits.cdfPoints),
    }));
    return { seed: this.#seed, cdfSeeds: [...this.#cdfSeeds].sort((a, b) => a - b), cdfs, gantt: this.#gantt };
  }
}

/** Up to `n` evenly spaced quantiles of sorted values as CDF points (all values when fewer). */
export function cdfPoints(sorted: Float64Array, n: number): [number, number][] {
  const out: [number, number][] = [];
  if (sorted.length === 0) return out;
  if (sorted.length <= n) {
    sorted.forEach((v, i) => out.push([roundTo(v, 3), roundTo((i + 1) / sorted.length, 5)]));
    return out;
  }
  for (let i = 1; i <= n; i++) {
    const q = i / n;
    out.push([roundTo(quantileSorted(sorted, q), 3), roundTo(q, 5)]);
  }
  return out;
}

/**
 * Quantiles of the mixture of several seeds' distributions, each weighted by its request
 * count: F(x) = Σ n_s F_s(x) / Σ n_s, with F_s the step function of seed s's quantile points.
 * One seed gives its own points back.
 */
export function poolCdfs(parts: readonly CdfSeries[], n: number): [number, number][] {
  const live = parts.filter((p) => p.n > 0 && p.points.length > 0);
  if (live.length === 0) return [];
  if (live.length === 1) return live[0]!.points.map(([x, p]) => [x, p]);
  const total = live.reduce((s, p) => s + p.n, 0);
  const xs = [...new Set(live.flatMap((p) => p.points.map(([x]) => x)))].sort((a, b) => a - b);
  const idx = live.map(() => 0);
  const F: number[] = [];
  for (const x of xs) {
    let f = 0;
    live.forEach((p, s) => {
      while (idx[s]! < p.points.length && p.points[idx[s]!]![0] <= x) idx[s]!++;
      f += idx[s]! === 0 ? 0 : p.n * p.points[idx[s]! - 1]![1];
    });
    F.push(f / total);
  }
  const out: [number, number][] = [];
  let j = 0;
  for (let i = 1; i <= n; i++) {
    const q = i / n;
    while (j < xs.length - 1 && F[j]! < q - 1e-12) j++;
    const point: [number, number] = [xs[j]!, roundTo(F[j]!, 5)];
    if (out.length === 0 || out.at(-1)![0] !== point[0]) out.push(point);
  }
  return out;
}

/** `n` workflows from the middle of the run (steady state rather than an empty cluster), by start time. */
function pickWorkflows(workflows: Rows<WorkflowRecord>, n: number): Set<string> {
  const byStart = [...workflows].sort((a, b) => a.startUs - b.startUs || (a.id < b.id ? -1 : 1));
  const from = Math.max(0, Math.floor(byStart.length / 2) - Math.floor(n / 2));
  return new Set(byStart.slice(from, from + n).map((w) => w.id));
}
