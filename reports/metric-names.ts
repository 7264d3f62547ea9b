import { metricDirection } from './compare/direction.js';
import { failoverFigures } from './failover.js';
import { LogHistogram } from './histogram.js';
import { kvTierFigures, NO_COUNTERS } from './kv-tiers.js';
import { summarize } from './summary.js';

/** Which optional metric groups a scenario's runs emit. */
export interface MetricFeatures {
  /** A policy uses KV tiers or prefill/decode disaggregation (sim-cell's `kvMetrics`). */
  readonly kvTiers: boolean;
  /** The scenario injects faults. */
  readonly faults: boolean;
  /** A trace workload skips bad rows (traceRowsSkipped). */
  readonly traceRowsSkipped: boolean;
}

/**
 * The summary metric names a run will emit, known before it runs: the keys the very functions
 * that compute them produce on empty input, so this list cannot drift from the metrics.
 * Policy counters (`routing.*`, `scheduling.*`, …) depend on the policy and are left out: a gate
 * names a metric without dots.
 */
export function summaryMetricNames(f: MetricFeatures): string[] {
  const names = Object.keys(summarize({ requests: [], workflows: [], itlMs: new LogHistogram(), instances: [], samples: [], slo: {} }));
  if (f.traceRowsSkipped) names.push('traceRowsSkipped');
  if (f.kvTiers) names.push(...Object.keys(kvTierFigures({ requests: [], instances: [], blockSize: 16, counters: NO_COUNTERS, tierLoadUs: [], pd: new Map() })));
  if (f.faults) {
    names.push(...Object.keys(failoverFigures({
      requests: [], workflows: [], faults: [], samples: [], sampleIntervalUs: 1, recomputedPrefillTokens: 0, blockSize: 16,
    }).summary));
  }
  return names;
}

/**
 * Problems with gate metric names against the metrics a scenario emits: each unknown name with
 * a close match when there is one, and the valid names once. Empty when all are known.
 */
export function unknownGateMetrics(metrics: readonly string[], valid: readonly string[], where: (metric: string) => string): string[] {
  const unknown = metrics.filter((m) => !valid.includes(m));
  if (unknown.length === 0) return [];
  return [
    ...unknown.map((m) => {
      const near = closest(m, valid);
      return `${where(m)}: unknown gate metric '${m}'${near ? ` (did you mean '${near}'?)` : ''}`;
    }),
    `valid gate metrics for this scenario: ${valid.join(', ')}`,
  ];
}

// The valid name within edit distance 3 (case-insensitive), if any: a typo's likely intent.
function closest(name: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 4;
  for (const v of valid) {
    const d = editDistance(name.toLowerCase(), v.toLowerCase());
    if (d < bestD) {
      best = v;
      bestD = d;
    }
  }
  return best;
}

/** Levenshtein distance (insert, delete, substitute: cost 1 each). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Relative limits that guard the good direction of a metric whose name tells it — a rise
 * limit on throughput, a drop limit on latency — would fail on an improvement and never on a
 * regression: one problem each, naming the kind that was likely meant.
 */
export function wrongWayGates(gates: Readonly<Record<string, Readonly<Record<string, number | undefined>>>>, where: (metric: string, kind: string) => string): string[] {
  const out: string[] = [];
  for (const [metric, rule] of Object.entries(gates)) {
    const dir = metricDirection(metric);
    if (dir === 'higher' && rule['maxIncreasePct'] !== undefined) {
      out.push(`${where(metric, 'maxIncreasePct')}: ${metric} is better higher, so a rise is an improvement and this limit would fail on it; did you mean maxDecreasePct?`);
    }
    if (dir === 'lower' && rule['maxDecreasePct'] !== undefined) {
      out.push(`${where(metric, 'maxDecreasePct')}: ${metric} is better lower, so a drop is an improvement and this limit would fail on it; did you mean maxIncreasePct?`);
    }
  }
  return out;
}
