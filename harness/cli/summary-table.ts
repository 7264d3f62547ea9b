import { fmt, relChange } from '../../reports/markdown.js';
import type { Report } from '../../reports/report.js';

const COLS = [
  { metric: 'workflowsCompleted', title: 'wf done', digits: 0 },
  { metric: 'makespanMsP50', title: 'makespan p50 ms', digits: 0 },
  { metric: 'makespanMsP99', title: 'makespan p99 ms', digits: 0 },
  { metric: 'ttftMsP99', title: 'TTFT p99 ms', digits: 1 },
  { metric: 'outputTokensPerSec', title: 'out tok/s', digits: 0 },
  { metric: 'prefixCacheHitRate', title: 'hit rate', digits: 3 },
] as const;

/** A short plain-text table per workload (medians across seeds, change vs the first policy). */
export function consoleSummary(report: Report): string {
  const out: string[] = [];
  for (const w of report.workloads) {
    const rows = report.aggregates.filter((a) => a.workload === w.name);
    const table: string[][] = [['policy', ...COLS.map((c) => c.title)]];
    rows.forEach((r, i) => {
      table.push([r.policy, ...COLS.map((c) => {
        const v = r.summary[c.metric]?.median ?? null;
        const d = i === 0 ? '' : relChange(v, rows[0]!.summary[c.metric]?.median ?? null);
        return `${fmt(v, c.digits)}${d ? ` (${d})` : ''}`;
      })]);
    });
    const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
    out.push(`${w.name} (${w.pattern}), median of ${report.scenario.seeds.length} seed(s):`);
    for (const row of table) out.push(`  ${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')}`);
    out.push('');
  }
  return out.join('\n');
}
