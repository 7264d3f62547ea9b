import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';

/**
 * The power of the project's own CI gate (scenarios/ci-gate.yaml, 5 paired seeds). A simulated
 * run is deterministic, so an unchanged tree differs from its baseline by exactly 0 on every seed;
 * a uniform regression moves all 5 seeds one way, which the paired signed-rank test calls at
 * p = 1/32 < 0.05, so the smallest uniform regression the gate fails is just past each limit:
 * makespan p50 +3 %, makespan p99 +5 %, TTFT p99 +10 %, throughput −3 %, goodput −5 %, prefix hit
 * rate −2 %. The test doctors the committed baseline to be better by a known share on every seed.
 */
const ROOT = join(import.meta.dirname, '../..');
const SCENARIO = join(ROOT, 'scenarios/ci-gate.yaml');
const BASELINE = join(ROOT, 'scenarios/baselines/ci-gate.json');

interface Spread { median: number | null; min: number | null; max: number | null }
interface ReportLike { runs: { summary: Record<string, number> }[]; aggregates: { summary: Record<string, Spread> }[] }

/** One CLI call's exit code (process.exitCode is reset, so calls in one test do not leak into each other). */
async function cli(args: string[]): Promise<number> {
  process.exitCode = undefined;
  return main(args);
}

/** The baseline with `metric` multiplied by `factor` in every run and aggregate. */
function doctored(metric: string, factor: number): ReportLike {
  const r = JSON.parse(readFileSync(BASELINE, 'utf8')) as ReportLike;
  for (const run of r.runs) run.summary[metric] = run.summary[metric]! * factor;
  for (const a of r.aggregates) {
    const s = a.summary[metric]!;
    for (const k of ['median', 'min', 'max'] as const) if (s[k] !== null) s[k] = s[k]! * factor;
  }
  return r;
}

let dir = '';
let out = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ab-gate-power-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('the CI gate has measured power', () => {
  const write = (name: string, r: ReportLike): string => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(r));
    return f;
  };

  it('run --baseline: a baseline 5 % better on makespan p99 on every seed fails the run (exit 1); the committed one passes', async () => {
    // Baseline × 0.95: the candidate's p99 is 1 / 0.95 − 1 = +5.26 % on every seed, past the 5 % limit.
    const bad = write('p99-better.json', doctored('makespanMsP99', 0.95));
    expect(await cli(['run', SCENARIO, '--out', join(dir, 'run'), '--quiet', '--baseline', bad])).toBe(1);
    expect(out).toMatch(/makespanMsP99/);
    const report = join(dir, 'run', 'report.json');
    expect(await cli(['compare', BASELINE, report])).toBe(0);
  });

  it('a baseline 5 % better on prefix hit rate fails (limit −2 %); 4 % better on makespan p99 passes (under the 5 % limit)', async () => {
    const report = join(dir, 'run', 'report.json'); // written by the test above
    // Baseline × 1.05: the candidate's hit rate is 1 / 1.05 − 1 = −4.8 % on every seed.
    expect(await cli(['compare', write('hit-better.json', doctored('prefixCacheHitRate', 1.05)), report])).toBe(1);
    // Baseline × 0.96: +4.2 % on every seed, consistent but within the limit.
    expect(await cli(['compare', write('p99-4pct.json', doctored('makespanMsP99', 0.96)), report])).toBe(0);
    // Baseline × 0.97 on makespan p50: +3.1 %, past its 3 % limit.
    expect(await cli(['compare', write('p50-better.json', doctored('makespanMsP50', 0.97)), report])).toBe(1);
  });

  it('the test is strict at α: p = 1/32 exactly passes at α = 1/32 and fails just above it', async () => {
    const report = join(dir, 'run', 'report.json');
    // Baseline 10 % better on makespan p99: all 5 seeds move one way, signed-rank p = 1/32 = 0.03125.
    const bad = write('p99-10pct.json', doctored('makespanMsP99', 0.9));
    expect(await cli(['compare', bad, report, '--alpha', '0.03125'])).toBe(0); // p < α is false: within noise
    expect(await cli(['compare', bad, report, '--alpha', '0.0313'])).toBe(1);
  });
});
