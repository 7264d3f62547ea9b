import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from 'simple-statistics';
import { fmt as formatNumber } from '../../reports/format.js';
import { heapDesPopsPerSec } from './heap-des.js';
import { transferFigures } from './transfer-bench.js';
import { loadAverage, spawnNode } from './spawn-node.js';

/**
 * `npm run bench`: simulator speed and memory on fixed scenarios, each run in its own process:
 * - bench-sim (8 instances, 20,000 LLM calls) and bench-scale (64 instances, 1,000,000 calls;
 *   BENCH_SCALE_RUNS, default 1, 0 skips it: minutes per run): wall, simulated seconds per wall
 *   second, LLM calls/s, engine steps/s, events/s, peak RSS, and events/s as a share of a bare
 *   binary-heap DES's pop rate measured in this process (the physical limit);
 * - bench-trace (2,000-request trace on one H100): the whole `agentbench run` process, start-up
 *   included, with `--formats json,csv` and with every report (HTML too);
 * - sweep-rate's reports drawn again (`agentbench report` on its run folder): a page of 22 charts;
 * - `agentbench --version`: process start-up alone;
 * - `run --jobs`: the main thread's receive time of 100,000 request rows from a worker, as
 *   objects (structured clone) and as the typed-array columns workers post.
 * Medians of BENCH_REPEATS (default 3) runs, with the load average before and after: on a shared
 * machine a figure means little without it.
 */
const REPEATS = Number(process.env['BENCH_REPEATS'] ?? 3);
const SCALE_RUNS = Number(process.env['BENCH_SCALE_RUNS'] ?? 1);
const dist = fileURLToPath(new URL('..', import.meta.url));
const scenario = (name: string): string => fileURLToPath(new URL(`../../../scenarios/${name}.yaml`, import.meta.url));
// The command as users run it (package.json's bin): the bundle npm run build makes.
const cli = join(dist, '..', 'bundle', 'agentbench.js');

interface Figures { wallS: number; calls: number; events: number; steps: number; simS: number; peakRssMiB: number }

const fmt = (x: number, digits = 0): string => formatNumber(x, digits);

function simScenario(name: string, runs: number, desPopsPerSec: number): void {
  const rows: Figures[] = [];
  for (let i = 0; i < runs; i++) {
    const f = JSON.parse(spawnNode([join(dist, 'bench', 'run-one.js'), scenario(name), 'json']).stdout) as Figures;
    rows.push(f);
    process.stdout.write(`  ${name} run ${i + 1}/${runs}: ${fmt(f.wallS, 2)} s, ${fmt(f.peakRssMiB)} MiB peak RSS (load ${loadAverage()})\n`);
  }
  const m = (g: (f: Figures) => number): number => median(rows.map(g));
  const eventsPerS = m((f) => f.events / f.wallS);
  process.stdout.write(
    `${name}: ${fmt(rows[0]!.calls)} LLM calls, ${fmt(rows[0]!.steps)} engine steps, ${fmt(rows[0]!.simS, 1)} s simulated; median of ${runs}\n` +
    `  wall                 ${fmt(m((f) => f.wallS), 2)} s (simulation; reports: report.json only)\n` +
    `  sim s per wall s     ${fmt(m((f) => f.simS / f.wallS), 1)}\n` +
    `  LLM calls/s          ${fmt(m((f) => f.calls / f.wallS))}\n` +
    `  engine steps/s       ${fmt(m((f) => f.steps / f.wallS))}\n` +
    `  events/s             ${fmt(eventsPerS)} = ${fmt((100 * eventsPerS) / desPopsPerSec, 2)}% of the bare heap DES\n` +
    `  peak RSS             ${fmt(m((f) => f.peakRssMiB))} MiB\n\n`,
  );
}

function wholeProcess(label: string, args: readonly string[]): void {
  const walls: number[] = [];
  for (let i = 0; i < REPEATS; i++) walls.push(spawnNode([cli, ...args]).wallS);
  process.stdout.write(`  ${label.padEnd(44)} ${fmt(median(walls), 3)} s  [${walls.map((w) => fmt(w, 3)).join(', ')}]\n`);
}

function main(): void {
  process.stdout.write(`agentbench bench, ${process.version} ${process.platform}-${process.arch}, load average ${loadAverage()}\n\n`);
  const des = median(Array.from({ length: REPEATS }, () => heapDesPopsPerSec()));
  process.stdout.write(`bare binary-heap DES (sim/event-queue.ts, hold model, 1,024 pending): ${fmt(des)} pops/s, median of ${REPEATS}\n\n`);

  process.stdout.write(`whole process, median of ${REPEATS} (wall, from spawn to exit):\n`);
  wholeProcess('agentbench --version', ['--version']);
  const out = mkdtempSync(join(tmpdir(), 'agentbench-bench-'));
  try {
    wholeProcess('bench-trace run --formats json,csv', ['run', scenario('bench-trace'), '--quiet', '--out', out, '--formats', 'json,csv']);
    wholeProcess('bench-trace run (all reports, HTML too)', ['run', scenario('bench-trace'), '--quiet', '--out', out]);
    // A page of many charts: sweep-rate's 22 (5 workloads), drawn again from its run folder.
    spawnNode([cli, 'run', scenario('sweep-rate'), '--quiet', '--out', out, '--formats', 'json,html']);
    wholeProcess('sweep-rate report (22 charts, md + html)', ['report', out]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  process.stdout.write('\n');

  const tf = transferFigures(100_000, REPEATS);
  process.stdout.write(
    `run --jobs, main-thread receive of ${fmt(tf.rows)} request rows from a worker, median of ${REPEATS}:\n` +
    `  as objects (structured clone)                ${fmt(tf.objectsMs)} ms\n` +
    `  as typed-array columns (what workers post)   ${fmt(tf.columnsMs)} ms\n\n`,
  );

  simScenario('bench-sim', REPEATS, des);
  if (SCALE_RUNS > 0) simScenario('bench-scale', SCALE_RUNS, des);
  process.stdout.write(`load average at the end: ${loadAverage()}\n`);
}

main();
