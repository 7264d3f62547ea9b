import { writeRequestRows, writeWorkflowRows } from '../../reports/csv.js';
import { ChartSampler } from '../../reports/html/chart-data.js';
import { timeseriesJson, type Report, type RunEntry } from '../../reports/report.js';
import type { CellResult } from './cell.js';
import type { PlannedCell } from './cell-plan.js';
import type { RunDir } from './run-dir.js';
import { truncation, workflowsRequested } from './truncation.js';

/**
 * What a run keeps of each cell as it ends: its CSV rows, appended to the run folder at once (with
 * their byte counts, so merge can splice shards back into cell order), the chart samples, and its
 * run entry in report.json. The cell's records are then dropped: memory holds one cell.
 */
export class RunRecorder {
  readonly runs: RunEntry[] = [];
  readonly cellBytes: NonNullable<Report['shard']>['cells'][number][] = [];
  readonly charts: ChartSampler;
  events = 0;
  calls = 0;
  readonly #out: RunDir;
  readonly #csv: boolean;
  readonly #html: boolean;
  readonly #firstSeed: number;

  constructor(out: RunDir, formats: { csv: boolean; html: boolean }, firstSeed: number) {
    this.#out = out;
    this.#csv = formats.csv;
    this.#html = formats.html;
    this.#firstSeed = firstSeed;
    this.charts = new ChartSampler(firstSeed);
  }

  add(c: PlannedCell, res: CellResult): void {
    const { workload, policy: p, seed } = c;
    this.events += res.events;
    this.calls += res.requests.length;
    if (this.#csv) this.#appendRows(c, res);
    if (this.#html) this.charts.addCell(workload.name, p.name, seed, res.requests, res.workflows);
    this.runs.push({
      workload: workload.name, policy: p.name, seed, end: res.end, summary: res.summary, instances: res.instances,
      ...(res.faults ? { faults: res.faults } : {}),
      ...(res.limit ? { truncated: truncation(res.limit, workflowsRequested(workload), res.workflows) } : {}),
      ...(seed === this.#firstSeed ? { timeseries: timeseriesJson(res.samples, res.sampleIntervalUs) } : {}),
    });
  }

  #appendRows(c: PlannedCell, res: CellResult): void {
    const bytes = { cell: c.no - 1, requests: 0, workflows: 0, ...(res.itlMs ? { itlMs: res.itlMs } : {}) };
    writeRequestRows(c.workload.name, c.policy.name, c.seed, res.requests, (chunk) => {
      this.#out.append('requests.csv', chunk);
      bytes.requests += Buffer.byteLength(chunk);
    });
    writeWorkflowRows(c.workload.name, c.policy.name, c.seed, res.workflows, (chunk) => {
      this.#out.append('workflows.csv', chunk);
      bytes.workflows += Buffer.byteLength(chunk);
    });
    this.cellBytes.push(bytes);
  }
}
