import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../workloads/input-error.js';
import { csvHeader, REQUEST_COLUMNS, summaryCsv, WORKFLOW_COLUMNS } from '../../reports/csv.js';
import { aggregate, reportToJson, type Report, type RunEntry } from '../../reports/report.js';
import { renderReportFiles } from '../../reports/render-files.js';
import { ChartSampler } from '../../reports/html/chart-data.js';
import { readRequestRows, readWorkflowRows } from '../../reports/csv-read.js';
import { sweepPointsOf, sweepSummary } from '../../reports/capacity.js';
import { RunDir } from './run-dir.js';
import { mergeSliceCell } from './merge-slices.js';

type Shard = NonNullable<Report['shard']>;

interface Partial {
  readonly dir: string;
  readonly report: Report & { readonly shard: Shard };
  readonly requests: Buffer;
  readonly workflows: Buffer;
}

function readPartial(dir: string): Partial {
  let report: Report;
  try {
    report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
  } catch (e) {
    throw new InputError([`${dir}: cannot read report.json: ${(e as Error).message}`]);
  }
  if (!report.shard) throw new InputError([`${dir}: not a shard's run folder (its report.json has no shard; run with --shard K/N)`]);
  const read = (f: string): Buffer => {
    try {
      return readFileSync(join(dir, f));
    } catch (e) {
      throw new InputError([`${dir}: cannot read ${f}: ${(e as Error).message}`]);
    }
  };
  return { dir, report: report as Partial['report'], requests: read('requests.csv'), workflows: read('workflows.csv') };
}

/** Every problem with a set of shards: another scenario, a different count or kind, a duplicate or missing shard or cell. */
function checkShards(parts: readonly Partial[]): string[] {
  const first = parts[0]!.report;
  const kind = (r: Report & { shard: Shard }): string => (r.shard.split === 'workflows' ? 'a slice of a live load (load workflows --shard)' : 'a share of the cells (run --shard)');
  const problems: string[] = [];
  for (const p of parts.slice(1)) {
    if (p.report.scenario.hash !== first.scenario.hash) problems.push(`${p.dir}: another scenario (hash ${p.report.scenario.hash.slice(0, 12)}, '${p.report.scenario.name}'; ${parts[0]!.dir} has ${first.scenario.hash.slice(0, 12)}, '${first.scenario.name}')`);
    if (p.report.shard.count !== first.shard.count) problems.push(`${p.dir}: shard ${p.report.shard.index}/${p.report.shard.count}, but ${parts[0]!.dir} is of ${first.shard.count}`);
    if (p.report.shard.split !== first.shard.split) problems.push(`${p.dir} is ${kind(p.report)}, but ${parts[0]!.dir} is ${kind(first)}`);
  }
  const seen = new Map<number, string>();
  for (const p of parts) {
    const prev = seen.get(p.report.shard.index);
    if (prev !== undefined) problems.push(`shard ${p.report.shard.index}/${first.shard.count} given twice: ${prev} and ${p.dir}`);
    seen.set(p.report.shard.index, p.dir);
  }
  const missing = Array.from({ length: first.shard.count }, (_, k) => k + 1).filter((k) => !seen.has(k));
  if (missing.length > 0) problems.push(`missing shard(s) ${missing.map((k) => `${k}/${first.shard.count}`).join(', ')}`);
  if (problems.length > 0) return problems;
  return first.shard.split === 'workflows' ? checkSlices(parts) : checkCells(parts);
}

/** Shares of the cells: every cell in exactly one shard. */
function checkCells(parts: readonly Partial[]): string[] {
  const total = parts[0]!.report.shard.totalCells;
  const problems: string[] = [];
  const cells = new Map<number, string>();
  for (const p of parts) {
    for (const c of p.report.shard.cells) {
      if (cells.has(c.cell)) problems.push(`cell ${c.cell + 1} is in both ${cells.get(c.cell)} and ${p.dir}`);
      cells.set(c.cell, p.dir);
    }
  }
  if (problems.length === 0 && cells.size !== total) {
    const absent = Array.from({ length: total }, (_, k) => k).filter((k) => !cells.has(k));
    problems.push(`cells missing from every shard: ${absent.map((k) => k + 1).join(', ')}`);
  }
  return problems;
}

/** Slices of a live load: every slice ran every cell (a slice cut short by an error has fewer). */
function checkSlices(parts: readonly Partial[]): string[] {
  const total = parts[0]!.report.shard.totalCells;
  return parts.filter((p) => p.report.shard.cells.length !== total || p.report.shard.cells.some((c, k) => c.cell !== k || !c.itlMs))
    .map((p) => `${p.dir}: a slice must hold all ${total} cells in order, with their inter-token latencies; it holds ${p.report.shard.cells.length}`);
}

/**
 * `agentbench merge`: the shards of one run (`run --shard K/N` on N machines) into the run folder
 * the unsharded run writes — runs and CSV rows back in cell order, aggregates and the sweep
 * summary recomputed over every cell — so report.json, summary.csv and the CSVs are
 * byte-identical to an unsharded run. report.html's latency distributions and workflow timelines
 * are drawn from the CSV rows read back cell by cell (µs resolution: their figures may differ from
 * the unsharded run's chart-data.json in the last decimal, never in what they show). The slices
 * of a live load (`load workflows --shard K/N`) merge cell by cell instead: every slice ran every
 * cell, so each cell's records are joined and its summary recomputed (mergeSliceCell).
 */
export async function mergeShards(dirs: readonly string[], outDir: string): Promise<MergeOutcome> {
  if (dirs.length === 0) throw new InputError(['merge: give the shards\' run folders']);
  const parts = dirs.map(readPartial);
  const problems = checkShards(parts);
  if (problems.length > 0) throw new InputError(problems.map((p) => `merge: ${p}`));
  const slices = parts[0]!.report.shard.split === 'workflows';
  const ordered = slices ? sliceCells(parts) : shareCells(parts);
  const runs = ordered.map((o) => o.run);
  const { shard: _shard, ...first } = parts[0]!.report;
  const report: Report = {
    ...first, runs, aggregates: aggregate(runs),
    ...(first.sweep ? { sweep: sweepSummary(sweepPointsOf(first), first.sweep.slo, runs) } : {}),
  };
  const charts = new ChartSampler(report.scenario.seeds[0]!);
  for (const o of ordered) {
    const reqs = readRequestRows(o.requests).map((r) => r.record);
    const wfs = readWorkflowRows(o.workflows).map((r) => r.record);
    charts.addCell(o.run.workload, o.run.policy, o.run.seed, reqs, wfs);
  }
  const out = RunDir.open(outDir, '--out');
  try {
    out.write('report.json', reportToJson(report));
    out.write('summary.csv', summaryCsv(runs));
    out.write('requests.csv', csvHeader(REQUEST_COLUMNS));
    out.write('workflows.csv', csvHeader(WORKFLOW_COLUMNS));
    for (const o of ordered) {
      out.append('requests.csv', o.requests);
      out.append('workflows.csv', o.workflows);
    }
    const files = ['report.json', 'summary.csv', 'requests.csv', 'workflows.csv'];
    for (const f of await renderReportFiles(report, charts.data())) {
      out.write(f.name, f.text);
      files.push(f.name);
    }
    out.commit();
    return { report, files: files.map((f) => join(outDir, f)), ...(slices ? { startSpreadS: startSpreadS(parts) } : {}) };
  } catch (e) {
    out.abandon();
    throw e;
  }
}

/** What a merge wrote; for slices of a live load, how far apart (s) the machines started (null: unknown). */
export interface MergeOutcome {
  readonly report: Report;
  readonly files: string[];
  readonly startSpreadS?: number | null;
}

interface MergedCell { readonly run: RunEntry; readonly requests: string; readonly workflows: string }

/** Each cell's rows in a partial's CSVs (the partial's cells in its order). */
function cellRows(p: Partial): { requests: string; workflows: string }[] {
  let reqAt = Buffer.byteLength(csvHeader(REQUEST_COLUMNS));
  let wfAt = Buffer.byteLength(csvHeader(WORKFLOW_COLUMNS));
  return p.report.shard.cells.map((c) => {
    const rows = { requests: p.requests.subarray(reqAt, reqAt + c.requests).toString('utf8'), workflows: p.workflows.subarray(wfAt, wfAt + c.workflows).toString('utf8') };
    reqAt += c.requests;
    wfAt += c.workflows;
    return rows;
  });
}

/** Shares of the cells, back in cell order. */
function shareCells(parts: readonly Partial[]): MergedCell[] {
  const byCell = new Map<number, MergedCell>();
  for (const p of parts) {
    const rows = cellRows(p);
    p.report.shard.cells.forEach((c, k) => byCell.set(c.cell, { run: p.report.runs[k]!, ...rows[k]! }));
  }
  return [...byCell.keys()].sort((a, b) => a - b).map((k) => byCell.get(k)!);
}

/** Slices of a live load: each cell merged over every slice (in slice order). */
function sliceCells(parts: readonly Partial[]): MergedCell[] {
  const ordered = [...parts].sort((a, b) => a.report.shard.index - b.report.shard.index);
  const rows = ordered.map(cellRows);
  const shard = ordered[0]!.report.shard;
  return Array.from({ length: shard.totalCells }, (_, k) => mergeSliceCell(
    ordered.map((p, i) => ({ run: p.report.runs[k]!, ...rows[i]![k]!, itlMs: p.report.shard.cells[k]!.itlMs! })), shard, ordered[0]!.report,
  ));
}

/** Seconds between the first and the last slice's start (run-info.json), null when a slice's is unknown. */
function startSpreadS(parts: readonly Partial[]): number | null {
  const starts = parts.map((p) => {
    try {
      return Date.parse((JSON.parse(readFileSync(join(p.dir, 'run-info.json'), 'utf8')) as { startedAt?: string }).startedAt ?? '');
    } catch {
      return NaN;
    }
  });
  return starts.every(Number.isFinite) ? (Math.max(...starts) - Math.min(...starts)) / 1000 : null;
}
