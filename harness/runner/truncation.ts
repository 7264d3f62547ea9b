import type { Rows, WorkflowRecord } from '../../reports/records.js';
import type { TruncationJson } from '../../reports/report.js';

/** The run limit that stopped a cell, as the cell saw it. */
export interface LimitHit {
  /** The scenario key of the limit (`limits.maxSimS`, `limits.maxEvents`, `live.maxDurationS`). */
  readonly limit: string;
  /** The limit's value in its own unit (seconds, events). */
  readonly value: number;
  /** Simulated (or, live, wall-clock) seconds when it stopped. */
  readonly atS: number;
}

/**
 * How many workflows a workload asks for: its `workflows` count, or undefined when that is not
 * known up front (arrivals bounded by `durationS`; a mixed workload's background chat, whose
 * requests arrive as long as the workflows do).
 */
export function workflowsRequested(spec: { workflows?: number | undefined; background?: unknown }): number | undefined {
  return spec.background !== undefined ? undefined : spec.workflows;
}

/**
 * What a limit cut from one cell: how many workflows the workload asked for (null when its
 * arrivals are bounded by time, not a count), started, completed, and never started.
 */
export function truncation(hit: LimitHit, requested: number | undefined, workflows: Rows<WorkflowRecord>): TruncationJson {
  let completed = 0;
  for (const w of workflows) if (w.outcome === 'completed') completed++;
  return {
    limit: hit.limit, value: hit.value, atS: Math.round(hit.atS * 1000) / 1000,
    workflowsRequested: requested ?? null, workflowsStarted: workflows.length, workflowsCompleted: completed,
    workflowsNotStarted: requested === undefined ? null : Math.max(0, requested - workflows.length),
  };
}

/** One console line per truncated run (at most `max`, then a count), for stderr. */
export function truncationWarning(runs: readonly { workload: string; policy: string; seed: number; truncated?: TruncationJson | undefined }[], max = 5): string {
  const cut = runs.filter((r) => r.truncated !== undefined);
  if (cut.length === 0) return '';
  const lines = cut.slice(0, max).map((r) => {
    const t = r.truncated!;
    const n = (x: number): string => x.toLocaleString('en-US');
    const notStarted = t.workflowsNotStarted === null ? 'arrivals bounded by time, so the number not started is unknown' : `${n(t.workflowsNotStarted)} of ${n(t.workflowsRequested!)} workflows never started`;
    return `  ${r.workload} × ${r.policy} × seed ${r.seed}: ${t.limit} (${n(t.value)}) reached at ${n(t.atS)} s; ` +
      `${n(t.workflowsStarted)} workflows started, ${n(t.workflowsCompleted)} completed, ${notStarted}\n`;
  });
  if (cut.length > max) lines.push(`  ... and ${cut.length - max} more (report.json: runs[].truncated)\n`);
  return `warning: ${cut.length} of ${runs.length} runs stopped at a run limit; their results cover only part of the workload:\n${lines.join('')}` +
    'raise the limit in the scenario (docs/limits.md), or pass --allow-truncation to accept cut runs (exit 0)\n';
}
