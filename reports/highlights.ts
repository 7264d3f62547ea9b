import { fmt } from './format.js';
import type { AggregateEntry, Report } from './report.js';
import { leaderboard } from './leaderboard.js';

interface Headline {
  readonly metric: string;
  readonly label: string;
  readonly better: 'lower' | 'higher';
  readonly show: (x: number) => string;
}

const HEADLINES: readonly Headline[] = [
  { metric: 'makespanMsP99', label: 'makespan p99', better: 'lower', show: (x) => `${fmt(x, 0)} ms` },
  { metric: 'ttftMsP99', label: 'TTFT p99', better: 'lower', show: (x) => `${fmt(x, 1)} ms` },
  { metric: 'outputTokensPerSec', label: 'output throughput', better: 'higher', show: (x) => `${fmt(x, 0)} tok/s` },
  { metric: 'prefixCacheHitRate', label: 'prefix-cache hit rate', better: 'higher', show: (x) => `${(x * 100).toFixed(1)}%` },
];

/** "a", "a and b", "a, b and c". */
function listText(xs: readonly string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)!}`;
}

/** Differences smaller than this (relative) count as a tie. */
const TIE = 0.01;

/** One sentence per workload on which policy wins which headline metric and by how much. */
function workloadSentence(workload: string, rows: readonly AggregateEntry[], skip: readonly string[] = []): string | null {
  if (rows.length < 2) return null;
  const wins: string[] = [];
  const ties: string[] = [];
  const leads: string[] = [];
  const winners = new Set<string>();
  for (const h of HEADLINES.filter((x) => !skip.includes(x.metric))) {
    const vals = rows.flatMap((r) => {
      const s = r.summary[h.metric];
      return s && s.median !== null ? [{ policy: r.policy, s }] : [];
    });
    if (vals.length < 2) continue;
    vals.sort((a, b) => (h.better === 'lower' ? a.s.median! - b.s.median! : b.s.median! - a.s.median!));
    const [best, next, worst] = [vals[0]!, vals[1]!, vals.at(-1)!];
    const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
    const gap = rel(best.s.median!, next.s.median!);
    if (rel(best.s.median!, worst.s.median!) < TIE) {
      ties.push(h.label); // every policy within the tie band
      continue;
    }
    if (gap < TIE) {
      // Only the leaders tie: name them rather than claiming all policies are alike.
      const leaders = vals.filter((v) => rel(best.s.median!, v.s.median!) < TIE).map((v) => v.policy);
      leads.push(`${leaders.length > MAX_NAMED ? `${leaders.length} policies (${capped(leaders, 3)})` : listText(leaders)} share the ${h.better === 'lower' ? 'lowest' : 'highest'} ${h.label} (within ${TIE * 100}%, ${h.show(best.s.median!)}; ${worst.policy} ${h.show(worst.s.median!)})`);
      continue;
    }
    // With several seeds, say whether the seed ranges are apart or overlap.
    const overlap = best.s.n > 1 && next.s.n > 1 && (h.better === 'lower' ? best.s.max! >= next.s.min! : best.s.min! <= next.s.max!);
    const sep = best.s.n > 1 && next.s.n > 1 ? (overlap ? ', seed ranges overlap' : ', on every seed') : '';
    winners.add(best.policy);
    wins.push(`${best.policy} has the ${h.better === 'lower' ? 'lowest' : 'highest'} ${h.label} (${h.show(best.s.median!)}, ${(gap * 100).toFixed(1)}% ${h.better === 'lower' ? 'below' : 'above'} ${next.policy}${sep})`);
  }
  const parts: string[] = [];
  if (wins.length > 0) parts.push(wins.join('; '));
  if (leads.length > 0) parts.push(leads.join('; '));
  if (ties.length > 0) parts.push(`the policies are within ${TIE * 100}% of each other on ${listText(ties)}`);
  if (parts.length === 0) return null;
  const sweep = winners.size === 1 && wins.length >= 2 && ties.length === 0 && leads.length === 0 ? ` — ${[...winners][0]!} wins on every headline metric` : '';
  return `On ${workload}: ${parts.join('; ')}${sweep}.`;
}

/** Policies named per workload in a collapsed finding before "and N more". */
export const MAX_NAMED = 5;

function capped(xs: readonly string[], n: number): string {
  return xs.length <= n ? xs.join(', ') : `${xs.slice(0, n).join(', ')} and ${xs.length - n} more`;
}

/**
 * One sentence for a finding repeated across policies (failures, preemptions): per workload,
 * the policies it concerns, most first, the first MAX_NAMED by name.
 */
function collapsed(report: Report, metric: string, what: string): string[] {
  const parts: string[] = [];
  for (const w of report.workloads) {
    const hit = report.aggregates
      .filter((a) => a.workload === w.name && (a.summary[metric]?.median ?? 0) > 0)
      .map((a) => ({ policy: a.policy, n: a.summary[metric]!.median! }))
      .sort((a, b) => b.n - a.n || (a.policy < b.policy ? -1 : 1));
    if (hit.length === 0) continue;
    const all = report.aggregates.filter((a) => a.workload === w.name).length;
    const who = hit.length === all && all > 1 ? `all ${all} policies, ` : '';
    parts.push(`on ${w.name}: ${who}${capped(hit.map((h) => `${h.policy} (${fmt(h.n, 0)})`), MAX_NAMED)}`);
  }
  return parts.length > 0 ? [`${what}: ${parts.join('; ')}.`] : [];
}

/**
 * The "what stands out" paragraph, computed from the report: per workload which policy wins
 * which headline metric and by how much (and whether seeds agree), then anything unusual —
 * failed workflows, runs cut short by limits, preemptions, unhealthy instances.
 */
export function highlights(report: Report): string[] {
  const out: string[] = [];
  for (const w of report.workloads) {
    const rows = report.aggregates.filter((a) => a.workload === w.name);
    const lb = rows.length > 1 ? leaderboard(report, w.name) : null;
    // The verdict states the primary metric; the sentence after it covers the others.
    const s = workloadSentence(w.name, rows, lb ? [lb.metric] : []);
    const rest = s && lb ? ` Also ${s.replace(/^On [^:]*: /, '')}` : s ? ` ${s}` : '';
    if (lb || s) out.push(`${lb ? lb.verdict : ''}${rest}`.trim());
  }
  out.push(...collapsed(report, 'workflowsFailed', 'Workflows failed (median across seeds)'));
  out.push(...collapsed(report, 'preemptions', 'Requests were preempted because the KV cache ran short (median across seeds)'));
  const limited = report.runs.filter((r) => r.end === 'limit');
  if (limited.length > 0) out.push(`${limited.length} run(s) hit a run limit and ended their open requests as timeouts.`);
  const down = new Set<string>();
  for (const r of report.runs) {
    for (const row of r.timeseries?.rows ?? []) if (row[5] === false) down.add(`${row[1]} (${r.workload} × ${r.policy})`);
  }
  if (down.size > 0) out.push(`Instances were unhealthy during the run: ${capped([...down], MAX_NAMED * 2)}.`);
  if (out.length === 0) out.push('Only one policy ran, so there is nothing to compare.');
  return out;
}
