import { fmt } from '../markdown.js';
import { capacityTable } from '../capacity.js';
import type { Report } from '../report.js';
import type { ChartData } from './chart-data.js';
import { highlights } from '../highlights.js';
import { loadText } from '../load.js';
import { leaderboard } from '../leaderboard.js';
import { allMetricsTableHtml, esc, figure, leaderboardHtml, PAGE_CSS, PAGE_SCRIPT, workloadTableHtml, type PlacedChart } from './page.js';
import { CHART_LIBS, ChartRenderer } from './render.js';
import { cacheReuseChart, latencyCdfChart, policyBarsChart } from './specs-summary.js';
import { sweepChart } from './specs-sweep.js';
import { failoverChart, ganttChart, instanceTimelineChart } from './specs-time.js';
import { disaggregationChart, kvTiersChart } from './specs-kv.js';
import type { ChartSpec } from './vl.js';

export { ChartSampler, cdfPoints } from './chart-data.js';
export type { ChartData, CdfSeries, GanttCall, ChartSampleLimits } from './chart-data.js';
export { highlights } from '../highlights.js';
export { CHART_LIBS, ChartRenderer, renderSvg, prefixIds } from './render.js';

/** A rendered report page and what vega-lite warned about while compiling its charts. */
export interface ReportHtml {
  readonly html: string;
  readonly charts: number;
  readonly warnings: readonly string[];
}

async function place(renderer: ChartRenderer, spec: ChartSpec | null, warnings: string[]): Promise<string> {
  if (!spec) return '';
  const r = await renderer.render(spec.spec, spec.id);
  warnings.push(...r.warnings.map((w) => `${spec.id}: ${w}`));
  const placed: PlacedChart = { id: spec.id, title: spec.title, caption: spec.caption, svg: r.svg, spec: spec.spec };
  return figure(placed);
}

/**
 * report.html: one self-contained page (no network needed to open it) with the scenario
 * header, a computed "what stands out" paragraph, per workload the numbers table and charts
 * (policy bars with seed spread, latency CDFs, instance timelines, a workflow Gantt, and the
 * failover timeline when an instance was unhealthy), prefix-cache reuse and every metric.
 * Charts are vega-lite specs rendered to inline SVG in Node; the specs are embedded.
 * Deterministic: the same report and chart data give the same bytes.
 */
export async function reportHtml(report: Report, data: ChartData): Promise<ReportHtml> {
  const s = report.scenario;
  const warnings: string[] = [];
  const renderer = new ChartRenderer();
  let charts = 0;
  const count = (html: string): string => {
    if (html) charts++;
    return html;
  };
  const sections: string[] = [];
  for (const [i, w] of report.workloads.entries()) {
    const rows = report.aggregates.filter((a) => a.workload === w.name);
    const limited = report.runs.filter((r) => r.workload === w.name && r.end === 'limit').length;
    const lb = leaderboard(report, w.name);
    sections.push(`<section id="workload-${i}"><h2>Workload <code>${esc(w.name)}</code> (${esc(w.pattern)})</h2>
<p class="load"><b>Load:</b> ${esc(loadText(w.pattern, w.params))}.</p>
${lb ? leaderboardHtml(lb) : ''}
<details><summary>Details: every headline metric, median [seed range] (change vs the first policy)</summary>${workloadTableHtml(rows)}</details>
${limited > 0 ? `<p class="desc">${limited} run(s) hit a run limit; their open requests were ended as timeouts.</p>` : ''}
${count(await place(renderer, policyBarsChart(report, w.name, i), warnings))}
${count(await place(renderer, latencyCdfChart(report, data, w.name, i), warnings))}
${count(await place(renderer, instanceTimelineChart(report, w.name, i), warnings))}
${count(await place(renderer, ganttChart(report, data, w.name, i), warnings))}
${count(await place(renderer, failoverChart(report, w.name, i), warnings))}
${count(await place(renderer, kvTiersChart(report, w.name, i), warnings))}
${count(await place(renderer, disaggregationChart(report, w.name, i), warnings))}
</section>`);
  }
  const cache = count(await place(renderer, cacheReuseChart(report), warnings));
  // A swept scenario: per base workload, the curves across the sweep, then the capacity table.
  const bases = [...new Set(report.workloads.map((w) => w.base).filter((b): b is string => b !== undefined))];
  const sweepCharts: string[] = [];
  for (const [i, b] of bases.entries()) sweepCharts.push(count(await place(renderer, sweepChart(report, b, i), warnings)));
  const sweepSection = report.sweep ? `<section id="sweep"><h2>Across the sweep</h2>${capacityTableHtml(report)}${sweepCharts.join('\n')}</section>` : '';
  const cluster = Object.entries(report.cluster).map(([k, v]) => `${k} ${typeof v === 'number' ? fmt(v, Number.isInteger(v) ? 0 : 2) : String(v)}`).join(', ');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>agentbench report: ${esc(s.name)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
<header>
<h1>agentbench report: ${esc(s.name)}</h1>
${s.description ? `<p class="desc">${esc(s.description)}</p>` : ''}
<dl class="meta">
<dt>mode</dt><dd>${esc(s.mode)}</dd>
<dt>seeds</dt><dd>${esc(s.seeds.join(', '))}</dd>
<dt>scenario hash</dt><dd><code>${esc(s.hash.slice(0, 16))}</code></dd>
<dt>${'target' in report.cluster ? 'deployed target' : 'cluster'}</dt><dd>${esc(cluster)}</dd>
<dt>load</dt><dd>${report.workloads.map((w) => `<b>${esc(w.name)}</b>: ${esc(loadText(w.pattern, w.params))}`).join('<br>')}</dd>
<dt>policies</dt><dd>${report.policies.map((p) => `<b>${esc(p.name)}</b> (routing ${esc(p.routing)}, scheduling ${esc(p.scheduling)}, eviction ${esc(p.eviction)})`).join('; ')}</dd>
<dt>versions</dt><dd>${esc(report.tool.name)} ${esc(report.tool.version)}; charts: vega-lite ${esc(CHART_LIBS.vegaLite)}, vega ${esc(CHART_LIBS.vega)}</dd>
</dl>
</header>
<section class="highlights" id="highlights"><h2 style="border:0;margin-top:0">What stands out</h2><ul>${highlights(report).map((h) => `<li>${esc(h)}</li>`).join('')}</ul></section>
<nav><b>Contents</b><ul>${report.sweep ? '<li><a href="#sweep">Across the sweep: capacity at SLO and curves</a></li>' : ''}${report.workloads.map((w, i) => `<li><a href="#workload-${i}">Workload ${esc(w.name)}</a></li>`).join('')}<li><a href="#cache-reuse">Across workloads: prefix-cache reuse</a></li><li><a href="#all-metrics">All metrics</a></li></ul></nav>
${sweepSection}
${sections.join('\n')}
<section id="cache-reuse"><h2>Across workloads</h2>${cache || '<p class="desc">No cache figures in this report.</p>'}</section>
<section id="all-metrics"><h2>All metrics</h2><details><summary>Median across seeds of every summary metric (report.json has each seed)</summary>${allMetricsTableHtml(report)}</details></section>
<footer>Generated by agentbench ${esc(report.tool.version)} from report.json. Charts are vega-lite specs rendered to SVG; each has its spec embedded (“Open in Vega Editor” needs a network connection, the page itself does not).</footer>
</main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
  return { html, charts, warnings };
}

/** The capacity-at-SLO table (the same rows as report.md's), or '' without one. */
function capacityTableHtml(report: Report): string {
  const t = capacityTable(report);
  if (!t) return '<p class="desc">No SLO in this scenario: no capacity at SLO (set <code>slo:</code>).</p>';
  const text = (x: string): string => esc(x.replace(/`/g, ''));
  return `<h3>Capacity at SLO</h3><p class="desc">${text(t.intro)}</p><table><thead><tr>${t.header.map((h) => `<th>${text(h)}</th>`).join('')}</tr></thead><tbody>${t.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}
