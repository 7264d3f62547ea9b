import { dirname, join } from 'node:path';
import { RunDir } from './run-dir.js';
import { truncation, workflowsRequested } from './truncation.js';
import { checkClusterFits } from './cluster-fit.js';
import { csvHeader, REQUEST_COLUMNS, requestRows, summaryCsv, WORKFLOW_COLUMNS, workflowRows } from '../../reports/csv.js';
import { reportMarkdown } from '../../reports/markdown.js';
import { ChartSampler } from '../../reports/html/chart-data.js';
import { aggregate, reportToJson, SCHEMA_VERSION, timeseriesJson, type Report, type RunEntry } from '../../reports/report.js';
import type { WorkloadSpec } from '../../workloads/workload.js';
import type { LoadedScenario } from '../scenario/load.js';
import { namePolicies } from '../scenario/policies.js';
import type { Progress } from '../progress.js';
import { toolVersion } from '../version.js';
import { resolveCluster } from './resolve.js';
import { runSimCell } from './sim-cell.js';
import { runLiveCell, type ArrivalSchedule } from '../live/live-cell.js';
import { liveFaultsFromScenario } from '../live/live-faults.js';
import type { WorkloadSource } from '../../workloads/workload.js';

/** Options of a scenario run. */
export interface RunOptions {
  readonly outDir: string;
  /** How the output folder is named in errors (the flag that set it). */
  readonly outFlag?: string | undefined;
  readonly check: boolean;
  /** Simulate `cluster.kvBlocks` beyond the GPU's memory (with a warning) instead of refusing. */
  readonly force?: boolean | undefined;
  readonly progress?: Progress | undefined;
  /** Live runs only: replace each workload's arrivals (`agentbench load` rate stages). */
  readonly liveArrivals?: ((source: WorkloadSource) => ArrivalSchedule) | undefined;
}

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
 * report.json, requests.csv, workflows.csv, summary.csv, report.md, report.html and run-info.json
 * (the only file with wall-clock figures). CSV rows are appended cell by cell, so memory holds one
 * cell; report.html's extra data is a bounded sample of the first seed's cells.
 */
export async function runScenario(loaded: LoadedScenario, opts: RunOptions): Promise<RunOutcome> {
  const sc = loaded.scenario;
  const cluster = resolveCluster(sc.cluster, loaded.file);
  const policies = namePolicies(sc.policies, loaded.file);
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
  out.write('requests.csv', csvHeader(REQUEST_COLUMNS));
  out.write('workflows.csv', csvHeader(WORKFLOW_COLUMNS));

  const t0 = performance.now();
  const runs: RunEntry[] = [];
  const total = sc.workloads.length * policies.length * sc.seeds.length;
  let cellNo = 0;
  let events = 0;
  let calls = 0;
  const charts = new ChartSampler(sc.seeds[0]!);
  const kvMetrics = policies.some((p) => p.entry.kvTiers !== undefined || p.entry.disaggregation !== undefined);
  for (const workload of sc.workloads as WorkloadSpec[]) {
    for (const p of policies) {
      for (const seed of sc.seeds) {
        cellNo++;
        const label = `[${cellNo}/${total}] ${workload.name} × ${p.name} × seed ${seed}`;
        const onProgress = (pr: { simUs: number; workflowsStarted: number; workflowsEnded: number }): void => opts.progress?.update(
          `${label}: ${pr.workflowsEnded}/${pr.workflowsStarted} workflows done, ${sc.mode} ${(pr.simUs / 1e6).toFixed(1)} s`);
        out.stage = `cell ${label}`;
        const res = sc.mode === 'live'
          ? await runLiveCell({
            cluster, workload, policy: p.entry, seed, check: opts.check, live: sc.live,
            faults: liveFaultsFromScenario(sc.faults, cluster.instances, seed),
            sampleIntervalUs: sc.report.sampleIntervalMs * 1000, slo: sc.slo, onProgress, arrivals: opts.liveArrivals,
          })
          : runSimCell({
            cluster, workload, policy: p.entry, seed, check: opts.check,
            maxSimUs: sc.limits.maxSimS * 1e6, maxEvents: sc.limits.maxEvents,
            sampleIntervalUs: sc.report.sampleIntervalMs * 1000, slo: sc.slo, baseDir: dirname(loaded.file), faults: sc.faults, router: sc.router,
            kvMetrics, onProgress,
          });
        events += res.events;
        calls += res.requests.length;
        out.append('requests.csv', requestRows(workload.name, p.name, seed, res.requests));
        out.append('workflows.csv', workflowRows(workload.name, p.name, seed, res.workflows));
        charts.addCell(workload.name, p.name, seed, res.requests, res.workflows);
        runs.push({
          workload: workload.name, policy: p.name, seed, end: res.end, summary: res.summary, instances: res.instances,
          ...(res.faults ? { faults: res.faults } : {}),
          ...(res.limit ? { truncated: truncation(res.limit, workflowsRequested(workload), res.workflows) } : {}),
          ...(seed === sc.seeds[0] ? { timeseries: timeseriesJson(res.samples, res.sampleIntervalUs) } : {}),
        });
      }
    }
  }
  opts.progress?.done();
  const wallMs = performance.now() - t0;

  const e = cluster.engine;
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'agentbench', version: toolVersion() },
    scenario: {
      name: sc.name, hash: loaded.hash, mode: sc.mode, ...(sc.description ? { description: sc.description } : {}), seeds: sc.seeds,
      ...(sc.gates ? { gates: sc.gates } : {}),
    },
    cluster: {
      instances: cluster.instances, model: cluster.model.name, gpu: cluster.gpu.name, tensorParallel: sc.cluster.tensorParallel,
      kvBlocksPerInstance: e.numBlocks, blockSize: e.blockSize, maxModelLen: e.maxModelLen,
      maxNumBatchedTokens: e.maxNumBatchedTokens, maxNumSeqs: e.maxNumSeqs, prefixCaching: e.enablePrefixCaching,
      ...(sc.mode === 'live' ? { liveTarget: sc.live?.target?.baseUrl ?? 'spawn:local', liveTimeScale: sc.live?.timeScale ?? 1 } : {}),
    },
    policies: policies.map((p) => p.json),
    workloads: sc.workloads.map((w) => ({ name: w.name, pattern: w.pattern })),
    runs,
    aggregates: aggregate(runs),
  };
  out.stage = 'writing the reports';
  out.write('report.json', reportToJson(report));
  out.write('summary.csv', summaryCsv(runs));
  out.write('report.md', reportMarkdown(report));
  // Loaded here, not at start-up: vega is only needed once a run has results to draw.
  const { reportHtml } = await import('../../reports/html/index.js');
  out.write('report.html', (await reportHtml(report, charts.data())).html);
  out.write('run-info.json', `${JSON.stringify({
    wallMs: Math.round(wallMs), events, eventsPerSec: Math.round(events / (wallMs / 1000)), calls,
    callsPerSec: Math.round(calls / (wallMs / 1000)), node: process.version, platform: `${process.platform}-${process.arch}`,
  }, null, 2)}\n`);
  out.commit();
  const files = ['report.json', 'report.md', 'report.html', 'requests.csv', 'workflows.csv', 'summary.csv', 'run-info.json'].map((n) => join(opts.outDir, n));
  return { report, outDir: opts.outDir, files, wallMs, events, calls };
}
