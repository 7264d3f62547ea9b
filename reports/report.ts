import type { Slo } from './slo.js';
import type { CapacityEntry } from './capacity.js';
import type { InstanceStats, Summary } from './summary.js';
import type { InstanceSample } from './timeseries.js';
import { median as ssMedian } from 'simple-statistics';
import { roundTo, type PercentileMethod } from './stats.js';
import type { FaultJson } from './failover.js';
import type { WorkloadParams } from './load.js';
import type { SparseHistogram } from './histogram.js';

/** Version of the report.json layout; bump on any incompatible change. */
export const SCHEMA_VERSION = 1;

/** A run's instance timeseries in compact columnar rows. */
export interface TimeseriesJson {
  readonly intervalMs: number;
  readonly columns: readonly ['tMs', 'instance', 'kvUsage', 'running', 'waiting', 'healthy', 'tokens', 'state', 'prefillTokens', 'decodeTokens'];
  /** `tokens`: output tokens; `prefillTokens` / `decodeTokens`: tokens computed by prefill and decode, each per interval. */
  readonly rows: readonly (readonly [number, string, number, number, number, boolean, number, string, number, number])[];
}

/** One matrix cell in report.json. */
export interface RunEntry {
  readonly workload: string;
  readonly policy: string;
  readonly seed: number;
  /** 'limit' when a run limit cut the run short (open requests ended as timeouts). */
  readonly end: 'drained' | 'limit';
  readonly summary: Summary;
  readonly instances: readonly InstanceStats[];
  /** The faults injected in this run (scenarios with `faults:`). */
  readonly faults?: readonly FaultJson[];
  /** Present when a run limit cut the run: which, when, and how many workflows it cut. */
  readonly truncated?: TruncationJson;
  /** Present on the runs of the scenario's first seed. */
  readonly timeseries?: TimeseriesJson;
}

/** What a run limit cut from a run (`workflowsTotal` in the summary counts started workflows). */
export interface TruncationJson {
  /** Scenario key of the limit: limits.maxSimS, limits.maxEvents or live.maxDurationS. */
  readonly limit: string;
  /** The limit's value (seconds or events). */
  readonly value: number;
  /** Seconds (simulated; live: wall-clock) when the run stopped. */
  readonly atS: number;
  /** The workload's `workflows` count; null when its arrivals are bounded by `durationS` instead. */
  readonly workflowsRequested: number | null;
  readonly workflowsStarted: number;
  readonly workflowsCompleted: number;
  readonly workflowsNotStarted: number | null;
}

/** Median and range of one metric across seeds (null when undefined in every seed). */
export interface Spread {
  readonly median: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly n: number;
}

/** Per (workload, policy): every metric across seeds. */
export interface AggregateEntry {
  readonly workload: string;
  readonly policy: string;
  readonly seeds: readonly number[];
  readonly summary: Readonly<Record<string, Spread>>;
}

/** A policy as compared. */
export interface PolicyJson {
  readonly name: string;
  readonly routing: string;
  readonly scheduling: string;
  readonly eviction: string;
  /** Workflow-level recovery option (fail-workflow, retry-call, restart-workflow). */
  readonly recovery: string;
  /** KV tiers outside GPU memory, when the policy has any. */
  readonly kvTiers?: string;
  /** Prefill/decode disaggregation, when the policy uses it. */
  readonly disaggregation?: string;
}

/** The report.json contract (DESIGN.md, "report.json contract"). */
export interface Report {
  readonly schemaVersion: number;
  readonly tool: { readonly name: 'agentbench'; readonly version: string };
  readonly scenario: {
    readonly name: string;
    readonly hash: string;
    readonly mode: 'sim' | 'live';
    readonly description?: string;
    readonly seeds: readonly number[];
    /** The scenario's regression gates (metric → limits), when it sets any. */
    readonly gates?: Readonly<Record<string, Readonly<Record<string, number | undefined>>>>;
    /** How request and workflow percentiles were taken (absent in reports written before it was selectable: linear). */
    readonly percentiles?: PercentileMethod;
    /** The metric the leaderboards rank by, when the scenario sets `report.rankBy`. */
    readonly rankBy?: string;
  };
  readonly cluster: Readonly<Record<string, string | number | boolean>>;
  readonly policies: readonly PolicyJson[];
  /**
   * Each workload with the parameters the run applied (arrivals, sizes, lengths; defaults filled
   * in); a sweep point's workload names its base and the point's values.
   */
  readonly workloads: readonly { readonly name: string; readonly pattern: string; readonly params?: WorkloadParams; readonly base?: string; readonly sweep?: Readonly<Record<string, SweepValue>> }[];
  /** A swept scenario: its axes, its points in run order and, with an SLO, each policy's capacity at SLO. */
  readonly sweep?: {
    readonly axes: Readonly<Record<string, readonly SweepValue[]>>;
    readonly points: readonly { readonly label: string; readonly values: Readonly<Record<string, SweepValue>> }[];
    readonly slo?: Slo;
    readonly capacityAtSlo?: readonly CapacityEntry[];
  };
  readonly runs: readonly RunEntry[];
  readonly aggregates: readonly AggregateEntry[];
  /**
   * A partial report of `run --shard K/N`: which cells (0-based, in the unsharded run's order)
   * its runs are, and the bytes each cell's rows take in requests.csv and workflows.csv.
   * `agentbench merge` combines the shards into the report the unsharded run writes.
   */
  readonly shard?: {
    readonly index: number;
    readonly count: number;
    readonly totalCells: number;
    /** A slice's cells also carry their inter-token latencies (summaries are recomputed over every slice). */
    readonly cells: readonly { readonly cell: number; readonly requests: number; readonly workflows: number; readonly itlMs?: SparseHistogram }[];
    /**
     * 'workflows': a slice of a live load (`load workflows --shard K/N`), every cell driving every
     * N-th arrival; absent: a share of the cells (`run --shard K/N`).
     */
    readonly split?: 'workflows';
    /** A slice's SLO, to recompute goodput and attainment over the merged records. */
    readonly slo?: Slo;
  };
}

/** A value a sweep axis takes. */
export type SweepValue = number | string | boolean;

/** Compact a sample list into report rows. */
export function timeseriesJson(samples: readonly InstanceSample[], intervalUs: number): TimeseriesJson {
  return {
    intervalMs: intervalUs / 1000,
    columns: ['tMs', 'instance', 'kvUsage', 'running', 'waiting', 'healthy', 'tokens', 'state', 'prefillTokens', 'decodeTokens'],
    rows: samples.map((s) => [
      roundTo(s.tMs, 3), s.instance, s.kvUsage, s.running, s.waiting, s.healthy, s.tokens, s.state, s.prefillTokens, s.decodeTokens,
    ] as const),
  };
}

/** Median of finite values (simple-statistics: the mean of the middle two for an even count), NaN if none. */
export function median(values: readonly number[]): number {
  const v = values.filter(Number.isFinite);
  return v.length === 0 ? NaN : ssMedian(v);
}

const orNull = (x: number): number | null => (Number.isFinite(x) ? roundTo(x, 6) : null);

/** Median / min / max of every summary metric across seeds, per (workload, policy), in run order. */
export function aggregate(runs: readonly RunEntry[]): AggregateEntry[] {
  const groups = new Map<string, RunEntry[]>();
  for (const r of runs) {
    const k = `${r.workload}\u0000${r.policy}`;
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const out: AggregateEntry[] = [];
  for (const g of groups.values()) {
    const first = g[0]!;
    const summary: Record<string, Spread> = {};
    for (const metric of Object.keys(first.summary)) {
      const vals = g.map((r) => r.summary[metric] ?? NaN).filter(Number.isFinite);
      summary[metric] = {
        median: orNull(median(vals)),
        min: vals.length ? orNull(Math.min(...vals)) : null,
        max: vals.length ? orNull(Math.max(...vals)) : null,
        n: vals.length,
      };
    }
    out.push({ workload: first.workload, policy: first.policy, seeds: g.map((r) => r.seed), summary });
  }
  return out;
}

/** Serialise a report deterministically (fixed key order from construction, 2-space indent). */
export function reportToJson(report: Report): string {
  return `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}
