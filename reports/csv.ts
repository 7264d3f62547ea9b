import { requestLatencies, type RequestRecord, type WorkflowRecord } from './records.js';
import type { Summary } from './summary.js';

/** Columns of requests.csv (one row per LLM call attempt). */
export const REQUEST_COLUMNS = [
  'workload', 'policy', 'seed', 'id', 'workflowId', 'nodeId', 'agentId', 'instance', 'outcome', 'reason', 'attempt',
  'sendMs', 'ttftMs', 'tpotMs', 'e2eMs', 'queueMs', 'promptTokens', 'cachedPromptTokens', 'crossAgentCachedTokens',
  'outputTokens', 'preemptions',
] as const;

/** Columns of workflows.csv (one row per workflow). */
export const WORKFLOW_COLUMNS = [
  'workload', 'policy', 'seed', 'id', 'pattern', 'outcome', 'reason', 'arrivalMs', 'startMs', 'endMs', 'makespanMs',
  'criticalPathMs', 'calls', 'stepsOk', 'stepsFailed', 'retries', 'affinity',
] as const;

type Field = string | number;

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * RFC 4180 records, byte for byte what csv-stringify's defaults wrote (quote a field holding a
 * comma, quote, CR or LF; double its quotes; LF after every record), without its per-field
 * option handling: requests.csv has a row per LLM call, so this is on the run's critical path.
 */
export function csvRows(rows: readonly (readonly Field[])[]): string {
  let out = '';
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    for (let j = 0; j < row.length; j++) {
      const f = row[j]!;
      const v = typeof f === 'number' ? String(f) : NEEDS_QUOTES.test(f) ? `"${f.replaceAll('"', '""')}"` : f;
      out += j === 0 ? v : `,${v}`;
    }
    out += '\n';
  }
  return out;
}

const num = (x: number, digits = 3): string => (Number.isFinite(x) ? String(Math.round(x * 10 ** digits) / 10 ** digits) : '');

/** The header line of a CSV file. */
export function csvHeader(columns: readonly string[]): string {
  return csvRows([columns]);
}

/** requests.csv rows of one run. */
export function requestRows(workload: string, policy: string, seed: number, reqs: readonly RequestRecord[]): string {
  return csvRows(reqs.map((r) => {
    const l = requestLatencies(r);
    return [
      workload, policy, seed, r.id, r.workflowId, r.nodeId, r.agentId, r.instance, r.outcome, r.reason, r.attempt,
      num(r.sendUs / 1000), num(l.ttftMs), num(l.tpotMs), num(l.e2eMs), num(l.queueMs), r.promptTokens,
      r.cachedPromptTokens, Number.isFinite(r.crossAgentCachedTokens) ? r.crossAgentCachedTokens : '', r.outputTokens, r.preemptions,
    ];
  }));
}

/** workflows.csv rows of one run. */
export function workflowRows(workload: string, policy: string, seed: number, wfs: readonly WorkflowRecord[]): string {
  return csvRows(wfs.map((w) => [
    workload, policy, seed, w.id, w.pattern, w.outcome, w.reason, num(w.arrivalUs / 1000), num(w.startUs / 1000),
    num(w.endUs / 1000), num((w.endUs - w.startUs) / 1000), num(w.criticalPathUs / 1000), w.calls, w.stepsOk,
    w.stepsFailed, w.retries, num(w.affinity, 4),
  ]));
}

/** summary.csv: one row per run, one column per metric. */
export function summaryCsv(runs: readonly { workload: string; policy: string; seed: number; summary: Summary }[]): string {
  // Policies add their own counters (routing.*, eviction.*...): the union of keys, first-seen order.
  const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.summary)))];
  return csvRows([
    ['workload', 'policy', 'seed', ...metrics],
    ...runs.map((r) => [r.workload, r.policy, r.seed, ...metrics.map((m) => num(r.summary[m] ?? NaN, 6))]),
  ]);
}
