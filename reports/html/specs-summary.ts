import type { Report } from '../report.js';
import type { ChartData } from './chart-data.js';
import { median } from 'simple-statistics';
import { metricDirection } from '../compare/direction.js';
import { fmt } from '../format.js';
import { featuredPolicies } from '../leaderboard.js';
import { DASHES, POLICY_RANGE, metricLabel, topLevel, type ChartSpec } from './vl.js';

/** Metrics of the per-workload policy bars. */
export const BAR_METRICS = ['makespanMsP50', 'makespanMsP99', 'ttftMsP50', 'ttftMsP99', 'throughputRps', 'outputTokensPerSec'] as const;

const policyX = (policies: readonly string[]) => ({
  field: 'policy', type: 'nominal', sort: policies, axis: { title: null, labelAngle: -40, labelLimit: 0 },
});
const policyColor = (policies: readonly string[]) => ({
  field: 'policy', type: 'nominal', scale: { domain: policies, range: POLICY_RANGE }, legend: null,
});

/** A bar longer than this many times the policies' median for its metric is cut there and labelled. */
export const CLIP_FACTOR = 3;

/**
 * Per workload: one small chart per headline metric, a horizontal bar per policy sorted best
 * first, its full name on the axis, seed min–max as error bars. An outlier would flatten every
 * other bar, so bars past CLIP_FACTOR × the policies' median are cut there and carry their value.
 */
export function policyBarsChart(report: Report, workload: string, idx: number): ChartSpec | null {
  const policies = report.policies.map((p) => p.name);
  const labels: string[] = [];
  const values: Record<string, unknown>[] = [];
  let clipped = 0;
  for (const metric of BAR_METRICS) {
    const aggs = report.aggregates.filter((x) => x.workload === workload && (x.summary[metric]?.median ?? null) !== null);
    if (aggs.length === 0) continue;
    const medians = aggs.map((a) => a.summary[metric]!.median!);
    const cap = CLIP_FACTOR * median(medians);
    const label = metricLabel(metric);
    labels.push(label);
    const lowerBetter = metricDirection(metric) !== 'higher';
    for (const a of aggs) {
      const s = a.summary[metric]!;
      const cut = cap > 0 && s.median! > cap;
      if (cut) clipped++;
      values.push({
        metric: label, policy: a.policy, median: s.median, shown: cut ? cap : s.median,
        min: s.min === null ? null : Math.min(s.min, cap), max: s.max === null ? null : Math.min(s.max, cap),
        rank: lowerBetter ? s.median : -s.median!, cutLabel: cut ? `${fmt(s.median, 0)} →` : '',
      });
    }
  }
  if (values.length === 0) return null;
  const y = { field: 'policy', type: 'nominal', sort: { field: 'rank', op: 'min', order: 'ascending' }, axis: { title: null, labelLimit: 0 } };
  const seeds = report.scenario.seeds.length;
  return {
    id: `bars-${idx}`,
    title: 'Policies compared',
    caption: `Median across ${seeds} seed(s), best first in each chart; the error bars span the lowest and highest seed.${clipped > 0 ? ` ${clipped} bar(s) longer than ${CLIP_FACTOR}× the policies' median are cut there, labelled with their value.` : ''}`,
    // One chart per metric (concatenated, not faceted): each sorts its own bars best first.
    spec: topLevel({
      columns: policies.length > 8 ? 2 : 3,
      concat: labels.map((label) => ({
        title: label,
        data: { values: values.filter((v) => v['metric'] === label) },
        width: 200, height: { step: 13 },
        layer: [
          { mark: { type: 'bar', height: { band: 0.75 } }, encoding: { y, x: { field: 'shown', type: 'quantitative', title: null, axis: { format: '~s' } }, color: policyColor(policies) } },
          { mark: { type: 'rule', color: '#333' }, encoding: { y, x: { field: 'min', type: 'quantitative' }, x2: { field: 'max' } } },
          { mark: { type: 'text', align: 'right', dx: -3, fontSize: 10, color: 'white' }, encoding: { y, x: { field: 'shown', type: 'quantitative' }, text: { field: 'cutLabel' } } },
        ],
      })),
      resolve: { scale: { x: 'independent', y: 'independent' } },
    }),
  };
}

/** Per workload: cumulative distributions of TTFT, TPOT and E2E latency over every seed, one line per featured policy, log x. */
export function latencyCdfChart(report: Report, data: ChartData, workload: string, idx: number): ChartSpec | null {
  const { policies, note } = featuredPolicies(report, workload);
  const labelOf = { ttftMs: 'TTFT (ms, log)', tpotMs: 'TPOT (ms per output token, log)', e2eMs: 'E2E latency (ms, log)' } as const;
  // One row per series with its points as arrays, unpacked by a flatten transform: the
  // embedded spec carries the policy and metric names once per line, not once per point.
  const values: Record<string, unknown>[] = [];
  for (const c of data.cdfs.filter((x) => x.workload === workload && policies.includes(x.policy))) {
    // A log axis cannot show 0 ms; such values (a TPOT of one-token outputs) are left out.
    const pts = c.points.filter(([ms]) => ms > 0);
    if (pts.length > 0) values.push({ metric: labelOf[c.metric], policy: c.policy, ms: pts.map(([ms]) => ms), p: pts.map(([, p]) => p) });
  }
  if (values.length === 0) return null;
  const seeds = data.cdfSeeds.length;
  const legend = { title: 'policy', orient: 'bottom', columns: 3, labelLimit: 260, values: policies };
  return {
    id: `cdf-${idx}`,
    title: 'Latency distributions',
    caption: `Cumulative share of successful requests at or below each latency, pooled over ${seeds === 1 ? `seed ${data.cdfSeeds[0]!}` : `all ${seeds} seeds (${data.cdfSeeds.join(', ')}), each weighted by its requests`}; log time axis.${note}`,
    spec: topLevel({
      data: { values },
      transform: [{ flatten: ['ms', 'p'] }],
      facet: { field: 'metric', type: 'nominal', title: null, sort: Object.values(labelOf) },
      columns: 3,
      spec: {
        width: 300, height: 170,
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'ms', type: 'quantitative', title: null, scale: { type: 'log' }, axis: { format: '~s', labelOverlap: true } },
          y: { field: 'p', type: 'quantitative', title: 'share of requests', axis: { format: '%' }, scale: { domain: [0, 1] } },
          // Colours stay those of every chart (the whole policy list); the legend lists the lines drawn.
          color: { ...policyColor(report.policies.map((p) => p.name)), legend },
          // The same legend on both channels, so vega-lite merges them: each entry shows colour and dash.
          strokeDash: { field: 'policy', type: 'nominal', scale: { domain: policies, range: DASHES }, legend },
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
