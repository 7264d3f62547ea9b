import { stringify } from 'csv-stringify/sync';
import { requestLatencies, type RequestRecord, type Rows, type WorkflowRecord } from './records.js';
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

/**
 * RFC 4180 records (csv-stringify: quote a field holding a comma, quote, CR or LF; LF after each
 * record). A row with nothing to quote is joined here: csv-stringify casts a number with `'' + n`
 * and writes such a string as it is, so the text is the same, and its per-field work (~2 µs,
 * a tenth of a 2,000-request run's wall time) is left to the rows that need it.
 */
export function csvRows(rows: readonly (readonly Field[])[]): string {
  let out = '';
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    out += plainRow(row) ?? stringify([row as Field[]]);
  }
  return out;
}

const NEEDS_QUOTES = /[,"\r\n]/;

// The row's record when no field needs quoting, else undefined.
function plainRow(row: readonly Field[]): string | undefined {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    const f = row[i]!;
    if (typeof f === 'string') {
      if (NEEDS_QUOTES.test(f)) return undefined;
      line += i === 0 ? f : `,${f}`;
    } else line += i === 0 ? `${f}` : `,${f}`;
  }
  return `${line}\n`;
}

const num = (x: number, digits = 3): string => (Number.isFinite(x) ? String(Math.round(x * 10 ** digits) / 10 ** digits) : '');

/** The header line of a CSV file. */
export function csvHeader(columns: readonly string[]): string {
  return csvRows([columns]);
}

/** Rows per chunk handed to a CSV sink: bounds the rows and text held at once, whatever the run length. */
export const CSV_CHUNK_ROWS = 4096;

// Streams rows to `sink` in chunks of CSV_CHUNK_ROWS, each chunk formatted by csv-stringify.
function streamRows<T>(items: Iterable<T>, row: (item: T) => Field[], sink: (chunk: string) => void): void {
  let rows: Field[][] = [];
  for (const item of items) {
    rows.push(row(item));
    if (rows.length === CSV_CHUNK_ROWS) {
      sink(csvRows(rows));
      rows = [];
    }
  }
  if (rows.length > 0) sink(csvRows(rows));
}

/** requests.csv rows of one run, handed to `sink` in bounded chunks. */
export function writeRequestRows(workload: string, policy: string, seed: number, reqs: Rows<RequestRecord>, sink: (chunk: string) => void): void {
  streamRows(reqs, (r) => {
    const l = requestLatencies(r);
    return [
      workload, policy, seed, r.id, r.workflowId, r.nodeId, r.agentId, r.instance, r.outcome, r.reason, r.attempt,
      num(r.sendUs / 1000), num(l.ttftMs), num(l.tpotMs), num(l.e2eMs), num(l.queueMs), r.promptTokens, r.cachedPromptTokens,
      Number.isFinite(r.crossAgentCachedTokens) ? r.crossAgentCachedTokens : '', r.outputTokens, r.preemptions,
    ];
  }, sink);
}

/** workflows.csv rows of one run, handed to `sink` in bounded chunks. */
export function writeWorkflowRows(workload: string, policy: string, seed: number, wfs: Rows<WorkflowRecord>, sink: (chunk: string) => void): void {
  streamRows(wfs, (w) => [
    workload, policy, seed, w.id, w.pattern, w.outcome, w.reason, num(w.arrivalUs / 1000), num(w.startUs / 1000), num(w.endUs / 1000),
    num((w.endUs - w.startUs) / 1000), num(w.criticalPathUs / 1000), w.calls, w.stepsOk, w.stepsFailed, w.retries, num(w.affinity, 4),
  ], sink);
}

/** requests.csv rows of one run as one string (small runs and tests). */
export function requestRows(workload: string, policy: string, seed: number, reqs: Rows<RequestRecord>): string {
  let out = '';
  writeRequestRows(workload, policy, seed, reqs, (c) => (out += c));
  return out;
}

/** workflows.csv rows of one run as one string (small runs and tests). */
export function workflowRows(workload: string, policy: string, seed: number, wfs: Rows<WorkflowRecord>): string {
  let out = '';
  writeWorkflowRows(workload, policy, seed, wfs, (c) => (out += c));
  return out;
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
