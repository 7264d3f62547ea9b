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
    expect(err).toContain("gate metric 'nosuchMetric' is not a summary metric of this report; available: makespanMsP99, throughputRps, workflowsCompleted");
    expect(await run('compare', good, good, '--gate', 'makespanMsP99:maxIncrease=1')).toBe(2);
    expect(await run('compare', good, good, '--alpha', '3')).toBe(2);
    expect(existsSync(join(dir, 'junit.xml'))).toBe(false);
  });
});
