import type { Report } from '../report.js';
import { topLevel, type ChartSpec } from './vl.js';

interface Series { readonly metric: string; readonly label: string }

/** Grouped horizontal bars: a row per policy, a bar per series, medians across seeds with the seed range. */
function groupedBars(report: Report, workload: string, series: readonly Series[], x: { title: string; format: string; log?: boolean }): Record<string, unknown> | null {
  const values: Record<string, unknown>[] = [];
  for (const a of report.aggregates.filter((r) => r.workload === workload)) {
    for (const s of series) {
      const v = a.summary[s.metric];
      if (!v || v.median === null) continue;
      values.push({ policy: a.policy, series: s.label, median: v.median, min: v.min, max: v.max });
    }
  }
  if (values.length === 0) return null;
  const y = { field: 'policy', type: 'nominal', sort: report.policies.map((p) => p.name), axis: { title: null, labelLimit: 0 } };
  const yOffset = { field: 'series', type: 'nominal', sort: series.map((s) => s.label) };
  return {
    data: { values },
    width: 420, height: { step: 9 },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          // symlog: times span orders of magnitude (a slow store's 4 s next to 20 ms) and include 0.
          y, yOffset, x: { field: 'median', type: 'quantitative', title: `${x.title}${x.log ? ', log scale' : ''}`, axis: { format: x.format }, ...(x.log ? { scale: { type: 'symlog' } } : {}) },
          color: { field: 'series', type: 'nominal', sort: series.map((s) => s.label), scale: { scheme: 'tableau10' }, legend: { title: null, orient: 'top', labelLimit: 320 } },
        },
      },
      { mark: { type: 'rule', color: '#333' }, encoding: { y, yOffset, x: { field: 'min', type: 'quantitative' }, x2: { field: 'max' } } },
    ],
  };
}

/** Per workload where a policy has KV tiers: hit rate by tier, and tier load time against the prefill compute it saved. */
export function kvTiersChart(report: Report, workload: string, idx: number): ChartSpec | null {
  if (!report.policies.some((p) => p.kvTiers)) return null;
  const hits = groupedBars(report, workload, [
    { metric: 'engineCacheHitRate', label: 'GPU prefix cache (engine counter)' },
    { metric: 'kvCpuHitRate', label: 'CPU tier' },
    { metric: 'kvRemoteHitRate', label: 'remote tier' },
  ], { title: 'share of prompt tokens', format: '%' });
  const time = groupedBars(report, workload, [
    { metric: 'kvLoadS', label: 'time loading KV from tiers (s)' },
    { metric: 'kvSavedComputeS', label: 'prefill compute the loads replaced (s)' },
  ], { title: 'seconds, summed over instances', format: ',~r', log: true });
  if (!hits || !time) return null;
  return {
    id: `kv-${idx}`,
    title: 'KV tiers',
    caption: 'Left: prompt tokens served from each tier (the GPU figure is vLLM\'s own counter, recompute after preemption included). Right: time spent loading KV from the tiers against the prefill compute those loads replaced (by the cost model): a tier pays off where the second bar is longer. Medians across seeds; lines span the seeds.',
    spec: topLevel({ hconcat: [hits, time], resolve: { scale: { color: 'independent' } } }),
  };
}

/** Per workload where a policy disaggregates prefill and decode: the parts of a request's TTFT, and TPOT. */
export function disaggregationChart(report: Report, workload: string, idx: number): ChartSpec | null {
  if (!report.policies.some((p) => p.disaggregation)) return null;
  const ttft = groupedBars(report, workload, [
    { metric: 'ttftMsP50', label: 'TTFT' },
    { metric: 'pdPrefillPhaseMsP50', label: 'prefill phase' },
    { metric: 'pdDecodeQueueMsP50', label: 'wait for the decode instance' },
    { metric: 'pdTransferMsP50', label: 'KV transfer' },
    { metric: 'pdDecodeFirstTokenMsP50', label: 'decode first step' },
  ], { title: 'ms (median)', format: ',~r', log: true });
  const tpot = groupedBars(report, workload, [
    { metric: 'tpotMsP50', label: 'TPOT p50' },
    { metric: 'tpotMsP99', label: 'TPOT p99' },
  ], { title: 'ms per output token', format: ',~r' });
  if (!ttft || !tpot) return null;
  return {
    id: `pd-${idx}`,
    title: 'Prefill/decode disaggregation',
    caption: 'Left: a disaggregated request\'s TTFT and its parts — prefill on the prefill instance, the wait for the decode instance, the KV transfer, the decode instance\'s first step (medians of each part, which need not add up to the TTFT median; co-located policies have TTFT only). Right: TPOT, decode only. Medians across seeds; lines span the seeds.',
    spec: topLevel({ hconcat: [ttft, tpot], resolve: { scale: { color: 'independent' } } }),
  };
}
