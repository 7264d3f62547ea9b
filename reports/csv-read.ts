import { parse } from 'csv-parse/sync';
import type { Outcome, RequestRecord, WorkflowRecord } from './records.js';
import { REQUEST_COLUMNS, WORKFLOW_COLUMNS } from './csv.js';

/** One row read back from requests.csv or workflows.csv: the cell it belongs to and its record. */
export interface CsvRow<R> {
  readonly workload: string;
  readonly policy: string;
  readonly seed: number;
  readonly record: R;
}

// An empty field is an undefined value (the writer's NaN); times are ms with 3 decimals (µs).
const num = (s: string): number => (s === '' ? NaN : Number(s));
const us = (ms: string): number => Math.round(num(ms) * 1000);

function rowsOf(text: string, columns: number, file: string): string[][] {
  const rows = parse(text) as string[][];
  const bad = rows.findIndex((r) => r.length !== columns);
  if (bad >= 0) throw new Error(`${file}: row ${bad + 1} has ${rows[bad]!.length} fields, expected ${columns}`);
  return rows;
}

/**
 * requests.csv rows (without the header) back into records: the inverse of writeRequestRows at
 * the file's resolution (µs). First-token and end times are rebuilt from the send time and the
 * latencies the file keeps. Used where only the files of a run survive (merging shards).
 */
export function readRequestRows(text: string): CsvRow<RequestRecord>[] {
  return rowsOf(text, REQUEST_COLUMNS.length, 'requests.csv').map((f) => {
    const sendUs = us(f[11]!);
    const record: RequestRecord = {
      id: f[3]!, workload: f[0]!, workflowId: f[4]!, nodeId: f[5]!, agentId: f[6]!, instance: f[7]!, outcome: f[8] as Outcome,
      reason: f[9]!, attempt: num(f[10]!), sendUs, firstTokenUs: sendUs + us(f[12]!), endUs: sendUs + us(f[14]!), queueUs: us(f[15]!),
      promptTokens: num(f[16]!), cachedPromptTokens: num(f[17]!), crossAgentCachedTokens: num(f[18]!), outputTokens: num(f[19]!),
      preemptions: num(f[20]!),
    };
    return { workload: f[0]!, policy: f[1]!, seed: num(f[2]!), record };
  });
}

/** workflows.csv rows (without the header) back into records, at the file's resolution (µs). */
export function readWorkflowRows(text: string): CsvRow<WorkflowRecord>[] {
  return rowsOf(text, WORKFLOW_COLUMNS.length, 'workflows.csv').map((f) => {
    const record: WorkflowRecord = {
      id: f[3]!, workload: f[0]!, pattern: f[4]!, outcome: f[5] as WorkflowRecord['outcome'], reason: f[6]!,
      arrivalUs: us(f[7]!), startUs: us(f[8]!), endUs: us(f[9]!), criticalPathUs: us(f[11]!), calls: num(f[12]!),
      stepsOk: num(f[13]!), stepsFailed: num(f[14]!), retries: num(f[15]!), affinity: num(f[16]!),
    };
    return { workload: f[0]!, policy: f[1]!, seed: num(f[2]!), record };
  });
}
