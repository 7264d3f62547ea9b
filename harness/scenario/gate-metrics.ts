import { summaryMetricNames, type MetricFeatures } from '../../reports/metric-names.js';
import type { Scenario } from './schema.js';

/** Which optional metric groups the scenario's runs will emit (as the runner decides them). */
export function metricFeatures(sc: Scenario): MetricFeatures {
  return {
    // harness/runner/matrix.ts: kvMetrics when any policy has KV tiers or disaggregation.
    kvTiers: sc.policies.some((p) => p.kvTiers !== undefined || p.disaggregation !== undefined),
    // harness/runner/sim-cell.ts: failover figures when the scenario lists faults.
    faults: sc.faults.length > 0,
    traceRowsSkipped: sc.workloads.some((w) => (w as { skipBadRows?: boolean }).skipBadRows === true),
  };
}

/** The metric names a gate of this scenario may use. */
export function gateableMetrics(sc: Scenario): string[] {
  return summaryMetricNames(metricFeatures(sc));
}
