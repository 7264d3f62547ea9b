import type { Report, RunEntry } from '../report.js';
import type { ChartData } from './chart-data.js';
import { featuredPolicies, MAX_FEATURED_ROWS } from '../leaderboard.js';
import { downPeriods, faultWindows, type DownPeriod } from './faults.js';
import { MAX_INSTANCE_LINES, topLevel, type ChartSpec } from './vl.js';

/** Most time points per instance and policy drawn (the series is thinned by a fixed stride). */
const MAX_POINTS = 100;

interface Sample { tMs: number; instance: string; kvUsage: number; running: number; waiting: number; healthy: boolean; tokens: number }

/** The first seed's runs of a workload that carry a timeseries, in policy order. */
function seriesRuns(report: Report, workload: string): RunEntry[] {
  return report.runs.filter((r) => r.workload === workload && r.timeseries !== undefined);
}

function samplesOf(run: RunEntry): Sample[] {
  const ts = run.timeseries!;
  return ts.rows.map(([tMs, instance, kvUsage, running, waiting, healthy, tokens]) => ({ tMs, instance, kvUsage, running, waiting, healthy, tokens }));
}

/** Keep at most MAX_POINTS rounds per instance (every k-th round), and at most MAX_INSTANCE_LINES instances. */
function thin(samples: readonly Sample[]): { rows: Sample[]; instances: string[]; dropped: number } {
  const all = [...new Set(samples.map((s) => s.instance))];
  const instances = all.slice(0, MAX_INSTANCE_LINES);
  const times = [...new Set(samples.map((s) => s.tMs))];
  const stride = Math.max(1, Math.ceil(times.length / MAX_POINTS));
  const keep = new Set(times.filter((_, i) => i % stride === 0 || i === times.length - 1));
  const wanted = new Set(instances);
  return { rows: samples.filter((s) => keep.has(s.tMs) && wanted.has(s.instance)), instances, dropped: all.length - instances.length };
}

/** Per workload: KV-cache usage and running / waiting requests over time, per instance and policy. */
export function instanceTimelineChart(report: Report, workload: string, idx: number): ChartSpec | null {
  const { policies, note } = featuredPolicies(report, workload, MAX_FEATURED_ROWS);
  const runs = seriesRuns(report, workload).filter((r) => policies.includes(r.policy));
  if (runs.length === 0) return null;
  const values: Record<string, unknown>[] = [];
  let dropped = 0;
  for (const run of runs) {
    const t = thin(samplesOf(run));
    dropped = Math.max(dropped, t.dropped);
    // One row per (policy, instance) with its samples as arrays, unpacked by a flatten transform.
    for (const inst of t.instances) {
      const rows = t.rows.filter((x) => x.instance === inst);
      if (rows.length === 0) continue;
      values.push({
        policy: run.policy, instance: inst, tS: rows.map((x) => Math.round(x.tMs) / 1000),
        'KV cache usage (%)': rows.map((x) => Math.round(x.kvUsage * 1000) / 10), 'running requests': rows.map((x) => x.running), 'waiting requests': rows.map((x) => x.waiting),
      });
    }
  }
  if (values.length === 0) return null; // no instance was visible (a deployed target): no empty chart
  const seed = runs[0]!.seed;
  return {
    id: `timeline-${idx}`,
    title: 'Instances over time',
    caption: `KV-cache usage (percent of blocks in use) and requests running / waiting in each engine, seed ${seed}, sampled every ${runs[0]!.timeseries!.intervalMs} ms of ${timeKind(report)}.${dropped > 0 ? ` Only the first ${MAX_INSTANCE_LINES} instances are drawn (${dropped} more not shown).` : ''}${note}`,
    spec: topLevel({
      data: { values },
      transform: [
        { flatten: ['tS', 'KV cache usage (%)', 'running requests', 'waiting requests'] },
        { fold: ['KV cache usage (%)', 'running requests', 'waiting requests'], as: ['series', 'value'] },
      ],
      facet: {
        row: { field: 'policy', type: 'nominal', title: null, sort: policies, header: { labelAngle: 0, labelAlign: 'left', labelLimit: 0 } },
        column: { field: 'series', type: 'nominal', title: null, sort: ['KV cache usage (%)', 'running requests', 'waiting requests'] },
      },
      spec: {
        width: 230, height: 90,
        mark: { type: 'line', strokeWidth: 1, interpolate: 'step-after' },
        encoding: {
          x: { field: 'tS', type: 'quantitative', title: `${timeKind(report)} (s)` },
          // ',~r' prints 10 as "10" where '~g' printed "1e+1".
          y: { field: 'value', type: 'quantitative', title: null, axis: { format: ',~r' } },
          color: { field: 'instance', type: 'nominal', scale: { scheme: 'tableau10' }, legend: { title: 'instance', orient: 'right' } },
        },
      },
      resolve: { scale: { y: 'independent' } },
    }),
  };
}

/** Per workload: a Gantt-style timeline of a few workflows' calls under each policy. */
export function ganttChart(report: Report, data: ChartData, workload: string, idx: number): ChartSpec | null {
  const { policies, note } = featuredPolicies(report, workload, MAX_FEATURED_ROWS);
  const calls = data.gantt.filter((c) => c.workload === workload && policies.includes(c.policy));
  if (calls.length === 0) return null;
  const values: Record<string, unknown>[] = [];
  const rowOrder: string[] = [];
  // Row order from the first policy: by workflow, then by send time.
  const firstPolicy = calls[0]!.policy;
  for (const c of [...calls].filter((x) => x.policy === firstPolicy).sort((a, b) => (a.workflowId === b.workflowId ? a.sendMs - b.sendMs : a.workflowId < b.workflowId ? -1 : 1))) {
    const row = `${c.workflowId} · ${c.nodeId}`;
    if (!rowOrder.includes(row)) rowOrder.push(row);
  }
  for (const c of calls) {
    const row = `${c.workflowId} · ${c.nodeId}`;
    const base = { policy: c.policy, row, instance: c.instance };
    if (!Number.isFinite(c.firstTokenMs)) {
      values.push({ ...base, phase: 'failed', start: c.sendMs, end: c.endMs });
      continue;
    }
    const queued = Number.isFinite(c.queuedUntilMs) ? c.queuedUntilMs : c.sendMs;
    if (queued > c.sendMs) values.push({ ...base, phase: 'queued', start: c.sendMs, end: queued });
    values.push({ ...base, phase: 'prefill', start: queued, end: c.firstTokenMs });
    values.push({ ...base, phase: 'decode', start: c.firstTokenMs, end: c.endMs });
  }
  return {
    id: `gantt-${idx}`,
    title: 'A few workflows, call by call',
    caption: `The same ${new Set(calls.map((c) => c.workflowId)).size} workflows (from the middle of seed ${data.seed}'s run) under each policy. Each bar is an LLM call, coloured by the instance that served it: faint while queued in the engine, medium until the first token (prefill), solid while decoding; gaps between a workflow's calls are tool waits or waiting for parent calls. Time is from each workflow's start; each policy has its own time axis, so the slowest does not squash the rest (read the axis before comparing lengths).${note}`,
    spec: topLevel({
      data: { values },
      facet: { row: { field: 'policy', type: 'nominal', title: null, sort: policies, header: { labelAngle: 0, labelAlign: 'left', labelLimit: 0 } } },
      spec: {
        width: 560, height: { step: 11 },
        mark: { type: 'bar', height: { band: 0.8 } },
        encoding: {
          y: { field: 'row', type: 'nominal', sort: rowOrder, title: null, axis: { labelFontSize: 9, labelLimit: 180 } },
          x: { field: 'start', type: 'quantitative', title: 'ms since the workflow started' },
          x2: { field: 'end' },
          color: { field: 'instance', type: 'nominal', scale: { scheme: 'tableau10' }, legend: { title: 'instance', orient: 'right' } },
          opacity: { field: 'phase', type: 'nominal', sort: ['queued', 'prefill', 'decode', 'failed'], scale: { type: 'ordinal', domain: ['queued', 'prefill', 'decode', 'failed'], range: [0.25, 0.55, 1, 0.2] }, legend: { title: 'phase', orient: 'right' } },
          stroke: { condition: { test: "datum.phase === 'failed'", value: '#c00' }, value: null },
        },
      },
      resolve: { scale: { x: 'independent' } },
    }),
  };
}

/** Whether any instance of the workload's first-seed runs was unhealthy at some sample. */
export function hadFaults(report: Report, workload: string): boolean {
  return seriesRuns(report, workload).some((r) => (r.faults?.length ?? 0) > 0 || r.timeseries!.rows.some((row) => row[5] === false));
}

/**
 * When each fault was real but the router did not know yet: fault start → detection (the
 * blind window, where calls still go to the failed instance), or → the fault's end when it
 * was never detected (slowdowns, short hangs).
 */
export function blindPeriods(run: RunEntry): DownPeriod[] {
  return (run.faults ?? []).map((f) => {
    const untilMs = f.timeToDetectMs ?? f.durationMs ?? 0;
    return { instance: f.instance, tS: round3(f.atMs / 1000), tEndS: round3((f.atMs + untilMs) / 1000) };
  });
}

/** Per workload with faults: output throughput per instance and in total around each fault, down periods shaded. */
export function failoverChart(report: Report, workload: string, idx: number): ChartSpec | null {
  if (!hadFaults(report, workload)) return null;
  const runs = seriesRuns(report, workload);
  const intervalS = Math.max(...runs.map((r) => r.timeseries!.intervalMs)) / 1000;
  const samples = new Map(runs.map((r) => [r, samplesOf(r)]));
  const downs = new Map(runs.map((r) => [r, downPeriods(samples.get(r)!, r.timeseries!.intervalMs / 1000)]));
  const blinds = new Map(runs.map((r) => [r, blindPeriods(r)]));
  const times = [...samples.values()].flatMap((ss) => ss.map((x) => x.tMs / 1000));
  const windows = faultWindows([...downs.values(), ...blinds.values()].flat(), Math.min(...times), Math.max(...times), intervalS);
  const values: Record<string, unknown>[] = [];
  for (const run of runs) {
    const runIntervalS = run.timeseries!.intervalMs / 1000;
    for (const w of windows) {
      for (const d of downs.get(run)!) {
        if (d.tEndS < w.fromS || d.tS > w.toS) continue;
        values.push({ policy: run.policy, window: w.label, layer: 'down', instance: d.instance, tS: Math.max(d.tS, w.fromS), tEndS: Math.min(d.tEndS, w.toS), label: `${d.instance} out of rotation` });
      }
      for (const d of blinds.get(run)!) {
        if (d.tEndS < w.fromS || d.tS > w.toS || d.tEndS <= d.tS) continue;
        values.push({ policy: run.policy, window: w.label, layer: 'blind', instance: d.instance, tS: Math.max(d.tS, w.fromS), tEndS: Math.min(d.tEndS, w.toS), label: `${d.instance} failed, not yet detected` });
      }
      // A zoomed window keeps every sample; the whole-run view is thinned.
      const inWindow = samples.get(run)!.filter((x) => x.tMs / 1000 >= w.fromS && x.tMs / 1000 <= w.toS);
      for (const x of w.label === 'whole run' ? thin(inWindow).rows : inWindow) {
        values.push({ policy: run.policy, window: w.label, layer: 'line', instance: x.instance, tS: round3(x.tMs / 1000), tokPerS: round3(x.tokens / runIntervalS) });
      }
    }
  }
  const x = { field: 'tS', type: 'quantitative', title: `${timeKind(report)} (s)`, scale: { zero: false, nice: false } };
  return {
    id: `failover-${idx}`,
    title: 'Throughput and health around faults',
    caption: `Output tokens per second per instance (thin lines) and in total (black), seed ${runs[0]!.seed}, ${windows[0]!.label === 'whole run' ? 'over the whole run' : 'in a window around each fault'}. Orange: the fault has happened but the router has not detected it yet (the blind window, where calls still go to the failed instance and workflows die); red: the router holds the instance out of rotation (detection to recovery, by its health checks).`,
    spec: topLevel({
      data: { values },
      facet: {
        row: { field: 'policy', type: 'nominal', title: null, sort: report.policies.map((p) => p.name), header: { labelAngle: 0, labelAlign: 'left' } },
        column: { field: 'window', type: 'nominal', title: null, sort: windows.map((w) => w.label) },
      },
      spec: {
        width: windows.length > 1 ? Math.max(200, Math.floor(720 / windows.length)) : 560, height: 120,
        layer: [
          // Layers without data would give vega an infinite extent: drawn only when some fault happened.
          ...(values.some((v) => v['layer'] === 'blind') ? [
            { transform: [{ filter: "datum.layer === 'blind'" }], mark: { type: 'rect', color: '#f58518', opacity: 0.35 }, encoding: { x, x2: { field: 'tEndS' } } },
            {
              transform: [{ filter: "datum.layer === 'blind'" }],
              mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 3, dy: -3, fontSize: 10, color: '#a55a00' },
              encoding: { x, y: { value: 120 }, text: { field: 'label' } },
            },
          ] : []),
          // Likewise out-of-rotation: a fault that takes nothing out (a slowdown) has none.
          ...(values.some((v) => v['layer'] === 'down') ? [
            { transform: [{ filter: "datum.layer === 'down'" }], mark: { type: 'rect', color: '#e45756', opacity: 0.18 }, encoding: { x, x2: { field: 'tEndS' } } },
            {
              transform: [{ filter: "datum.layer === 'down'" }],
              mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 3, fontSize: 10, color: '#a33' },
              encoding: { x, y: { value: 0 }, text: { field: 'label' } },
            },
          ] : []),
          {
            transform: [{ filter: "datum.layer === 'line'" }],
            mark: { type: 'line', strokeWidth: 1 },
            encoding: { x, y: { field: 'tokPerS', type: 'quantitative', title: 'output tokens/s' }, color: { field: 'instance', type: 'nominal', scale: { scheme: 'tableau10' }, legend: { title: 'instance' } } },
          },
          {
            transform: [{ filter: "datum.layer === 'line'" }, { aggregate: [{ op: 'sum', field: 'tokPerS', as: 'total' }], groupby: ['policy', 'window', 'tS'] }],
            mark: { type: 'line', color: 'black', strokeWidth: 1.5 },
            encoding: { x, y: { field: 'total', type: 'quantitative' } },
          },
        ],
      },
      resolve: { scale: { x: 'independent' } },
    }),
  };
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** What the time axis measures: the simulator's virtual time, or (live) the run's own scaled wall clock. */
function timeKind(report: Report): string {
  return report.scenario.mode === 'live' ? 'run time (wall clock, scaled by live.timeScale)' : 'simulated time';
}
