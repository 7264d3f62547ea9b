import type { Report, SweepValue } from '../report.js';
import { axisLabel } from '../capacity.js';
import { topLevel, type ChartSpec } from './vl.js';

/** The panels of the sweep chart: what each policy's curve shows against the swept load. */
const PANELS: readonly { metric: string; title: string }[] = [
  { metric: 'throughputRps', title: 'throughput (calls/s)' },
  { metric: 'ttftMsP99', title: 'TTFT p99 (ms)' },
  { metric: 'tpotMsP99', title: 'TPOT p99 (ms)' },
  { metric: 'makespanMsP99', title: 'makespan p99 (ms)' },
  { metric: 'goodputRps', title: 'goodput (good calls/s)' },
  { metric: 'sloAttainment', title: 'SLO attainment (calls)' },
];

/**
 * Throughput–latency curves over a sweep: for one base workload, each metric's median over seeds
 * against the first sweep axis, one line per policy (the other axes' settings as separate line
 * styles). Points where a policy misses the SLO are hollow. Null without a sweep or a numeric axis.
 */
export function sweepChart(report: Report, base: string, idx: number): ChartSpec | null {
  const sw = report.sweep;
  if (!sw) return null;
  const axis = Object.keys(sw.axes)[0];
  if (axis === undefined || !sw.axes[axis]!.every((v) => typeof v === 'number')) return null;
  const others = Object.keys(sw.axes).slice(1);
  const values: Record<string, unknown>[] = [];
  for (const w of report.workloads.filter((x) => x.base === base && x.sweep)) {
    const x = w.sweep![axis] as number;
    const setting = others.map((k) => `${axisLabel(k)}=${String(w.sweep![k] as SweepValue)}`).join(', ') || 'all';
    for (const a of report.aggregates.filter((r) => r.workload === w.name)) {
      for (const p of PANELS) {
        const v = a.summary[p.metric]?.median;
        if (v === null || v === undefined || !Number.isFinite(v)) continue;
        const met = sw.capacityAtSlo?.find((c) => c.workload === base && c.policy === a.policy)?.met.find((m) => m.value === x)?.meets;
        values.push({ policy: a.policy, setting, x, panel: p.title, value: v, meets: met === undefined ? 'n/a' : met ? 'meets the SLO' : 'misses the SLO' });
      }
    }
  }
  if (values.length === 0) return null;
  const panels = PANELS.map((p) => p.title).filter((t) => values.some((v) => v['panel'] === t));
  const axisTitle = axisLabel(axis);
  return {
    id: `sweep-${idx}`,
    title: `Across the sweep: ${base}`,
    caption: `Each policy's median over seeds at every value of ${axis}${others.length ? ` (line style: ${others.join(', ')})` : ''}. Hollow points miss the SLO${sw.slo ? '' : ' (no SLO set: all points filled)'}; the capacity at SLO table lists the highest value each policy still serves.`,
    spec: topLevel({
      data: { values },
      facet: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelAngle: 0, labelAlign: 'left', labelFontWeight: 'bold' } },
      columns: 3,
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 220, height: 150,
        encoding: {
          x: { field: 'x', type: 'quantitative', title: axisTitle, scale: { type: 'log', base: 2 } },
          y: { field: 'value', type: 'quantitative', title: null, axis: { format: ',~r' } },
          color: { field: 'policy', type: 'nominal', sort: report.policies.map((p) => p.name), scale: { scheme: 'tableau20' }, legend: { title: null, orient: 'top', labelLimit: 0 } },
        },
        layer: [
          { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { strokeDash: { field: 'setting', type: 'nominal', legend: others.length ? { title: others.join(', ') } : null } } },
          // A point per load; hollow where the policy misses the SLO there.
          { mark: { type: 'point', size: 40, strokeWidth: 1.5 }, encoding: { fill: { condition: { test: "datum.meets === 'misses the SLO'", value: 'white' }, field: 'policy', type: 'nominal', sort: report.policies.map((p) => p.name), scale: { scheme: 'tableau20' }, legend: null }, opacity: { value: 1 } } },
        ],
      },
    }),
  };
}
