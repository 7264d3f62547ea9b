import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioAsync } from '../scenario/load.js';
import { REPORT_FORMATS, runScenario, type ReportFormat } from '../runner/matrix.js';

/**
 * Child process of `npm run bench`: runs one scenario file (argv[2]) writing the reports named in
 * argv[3] (default json) to a temporary folder, and prints one JSON line of figures. Its own
 * process, so its peak RSS is the scenario's alone.
 */
async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: run-one.js <scenario.yaml> [formats]');
  const formats = new Set((process.argv[3] ?? 'json').split(',') as ReportFormat[]);
  for (const f of formats) if (!REPORT_FORMATS.includes(f)) throw new Error(`unknown format ${f}`);
  const out = mkdtempSync(join(tmpdir(), 'agentbench-bench-'));
  try {
    const r = await runScenario(await loadScenarioAsync(file), { outDir: out, check: false, formats });
    let steps = 0;
    let simS = 0;
    for (const run of r.report.runs) {
      for (const i of run.instances) steps += i.steps;
      simS += run.summary['simDurationS'] ?? 0;
    }
    process.stdout.write(`${JSON.stringify({
      wallS: r.wallMs / 1000, calls: r.calls, events: r.events, steps, simS, peakRssMiB: process.resourceUsage().maxRSS / 1024,
    })}\n`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

await main();
