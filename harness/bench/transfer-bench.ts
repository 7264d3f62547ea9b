import { deserialize, serialize } from 'node:v8';
import type { RequestRecord } from '../../reports/records.js';
import { RequestTable, type PackedRequestTable } from '../../reports/request-table.js';

/** Main-thread receive time (ms) of one cell's request rows from a `run --jobs` worker, both ways. */
export interface TransferFigures {
  readonly rows: number;
  /** Rows as objects, structured clone (what workers posted before): deserialisation. */
  readonly objectsMs: number;
  /** The cell's RequestTable columns (reports/request-table.ts): deserialisation + unpacking (rows are built later, as reports read them). */
  readonly columnsMs: number;
}

/**
 * `run --jobs N`: a worker posts each cell's records and the main thread turns the message back
 * into rows before it writes the CSVs and reports, so the main thread's receive time bounds how
 * far extra jobs can help. Synthetic rows shaped like requests.csv's (bench-scale-like ids,
 * 64 instances, times past 2^30 µs so they are not small integers); serialisation is the
 * worker's and not counted. Median of `repeats`.
 */
export function transferFigures(rows = 100_000, repeats = 3): TransferFigures {
  const records: RequestRecord[] = Array.from({ length: rows }, (_, i) => ({
    id: `parallel-8-${i >> 3}/n${i & 7}`, workload: 'parallel-8', workflowId: `parallel-8-${i >> 3}`, nodeId: `n${i & 7}`, agentId: `agent-${i & 7}`,
    instance: `i${i % 64}`, outcome: 'ok', reason: '', attempt: 0, sendUs: 1.2e9 + i * 37, firstTokenUs: 1.2e9 + i * 37 + 48_211, endUs: 1.2e9 + i * 41 + 2e6,
    queueUs: 1_500 + (i % 97), promptTokens: 1_000 + (i % 1_500), cachedPromptTokens: 512, crossAgentCachedTokens: 0, outputTokens: 100 + (i % 160), preemptions: 0,
  }));
  const asObjects = serialize(records);
  const asColumns = serialize(RequestTable.of(records).pack([]));
  const time = (f: () => unknown): number => {
    const t: number[] = [];
    for (let k = 0; k < repeats; k++) {
      const t0 = performance.now();
      f();
      t.push(performance.now() - t0);
    }
    return t.sort((a, b) => a - b)[t.length >> 1]!;
  };
  return {
    rows,
    objectsMs: time(() => deserialize(asObjects)),
    columnsMs: time(() => RequestTable.unpack(deserialize(asColumns) as PackedRequestTable)),
  };
}
