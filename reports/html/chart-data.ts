import { requestLatencies, type RequestRecord, type WorkflowRecord } from '../records.js';
import { quantileSorted, roundTo } from '../stats.js';

/** A latency distribution of one (workload, policy), as up to `points` quantiles. */
export interface CdfSeries {
  readonly workload: string;
  readonly policy: string;
  readonly metric: 'ttftMs' | 'e2eMs';
  /** Successful requests the distribution covers. */
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

/** What report.html draws beyond report.json: bounded samples from the first seed's runs. */
export interface ChartData {
  readonly seed: number;
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

const DEFAULT_LIMITS: ChartSampleLimits = { cdfPoints: 200, ganttWorkflows: 4, ganttCallsPerWorkflow: 40 };

/**
 * Collects, cell by cell, the few things the HTML charts need from the first seed's runs:
 * latency quantiles and the calls of a few workflows. Memory is bounded by the limits ×
 * workloads × policies, whatever the run length; the cell's records are not kept.
 */
export class ChartSampler {
  readonly #seed: number;
  readonly #limits: ChartSampleLimits;
  readonly #cdfs: CdfSeries[] = [];
  readonly #gantt: GanttCall[] = [];
  /** Workflow ids drawn per workload, chosen on the workload's first policy. */
  readonly #chosen = new Map<string, Set<string>>();

  constructor(seed: number, limits: Partial<ChartSampleLimits> = {}) {
    this.#seed = seed;
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Take what the charts need from one cell; cells of other seeds are ignored. */
  addCell(workload: string, policy: string, seed: number, requests: readonly RequestRecord[], workflows: readonly WorkflowRecord[]): void {
    if (seed !== this.#seed) return;
    const ok = requests.filter((r) => r.outcome === 'ok').map(requestLatencies);
    for (const metric of ['ttftMs', 'e2eMs'] as const) {
      const sorted = Float64Array.from(ok.map((l) => l[metric]).filter(Number.isFinite)).sort();
      this.#cdfs.push({ workload, policy, metric, n: sorted.length, points: cdfPoints(sorted, this.#limits.cdfPoints) });
    }
    let chosen = this.#chosen.get(workload);
    if (!chosen) {
      chosen = pickWorkflows(workflows, this.#limits.ganttWorkflows);
      this.#chosen.set(workload, chosen);
    }
    const starts = new Map(workflows.filter((w) => chosen.has(w.id)).map((w) => [w.id, w.startUs]));
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

  /** The samples collected so far. */
  data(): ChartData {
    return { seed: this.#seed, cdfs: this.#cdfs, gantt: this.#gantt };
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

/** `n` workflows from the middle of the run (steady state rather than an empty cluster), by start time. */
function pickWorkflows(workflows: readonly WorkflowRecord[], n: number): Set<string> {
  const byStart = [...workflows].sort((a, b) => a.startUs - b.startUs || (a.id < b.id ? -1 : 1));
  const from = Math.max(0, Math.floor(byStart.length / 2) - Math.floor(n / 2));
  return new Set(byStart.slice(from, from + n).map((w) => w.id));
}
