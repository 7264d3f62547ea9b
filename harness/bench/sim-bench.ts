import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../scenario/load.js';
import { runScenario } from '../runner/matrix.js';

/**
 * `npm run bench`: runs scenarios/bench-sim.yaml (8 instances, 20,000 LLM calls) several times
 * and prints wall time, events/s, simulated LLM calls per wall second and peak RSS, each run and
 * the median.
 */
async function main(): Promise<void> {
  const repeats = Number(process.env['BENCH_REPEATS'] ?? 3);
  const file = fileURLToPath(new URL('../../../scenarios/bench-sim.yaml', import.meta.url));
  const loaded = loadScenario(file);
  const rows: { wallS: number; eventsPerSec: number; callsPerSec: number; calls: number; events: number }[] = [];
  for (let i = 0; i < repeats; i++) {
    const out = mkdtempSync(join(tmpdir(), 'agentbench-bench-'));
    try {
      const r = await runScenario(loaded, { outDir: out, check: false });
      const wallS = r.wallMs / 1000;
      rows.push({ wallS, eventsPerSec: r.events / wallS, callsPerSec: r.calls / wallS, calls: r.calls, events: r.events });
      process.stdout.write(`run ${i + 1}/${repeats}: ${r.calls} calls, ${r.events} events in ${wallS.toFixed(2)} s ` +
        `-> ${Math.round(r.events / wallS).toLocaleString('en-US')} events/s, ${Math.round(r.calls / wallS).toLocaleString('en-US')} calls/s\n`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    `\nbench-sim (8 instances, ${rows[0]?.calls ?? 0} LLM calls), median of ${repeats}:\n` +
    `  wall time        ${med(rows.map((r) => r.wallS)).toFixed(2)} s\n` +
    `  events/s         ${Math.round(med(rows.map((r) => r.eventsPerSec))).toLocaleString('en-US')}\n` +
    `  LLM calls/s      ${Math.round(med(rows.map((r) => r.callsPerSec))).toLocaleString('en-US')}\n` +
    `  peak RSS         ${rssMiB.toFixed(0)} MiB (whole process, all runs)\n`,
  );
}

await main();
