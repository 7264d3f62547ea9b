import { metricDirection } from './compare/direction.js';
import { MIN_SEEDS_FOR_TEST } from './compare/gates.js';
import { wilcoxonSignedRank } from './compare/signed-rank.js';
import { fmt } from './format.js';
import { loadText } from './load.js';
import type { Report, Spread } from './report.js';

/** The metric that ranks policies unless told otherwise: the slowest workflows' completion time. */
export const PRIMARY_METRIC = 'makespanMsP99';
/** Metrics shown beside the primary one (tie-breakers in this order). */
export const DECIDING_METRICS = ['ttftMsP99', 'outputTokensPerSec', 'prefixCacheHitRate'] as const;
/** Differences below this share count as a tie. */
export const TIE_SHARE = 0.01;

/** One policy's place on a workload's leaderboard. */
export interface LeaderRow {
  readonly rank: number;
  readonly policy: string;
  readonly primary: Spread;
  /** Change against the leader's median, percent (0 for the leader). */
  readonly vsLeaderPct: number;
  /** The leader is better on every seed pair by a one-sided exact Wilcoxon signed-rank test: p, or null when untestable. */
  readonly pValue: number | null;
  readonly pairs: number;
  readonly others: Readonly<Record<string, Spread | undefined>>;
}

/** A workload's ranking and its one-sentence verdict. */
export interface Leaderboard {
  readonly workload: string;
  readonly metric: string;
  readonly rows: readonly LeaderRow[];
  readonly verdict: string;
}

const LABEL: Record<string, string> = {
  makespanMsP99: 'makespan p99', makespanMsP50: 'makespan p50', ttftMsP99: 'TTFT p99', outputTokensPerSec: 'output tok/s',
  prefixCacheHitRate: 'prefix-cache hit rate', goodputWps: 'goodput', throughputRps: 'throughput',
};
/** Human name of a ranked metric. */
export const metricName = (m: string): string => LABEL[m] ?? m;

/** Human value of a metric: ms, tok/s, percent. */
export function metricValue(m: string, x: number | null): string {
  if (x === null) return '–';
  if (/Ms(P\d+|Mean)?$/.test(m)) return `${fmt(x, x >= 100 ? 0 : 1)} ms`;
  if (/Rate$/.test(m)) return `${fmt(x * 100, 1)}%`;
  if (/TokensPerSec$/.test(m)) return `${fmt(x, 0)} tok/s`;
  return fmt(x, Math.abs(x) >= 100 ? 0 : 2);
}

/**
 * Rank a workload's policies by a primary metric (the scenario's `report.rankBy`, else
 * makespan p99; median across seeds; lower or higher is
 * better as the metric's name says), ties broken by the deciding metrics. Each policy's gap
 * to the leader is tested over seeds as pairs (same seed = same workflows) with the gate's
 * exact Wilcoxon signed-rank test; with fewer than MIN_SEEDS_FOR_TEST seeds no test can reach
 * p < 0.05 and the verdict says so instead of claiming a winner beyond the medians.
 */
export function leaderboard(report: Report, workload: string, metric = report.scenario.rankBy ?? PRIMARY_METRIC): Leaderboard | null {
  const dir = metricDirection(metric) ?? 'lower';
  const sign = dir === 'lower' ? 1 : -1;
  const aggs = report.aggregates.filter((a) => a.workload === workload && (a.summary[metric]?.median ?? null) !== null);
  if (aggs.length === 0) return null;
  const key = (m: string, a: (typeof aggs)[number]): number => {
    const v = a.summary[m]?.median ?? null;
    const d = metricDirection(m) === 'higher' ? -1 : 1;
    return v === null ? Infinity : d * v;
  };
  const sorted = [...aggs].sort((a, b) => {
    const d = sign * (a.summary[metric]!.median! - b.summary[metric]!.median!);
    if (d !== 0) return d;
    for (const m of DECIDING_METRICS) {
      const e = key(m, a) - key(m, b);
      if (e !== 0) return e;
    }
    return a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0;
  });
  const leader = sorted[0]!;
  const best = leader.summary[metric]!.median!;
  const bySeed = (policy: string): Map<number, number> => {
    const m = new Map<number, number>();
    for (const r of report.runs) {
      const v = r.summary[metric];
      if (r.workload === workload && r.policy === policy && v !== undefined && Number.isFinite(v)) m.set(r.seed, v);
    }
    return m;
  };
  const leaderSeeds = bySeed(leader.policy);
  const rows: LeaderRow[] = sorted.map((a, i) => {
    const v = a.summary[metric]!.median!;
    const mine = bySeed(a.policy);
    const seeds = [...leaderSeeds.keys()].filter((s) => mine.has(s)).sort((x, y) => x - y);
    const test = i > 0 && seeds.length >= MIN_SEEDS_FOR_TEST
      ? wilcoxonSignedRank(seeds.map((s) => mine.get(s)!), seeds.map((s) => leaderSeeds.get(s)!), dir === 'lower' ? 'greater' : 'less').pValue
      : null;
    return {
      rank: i + 1, policy: a.policy, primary: a.summary[metric]!,
      vsLeaderPct: best === 0 ? 0 : ((v - best) / Math.abs(best)) * 100, pValue: test, pairs: seeds.length,
      others: Object.fromEntries(DECIDING_METRICS.map((m) => [m, a.summary[m]])),
    };
  });
  const w = report.workloads.find((x) => x.name === workload);
  return { workload, metric, rows, verdict: verdictOf(rows, metric, workload, w ? loadText(w.pattern, w.params).split(';')[0]! : '') };
}

function verdictOf(rows: readonly LeaderRow[], metric: string, workload: string, load: string): string {
  const on = `On ${workload}${load ? ` (${load})` : ''}: `;
  const first = rows[0]!;
  const name = metricName(metric);
  if (rows.length === 1) return `${on}${first.policy} alone: ${name} ${metricValue(metric, first.primary.median)}.`;
  const second = rows[1]!;
  if (Math.abs(second.vsLeaderPct) < TIE_SHARE * 100) {
    const tied = rows.filter((r) => Math.abs(r.vsLeaderPct) < TIE_SHARE * 100).map((r) => r.policy);
    const who = tied.length > 5 ? `${tied.length} policies (${tied.slice(0, 3).join(', ')} and ${tied.length - 3} more)` : tied.join(', ');
    return `${on}no clear winner: ${who} are within ${TIE_SHARE * 100}% on ${name} (${metricValue(metric, first.primary.median)}).`;
  }
  const evidence = second.pValue === null
    ? `${second.pairs} paired seed(s): too few for a test (${MIN_SEEDS_FOR_TEST} are needed for p < 0.05)`
    : second.pValue < 0.05 ? `better on seeds as pairs, p = ${second.pValue.toPrecision(2)}` : `not significant over ${second.pairs} paired seeds (p = ${second.pValue.toPrecision(2)})`;
  // "x% below the runner-up", as a share of the runner-up's value.
  const gap = (Math.abs(second.primary.median! - first.primary.median!) / Math.abs(second.primary.median!)) * 100;
  return `${on}${first.policy} wins: ${name} ${metricValue(metric, first.primary.median)}, ${gap.toFixed(1)}% ${metricDirection(metric) === 'higher' ? 'above' : 'below'} ${second.policy}; ${evidence}.`;
}

/** Text of the significance column. */
export function significanceText(r: LeaderRow): string {
  if (r.rank === 1) return 'leader';
  if (r.pValue === null) return `n/a (${r.pairs} seed${r.pairs === 1 ? '' : 's'})`;
  return `${r.pValue < 0.05 ? 'yes' : 'no'}, p = ${r.pValue.toPrecision(2)}`;
}

/** Most policies drawn as lines in one chart; beyond it lines and colours stop being readable. */
export const MAX_FEATURED = 6;
/** Most policies drawn as rows of small multiples (instance timelines, workflow timelines). */
export const MAX_FEATURED_ROWS = 4;

/**
 * The policies a per-policy chart draws when there are more than `max`: the leaderboard's
 * top `max` − 2, the last, and the scenario's first policy (the reference
 * the tables compare against), in rank order. All of them when they fit.
 */
export function featuredPolicies(report: Report, workload: string, max = MAX_FEATURED): { policies: string[]; note: string } {
  const all = report.policies.map((p) => p.name);
  if (all.length <= max) return { policies: all, note: '' };
  const lb = leaderboard(report, workload);
  if (!lb) return { policies: all.slice(0, max), note: ` The first ${max} of ${all.length} policies are drawn.` };
  const ranked = lb.rows.map((r) => r.policy);
  const pick = new Set([...ranked.slice(0, max - 2), ranked.at(-1)!, all[0]!]);
  const policies = ranked.filter((p) => pick.has(p));
  return {
    policies,
    note: ` ${policies.length} of ${all.length} policies are drawn: the leaderboard's top ${max - 2}, the last (${ranked.at(-1)!}) and the first listed (${all[0]!}, the tables' reference).`,
  };
}
