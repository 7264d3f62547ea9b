import type { RunEntry } from '../../reports/report.js';

/**
 * A note for stderr naming the trace workloads whose malformed rows `--skip-bad-rows` skipped
 * (the count is per file, so the first seed's run stands for all).
 */
export function skippedRowsNote(runs: readonly Pick<RunEntry, 'workload' | 'summary'>[]): string {
  const byWorkload = new Map<string, number>();
  for (const r of runs) {
    const n = r.summary['traceRowsSkipped'];
    if (n !== undefined && n > 0 && !byWorkload.has(r.workload)) byWorkload.set(r.workload, n);
  }
  return [...byWorkload].map(([w, n]) => `note: skipped ${n.toLocaleString('en-US')} malformed row(s) of trace workload '${w}' (--skip-bad-rows; traceRowsSkipped in report.json)\n`).join('');
}
