import { LogHistogram } from '../../reports/histogram.js';
import { readRequestRows, readWorkflowRows } from '../../reports/csv-read.js';
import { requestRows, workflowRows } from '../../reports/csv.js';
import type { RequestRecord, WorkflowRecord } from '../../reports/records.js';
import type { Report, RunEntry, TruncationJson } from '../../reports/report.js';
import { summarize, type Summary } from '../../reports/summary.js';
import { liveSummary } from '../live/live-summary.js';

/** One slice's share of a cell: its run entry, its CSV rows and its inter-token latencies. */
export interface SliceCell {
  readonly run: RunEntry;
  readonly requests: string;
  readonly workflows: string;
  readonly itlMs: NonNullable<NonNullable<Report['shard']>['cells'][number]['itlMs']>;
}

// Counters the records cannot give back (the trace rows a slice skipped): summed over the slices.
const SUMMED = new Set(['traceRowsSkipped']);

/**
 * One cell of a live load driven in N slices (`load workflows --shard K/N`), merged: the slices'
 * records in send (and arrival) order, and the summary recomputed over all of them with the one
 * summarize() — percentiles of the union, not an average of the slices' percentiles — plus the
 * live figures. Each slice's times are on its own clock from its own start: the machines are
 * taken to have started together (merge reports how far apart they started).
 */
export function mergeSliceCell(slices: readonly SliceCell[], shard: NonNullable<Report['shard']>, report: Report): { run: RunEntry; requests: string; workflows: string } {
  const reqs: RequestRecord[] = [];
  const wfs: WorkflowRecord[] = [];
  const itl = new LogHistogram();
  for (const s of slices) {
    for (const r of readRequestRows(s.requests)) reqs.push(r.record);
    for (const w of readWorkflowRows(s.workflows)) wfs.push(w.record);
    itl.addSparse(s.itlMs);
  }
  reqs.sort((a, b) => a.sendUs - b.sendUs); // stable: ties stay in slice order
  wfs.sort((a, b) => a.arrivalUs - b.arrivalUs);
  const first = slices[0]!.run;
  const base = summarize({ requests: reqs, workflows: wfs, itlMs: itl, instances: [], samples: [], slo: shard.slo, percentileMethod: report.scenario.percentiles });
  const live = liveSummary(reqs, first.summary['timeScale'] ?? 1);
  const summary: Summary = {};
  for (const k of Object.keys(first.summary)) {
    summary[k] = k in base ? base[k]! : k in live ? live[k]! : SUMMED.has(k) ? slices.reduce((n, s) => n + (s.run.summary[k] ?? 0), 0) : NaN;
  }
  const truncated = mergeTruncation(slices.map((s) => s.run.truncated), wfs);
  const run: RunEntry = {
    ...first, summary, end: slices.some((s) => s.run.end === 'limit') ? 'limit' : 'drained',
    ...(truncated ? { truncated } : {}),
  };
  return { run, requests: requestRows(first.workload, first.policy, first.seed, reqs), workflows: workflowRows(first.workload, first.policy, first.seed, wfs) };
}

/** A cut by a run limit in any slice, over the merged workflows (the latest stop; the workload's own requested count). */
function mergeTruncation(cuts: readonly (TruncationJson | undefined)[], wfs: readonly WorkflowRecord[]): TruncationJson | undefined {
  const cut = cuts.filter((c): c is TruncationJson => c !== undefined);
  if (cut.length === 0) return undefined;
  const requested = cut[0]!.workflowsRequested;
  return {
    ...cut[0]!, atS: Math.max(...cut.map((c) => c.atS)), workflowsStarted: wfs.length,
    workflowsCompleted: wfs.filter((w) => w.outcome === 'completed').length,
    workflowsNotStarted: requested === null ? null : Math.max(0, requested - wfs.length),
  };
}
