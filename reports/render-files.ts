import type { ChartData } from './html/chart-data.js';
import { reportMarkdown } from './markdown.js';
import type { Report } from './report.js';

/** The file the chart samples are kept in, so `agentbench report DIR` can draw the same page. */
export const CHART_DATA_FILE = 'chart-data.json';

/** chart-data.json's text (NaN — "unknown" in a call's timeline — is written as null). */
export function chartDataJson(data: ChartData): string {
  return `${JSON.stringify(data, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`;
}

// Fields of a Gantt call where null stands for NaN (unknown).
const NAN_FIELDS = new Set(['queuedUntilMs', 'firstTokenMs']);

/** Parse chart-data.json back (null → NaN where the writer wrote NaN). */
export function parseChartData(text: string): ChartData {
  return JSON.parse(text, (k, v: unknown) => (v === null && NAN_FIELDS.has(k) ? NaN : v)) as ChartData;
}

/** Chart data of a run directory that has none (an older run): the page draws what report.json holds. */
export function emptyChartData(report: Report): ChartData {
  return { seed: report.scenario.seeds[0] ?? 0, cdfSeeds: [], cdfs: [], gantt: [] };
}

/**
 * The rendered report files of a run — report.md, report.html and chart-data.json — from
 * report.json's content and the chart samples. The run and `agentbench report` both call
 * this, so re-rendering a run directory reproduces its files byte for byte.
 */
export async function renderReportFiles(report: Report, data: ChartData, which: { md: boolean; html: boolean } = { md: true, html: true }): Promise<{ name: string; text: string }[]> {
  const out: { name: string; text: string }[] = [];
  if (which.md) out.push({ name: 'report.md', text: reportMarkdown(report) });
  if (which.html) {
    // Loaded here, not at start-up: vega is only needed once there are results to draw.
    const { reportHtml } = await import('./html/index.js');
    out.push({ name: 'report.html', text: (await reportHtml(report, data)).html }, { name: CHART_DATA_FILE, text: chartDataJson(data) });
  }
  return out;
}
