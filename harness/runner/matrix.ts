import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { RunDir } from './run-dir.js';
import { truncation, workflowsRequested } from './truncation.js';
import { checkClusterFits } from './cluster-fit.js';
import { csvHeader, REQUEST_COLUMNS, summaryCsv, WORKFLOW_COLUMNS, writeRequestRows, writeWorkflowRows } from '../../reports/csv.js';
import { renderReportFiles } from '../../reports/render-files.js';
import { workloadParams } from '../../reports/load.js';
import { ChartSampler } from '../../reports/html/chart-data.js';
import { aggregate, reportToJson, SCHEMA_VERSION, timeseriesJson, type Report, type RunEntry } from '../../reports/report.js';
import type { WorkloadSpec } from '../../workloads/workload.js';
import type { LoadedScenario } from '../scenario/load.js';
import { namePolicies, type NamedPolicy } from '../scenario/policies.js';
import type { Progress } from '../progress.js';
import { toolVersion } from '../version.js';
import { sweepSummary } from '../../reports/capacity.js';
import { resolveCluster } from './resolve.js';
import { runSimCell } from './sim-cell.js';
import { simCellSpec, type SimCellJob } from './cell-job.js';
import { CellPool } from './cell-pool.js';
import { shardCells, type ShardSpec } from './shard.js';
import type { CellResult } from './cell.js';
import type { LiveSettings } from '../live/live-schema.js';
import { InputError } from '../../workloads/input-error.js';

/** Options of a scenario run. */
export interface RunOptions {
  readonly outDir: string;
  /** How the output folder is named in errors (the flag that set it). */
  readonly outFlag?: string | undefined;
  readonly check: boolean;
  /** Simulate `cluster.kvBlocks` beyond the GPU's memory (with a warning) instead of refusing. */
  readonly force?: boolean | undefined;
  readonly progress?: Progress | undefined;
  /** Report files to write (default: all); run-info.json is always written. */
  readonly formats?: ReadonlySet<ReportFormat> | undefined;
  /**
   * Simulated cells run on this many worker threads (default 1; live runs always 1). 'auto': one
   * per core, at most one per cell, when the built worker sits beside the running code (the
   * published package; not tests running the TypeScript sources, which would mix in a stale build).
   */
  readonly jobs?: number | 'auto' | undefined;
  /** Run only this shard's cells and write a partial run folder (report.json + CSVs) for `agentbench merge`. */
  readonly shard?: ShardSpec | undefined;
  /**
   * Live load against a deployed target spread over machines (`load workflows --shard K/N`):
   * every cell, driving only slice K of N of its arrivals, into a partial run folder for `merge`.
   */
  readonly slice?: ShardSpec | undefined;
}

/** Report outputs `run --formats` chooses from: report.json, report.md, the three CSVs, report.html. */
export const REPORT_FORMATS = ['json', 'md', 'csv', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** What a scenario run produced (report.json's content plus wall-clock facts kept out of it). */
export interface RunOutcome {
  readonly report: Report;
  readonly outDir: string;
  readonly files: readonly string[];
  readonly wallMs: number;
  readonly events: number;
  readonly calls: number;
}

/**
 * Run the scenario's whole matrix (workloads × policies × seeds) and write the run directory:
 * report.json, requests.csv, workflows.csv, summary.csv, report.md, report.html + chart-data.json
 * (or the `formats` chosen) and run-info.json (the only file with wall-clock figures). The folder
 * is written aside and renamed into place at the end (RunDir), so a failed or interrupted run
 * never leaves old and new files mixed. CSV rows are appended cell by cell, so memory holds one
 * cell; report.html's extra data is a bounded sample of the first seed's cells.
 */
export async function runScenario(loaded: LoadedScenario, opts: RunOptions): Promise<RunOutcome> {
  const sc = loaded.scenario;
  const cluster = resolveCluster(sc.cluster, loaded.file);
  const target = sc.mode === 'live' ? sc.live?.target : undefined;
  // A deployed target applies none of agentbench's policies: its one row is labelled for what ran.
  const policies = target ? namePolicies(sc.policies, loaded.file).map(targetPolicy) : namePolicies(sc.policies, loaded.file);
  for (const w of checkClusterFits(sc.cluster, cluster, loaded.file, { force: opts.force })) process.stderr.write(`${w}\n`);
  const out = RunDir.open(opts.outDir, opts.outFlag ?? '--out');
  try {
    return await runInto(out, loaded, opts, cluster, policies);
  } catch (e) {
    out.abandon(); // a failed run leaves the previous results as they were
    throw e;
  }
}

async function runInto(
  out: RunDir, loaded: LoadedScenario, opts: RunOptions, cluster: ReturnType<typeof resolveCluster>, policies: ReturnType<typeof namePolicies>,
): Promise<RunOutcome> {
  const sc = loaded.scenario;
  const target = sc.mode === 'live' ? sc.live?.target : undefined;
  // The run folder is new: only the formats asked for are written, so no earlier report can pass for this run's.
  // A shard writes what merge reads (report.json and the CSVs); the merged folder gets the rest.
  const partial = opts.shard ?? opts.slice;
  if (opts.slice && !target) throw new InputError(['--shard: slices of a live load need a deployed target (live.target or --target): each machine drives its slice against the same stack']);
  if (opts.slice && sc.live!.commands.length > 0) throw new InputError(['--shard: live.commands would run once per slice; run fault commands from one place, not from every machine']);
  const want = (f: ReportFormat): boolean => (partial ? f === 'json' || f === 'csv' : opts.formats === undefined || opts.formats.has(f));
  if (want('csv')) {
    out.write('requests.csv', csvHeader(REQUEST_COLUMNS));
    out.write('workflows.csv', csvHeader(WORKFLOW_COLUMNS));
  }
  // The live stack (HTTP clients, undici) is loaded only for live runs: start-up of simulated ones.
  const live = sc.mode === 'live'
    ? { ...(await import('../live/live-cell.js')), ...(await import('../live/live-faults.js')) }
    : null;

  const t0 = performance.now();
  const startedAtMs = Date.now();
  const runs: RunEntry[] = [];
  // Sweep points (one, unlabelled, without a sweep): each a whole scenario; a point's workloads
  // are reported as `<name> @ <point>` so every table, chart and gate keeps one row per load.
  const points = loaded.points ?? [{ label: '', values: {}, scenario: sc }];
  const total = points.reduce((n, pt) => n + pt.scenario.workloads.length, 0) * policies.length * sc.seeds.length;
  const workloadEntries: Report['workloads'][number][] = [];
  let events = 0;
  let calls = 0;
  const charts = new ChartSampler(sc.seeds[0]!);
  const kvMetrics = policies.some((p) => p.entry.kvTiers !== undefined || p.entry.disaggregation !== undefined);
  // The cells in report order: sweep point, workload, policy, seed.
  interface Cell { readonly no: number; readonly label: string; readonly ps: typeof sc; readonly cluster: typeof cluster; readonly workload: WorkloadSpec; readonly policy: (typeof policies)[number]; readonly seed: number; readonly job: SimCellJob }
  const cells: Cell[] = [];
  for (const pt of points) {
    const ps = pt.scenario;
    const pointCluster = pt.label === '' ? cluster : resolveCluster(ps.cluster, loaded.file);
    const pointPolicies = pt.label === '' ? policies : (target ? namePolicies(ps.policies, loaded.file).map(targetPolicy) : namePolicies(ps.policies, loaded.file));
    (ps.workloads as WorkloadSpec[]).forEach((spec, wi) => {
      const name = pt.label === '' ? spec.name : `${spec.name} @ ${pt.label}`;
      workloadEntries.push({ name, pattern: spec.pattern, params: workloadParams(spec as unknown as Record<string, unknown>), ...(pt.label === '' ? {} : { base: spec.name, sweep: pt.values }) });
      pointPolicies.forEach((p, pi) => {
        for (const seed of sc.seeds) {
          const no = cells.length + 1;
          cells.push({
            no, label: `[${no}/${total}] ${name} × ${p.name} × seed ${seed}`, ps, cluster: pointCluster, workload: { ...spec, name }, policy: p, seed,
            job: { file: loaded.file, scenario: ps, workloadIndex: wi, workloadName: name, policyIndex: pi, seed, check: opts.check, kvMetrics },
          });
        }
      });
    });
  }
  // A shard runs its part of the cells: balanced by estimated cost (a workload's workflow count).
  const mine = opts.shard
    ? shardCells(cells.map((c) => (c.workload as { workflows?: number }).workflows ?? 100), opts.shard.count)[opts.shard.index - 1]!
    : null;
  if (mine) cells.splice(0, cells.length, ...mine.map((k) => cells[k]!));
  const cellBytes: NonNullable<Report['shard']>['cells'][number][] = [];
  opts.progress?.start(cells.length, 'cells');
  const asked = opts.jobs === 'auto' ? (CellPool.builtBesideMe() ? availableParallelism() : 1) : (opts.jobs ?? 1);
  const jobs = live ? 1 : Math.max(1, Math.min(asked, cells.length));
  const pool = jobs > 1 ? new CellPool(jobs) : null;
  // With a pool, keep at most 2 × jobs cells ahead of the one being written: memory holds a few cells.
  const ahead = new Map<number, Promise<CellResult>>();
  const submit = (from: number, upTo: number): void => {
    for (let k = from; k < Math.min(upTo, cells.length); k++) {
      if (ahead.has(k)) continue;
      const result = pool!.run(cells[k]!.job);
      result.catch(() => {}); // a later cell's failure is raised when that cell is reached, not as an unhandled rejection
      ahead.set(k, result);
    }
  };
  try {
    for (const [pos, c] of cells.entries()) {
      const { ps, workload, policy: p, seed, label } = c;
      const onProgress = (pr: { simUs: number; workflowsStarted: number; workflowsEnded: number }): void => opts.progress?.update(
        `${label}: ${pr.workflowsEnded}/${pr.workflowsStarted} workflows done, ${sc.mode} ${(pr.simUs / 1e6).toFixed(1)} s`);
      out.stage = `cell ${label}`;
      if (target) await (await import('../live/target.js')).prepareTargetCell(sc.live!, c.no === 1);
      let res: CellResult;
      if (live) {
        res = await live.runLiveCell({
          cluster: c.cluster, workload, policy: p.entry, seed, check: opts.check, live: ps.live,
          faults: live.liveFaultsFromScenario(ps.faults, c.cluster.instances, seed),
          sampleIntervalUs: ps.report.sampleIntervalMs * 1000, slo: ps.slo, onProgress, router: ps.router, baseDir: dirname(loaded.file),
          percentileMethod: ps.report.percentiles, slice: opts.slice,
        });
      } else if (pool) {
        submit(pos, pos + 2 * jobs);
        res = await ahead.get(pos)!;
        ahead.delete(pos);
        opts.progress?.update(`${label}: done (${jobs} jobs)`);
      } else {
        res = runSimCell({ ...simCellSpec(c.job, c.cluster), onProgress });
      }
      opts.progress?.advance();
      events += res.events;
      calls += res.requests.length;
      if (want('csv')) {
        // Bytes of this cell's rows: merge splices the shards' CSVs back into cell order.
        const bytes = { cell: c.no - 1, requests: 0, workflows: 0, ...(res.itlMs ? { itlMs: res.itlMs } : {}) };
        writeRequestRows(workload.name, p.name, seed, res.requests, (chunk) => {
          out.append('requests.csv', chunk);
          bytes.requests += Buffer.byteLength(chunk);
        });
        writeWorkflowRows(workload.name, p.name, seed, res.workflows, (chunk) => {
          out.append('workflows.csv', chunk);
          bytes.workflows += Buffer.byteLength(chunk);
        });
        cellBytes.push(bytes);
      }
      if (want('html')) charts.addCell(workload.name, p.name, seed, res.requests, res.workflows);
      runs.push({
        workload: workload.name, policy: p.name, seed, end: res.end, summary: res.summary, instances: res.instances,
        ...(res.faults ? { faults: res.faults } : {}),
        ...(res.limit ? { truncated: truncation(res.limit, workflowsRequested(workload), res.workflows) } : {}),
        ...(seed === sc.seeds[0] ? { timeseries: timeseriesJson(res.samples, res.sampleIntervalUs) } : {}),
      });
    }
  } finally {
    await pool?.close();
  }
  opts.progress?.done();
  const wallMs = performance.now() - t0;

  const e = cluster.engine;
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'agentbench', version: toolVersion() },
    scenario: {
      name: sc.name, hash: loaded.hash, mode: sc.mode, ...(sc.description ? { description: sc.description } : {}), seeds: sc.seeds,
      ...(sc.gates ? { gates: sc.gates } : {}), ...(sc.report.rankBy ? { rankBy: sc.report.rankBy } : {}),
      percentiles: sc.report.percentiles ?? 'linear',
    },
    cluster: target ? targetHeader(target.baseUrl, target.model, sc.live!) : {
      instances: cluster.instances, model: cluster.model.name, gpu: cluster.gpu.name, tensorParallel: sc.cluster.tensorParallel,
      kvBlocksPerInstance: e.numBlocks, blockSize: e.blockSize, maxModelLen: e.maxModelLen,
      maxNumBatchedTokens: e.maxNumBatchedTokens, maxNumSeqs: e.maxNumSeqs, prefixCaching: e.enablePrefixCaching,
      ...(sc.mode === 'live' ? { liveTarget: 'spawn:local', liveTimeScale: sc.live?.timeScale ?? 1 } : {}),
    },
    policies: policies.map((p) => p.json),
    workloads: workloadEntries,
    ...(points.length > 1 || points[0]!.label !== '' ? { sweep: sweepSummary(points.map((p) => ({ label: p.label, values: p.values, workloads: p.scenario.workloads.map((w) => w.name) })), sc.slo, runs) } : {}),
    runs,
    aggregates: aggregate(runs),
    ...(partial ? {
      shard: {
        index: partial.index, count: partial.count, totalCells: total, cells: cellBytes,
        ...(opts.slice ? { split: 'workflows' as const, ...(sc.slo ? { slo: sc.slo } : {}) } : {}),
      },
    } : {}),
  };
  out.stage = 'writing the reports';
  const written: string[] = [];
  const write = (name: string, content: string): void => {
    out.write(name, content);
    written.push(name);
  };
  if (want('json')) write('report.json', reportToJson(report));
  if (want('md') || want('html')) {
    for (const f of await renderReportFiles(report, charts.data(), { md: want('md'), html: want('html') })) write(f.name, f.text);
  }
  if (want('csv')) {
    written.push('requests.csv', 'workflows.csv');
    write('summary.csv', summaryCsv(runs));
  }
  out.write('run-info.json', `${JSON.stringify({
    // When the run began (merging a live load's slices checks that the machines started together).
    startedAt: new Date(startedAtMs).toISOString(), wallMs: Math.round(wallMs), jobs, events, eventsPerSec: Math.round(events / (wallMs / 1000)), calls,
    callsPerSec: Math.round(calls / (wallMs / 1000)), node: process.version, platform: `${process.platform}-${process.arch}`,
  }, null, 2)}\n`);
  out.commit();
  const files = [...written, 'run-info.json'].map((n) => join(opts.outDir, n));
  return { report, outDir: opts.outDir, files, wallMs, events, calls };
}

function targetPolicy(p: NamedPolicy): NamedPolicy {
  const theirs = "the target's own";
  return { ...p, name: 'target', json: { name: 'target', routing: theirs, scheduling: theirs, eviction: theirs, recovery: p.json.recovery } };
}

/** The header of a target run: what was measured, not a simulated cluster. */
function targetHeader(baseUrl: string, model: string, live: LiveSettings): Record<string, string | number> {
  return {
    target: baseUrl, model, warmupRequests: live.warmup.requests,
    cacheState: live.resetBetweenCells ? `reset before each cell by: ${live.resetBetweenCells.run}` : 'shared across cells (cells run one after another on the same stack; set live.resetBetweenCells to reset it)',
  };
}

