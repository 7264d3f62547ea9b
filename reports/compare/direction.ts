/** Whether a bigger value of a metric is better or worse. */
export type Direction = 'lower' | 'higher';

// Read from the metric's name, so metrics other modules add later are classified too.
const HIGHER = /(Rps|PerSec|Wps|HitRate|Completed|Affinity)$|^requestsOk$/;
const LOWER = /Ms(P\d+|Mean)?$|(Failed|Rejected|TimedOut|Retried|Cov)$|^(preemptions|evictions|slowdown|recomputed|timeToRecover)/;

/** Which way is better for a summary metric, from its name; undefined when the name does not say. */
export function metricDirection(metric: string): Direction | undefined {
  if (HIGHER.test(metric)) return 'higher';
  if (LOWER.test(metric)) return 'lower';
  return undefined;
}

/** The unit of a summary metric, from its name. */
export function metricUnit(metric: string): string {
  if (/Ms(P\d+|Mean)?$/.test(metric)) return 'ms';
  if (/Rps$/.test(metric)) return 'req/s';
  if (/TokensPerSec$/.test(metric)) return 'tok/s';
  if (/Wps$|^workflowsPerSec$/.test(metric)) return 'workflows/s';
  if (/Rate$|Usage(Mean|Peak)?$|Affinity$/.test(metric)) return 'ratio';
  if (/S$/.test(metric)) return 's';
  return 'count';
}

/** The metrics every comparison table and benchmark file shows, when present. */
export const HEADLINE_METRICS: readonly string[] = [
  'workflowsCompleted', 'makespanMsP50', 'makespanMsP99', 'ttftMsP50', 'ttftMsP99', 'e2eMsP99',
  'throughputRps', 'outputTokensPerSec', 'goodputWps', 'prefixCacheHitRate',
];
