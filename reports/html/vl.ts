/** A vega-lite specification (JSON). */
export type VlSpec = Record<string, unknown>;

/** One chart of the report: its spec and the words around it. */
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly spec: VlSpec;
}

export const VL_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Shared look: system font, light grid, left-aligned titles. */
export const VL_CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  view: { stroke: '#e5e5e5' },
  axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal', gridColor: '#eee', domainColor: '#999', tickColor: '#999' },
  header: { labelFontSize: 11, titleFontSize: 11, labelFontWeight: 'bold' },
  legend: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal' },
  title: { fontSize: 13, anchor: 'start', fontWeight: 'normal' },
};

/** Colours of policies (the same policy keeps its colour in every chart). */
export const POLICY_RANGE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d', '#ff9da6', '#bab0ac'];

/** Most instances drawn as separate lines; more would be unreadable. */
export const MAX_INSTANCE_LINES = 8;

/** A complete top-level spec. */
export function topLevel(spec: VlSpec): VlSpec {
  return { $schema: VL_SCHEMA, background: 'white', ...spec, config: VL_CONFIG };
}

/** Human label with unit of a summary metric used in charts. */
export const METRIC_LABELS: Readonly<Record<string, string>> = {
  makespanMsP50: 'makespan p50 (ms)',
  makespanMsP99: 'makespan p99 (ms)',
  ttftMsP50: 'TTFT p50 (ms)',
  ttftMsP99: 'TTFT p99 (ms)',
  e2eMsP99: 'E2E p99 (ms)',
  throughputRps: 'throughput (req/s)',
  outputTokensPerSec: 'output tokens/s',
  prefixCacheHitRate: 'prefix-cache hit rate',
  crossAgentHitRate: 'cross-agent reuse',
  goodputWps: 'goodput (workflows/s)',
};

/** Label of a metric, falling back to its key. */
export function metricLabel(metric: string): string {
  return METRIC_LABELS[metric] ?? metric;
}
