import type { CellResult } from './cell.js';
import { packRows, unpackRows, type PackedRows } from './columns.js';
import { RequestTable, type PackedRequestTable } from '../../reports/request-table.js';
import { WorkflowTable, type PackedWorkflowTable } from '../../reports/workflow-table.js';
import type { InstanceSample } from '../../reports/timeseries.js';

/**
 * A cell's result as a `run --jobs` worker posts it: the request and workflow tables' columns as
 * they are ({@link RequestTable.pack}, {@link WorkflowTable.pack}), the per-sample rows as
 * transferable columns ({@link packRows}), the rest (a few kilobytes) as it is.
 */
export interface PackedCellResult {
  readonly rest: Omit<CellResult, 'requests' | 'workflows' | 'samples'>;
  readonly requests: PackedRequestTable;
  readonly workflows: PackedWorkflowTable;
  readonly samples: PackedRows<InstanceSample>;
}

/** Pack a result for postMessage; `transfer` receives the buffers to move. */
export function packCellResult(res: CellResult, transfer: ArrayBuffer[]): PackedCellResult {
  const { requests, workflows, samples, ...rest } = res;
  return {
    rest,
    requests: requests.pack(transfer),
    workflows: workflows.pack(transfer),
    samples: packRows(samples, transfer),
  };
}

/** The result {@link packCellResult} packed, with equal rows (same keys, order and values). */
export function unpackCellResult(p: PackedCellResult): CellResult {
  return { ...p.rest, requests: RequestTable.unpack(p.requests), workflows: WorkflowTable.unpack(p.workflows), samples: unpackRows(p.samples) };
}
