import { median } from '../report.js';
import { HEADLINE_METRICS, metricDirection, metricUnit } from './direction.js';
import type { ComparableReport } from './report-schema.js';

/** One entry of github-action-benchmark's custom tool input. */
export interface BenchmarkEntry {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly range?: string;
  readonly extra?: string;
}

/**
 * github-action-benchmark `customSmallerIsBetter` and `customBiggerIsBetter` inputs: the median
 * across seeds per (workload, policy) of the headline and gated metrics whose direction the
 * name tells, with the seed spread as `range`.
 */
export function benchmarkJson(r: ComparableReport, extraMetrics: readonly string[] = []): { smaller: BenchmarkEntry[]; bigger: BenchmarkEntry[] } {
  const metrics = [...new Set([...HEADLINE_METRICS, ...extraMetrics])];
  const smaller: BenchmarkEntry[] = [];
  const bigger: BenchmarkEntry[] = [];
  const groups = new Map<string, ComparableReport['runs'][number][]>();
  for (const run of r.runs) {
    const k = `${run.workload}/${run.policy}`;
    groups.set(k, [...(groups.get(k) ?? []), run]);
  }
  for (const [cell, runs] of groups) {
    for (const metric of metrics) {
      const dir = metricDirection(metric);
      const vals = runs.map((x) => x.summary[metric]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      if (!dir || vals.length === 0) continue;
      const lo = Math.min(...vals);
      const hi = Math.max(...vals);
      const entry: BenchmarkEntry = {
        name: `${r.scenario.name}/${cell}/${metric}`,
        unit: metricUnit(metric),
        value: median(vals),
        range: `±${round((hi - lo) / 2)}`,
        extra: `seeds: ${runs.map((x) => x.seed).join(', ')}; min ${round(lo)}, max ${round(hi)}`,
      };
      (dir === 'lower' ? smaller : bigger).push(entry);
    }
  }
  return { smaller, bigger };
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;
