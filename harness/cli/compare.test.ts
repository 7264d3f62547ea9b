import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeReport } from '../../reports/compare/testdata/make-report.js';
import { main } from './main.js';

let dir: string;
let out: string;
let err: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agentbench-compare-'));
  out = '';
  err = '';
  vi.stubEnv('GITHUB_STEP_SUMMARY', ''); // never append to a real job summary from tests
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  process.exitCode = undefined;
});

async function run(...args: string[]): Promise<number> {
  const code = await main(args);
  process.exitCode = undefined;
  return code;
}

function write(name: string, value: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, typeof value === 'string' ? value : JSON.stringify(value));
  return f;
}

const cell = (v: number[]) => [{ workload: 'w', policy: 'p', metrics: { makespanMsP99: v, throughputRps: [5, 5, 5, 5, 5], workflowsCompleted: [9, 9, 9, 9, 9] } }];
const gates = { makespanMsP99: { maxIncreasePct: 5 } };

describe('agentbench compare', () => {
  it('exits 0 when nothing regressed, and writes the requested outputs', async () => {
    const base = write('base.json', makeReport(cell([100, 101, 102, 103, 104]), { gates }));
    const cand = write('cand.json', makeReport(cell([100, 101, 102, 103, 104]), { gates }));
    const summary = write('summary.md', '# earlier\n');
    vi.stubEnv('GITHUB_STEP_SUMMARY', summary);
    const code = await run('compare', base, cand, '--md', join(dir, 'c.md'), '--junit', join(dir, 'j.xml'), '--github-summary', '--benchmark', join(dir, 'bench'));
    vi.stubEnv('GITHUB_STEP_SUMMARY', '');
    expect(code).toBe(0);
    expect(out).toContain('gate PASS: 1 gate check(s) passed');
    expect(readFileSync(join(dir, 'c.md'), 'utf8')).toContain('## agentbench gate: hand-made — ✅ PASS');
    expect(readFileSync(summary, 'utf8')).toMatch(/^# earlier\n## agentbench gate/);
    expect(readFileSync(join(dir, 'j.xml'), 'utf8')).toContain('<testsuites');
    const smaller = JSON.parse(readFileSync(join(dir, 'bench', 'smaller-is-better.json'), 'utf8')) as { name: string; unit: string; value: number }[];
    const bigger = JSON.parse(readFileSync(join(dir, 'bench', 'bigger-is-better.json'), 'utf8')) as { name: string; value: number }[];
    expect(smaller).toContainEqual(expect.objectContaining({ name: 'hand-made/w/p/makespanMsP99', unit: 'ms', value: 102 }));
    expect(bigger.map((b) => b.name)).toEqual(['hand-made/w/p/workflowsCompleted', 'hand-made/w/p/throughputRps']);
  });

  it('exits 1 on a regression and says why', async () => {
    const base = write('base.json', makeReport(cell([100, 101, 102, 103, 104]), { gates }));
    const cand = write('cand.json', makeReport(cell([120, 121, 122, 123, 124]), { gates }));
    expect(await run('compare', base, cand, '--json')).toBe(1);
    const json = JSON.parse(out) as { passed: boolean; checks: { verdict: string; reason: string }[] };
    expect(json.passed).toBe(false);
    expect(json.checks[0]!.reason).toContain('makespanMsP99 rose 19.6%');
  });

  it('lets --gate override the scenario gates', async () => {
    const base = write('base.json', makeReport(cell([100, 101, 102, 103, 104]), { gates }));
    const cand = write('cand.json', makeReport(cell([120, 121, 122, 123, 124]), { gates }));
    expect(await run('compare', base, cand, '--gate', 'makespanMsP99:maxIncreasePct=25')).toBe(0);
    expect(await run('compare', base, cand, '--gate', 'throughputRps:min=6')).toBe(1);
  });

  it('uses default gates when none are configured', async () => {
    const base = write('base.json', makeReport(cell([100, 101, 102, 103, 104])));
    const cand = write('cand.json', makeReport(cell([100, 101, 102, 103, 104])));
    expect(await run('compare', base, cand)).toBe(0);
    expect(out).toContain('default gates used');
  });

  it('exits 2 on mismatched scenarios unless --force', async () => {
    const base = write('base.json', makeReport(cell([100, 101, 102, 103, 104]), { hash: 'a'.repeat(64) }));
    const cand = write('cand.json', makeReport(cell([100, 101, 102, 103, 104]), { hash: 'b'.repeat(64), seeds: [1, 2, 3, 4, 6] }));
    expect(await run('compare', base, cand)).toBe(2);
    expect(err).toContain('scenario hash differs');
    expect(err).toContain('seeds [1, 2, 3, 4, 5] vs [1, 2, 3, 4, 6]');
    expect(err).toContain('pass --force to compare anyway');
    err = '';
    expect(await run('compare', base, cand, '--force')).toBe(0);
    expect(err).toContain('warning: scenario hash differs');
  });

  it('exits 2 on bad input: missing file, bad JSON, not a report, unknown gate metric, bad flag', async () => {
    const good = write('good.json', makeReport(cell([1, 2, 3, 4, 5])));
    expect(await run('compare', join(dir, 'nope.json'), good)).toBe(2);
    expect(err).toContain('nope.json: cannot read report');
    expect(await run('compare', write('bad.json', '{'), good)).toBe(2);
    expect(err).toContain('bad.json: not valid JSON');
    expect(await run('compare', write('other.json', { schemaVersion: 1, runs: 'x' }), good)).toBe(2);
    expect(err).toContain('other.json: tool: missing key (expected object)');
    expect(err).toContain('other.json: runs: expected array, found string "x"');
    expect(err).toContain('other.json: not a valid agentbench report.json');
    expect(await run('compare', good, good, '--gate', 'nosuchMetric:max=1')).toBe(2);
    expect(err).toContain("error: --gate nosuchMetric: unknown gate metric 'nosuchMetric'\nerror: summary metrics of this report: makespanMsP99, throughputRps, workflowsCompleted");
    expect(await run('compare', good, good, '--gate', 'makespanMsP99:maxIncrease=1')).toBe(2);
    expect(await run('compare', good, good, '--alpha', '3')).toBe(2);
    expect(existsSync(join(dir, 'junit.xml'))).toBe(false);
  });

  it('issue 18: throughput 2% lower on every one of 5 seeds fails with the paired test named; on 2 of 5 seeds it passes', async () => {
    const tput = [10, 12, 9, 11, 13]; // the seed spread (±20%) dwarfs the 2% shift
    const gate = ['--gate', 'throughputRps:maxDecreasePct=1'];
    const metrics = (t: number[]) => [{ workload: 'w', policy: 'p', metrics: { throughputRps: t } }];
    const base = write('base.json', makeReport(metrics(tput)));
    const every = write('every.json', makeReport(metrics(tput.map((v) => v * 0.98))));
    expect(await run('compare', base, every, ...gate, '--md', join(dir, 'g.md'))).toBe(1);
    // Per-seed changes all −2%: median −2% passes the 1% limit; 5 of 5 negative → p = 1/32 < 0.05.
    expect(out).toContain('throughputRps fell 2.0% (11.00 → 10.78; limit: drop ≤ 1%); per seed all −2.0% (median of 5 pairs); paired Wilcoxon signed-rank p = 0.031 (5 of 5 seeds moved, one-sided, exact) < α 0.05');
    expect(readFileSync(join(dir, 'g.md'), 'utf8')).toContain('one-sided exact Wilcoxon signed-rank test');
    out = '';
    // Seeds 2 and 4 only: per-seed changes 0, −2, 0, −2, 0 → median 0%: within the limit (and the
    // test over the 2 non-zero pairs gives p = 1/4).
    const some = write('some.json', makeReport(metrics(tput.map((v, i) => (i === 1 || i === 3 ? v * 0.98 : v)))));
    expect(await run('compare', base, some, ...gate)).toBe(0);
    expect(out).toContain('gate PASS: 1 gate check(s) passed');
  });

  it('writes a short Markdown for a passing compare of many policies: passes summarised per metric', async () => {
    const cells = Array.from({ length: 20 }, (_, i) => ({ workload: 'w', policy: `policy-${i}`, metrics: { makespanMsP99: [100, 101, 102, 103, 104], throughputRps: [5, 5, 5, 5, 5] } }));
    const g = { makespanMsP99: { maxIncreasePct: 5 }, throughputRps: { maxDecreasePct: 5 } };
    const base = write('base.json', makeReport(cells, { gates: g }));
    const cand = write('cand.json', makeReport(cells.map((c, i) => (i === 7 ? { ...c, metrics: { ...c.metrics, makespanMsP99: [103, 104, 105, 106, 107] } } : c)), { gates: g }));
    expect(await run('compare', base, cand, '--md', join(dir, 'g.md'), '--changed-only')).toBe(0);
    const md = readFileSync(join(dir, 'g.md'), 'utf8');
    expect(md.split('\n').length).toBeLessThan(25);
    // policy-7: +3% to +2.88% per seed (median +2.94%, seed 3: 105/102), 59% of the 5% limit: a near miss.
    expect(md).toContain('### Near misses');
    expect(md).toContain('w × policy-7: 59% of the limit: makespanMsP99 rose 2.9%');
    expect(md).toContain('| makespanMsP99 | rise ≤ 5% | 20 | +2.9% | w × policy-7 |');
    expect(md).toContain('| throughputRps | drop ≤ 5% | 20 | – |  |');
    // The terminal table with --changed-only: only policy-7's makespan row moved.
    expect(out).toContain('(--changed-only: 39 of 40 rows that did not move are not shown)');
  });

  it('refuses an unknown gate metric before running anything: --gate on run, gates: on validate (exit 2)', async () => {
    const sc = write('s.yaml', 'name: s\ncluster: { instances: 1 }\npolicies: [{ routing: round-robin }]\nworkloads:\n  - { name: w, pattern: sequential, agents: 2, workflows: 2, arrivals: { kind: poisson, ratePerSec: 1 } }\n');
    const outDir = join(dir, 'never');
    expect(await run('run', sc, '--out', outDir, '--quiet', '--gate', 'makespanMsP999:maxIncreasePct=5')).toBe(2);
    expect(err).toContain("error: --gate makespanMsP999: unknown gate metric 'makespanMsP999' (did you mean 'makespanMsP99'?)");
    expect(err).toContain('error: valid gate metrics for this scenario: requestsTotal,');
    expect(existsSync(outDir)).toBe(false); // nothing ran
    err = '';
    const bad = write('bad.yaml', `${readFileSync(sc, 'utf8')}gates:\n  goodputWPS: { maxDecreasePct: 5 }\n`);
    expect(await run('validate', bad)).toBe(2);
    expect(err).toContain("bad.yaml:7:15: gates.goodputWPS: unknown gate metric 'goodputWPS' (did you mean 'goodputWps'?)");
  });
});
