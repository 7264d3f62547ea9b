import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { csvHeader, REQUEST_COLUMNS, requestRows, summaryCsv, WORKFLOW_COLUMNS, workflowRows } from '../../reports/csv.js';
import { reportMarkdown } from '../../reports/markdown.js';
import { ChartSampler } from '../../reports/html/chart-data.js';
import { aggregate, reportToJson, SCHEMA_VERSION, timeseriesJson, type Report, type RunEntry } from '../../reports/report.js';
import type { WorkloadSpec } from '../../workloads/workload.js';
import type { LoadedScenario } from '../scenario/load.js';
import { namePolicies, type NamedPolicy } from '../scenario/policies.js';
import type { Progress } from '../progress.js';
import { toolVersion } from '../version.js';
import { capacityAtSlo } from '../../reports/capacity.js';
import type { Slo } from '../../reports/slo.js';
import { resolveCluster } from './resolve.js';
import { runSimCell } from './sim-cell.js';
import { runLiveCell } from '../live/live-cell.js';
import { liveFaultsFromScenario } from '../live/live-faults.js';
import { prepareTargetCell } from '../live/target.js';
import type { LiveSettings } from '../live/live-schema.js';

/** Options of a scenario run. */
export interface RunOptions {
  readonly outDir: string;
  readonly check: boolean;
  readonly progress?: Progress | undefined;
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
  const target = sc.mode === 'live' ? sc.live?.target : undefined;
  // A deployed target applies none of agentbench's policies: its one row is labelled for what ran.
  const policies = target ? namePolicies(sc.policies, loaded.file).map(targetPolicy) : namePolicies(sc.policies, loaded.file);
  const outDir = opts.outDir;
  mkdirSync(outDir, { recursive: true });
  const file = (n: string) => join(outDir, n);
  writeFileSync(file('requests.csv'), csvHeader(REQUEST_COLUMNS));
  writeFileSync(file('workflows.csv'), csvHeader(WORKFLOW_COLUMNS));

  const t0 = performance.now();
  const runs: RunEntry[] = [];
  // Sweep points (one, unlabelled, without a sweep): each a whole scenario; a point's workloads
  // are reported as `<name> @ <point>` so every table, chart and gate keeps one row per load.
  const points = loaded.points ?? [{ label: '', values: {}, scenario: sc }];
  const total = points.reduce((n, pt) => n + pt.scenario.workloads.length, 0) * policies.length * sc.seeds.length;
  const workloadEntries: Report['workloads'][number][] = [];
  let cellNo = 0;
  let events = 0;
  let calls = 0;
  const charts = new ChartSampler(sc.seeds[0]!);
  const kvMetrics = policies.some((p) => p.entry.kvTiers !== undefined || p.entry.disaggregation !== undefined);
  for (const pt of points) {
  const ps = pt.scenario;
  const pointCluster = pt.label === '' ? cluster : resolveCluster(ps.cluster, loaded.file);
  const pointPolicies = pt.label === '' ? policies : (target ? namePolicies(ps.policies, loaded.file).map(targetPolicy) : namePolicies(ps.policies, loaded.file));
  for (const spec of ps.workloads as WorkloadSpec[]) {
    const name = pt.label === '' ? spec.name : `${spec.name} @ ${pt.label}`;
    const workload = { ...spec, name };
    workloadEntries.push({ name, pattern: spec.pattern, ...(pt.label === '' ? {} : { base: spec.name, sweep: pt.values }) });
    for (const p of pointPolicies) {
      for (const seed of sc.seeds) {
        cellNo++;
        const label = `[${cellNo}/${total}] ${workload.name} × ${p.name} × seed ${seed}`;
        const onProgress = (pr: { simUs: number; workflowsStarted: number; workflowsEnded: number }): void => opts.progress?.update(
          `${label}: ${pr.workflowsEnded}/${pr.workflowsStarted} workflows done, ${sc.mode} ${(pr.simUs / 1e6).toFixed(1)} s`);
        if (target) await prepareTargetCell(sc.live!, cellNo === 1);
        const res = ps.mode === 'live'
          ? await runLiveCell({
            cluster: pointCluster, workload, policy: p.entry, seed, check: opts.check, live: ps.live,
            faults: liveFaultsFromScenario(ps.faults, pointCluster.instances, seed),
            sampleIntervalUs: ps.report.sampleIntervalMs * 1000, slo: ps.slo, onProgress, router: ps.router, baseDir: dirname(loaded.file),
            percentileMethod: ps.report.percentiles,
          })
          : runSimCell({
            cluster: pointCluster, workload, policy: p.entry, seed, check: opts.check,
            maxSimUs: ps.limits.maxSimS * 1e6, maxEvents: ps.limits.maxEvents,
            sampleIntervalUs: ps.report.sampleIntervalMs * 1000, slo: ps.slo, baseDir: dirname(loaded.file), faults: ps.faults, router: ps.router,
            kvMetrics, onProgress, percentileMethod: ps.report.percentiles,
          });
        events += res.events;
        calls += res.requests.length;
        appendFileSync(file('requests.csv'), requestRows(workload.name, p.name, seed, res.requests));
        appendFileSync(file('workflows.csv'), workflowRows(workload.name, p.name, seed, res.workflows));
        charts.addCell(workload.name, p.name, seed, res.requests, res.workflows);
        runs.push({
          workload: workload.name, policy: p.name, seed, end: res.end, summary: res.summary, instances: res.instances,
          ...(res.faults ? { faults: res.faults } : {}),
          ...(seed === sc.seeds[0] ? { timeseries: timeseriesJson(res.samples, res.sampleIntervalUs) } : {}),
        });
      }
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
    ...(points.length > 1 || points[0]!.label !== '' ? { sweep: sweepJson(points, sc.slo, runs) } : {}),
    runs,
    aggregates: aggregate(runs),
  };
  writeFileSync(file('report.json'), reportToJson(report));
  writeFileSync(file('summary.csv'), summaryCsv(runs));
  writeFileSync(file('report.md'), reportMarkdown(report));
  // Loaded here, not at start-up: vega is only needed once a run has results to draw.
  const { reportHtml } = await import('../../reports/html/index.js');
  writeFileSync(file('report.html'), (await reportHtml(report, charts.data())).html);
  writeFileSync(file('run-info.json'), `${JSON.stringify({
    wallMs: Math.round(wallMs), events, eventsPerSec: Math.round(events / (wallMs / 1000)), calls,
    callsPerSec: Math.round(calls / (wallMs / 1000)), node: process.version, platform: `${process.platform}-${process.arch}`,
  }, null, 2)}\n`);
  const files = ['report.json', 'report.md', 'report.html', 'requests.csv', 'workflows.csv', 'summary.csv', 'run-info.json'].map(file);
  return { report, outDir, files, wallMs, events, calls };
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

/** The sweep's axes and, with an SLO, each policy's capacity at SLO per workload. */
function sweepJson(points: NonNullable<LoadedScenario['points']>, slo: Slo | undefined, runs: readonly RunEntry[]): NonNullable<Report['sweep']> {
  const axes: Record<string, (number | string | boolean)[]> = {};
  for (const pt of points) {
    for (const [k, v] of Object.entries(pt.values)) {
      const list = (axes[k] ??= []);
      if (!list.includes(v)) list.push(v);
    }
  }
  return { axes, points: points.map((p) => ({ label: p.label, values: p.values })), ...(slo ? { slo, capacityAtSlo: capacityAtSlo(slo, points, runs) } : {}) };
}
