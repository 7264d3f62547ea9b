import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../reports/report.js';
import { ChartSampler, reportHtml } from '../../reports/html/index.js';
import { smallRun } from './testdata/small-run.js';
import { parseDocument, stringify } from 'yaml';
import { parseScenario } from '../scenario/load.js';
import { runScenario } from './matrix.js';

/** Debian's chromium (installed by .ci/run when missing); never a downloaded browser. */
const CHROMIUM = process.env['AGENTBENCH_CHROMIUM'] ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** Screenshots and pages land here (gitignored), so a person can look at what the test saw. */
const OUT = resolve('test-output', 'html-report');

const SKIP_REASON = `chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does) or set AGENTBENCH_CHROMIUM`;
if (!HAVE_CHROMIUM) process.stderr.write(`report.html browser test SKIPPED: ${SKIP_REASON}\n`);

// The flags this machine needs: no sandbox as root, no GPU, and no background connections
// (the network is closed; Chromium would otherwise keep trying).
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

describe.skipIf(!HAVE_CHROMIUM)(`report.html in headless chromium${HAVE_CHROMIUM ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let browser: Browser;
  const pages: string[] = [];
  const shootoutPolicies: string[] = [];

  beforeAll(async () => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    const run = await smallRun(join(OUT, 'run'));
    pages.push(join(OUT, 'run', 'report.html'));
    // A variant with an unhealthy instance, so the failover chart is drawn too.
    const r = run.report;
    const faulty: Report = {
      ...r,
      runs: r.runs.map((x) => (x.timeseries && x.policy === r.policies[1]!.name
        ? { ...x, timeseries: { ...x.timeseries, rows: x.timeseries.rows.map((row, i) => (i >= 2 && i < 8 && row[1] === 'i0' ? [row[0], row[1], row[2], row[3], row[4], false, row[6], 'down', row[8], row[9]] as const : row)) } }
        : x)),
    };
    writeFileSync(join(OUT, 'report-faults.html'), (await reportHtml(faulty, new ChartSampler(1).data())).html);
    pages.push(join(OUT, 'report-faults.html'));
    // The shootout's 18 policies on two of its workloads, shrunk (8 workflows, one seed).
    const shoot = parseDocument(readFileSync(resolve('scenarios', 'policy-shootout.yaml'), 'utf8')).toJS() as Record<string, unknown>;
    shoot['seeds'] = [1];
    shoot['workloads'] = (shoot['workloads'] as Record<string, unknown>[]).slice(0, 2).map((w) => ({ ...w, workflows: 8 }));
    await runScenario(parseScenario(stringify(shoot), 'policy-shootout-small.yaml'), { outDir: join(OUT, 'shootout'), check: false });
    pages.push(join(OUT, 'shootout', 'report.html'));
    shootoutPolicies.push(...(shoot['policies'] as { name: string }[]).map((p) => p.name));
    // Playwright starts the browser with a new, empty profile directory of its own.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  }, 180_000); // three runs (the shrunk shootout is 18 policies × 2 workloads) on a shared, busy machine

  afterAll(async () => {
    await browser?.close();
  });

  it('the shootout (18 policies) names every policy in full in each leaderboard, fits its tables, and stays small', async () => {
    // The full shootout (6 workloads, 2 seeds) measured 2.9 MB; this shrunk one must stay far below 3 MB.
    expect(statSync(pages[2]!).size).toBeLessThan(3_000_000);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(pages[2]!).href, { waitUntil: 'load' });
    const boards = await page.$$eval('table.leaderboard', (ts) => ts.map((t) => [...t.querySelectorAll('tbody th[scope=row]')].map((th) => {
      const e = th as unknown as { scrollWidth: number; clientWidth: number; textContent: string | null };
      return { name: e.textContent ?? '', cut: e.scrollWidth > e.clientWidth + 1 };
    })));
    expect(boards).toHaveLength(2);
    for (const b of boards) {
      expect(b.map((x) => x.name).sort()).toEqual([...shootoutPolicies].sort());
      expect(b.filter((x) => x.cut)).toEqual([]);
    }
    // No table wider than the page's column.
    expect(await page.$$eval('table.fit', (ts) => ts.filter((t) => t.scrollWidth > (t.parentElement?.clientWidth ?? 0) + 1).length)).toBe(0);
    await page.screenshot({ path: join(OUT, 'shootout-top.png'), clip: { x: 0, y: 0, width: 1280, height: 3000 } });
    await page.close();
  });

  it.each([0, 1, 2])('page %i renders without console errors or network requests, with every chart drawn', async (i) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(pathToFileURL(pages[i]!).href, { waitUntil: 'load' });

    const figures = await page.locator('figure.chart').count();
    // Page 0: per workload bars, CDFs, timeline and Gantt, plus cache reuse. Page 1 has no
    // request sample (no CDFs, no Gantt) but a failover chart per workload.
    expect(figures).toBe(i === 1 ? 2 * 3 + 1 : 2 * 4 + 1);
    const sizes = await page.$$eval('figure.chart .svg > svg', (els) => els.map((e) => {
      const b = e.getBoundingClientRect();
      return [b.width, b.height, e.querySelectorAll('path, line, text').length];
    }));
    expect(sizes).toHaveLength(figures);
    for (const [w, h, marks] of sizes) {
      expect(w).toBeGreaterThan(100);
      expect(h).toBeGreaterThan(50);
      expect(marks).toBeGreaterThan(10);
    }
    if (i === 1) expect(await page.locator('figure#failover-0 svg').count()).toBe(1);

    // The embedded spec opens (filled by the page's script on toggle) and is valid JSON.
    await page.locator('details.spec summary').first().click();
    // The toggle event fills it asynchronously: wait for it rather than racing it (a loaded machine loses the race).
    await page.waitForFunction("(document.querySelector('details.spec pre')?.textContent ?? '') !== ''", undefined, { timeout: 10_000 });
    const specText = await page.locator('details.spec pre').first().textContent();
    expect(JSON.parse(specText ?? '')).toMatchObject({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json' });

    await page.screenshot({ path: join(OUT, ['report.png', 'report-faults.png', 'shootout.png'][i]!), fullPage: i !== 2 });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await context.close();
  });
});
