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
  // Per-mark ARIA labels (one per bar, point and tick) were a sixth of a 20-policy page; the
  // figure's heading and caption say what each chart shows, and its tables hold the numbers.
  aria: false,
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  view: { stroke: '#e5e5e5' },
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 240, titleFontWeight: 'normal', gridColor: '#eee', domainColor: '#999', tickColor: '#999' },
  header: { labelFontSize: 12, titleFontSize: 12, labelFontWeight: 'bold' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  title: { fontSize: 13, anchor: 'start', fontWeight: 'normal' },
};

/**
 * Colours of policies (the same policy keeps its colour in every chart): vega's `tableau20`
 * scheme (Tableau's 20-colour palette: 10 hues, each dark then light), so 20 policies get 20
 * distinct colours; beyond 20 they repeat, and the line charts add a dash pattern (DASHES)
 * and the bar charts name every bar, so colour never has to identify a policy alone.
 */
export const POLICY_RANGE = [
  '#4c78a8', '#9ecae9', '#f58518', '#ffbf79', '#54a24b', '#88d27a', '#b79a20', '#f2cf5b', '#439894', '#83bcb6',
  '#e45756', '#ff9d98', '#79706e', '#bab0ac', '#d67195', '#fcbfd2', '#b279a2', '#d6a5c9', '#9e765f', '#d8b5a5',
];

/** Dash patterns of line charts, a second cue beside colour. */
export const DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [3, 5], [10, 4]];

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
