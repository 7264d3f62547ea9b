import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureStdio } from './testing.js';
import { main } from './main.js';

/**
 * `agentbench baseline update` and `agentbench run --baseline` end to end on a tiny scenario:
 * write a baseline, gate against itself (a simulated run is deterministic, so every paired
 * difference is 0: pass), gate against a doctored copy (fail, naming the metric and the refresh
 * command), refresh it (shows the changes, then the gate passes again), and replace a baseline of
 * another scenario (not comparable: said so, replaced).
 */
const SCENARIO = `name: baseline-tiny
seeds: [1, 2, 3, 4, 5]
cluster: { instances: 2, model: llama-3.1-8b, gpu: h100-sxm }
policies:
  - routing: round-robin
workloads:
  - name: seq
    pattern: sequential
    agents: 2
    workflows: 4
    arrivals: { kind: poisson, ratePerSec: 2 }
    systemTokens: 64
    contextTokens: 256
    taskTokens: 16
    outputTokens: 8
`;

interface ReportLike { scenario: { name: string; hash: string }; runs: { summary: Record<string, number> }[]; aggregates: { summary: Record<string, { median: number | null; min: number | null; max: number | null }> }[] }

let dir = '';
let scenario = '';
const io = captureStdio();
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ab-baseline-'));
  scenario = join(dir, 'tiny.yaml');
  writeFileSync(scenario, SCENARIO);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One CLI call's exit code (process.exitCode is reset first, so calls do not leak into each other). */
async function cli(args: string[]): Promise<number> {
  process.exitCode = undefined;
  return main(args);
}

const read = (f: string): string => readFileSync(f, 'utf8');

describe('baseline update and run --baseline', () => {
  it('writes the run\'s report.json as the baseline, byte for byte, and a run gated against it passes', async () => {
    const target = join(dir, 'b.json');
    expect(await cli(['baseline', 'update', scenario, target, '--out', join(dir, 'u1'), '--quiet'])).toBe(0);
    expect(read(target)).toBe(read(join(dir, 'u1', 'report.json')));
    // No old baseline: nothing to compare, only the line naming what was written.
    expect(io.out).not.toContain('Changes against the old baseline');
    expect(io.out).toMatch(/^baseline written: .*b\.json \(scenario baseline-tiny, hash [0-9a-f]{12}, seeds 1, 2, 3, 4, 5\); commit it with the change that explains it\n$/);

    expect(await cli(['run', scenario, '--out', join(dir, 'r1'), '--quiet', '--baseline', target])).toBe(0);
    // Same scenario and seeds: the new report is byte-identical to the baseline.
    expect(read(join(dir, 'r1', 'report.json'))).toBe(read(target));
    expect(io.out).toMatch(/PASS/);
  });

  it('fails a run against a baseline doctored 20 % better on every seed (exit 1), naming the metric and the refresh command', async () => {
    const target = join(dir, 'b.json');
    const r = JSON.parse(read(target)) as ReportLike;
    // Baseline × 0.8 on makespan p50: the candidate is 1 / 0.8 − 1 = +25 % on all 5 seeds (p = 1/32 < 0.05).
    for (const run of r.runs) run.summary['makespanMsP50'] = run.summary['makespanMsP50']! * 0.8;
    const doctored = join(dir, 'doctored.json');
    writeFileSync(doctored, JSON.stringify(r));
    expect(await cli(['run', scenario, '--out', join(dir, 'r2'), '--quiet', '--baseline', doctored])).toBe(1);
    expect(io.out).toMatch(/FAIL/);
    expect(io.out).toContain('makespanMsP50');
    expect(io.out).toContain(`agentbench baseline update ${scenario} ${doctored}`);
  });

  it('refreshes a doctored baseline: prints the changes against it, then the gate passes', async () => {
    const doctored = join(dir, 'doctored.json');
    expect(await cli(['baseline', 'update', scenario, doctored, '--out', join(dir, 'u2'), '--quiet'])).toBe(0);
    expect(io.out).toContain('Changes against the old baseline:\n');
    expect(io.out).toContain('makespanMsP50');
    expect(read(doctored)).toBe(read(join(dir, 'u2', 'report.json')));
    expect(await cli(['run', scenario, '--out', join(dir, 'r3'), '--quiet', '--baseline', doctored])).toBe(0);
  });

  it('replaces a baseline of another scenario, saying it is not comparable', async () => {
    const other = JSON.parse(read(join(dir, 'b.json'))) as ReportLike;
    // Another scenario: another name and hash (the hash is what makes two reports comparable).
    Object.assign(other.scenario, { name: 'someone-else', hash: 'f'.repeat(64) });
    const target = join(dir, 'other.json');
    writeFileSync(target, JSON.stringify(other));
    expect(await cli(['baseline', 'update', scenario, target, '--out', join(dir, 'u3'), '--quiet'])).toBe(0);
    expect(io.out).toMatch(/^The old baseline is not comparable \(scenario hash differs: baseline ffffffffffff \(someone-else\), candidate [0-9a-f]{12} \(baseline-tiny\); differences: name 'someone-else' vs 'baseline-tiny'\); replacing it\.\n/);
    expect(read(target)).toBe(read(join(dir, 'u3', 'report.json')));
  });

  it('refuses to gate a run against a baseline of another scenario (exit 2), naming the refresh command', async () => {
    const other = JSON.parse(read(join(dir, 'b.json'))) as ReportLike;
    Object.assign(other.scenario, { name: 'someone-else', hash: 'f'.repeat(64) });
    const target = join(dir, 'other2.json');
    writeFileSync(target, JSON.stringify(other));
    expect(await cli(['run', scenario, '--out', join(dir, 'r4'), '--quiet', '--baseline', target])).toBe(2);
    expect(io.err).toContain("differences: name 'someone-else' vs 'baseline-tiny'");
    expect(io.err).toContain(`refusing to compare; pass --force to compare anyway, or refresh the baseline on purpose: agentbench baseline update ${scenario} ${target}`);
  });
});
