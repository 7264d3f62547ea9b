import { fmt, relChange } from '../../reports/markdown.js';
import type { Report } from '../../reports/report.js';
import { leaderboard } from '../../reports/leaderboard.js';
import { loadText } from '../../reports/load.js';

const COLS = [
  { metric: 'workflowsCompleted', title: 'wf done', digits: 0 },
  { metric: 'makespanMsP50', title: 'makespan p50 ms', digits: 0 },
  { metric: 'makespanMsP99', title: 'makespan p99 ms', digits: 0 },
  { metric: 'ttftMsP99', title: 'TTFT p99 ms', digits: 1 },
  { metric: 'outputTokensPerSec', title: 'out tok/s', digits: 0 },
  { metric: 'prefixCacheHitRate', title: 'hit rate', digits: 3 },
] as const;

const KV_COLS = [
  { metric: 'kvCpuHitRate', title: 'CPU hit', digits: 3 },
  { metric: 'kvRemoteHitRate', title: 'remote hit', digits: 3 },
  { metric: 'kvLoadsDeclined', title: 'declined', digits: 0 },
  { metric: 'kvLoadS', title: 'loading s', digits: 1 },
  { metric: 'kvSavedComputeS', title: 'saved s', digits: 1 },
  { metric: 'tpotMsP50', title: 'TPOT p50 ms', digits: 2 },
  { metric: 'pdTransferMsP50', title: 'transfer p50 ms', digits: 1 },
  { metric: 'utilPrefillPool', title: 'P util', digits: 2 },
  { metric: 'utilDecodePool', title: 'D util', digits: 2 },
] as const;

const FAILOVER_COLS = [
  { metric: 'workflowsFailed', title: 'wf failed', digits: 0 },
  { metric: 'requestsRetried', title: 'retried', digits: 0 },
  { metric: 'requestsLost', title: 'lost', digits: 0 },
  { metric: 'recomputedPrefillTokens', title: 'recomputed tok', digits: 0 },
  { metric: 'timeToDetectMs', title: 'detect ms', digits: 0 },
  { metric: 'timeToRecoverMs', title: 'recover ms', digits: 0 },
  { metric: 'makespanInflationAtFault', title: 'makespan × at fault', digits: 2 },
] as const;

/** A short plain-text table per workload (medians across seeds, change vs the first policy). */
export function consoleSummary(report: Report): string {
  const out: string[] = [];
  for (const w of report.workloads) {
    const rows = report.aggregates.filter((a) => a.workload === w.name);
    out.push(`${w.name} (${loadText(w.pattern, w.params).split(';')[0]!}), median of ${report.scenario.seeds.length} seed(s):`);
    const lb = rows.length > 1 ? leaderboard(report, w.name) : null;
    if (lb) out.push(`  ${lb.verdict.replace(/^On [^:]*\): /, '')}`);
    out.push(...table(rows, COLS));
    if (rows.some((r) => 'kvLoads' in r.summary)) out.push('  KV tiers and disaggregation:', ...table(rows, KV_COLS));
    if (rows.some((r) => 'faultsInjected' in r.summary)) out.push('  failover:', ...table(rows, FAILOVER_COLS));
    out.push('');
  }
  return out.join('\n');
}

function table(rows: Report['aggregates'], cols: readonly { metric: string; title: string; digits: number }[]): string[] {
  const t: string[][] = [['policy', ...cols.map((c) => c.title)]];
  rows.forEach((r, i) => {
    t.push([r.policy, ...cols.map((c) => {
      const v = r.summary[c.metric]?.median ?? null;
      const d = i === 0 ? '' : relChange(v, rows[0]!.summary[c.metric]?.median ?? null);
      return `${fmt(v, c.digits)}${d ? ` (${d})` : ''}`;
    })]);
  });
  const widths = t[0]!.map((_, c) => Math.max(...t.map((row) => row[c]!.length)));
  return t.map((row) => `  ${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')}`);
}
