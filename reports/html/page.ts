import { columnsFor, fmt, relChange } from '../markdown.js';
import type { AggregateEntry, Report, Spread } from '../report.js';
import { DECIDING_METRICS, metricName, metricValue, significanceText, type Leaderboard } from '../leaderboard.js';

/** Escape text for HTML content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON safe inside a <script> element (no "</script>", no "<!--"). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A rendered chart placed in the page. */
export interface PlacedChart {
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly svg: string;
  readonly spec: unknown;
}

/** A chart as a figure: inline SVG, caption, and its vega-lite spec for the editor. */
export function figure(c: PlacedChart): string {
  return `<figure class="chart" id="${esc(c.id)}">
<h3>${esc(c.title)}</h3>
<div class="svg">${c.svg}</div>
<figcaption>${esc(c.caption)}
<span class="tools"><button type="button" class="open-editor" data-spec="spec-${esc(c.id)}">Open in Vega Editor</button>
<button type="button" class="copy-spec" data-spec="spec-${esc(c.id)}">Copy vega-lite spec</button></span>
<details class="spec" data-spec="spec-${esc(c.id)}"><summary>vega-lite spec</summary><pre></pre></details>
</figcaption>
<script type="application/json" id="spec-${esc(c.id)}">${scriptJson(c.spec)}</script>
</figure>`;
}

function cell(s: Spread | undefined, base: Spread | undefined, digits: number, isFirst: boolean): string {
  if (!s || s.median === null) return '<td class="num">–</td>';
  let out = esc(fmt(s.median, digits));
  if (s.n > 1 && s.min !== s.max) out += ` <span class="range">[${esc(fmt(s.min, digits))}–${esc(fmt(s.max, digits))}]</span>`;
  if (!isFirst) {
    const d = relChange(s.median, base?.median ?? null);
    if (d) out += ` <span class="delta">(${esc(d)})</span>`;
  }
  return `<td class="num">${out}</td>`;
}

/** The exact numbers of one workload: a row per policy, the report.md columns. */
export function workloadTableHtml(rows: readonly AggregateEntry[]): string {
  const cols = columnsFor(rows);
  const head = `<tr><th>policy</th>${cols.map((c) => `<th>${esc(c.title)}</th>`).join('')}</tr>`;
  const base = rows[0];
  const body = rows.map((r, i) => `<tr><th scope="row">${esc(r.policy)}</th>${cols.map((c) => cell(r.summary[c.metric], base?.summary[c.metric], c.digits, i === 0)).join('')}</tr>`);
  // Range and change sit under the median (CSS), so the table fits the page's column.
  return `<div class="scroll"><table class="numbers fit"><thead>${head}</thead><tbody>${body.join('')}</tbody></table></div>`;
}

/** A workload's leaderboard: the verdict, then a row per policy in rank order, full names. */
export function leaderboardHtml(lb: Leaderboard): string {
  const pct = (x: number): string => (x === 0 ? '–' : `${x > 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}%`);
  const head = `<tr><th>#</th><th>policy</th><th>${esc(metricName(lb.metric))}</th><th>vs leader</th><th>leader better over seeds?</th>${DECIDING_METRICS.map((m) => `<th>${esc(metricName(m))}</th>`).join('')}</tr>`;
  const body = lb.rows.map((r) => `<tr><td class="num">${r.rank}</td><th scope="row">${esc(r.policy)}</th><td class="num">${esc(metricValue(lb.metric, r.primary.median))}</td><td class="num">${esc(pct(r.vsLeaderPct))}</td><td>${esc(significanceText(r))}</td>${DECIDING_METRICS.map((m) => `<td class="num">${esc(metricValue(m, r.others[m]?.median ?? null))}</td>`).join('')}</tr>`);
  return `<p class="verdict"><b>${esc(lb.verdict)}</b></p><table class="numbers leaderboard fit"><thead>${head}</thead><tbody>${body.join('')}</tbody></table>`;
}

/** Every summary metric (keys read from the data), median across seeds, per workload × policy. */
export function allMetricsTableHtml(report: Report): string {
  const metrics = [...new Set(report.aggregates.flatMap((a) => Object.keys(a.summary)))];
  const head = `<tr><th>metric</th>${report.aggregates.map((a) => `<th>${esc(a.workload)}<br>${esc(a.policy)}</th>`).join('')}</tr>`;
  const body = metrics.map((m) => `<tr><th scope="row">${esc(m)}</th>${report.aggregates.map((a) => {
    const v = a.summary[m]?.median ?? null;
    return `<td class="num">${v === null ? '–' : esc(String(v))}</td>`;
  }).join('')}</tr>`);
  return `<div class="scroll"><table class="numbers all"><thead>${head}</thead><tbody>${body.join('')}</tbody></table></div>`;
}

export const PAGE_CSS = `
:root { color-scheme: light; --fg: #1d1d1f; --muted: #666; --line: #e3e3e3; --accent: #4c78a8; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fafafa; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 64px; background: white; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 36px 0 10px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; } .desc { color: var(--muted); margin: 0 0 12px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; font-size: 13px; }
dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; }
.highlights { background: #f3f7fb; border-left: 4px solid var(--accent); padding: 10px 16px; margin: 18px 0; }
.highlights p { margin: 0; } .highlights ul { margin: 0; padding-left: 18px; } .highlights li { margin: 4px 0; }
nav ul { margin: 4px 0; padding-left: 18px; columns: 2; }
table.numbers { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
table.numbers th, table.numbers td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
table.numbers td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.range, .delta { color: var(--muted); font-size: 12px; }
table.fit { width: 100%; } table.fit th { font-size: 12px; font-weight: 600; }
table.fit td.num .range, table.fit td.num .delta { display: block; }
table.fit th[scope=row] { word-break: break-word; max-width: 220px; }
p.load { font-size: 13px; margin: 0 0 8px; } p.load b { font-weight: 600; }
table.leaderboard td, table.leaderboard th { padding: 3px 8px; }
p.verdict { font-size: 15px; margin: 6px 0 10px; }
.scroll { overflow-x: auto; } table.all { font-size: 12px; }
figure.chart { margin: 14px 0 22px; }
figure.chart .svg svg { max-width: 100%; height: auto; }
figure.chart .svg svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
figcaption { color: var(--muted); font-size: 12.5px; max-width: 900px; }
.tools { display: block; }
.tools button { font-size: 12px; margin: 4px 6px 0 0; padding: 2px 8px; border: 1px solid #ccc; border-radius: 4px; background: #fff; cursor: pointer; }
details.spec pre { max-height: 320px; overflow: auto; background: #f6f6f6; padding: 8px; font-size: 11px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`;

/**
 * Buttons: open a chart's spec in the Vega Editor (the editor's postMessage protocol, as
 * vega-embed's "Open in Vega Editor" does), copy it, or show it. Nothing runs until clicked.
 */
export const PAGE_SCRIPT = `
(function () {
  function specText(id) { var el = document.getElementById(id); return el ? JSON.stringify(JSON.parse(el.textContent), null, 2) : ''; }
  function openEditor(id) {
    var url = 'https://vega.github.io/editor/';
    var editor = window.open(url);
    if (!editor) return;
    var data = { mode: 'vega-lite', spec: specText(id) };
    var count = 40;
    function listen(evt) { if (evt.source === editor) { count = 0; window.removeEventListener('message', listen, false); } }
    window.addEventListener('message', listen, false);
    function send() { if (count <= 0) return; editor.postMessage(data, '*'); setTimeout(send, 250); count -= 1; }
    setTimeout(send, 250);
  }
  document.addEventListener('click', function (e) {
    var t = e.target;
    if (!(t instanceof HTMLElement) || !t.dataset.spec) return;
    if (t.classList.contains('open-editor')) openEditor(t.dataset.spec);
    if (t.classList.contains('copy-spec') && navigator.clipboard) navigator.clipboard.writeText(specText(t.dataset.spec));
  });
  document.querySelectorAll('details.spec').forEach(function (d) {
    d.addEventListener('toggle', function () { var pre = d.querySelector('pre'); if (d.open && pre && !pre.textContent) pre.textContent = specText(d.dataset.spec); });
  });
})();
`;
