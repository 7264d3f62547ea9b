import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from 'simple-statistics';
import { wilcoxonSignedRank } from '../../reports/compare/signed-rank.js';
import { loadAverage, spawnNode } from './spawn-node.js';

/**
 * `npm run bench:ab -- <other checkout> [pairs]`: this build against another one (a git worktree
 * of the commit to compare with, built there with `npm run build`), in alternating pairs. On a
 * shared or virtual machine the same build's speed drifts by 20 % and more within minutes, so
 * figures taken one after the other compare the minutes, not the builds; each pair here runs the
 * two builds within a minute, the first of the two alternating, and the result is the per-pair
 * change with a paired signed-rank test (the CI gate's, reports/compare/signed-rank.ts).
 * Measures, each in its own process, the scenarios this checkout's scenarios/ holds:
 * - start-up: the bundled `agentbench --version`, whole process;
 * - trace: the bundled `agentbench run scenarios/bench-trace.yaml`, whole process, with
 *   `--formats json,csv` and with every report (the report.json files are compared: a change
 *   meant to be speed-only must not change them);
 * - scale-100k: `run-one.js scenarios/bench-scale-100k.yaml` (100,000 calls on 64 instances),
 *   the run's own wall time and its peak RSS.
 */
const here = resolve(fileURLToPath(new URL('../../..', import.meta.url))); // this checkout (dist/harness/bench/..)
const scenario = (name: string): string => join(here, 'scenarios', `${name}.yaml`);

interface Build { readonly label: 'base' | 'this'; readonly root: string }
interface Sample { readonly wallS: number; readonly rssMiB?: number; readonly output?: string }
interface Measure { readonly name: string; run(b: Build, out: string): Sample }

function usage(problem: string): never {
  process.stderr.write(`bench:ab: ${problem}\nusage: npm run bench:ab -- <other checkout, built with npm run build> [pairs, default 6]\n`);
  process.exit(2);
}

const bundle = (b: Build): string => join(b.root, 'dist', 'bundle', 'agentbench.js');

// The whole bundled run of bench-trace, with its report.json to compare between builds.
function traceRun(b: Build, out: string, flags: readonly string[]): Sample {
  const { wallS } = spawnNode([bundle(b), 'run', scenario('bench-trace'), '--quiet', ...flags, '--out', out]);
  return { wallS, output: readFileSync(join(out, 'report.json'), 'utf8') };
}

const MEASURES: readonly Measure[] = [
  { name: 'start-up (--version)', run: (b) => ({ wallS: spawnNode([bundle(b), '--version']).wallS }) },
  { name: 'bench-trace run, json+csv', run: (b, out) => traceRun(b, out, ['--formats', 'json,csv']) },
  { name: 'bench-trace run, every report (HTML too)', run: (b, out) => traceRun(b, out, []) },
  {
    name: 'bench-scale-100k simulation',
    run: (b) => {
      const f = JSON.parse(spawnNode([join(b.root, 'dist', 'harness', 'bench', 'run-one.js'), scenario('bench-scale-100k'), 'json']).stdout) as { wallS: number; peakRssMiB: number };
      return { wallS: f.wallS, rssMiB: f.peakRssMiB };
    },
  },
];

const pct = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)} %`;

function report(m: Measure, base: readonly Sample[], cand: readonly Sample[]): void {
  const b = base.map((s) => s.wallS);
  const c = cand.map((s) => s.wallS);
  const changes = b.map((x, i) => (100 * (c[i]! - x)) / x);
  const faster = changes.filter((d) => d < 0).length;
  const { pValue } = wilcoxonSignedRank(c, b, 'two-sided');
  process.stdout.write(
    `${m.name}\n` +
    `  base      ${b.map((x) => x.toFixed(3)).join('  ')}  median ${median(b).toFixed(3)} s\n` +
    `  this      ${c.map((x) => x.toFixed(3)).join('  ')}  median ${median(c).toFixed(3)} s\n` +
    `  change    median of the per-pair changes ${pct(median(changes))}; faster in ${faster} of ${changes.length} pairs; signed-rank p = ${pValue.toFixed(3)} (two-sided)\n`,
  );
  const rss = (xs: readonly Sample[]): number[] => xs.flatMap((s) => (s.rssMiB === undefined ? [] : [s.rssMiB]));
  if (rss(base).length > 0) process.stdout.write(`  peak RSS  base ${median(rss(base)).toFixed(0)} MiB, this ${median(rss(cand)).toFixed(0)} MiB (medians)\n`);
  const outputs = new Set([...base, ...cand].map((s) => s.output).filter((o) => o !== undefined));
  if (outputs.size > 0) process.stdout.write(`  report.json ${outputs.size === 1 ? 'byte-identical in every run of both builds' : `DIFFERS: ${outputs.size} distinct files`}\n`);
  process.stdout.write('\n');
}

function main(): void {
  const [other, pairsArg] = process.argv.slice(2);
  if (other === undefined) usage('name the checkout to compare with');
  const pairs = Number(pairsArg ?? 6);
  if (!Number.isInteger(pairs) || pairs < 2) usage(`pairs: expected a whole number of at least 2, found '${pairsArg}'`);
  const base: Build = { label: 'base', root: resolve(other) };
  const cand: Build = { label: 'this', root: here };
  for (const b of [base, cand]) {
    for (const f of [bundle(b), join(b.root, 'dist', 'harness', 'bench', 'run-one.js')]) {
      if (!existsSync(f)) usage(`${f} is missing: run npm run build in ${b.root}`);
    }
  }
  process.stdout.write(`agentbench A/B bench: ${cand.root} against ${base.root}, ${pairs} pairs, ${process.version}, load average ${loadAverage()}\n\n`);
  const out = mkdtempSync(join(tmpdir(), 'agentbench-ab-'));
  try {
    for (const m of MEASURES) {
      const samples: Record<Build['label'], Sample[]> = { base: [], this: [] };
      // One unrecorded run of each first: the first run after a build reads cold files.
      for (const b of [base, cand]) m.run(b, join(out, b.label));
      for (let i = 0; i < pairs; i++) {
        // The first of a pair alternates, so a drift in the machine's speed hits both builds alike.
        const order = i % 2 === 0 ? [base, cand] : [cand, base];
        for (const b of order) samples[b.label].push(m.run(b, join(out, b.label)));
      }
      report(m, samples.base, samples.this);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  process.stdout.write(`load average at the end: ${loadAverage()}\n`);
}

main();
