import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { RunDir } from './run-dir.js';
import { checkClusterFits } from './cluster-fit.js';
import { csvHeader, REQUEST_COLUMNS, summaryCsv, WORKFLOW_COLUMNS } from '../../reports/csv.js';
import { renderReportFiles } from '../../reports/render-files.js';
import { aggregate, reportToJson, SCHEMA_VERSION, type Report } from '../../reports/report.js';
import type { LoadedScenario } from '../scenario/load.js';
import { namePolicies, type NamedPolicy } from '../scenario/policies.js';
import type { Progress } from '../progress.js';
import { toolVersion } from '../version.js';
import { sweepSummary } from '../../reports/capacity.js';
import { resolveCluster, type ResolvedCluster } from './resolve.js';
import { runSimCell } from './sim-cell.js';
import { simCellSpec } from './cell-job.js';
import { CellPool, OrderedCells } from './cell-pool.js';
import type { ShardSpec } from './shard.js';
import { planCells, type CellPlan, type PlannedCell } from './cell-plan.js';
import { RunRecorder } from './run-recorder.js';
import * as liveFaults from '../live/live-faults.js';
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
  for (const w of checkClusterFits(sc.cluster, cluster, loaded.file, { force: opts.force })) process.stderr.write(`${w}\n`);
  const out = RunDir.open(opts.outDir, opts.outFlag ?? '--out');
  try {
    return await runInto(out, loaded, opts, cluster);
  } catch (e) {
    out.abandon(); // a failed run leaves the previous results as they were
    throw e;
  }
}

async function runInto(out: RunDir, loaded: LoadedScenario, opts: RunOptions, cluster: ResolvedCluster): Promise<RunOutcome> {
  const sc = loaded.scenario;
  const target = sc.mode === 'live' ? sc.live?.target : undefined;
  // A deployed target applies none of agentbench's policies: its one row is labelled for what ran.
  const named = (ps: typeof sc): NamedPolicy[] => (target ? namePolicies(ps.policies, loaded.file).map(targetPolicy) : namePolicies(ps.policies, loaded.file));
  const policies = named(sc);
  const partial = opts.shard ?? opts.slice;
  if (opts.slice && !target) throw new InputError(['--shard: slices of a live load need a deployed target (live.target or --target): each machine drives its slice against the same stack']);
  if (opts.slice && sc.live!.commands.length > 0) throw new InputError(['--shard: live.commands would run once per slice; run fault commands from one place, not from every machine']);
  // The run folder is new: only the formats asked for are written, so no earlier report can pass for this run's.
  // A shard writes what merge reads (report.json and the CSVs); the merged folder gets the rest.
  const want = (f: ReportFormat): boolean => (partial ? f === 'json' || f === 'csv' : opts.formats === undefined || opts.formats.has(f));
  if (want('csv')) {
    out.write('requests.csv', csvHeader(REQUEST_COLUMNS));
    out.write('workflows.csv', csvHeader(WORKFLOW_COLUMNS));
  }
  const t0 = performance.now();
  const startedAtMs = Date.now();
  const plan = planCells(loaded, cluster, policies, named, opts);
  const recorder = new RunRecorder(out, { csv: want('csv'), html: want('html') }, sc.seeds[0]!);
  const jobs = await runCells(plan.cells, loaded, opts, out, recorder);
  const wallMs = performance.now() - t0;
  const report = reportOf(loaded, cluster, policies, plan, recorder, opts);
  out.stage = 'writing the reports';
  const written: string[] = [];
  const write = (name: string, content: string): void => {
    out.write(name, content);
    written.push(name);
  };
  if (want('json')) write('report.json', reportToJson(report));
  if (want('md') || want('html')) {
    for (const f of await renderReportFiles(report, recorder.charts.data(), { md: want('md'), html: want('html') })) write(f.name, f.text);
  }
  if (want('csv')) {
    written.push('requests.csv', 'workflows.csv');
    write('summary.csv', summaryCsv(report.runs));
  }
  const { events, calls } = recorder;
  out.write('run-info.json', `${JSON.stringify({
    // When the run began (merging a live load's slices checks that the machines started together).
    startedAt: new Date(startedAtMs).toISOString(), wallMs: Math.round(wallMs), jobs, events, eventsPerSec: Math.round(events / (wallMs / 1000)), calls,
    callsPerSec: Math.round(calls / (wallMs / 1000)), node: process.version, platform: `${process.platform}-${process.arch}`,
  }, null, 2)}\n`);
  out.commit();
  const files = [...written, 'run-info.json'].map((n) => join(opts.outDir, n));
  return { report, outDir: opts.outDir, files, wallMs, events, calls };
}

/**
 * Run the cells in order — live ones one after another on this thread, simulated ones here or on
 * worker threads (`jobs`) — handing each result to the recorder as it is reached. Returns the
 * number of threads used.
 */
async function runCells(cells: readonly PlannedCell[], loaded: LoadedScenario, opts: RunOptions, out: RunDir, recorder: RunRecorder): Promise<number> {
  const sc = loaded.scenario;
  // The live stack (HTTP clients, undici) is loaded only for live runs: start-up of simulated ones.
  // (live-faults is small and the scenario schema loads it anyway.)
  const live = sc.mode === 'live'
    ? { ...(await import('../live/live-cell.js')), ...liveFaults, ...(await import('../live/target.js')) }
    : null;
  opts.progress?.start(cells.length, 'cells');
  const asked = opts.jobs === 'auto' ? (CellPool.builtBesideMe() ? availableParallelism() : 1) : (opts.jobs ?? 1);
  const jobs = live ? 1 : Math.max(1, Math.min(asked, cells.length));
  const pool = jobs > 1 ? new OrderedCells(cells.map((c) => c.job), jobs) : null;
  try {
    for (const [pos, c] of cells.entries()) {
      const { ps, workload, policy: p, seed, label } = c;
      const onProgress = (pr: { simUs: number; workflowsStarted: number; workflowsEnded: number }): void => opts.progress?.update(
        `${label}: ${pr.workflowsEnded}/${pr.workflowsStarted} workflows done, ${sc.mode} ${(pr.simUs / 1e6).toFixed(1)} s`);
      out.stage = `cell ${label}`;
      let res: CellResult;
      if (live) {
        if (sc.live?.target) await live.prepareTargetCell(sc.live, c.no === 1);
        res = await live.runLiveCell({
          cluster: c.cluster, workload, policy: p.entry, seed, check: opts.check, live: ps.live,
          faults: live.liveFaultsFromScenario(ps.faults, c.cluster.instances, seed),
          sampleIntervalUs: ps.report.sampleIntervalMs * 1000, slo: ps.slo, onProgress, router: ps.router, baseDir: dirname(loaded.file),
          percentileMethod: ps.report.percentiles, slice: opts.slice,
        });
      } else if (pool) {
        res = await pool.take(pos);
        opts.progress?.update(`${label}: done (${jobs} jobs)`);
      } else {
        res = runSimCell({ ...simCellSpec(c.job, c.cluster), onProgress });
      }
      opts.progress?.advance();
      recorder.add(c, res);
    }
  } finally {
    await pool?.close();
  }
  opts.progress?.done();
  return jobs;
}

/** report.json's content: the header, the workloads and sweep, every run and the aggregates. */
function reportOf(loaded: LoadedScenario, cluster: ResolvedCluster, policies: readonly NamedPolicy[], plan: CellPlan, recorder: RunRecorder, opts: RunOptions): Report {
  const sc = loaded.scenario;
  const target = sc.mode === 'live' ? sc.live?.target : undefined;
  const partial = opts.shard ?? opts.slice;
  const e = cluster.engine;
  const { runs, cellBytes } = recorder;
  const points = plan.points;
  return {
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
    workloads: plan.workloads,
    ...(points.length > 1 || points[0]!.label !== '' ? { sweep: sweepSummary(points.map((p) => ({ label: p.label, values: p.values, workloads: p.scenario.workloads.map((w) => w.name) })), sc.slo, runs) } : {}),
    runs,
    aggregates: aggregate(runs),
    ...(partial ? {
      shard: {
        index: partial.index, count: partial.count, totalCells: plan.total, cells: cellBytes,
        ...(opts.slice ? { split: 'workflows' as const, ...(sc.slo ? { slo: sc.slo } : {}) } : {}),
      },
    } : {}),
  };
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

