import type { Report } from '../report.js';
import type { ChartData } from './chart-data.js';
import { POLICY_RANGE, metricLabel, topLevel, type ChartSpec } from './vl.js';

/** Metrics of the per-workload policy bars. */
export const BAR_METRICS = ['makespanMsP50', 'makespanMsP99', 'ttftMsP50', 'ttftMsP99', 'throughputRps', 'outputTokensPerSec'] as const;

const policyX = (policies: readonly string[]) => ({
  field: 'policy', type: 'nominal', sort: policies, axis: { title: null, labelAngle: -30, labelLimit: 110 },
});
const policyColor = (policies: readonly string[]) => ({
  field: 'policy', type: 'nominal', scale: { domain: policies, range: POLICY_RANGE }, legend: null,
});

/** Per workload: one small bar chart per headline metric, a bar per policy, seed min–max as error bars. */
export function policyBarsChart(report: Report, workload: string, idx: number): ChartSpec | null {
  const policies = report.policies.map((p) => p.name);
  const labels: string[] = [];
  const values: Record<string, unknown>[] = [];
  for (const metric of BAR_METRICS) {
    for (const a of report.aggregates.filter((x) => x.workload === workload)) {
      const s = a.summary[metric];
      if (!s || s.median === null) continue;
      const label = metricLabel(metric);
      if (!labels.includes(label)) labels.push(label);
      values.push({ metric: label, policy: a.policy, median: s.median, min: s.min, max: s.max });
    }
  }
  if (values.length === 0) return null;
  const x = policyX(policies);
  const seeds = report.scenario.seeds.length;
  return {
    id: `bars-${idx}`,
    title: 'Policies compared',
    caption: `Median across ${seeds} seed(s); the error bars span the lowest and highest seed.`,
    spec: topLevel({
      data: { values },
      facet: { field: 'metric', type: 'nominal', title: null, sort: labels },
      columns: 3,
      spec: {
        width: { step: 36 }, height: 120,
        layer: [
          { mark: { type: 'bar', width: { band: 0.7 } }, encoding: { x, y: { field: 'median', type: 'quantitative', title: null }, color: policyColor(policies) } },
          { mark: { type: 'rule', color: '#333' }, encoding: { x, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } } },
          { mark: { type: 'tick', color: '#333', size: 10 }, encoding: { x, y: { field: 'min', type: 'quantitative' } } },
          { mark: { type: 'tick', color: '#333', size: 10 }, encoding: { x, y: { field: 'max', type: 'quantitative' } } },
        ],
      },
      resolve: { scale: { y: 'independent' } },
    }),
  };
}

/** Per workload: cumulative distributions of TTFT and E2E latency, one line per policy. */
export function latencyCdfChart(report: Report, data: ChartData, workload: string, idx: number): ChartSpec | null {
  const policies = report.policies.map((p) => p.name);
  const labelOf = { ttftMs: 'TTFT (ms)', e2eMs: 'E2E latency (ms)' } as const;
  const values: Record<string, unknown>[] = [];
  for (const c of data.cdfs.filter((x) => x.workload === workload)) {
    for (const [ms, p] of c.points) values.push({ metric: labelOf[c.metric], policy: c.policy, ms, p });
  }
  if (values.length === 0) return null;
  return {
    id: `cdf-${idx}`,
    title: 'Latency distributions',
    caption: `Cumulative share of successful requests at or below each latency, seed ${data.seed} (up to 200 quantiles per policy).`,
    spec: topLevel({
      data: { values },
      facet: { field: 'metric', type: 'nominal', title: null, sort: [labelOf.ttftMs, labelOf.e2eMs] },
      spec: {
        width: 300, height: 170,
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'ms', type: 'quantitative', title: 'ms', scale: { zero: false } },
          y: { field: 'p', type: 'quantitative', title: 'share of requests', axis: { format: '%' }, scale: { domain: [0, 1] } },
          color: { ...policyColor(policies), legend: { title: 'policy', orient: 'right' } },
        },
      },
      resolve: { scale: { x: 'independent' } },
    }),
  };
}

/** All workloads: prefix-cache hit rate and cross-agent reuse per policy. */
export function cacheReuseChart(report: Report): ChartSpec | null {
  const policies = report.policies.map((p) => p.name);
  const metrics = ['prefixCacheHitRate', 'crossAgentHitRate'];
  const values: Record<string, unknown>[] = [];
  for (const a of report.aggregates) {
    for (const m of metrics) {
      const s = a.summary[m];
      if (!s || s.median === null) continue;
      values.push({ workload: a.workload, policy: a.policy, metric: metricLabel(m), median: s.median, min: s.min, max: s.max });
    }
  }
  if (values.length === 0) return null;
  const x = policyX(policies);
  const xOffset = { field: 'metric', type: 'nominal', sort: metrics.map(metricLabel) };
  return {
    id: 'cache',
    title: 'Prefix-cache reuse',
    caption: 'Share of prompt tokens served from the prefix cache, and the part of it whose KV blocks another agent or workflow computed (cross-agent reuse). Median across seeds; error bars span the seeds.',
    spec: topLevel({
      data: { values },
      facet: { field: 'workload', type: 'nominal', title: null, sort: report.workloads.map((w) => w.name) },
      columns: 3,
      spec: {
        width: { step: 44 }, height: 140,
        layer: [
          {
            mark: { type: 'bar' },
            encoding: {
              x, xOffset, y: { field: 'median', type: 'quantitative', title: 'share of prompt tokens', axis: { format: '%' }, scale: { domain: [0, 1] } },
              color: { field: 'metric', type: 'nominal', sort: metrics.map(metricLabel), scale: { range: ['#4c78a8', '#9ecae9'] }, legend: { title: null, orient: 'top', labelLimit: 240 } },
            },
          },
          { mark: { type: 'rule', color: '#333' }, encoding: { x, xOffset, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } } },
        ],
      },
    }),
  };
}
