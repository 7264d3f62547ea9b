import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunOutcome } from './matrix.js';
import type { Report } from '../../reports/report.js';
import type { RequestRecord, WorkflowRecord } from '../../reports/records.js';
import { ChartSampler, highlights, prefixIds, reportHtml } from '../../reports/html/index.js';
import { poolCdfs } from '../../reports/html/chart-data.js';
import { slimSvg, trimPrecision } from '../../reports/html/render.js';
import { smallRun } from './testdata/small-run.js';

let run: RunOutcome;
let html: string;

beforeAll(async () => {
  run = await smallRun();
  html = readFileSync(join(run.outDir, 'report.html'), 'utf8');
});

const specs = (page: string): Record<string, unknown>[] =>
  [...page.matchAll(/<script type="application\/json" id="spec-[^"]+">(.*?)<\/script>/gs)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);

describe('report.html', () => {
  it('has one inline SVG and one embedded vega-lite spec per chart', () => {
    // Per workload: bars, CDFs, instance timeline, Gantt; plus the cache chart. No faults ran.
    const svgs = html.match(/<svg\b/g) ?? [];
    expect(svgs).toHaveLength(2 * 4 + 1);
    const s = specs(html);
    expect(s).toHaveLength(svgs.length);
    for (const spec of s) expect(spec['$schema']).toBe('https://vega.github.io/schema/vega-lite/v6.json');
    expect(html).not.toContain('Throughput and health around faults');
  });

  it('is self-contained: no external scripts, styles, images or fonts', () => {
    expect(html).not.toMatch(/<(script|img|link|iframe)\b[^>]*\b(src|href)=/i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/i);
    // The only addresses: XML namespaces, and the Vega Editor's (used when its button is clicked).
    expect([...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]).filter((u) => !u.startsWith('https://vega.github.io/') && !u.startsWith('http://www.w3.org/'))).toEqual([]);
  });

  it('has the header, what stands out, and the numbers tables', () => {
    expect(html).toContain('<h1>agentbench report: small</h1>');
    expect(html).toMatch(/<dt>seeds<\/dt><dd>1, 2<\/dd>/);
    expect(html).toContain(`vega-lite 6.4.3, vega 6.4.0`);
    expect(html).toMatch(/What stands out<\/h2><ul><li>On chain \(sequential, poisson arrivals at [^)]*\): (\S+ wins|no clear winner)/);
    // Per workload: the leaderboard and the details table, each fitting the column.
    expect(html.match(/<table class="numbers leaderboard fit">/g)).toHaveLength(2);
    expect(html.match(/<table class="numbers fit">/g)).toHaveLength(2);
    expect(html).toMatch(/<dt>load<\/dt><dd><b>chain<\/b>: sequential, poisson arrivals at /);
    expect(html).toContain('<th scope="row">prefixCacheHitRate</th>');
  });

  it('is deterministic and escapes names', async () => {
    const data = new ChartSampler(1).data();
    const a = await reportHtml(run.report, data);
    const b = await reportHtml(run.report, data);
    expect(a.html).toBe(b.html);
    expect(a.warnings).toEqual([]);
    const evil: Report = { ...run.report, scenario: { ...run.report.scenario, name: '<script>x</script>' } };
    const page = (await reportHtml(evil, data)).html;
    expect(page).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(page).not.toContain('<script>x</script>');
  });

  it('draws the failover timeline only when an instance was unhealthy', async () => {
    const runs = run.report.runs.map((r) => (r.timeseries && r.workload === 'chain' && r.policy === 'least-loaded'
      ? { ...r, timeseries: { ...r.timeseries, rows: r.timeseries.rows.map((row, i) => (i >= 4 && i < 10 && row[1] === 'i1' ? [row[0], row[1], row[2], row[3], row[4], false, row[6], 'down', row[8], row[9]] as const : row)) } }
      : r));
    const faulty: Report = { ...run.report, runs };
    const page = await reportHtml(faulty, new ChartSampler(1).data());
    expect(page.warnings).toEqual([]);
    expect(page.html.match(/Throughput and health around faults/g)).toHaveLength(1);
    expect(page.html).toContain('id="failover-0"');
    expect(highlights(faulty).join(' ')).toContain('Instances were unhealthy during the run: i1 (chain × least-loaded)');
  });

  it('rounds SVG geometry to 0.1 px and leaves text alone', () => {
    expect(trimPrecision('<path d="M1.23456,2.98765L-3.04,4.5h10.25"/><g transform="translate(0.333333,7)"><text>1.23456</text></g>'))
      .toBe('<path d="M1.2,3L-3,4.5h10.3"/><g transform="translate(0.3,7)"><text>1.23456</text></g>');
  });

  it('slims the SVG: no per-text font, no hidden empty paths', () => {
    expect(slimSvg('<g aria-hidden="true"><path class="foreground" d="" pointer-events="none" display="none"/><path class="background" d="M0,0h0v0h0Z"/><text font-family="system-ui, -apple-system, &quot;Segoe UI&quot;, Roboto, sans-serif" opacity="1">a</text><path class="background" d="M0,0h9v9h-9Z"/></g>'))
      .toBe('<g><text>a</text><path class="background" d="M0,0h9v9h-9Z"/></g>');
  });

  it('prefixes SVG ids so inline charts do not share clip paths', () => {
    expect(prefixIds('<clipPath id="clip1"><rect/></clipPath><g clip-path="url(#clip1)"/><use href="#clip1"/>', 'c7'))
      .toBe('<clipPath id="c7-clip1"><rect/></clipPath><g clip-path="url(#c7-clip1)"/><use href="#c7-clip1"/>');
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('ChartSampler', () => {
  const req = (i: number, wf: string): RequestRecord => ({
    id: `${wf}/n${i}`, workload: 'w', workflowId: wf, nodeId: `n${i}`, agentId: 'a', instance: `i${i % 2}`, outcome: 'ok', reason: '',
    attempt: 0, sendUs: i * 1000, firstTokenUs: i * 1000 + 500 + i, endUs: i * 1000 + 5000, queueUs: 100, promptTokens: 10,
    cachedPromptTokens: 0, crossAgentCachedTokens: 0, outputTokens: 5, preemptions: 0,
  });
  const wf = (id: string, startUs: number): WorkflowRecord => ({
    id, workload: 'w', pattern: 'p', outcome: 'completed', reason: '', arrivalUs: startUs, startUs, endUs: startUs + 1, criticalPathUs: 1,
    calls: 1, stepsOk: 1, stepsFailed: 0, retries: 0, affinity: 1,
  });

  it('keeps bounded latency quantiles of every seed, and the workflow calls of the first seed only', () => {
    const s = new ChartSampler(7, { cdfPoints: 50, ganttWorkflows: 2, ganttCallsPerWorkflow: 3 });
    const workflows = Array.from({ length: 100 }, (_, k) => wf(`wf${k}`, k * 10));
    const requests = Array.from({ length: 10_000 }, (_, i) => req(i, `wf${i % 100}`));
    s.addCell('w', 'a', 7, requests, workflows);
    s.addCell('w', 'b', 7, requests, workflows);
    s.addCell('w', 'a', 8, requests, workflows); // another seed: pooled into a's distributions, no calls drawn
    const d = s.data();
    expect(d.cdfSeeds).toEqual([7, 8]);
    expect(d.cdfs.map((c) => `${c.policy} ${c.metric}`)).toEqual(['a ttftMs', 'a tpotMs', 'a e2eMs', 'b ttftMs', 'b tpotMs', 'b e2eMs']);
    for (const c of d.cdfs) {
      expect(c.n).toBe(c.policy === 'a' ? 20_000 : 10_000);
      expect(c.points.at(-1)![1]).toBe(1);
    }
    // Two identical seeds pool to the one seed's 50 quantiles.
    expect(d.cdfs[0]!.points).toHaveLength(50);
    expect(d.cdfs[0]!.points).toEqual(d.cdfs[3]!.points);
    // Every request takes 5 ms end to end: pooled, one step to 100%.
    expect(d.cdfs[2]!.points).toEqual([[5, 1]]);
    // Two workflows from the middle of the run, the same for both policies, 3 calls each.
    expect([...new Set(d.gantt.map((g) => g.workflowId))]).toEqual(['wf49', 'wf50']);
    expect(d.gantt.filter((g) => g.policy === 'a')).toHaveLength(6);
    expect(d.gantt.filter((g) => g.policy === 'b')).toHaveLength(6);
    expect(d.gantt[0]).toMatchObject({ sendMs: 49 - 0.49, queuedUntilMs: 49 - 0.49 + 0.1 });
  });
});

describe('poolCdfs', () => {
  it('weights each seed by its requests: F(x) = Σ n_s F_s(x) / Σ n_s', () => {
    // Seed A: 1 request at 10 ms; seed B: 3 requests at 20, 30, 40 ms. Pooled: 10 → 1/4,
    // 20 → 2/4, 30 → 3/4, 40 → 1; asked for 4 quantiles (0.25, 0.5, 0.75, 1) it returns those.
    const a = { workload: 'w', policy: 'p', metric: 'ttftMs' as const, n: 1, points: [[10, 1]] as [number, number][] };
    const b = { workload: 'w', policy: 'p', metric: 'ttftMs' as const, n: 3, points: [[20, 1 / 3], [30, 2 / 3], [40, 1]] as [number, number][] };
    expect(poolCdfs([a, b], 4)).toEqual([[10, 0.25], [20, 0.5], [30, 0.75], [40, 1]]);
    expect(poolCdfs([a], 4)).toEqual([[10, 1]]);
    expect(poolCdfs([], 4)).toEqual([]);
  });
});
