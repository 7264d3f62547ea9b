import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeReport } from '../../reports/compare/testdata/make-report.js';
import { InputError } from '../../workloads/input-error.js';
import { checkComparable, gateAndReport, gatesInForce } from './gate.js';

// Five seeds, one cell. The candidate is the baseline with makespan p99 +10 % on every seed.
const base = makeReport([{ workload: 'w', policy: 'p', metrics: { makespanMsP99: [100, 200, 300, 400, 500], throughputRps: [10, 10, 10, 10, 10] } }]);
const worse = makeReport([{ workload: 'w', policy: 'p', metrics: { makespanMsP99: [110, 220, 330, 440, 550], throughputRps: [10, 10, 10, 10, 10] } }]);

let err = '';
const dirs: string[] = [];
beforeEach(() => {
  err = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  vi.stubEnv('GITHUB_STEP_SUMMARY', '');
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ab-gate-'));
  dirs.push(d);
  return d;
};

describe('gatesInForce', () => {
  it('uses the default gates of the metrics the report has, when none are configured', () => {
    // DEFAULT_GATES also names makespanMsP50, ttftMsP99 and workflowsCompleted: this report has neither.
    expect(gatesInForce(base, {})).toEqual({ source: 'default', gates: { makespanMsP99: { maxIncreasePct: 5 }, throughputRps: { maxDecreasePct: 5 } } });
  });

  it('overlays --gate flags on the scenario\'s gates, per metric', () => {
    const configured = makeReport([{ workload: 'w', policy: 'p', metrics: { makespanMsP99: [1], throughputRps: [1] } }], {
      gates: { makespanMsP99: { maxIncreasePct: 3 }, throughputRps: { maxDecreasePct: 2 } },
    });
    expect(gatesInForce(configured, { gate: { makespanMsP99: { max: 800 } } })).toEqual({
      source: 'configured', gates: { makespanMsP99: { maxIncreasePct: 3, max: 800 }, throughputRps: { maxDecreasePct: 2 } },
    });
  });

  it('refuses a gate on a metric the report does not have, naming where it came from, and a limit the wrong way round', () => {
    const configured = makeReport([{ workload: 'w', policy: 'p', metrics: { makespanMsP99: [1] } }], { gates: { ttftMsP99: { maxIncreasePct: 3 } } });
    let e: unknown;
    try {
      gatesInForce(configured, { gate: { makespanMsP9: { max: 1 }, makespanMsP99: { maxDecreasePct: 1 } } });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).message.split('\n')).toEqual([
      "scenario.gates.ttftMsP99: unknown gate metric 'ttftMsP99'",
      "--gate makespanMsP9: unknown gate metric 'makespanMsP9' (did you mean 'makespanMsP99'?)",
      'summary metrics of this report: makespanMsP99',
      '--gate makespanMsP99:maxDecreasePct: makespanMsP99 is better lower, so a drop is an improvement and this limit would fail on it; did you mean maxIncreasePct?',
    ]);
  });
});

describe('checkComparable', () => {
  const other = makeReport([{ workload: 'w', policy: 'p', metrics: { makespanMsP99: [1, 2, 3, 4, 5] } }], { hash: 'b'.repeat(64), name: 'other' });

  it('passes reports of the same scenario', () => {
    expect(() => checkComparable(base, worse, {}, 'hint')).not.toThrow();
  });

  it('refuses another scenario with the reason and the hint; with --force it warns instead', () => {
    expect(() => checkComparable(base, other, {}, 'run it again')).toThrow(
      "scenario hash differs: baseline aaaaaaaaaaaa (hand-made), candidate bbbbbbbbbbbb (other); differences: name 'hand-made' vs 'other'\nrefusing to compare; pass --force to compare anyway, or run it again",
    );
    expect(() => checkComparable(base, other, { force: true }, 'run it again')).not.toThrow();
    expect(err).toBe("warning: scenario hash differs: baseline aaaaaaaaaaaa (hand-made), candidate bbbbbbbbbbbb (other); differences: name 'hand-made' vs 'other' (compared anyway: --force)\n");
  });
});

describe('gateAndReport', () => {
  it('fails a uniform +10 % regression and writes gate.md and junit.xml into the run folder', () => {
    const dir = tmp();
    const g = gateAndReport(base, worse, {}, { baseFile: 'b.json', candFile: 'c.json', defaultDir: dir });
    expect(g.comparison.passed).toBe(false);
    expect(g.json).toMatchObject({ passed: false, gatesSource: 'default', files: [join(dir, 'gate.md'), join(dir, 'junit.xml')] });
    const checks = (g.json as { checks: { metric: string; verdict: string; base: number | null; candidate: number | null; changePct: number }[] }).checks;
    // Medians: makespan p99 300 → 330 (+10 %, past the 5 % limit); throughput 10 → 10.
    expect(checks.map((c) => [c.metric, c.verdict, c.base, c.candidate, c.changePct])).toEqual([['makespanMsP99', 'fail', 300, 330, 10], ['throughputRps', 'pass', 10, 10, 0]]);
    expect(readFileSync(join(dir, 'gate.md'), 'utf8')).toContain('makespanMsP99');
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('<testsuite');
  });

  it('writes the files the flags name instead, and benchmark inputs split by direction', () => {
    const dir = tmp();
    const flags = { md: join(dir, 'g.md'), junit: join(dir, 'j.xml'), benchmark: join(dir, 'bench') };
    const g = gateAndReport(base, base, flags, { baseFile: 'b.json', candFile: 'c.json', defaultDir: join(dir, 'run') });
    expect(g.comparison.passed).toBe(true);
    expect((g.json as { files: string[] }).files).toEqual([flags.md, flags.junit]);
    expect(existsSync(join(dir, 'run', 'gate.md'))).toBe(false);
    const smaller = JSON.parse(readFileSync(join(dir, 'bench', 'smaller-is-better.json'), 'utf8')) as { name: string }[];
    const bigger = JSON.parse(readFileSync(join(dir, 'bench', 'bigger-is-better.json'), 'utf8')) as { name: string }[];
    expect(smaller.map((b) => b.name).join()).toContain('makespanMsP99');
    expect(bigger.map((b) => b.name).join()).toContain('throughputRps');
  });

  it('writes no file without a folder or flags; --github-summary without $GITHUB_STEP_SUMMARY warns', () => {
    const g = gateAndReport(base, base, { githubSummary: true }, { baseFile: 'b.json', candFile: 'c.json' });
    expect((g.json as { files: string[] }).files).toEqual([]);
    expect(err).toBe('warning: --github-summary given but $GITHUB_STEP_SUMMARY is not set; summary not written\n');
  });

  it('appends the Markdown to $GITHUB_STEP_SUMMARY when it is set', () => {
    const dir = tmp();
    const summary = join(dir, 'summary.md');
    vi.stubEnv('GITHUB_STEP_SUMMARY', summary);
    gateAndReport(base, worse, {}, { baseFile: 'b.json', candFile: 'c.json' });
    gateAndReport(base, worse, {}, { baseFile: 'b.json', candFile: 'c.json' });
    const text = readFileSync(summary, 'utf8');
    // Appended twice, not overwritten: the same Markdown two times over.
    expect(text).toContain('makespanMsP99');
    expect(text.slice(0, text.length / 2)).toBe(text.slice(text.length / 2));
    expect(err).toBe('');
  });

  it('applies --alpha: at α = 1/32 the 5-seed all-one-way p = 1/32 is not significant', () => {
    const g = gateAndReport(base, worse, { alpha: 1 / 32 }, { baseFile: 'b.json', candFile: 'c.json' });
    expect(g.comparison.passed).toBe(true);
  });
});
