import type { CellResult } from './cell.js';
import { packRows, unpackRows, type PackedRows } from './columns.js';
import type { WorkflowRecord } from '../../reports/records.js';
import { RequestTable, type PackedRequestTable } from '../../reports/request-table.js';
import type { InstanceSample } from '../../reports/timeseries.js';

/**
 * A cell's result as a `run --jobs` worker posts it: the request table's columns as they are
 * ({@link RequestTable.pack}), the per-workflow and per-sample rows as transferable columns
 * ({@link packRows}), the rest (a few kilobytes) as it is.
 */
export interface PackedCellResult {
  readonly rest: Omit<CellResult, 'requests' | 'workflows' | 'samples'>;
  readonly requests: PackedRequestTable;
  readonly workflows: PackedRows<WorkflowRecord>;
  readonly samples: PackedRows<InstanceSample>;
}

/** Pack a result for postMessage; `transfer` receives the buffers to move. */
export function packCellResult(res: CellResult, transfer: ArrayBuffer[]): PackedCellResult {
  const { requests, workflows, samples, ...rest } = res;
  return {
    rest,
    requests: requests.pack(transfer),
    workflows: packRows(workflows, transfer),
    samples: packRows(samples, transfer),
  };
}

/** The result {@link packCellResult} packed, with equal rows (same keys, order and values). */
export function unpackCellResult(p: PackedCellResult): CellResult {
  return { ...p.rest, requests: RequestTable.unpack(p.requests), workflows: unpackRows(p.workflows), samples: unpackRows(p.samples) };
}
