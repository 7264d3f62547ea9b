import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeReport } from '../../reports/compare/testdata/make-report.js';
import { InputError } from '../../workloads/input-error.js';
import { Command } from 'commander';
import { loadScenario } from '../scenario/load.js';
import { addGateOptions, checkComparable, checkGateFlags, gateAndReport, gatesInForce } from './gate.js';

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

describe('gate flags', () => {
  const parse = (args: string[]) => addGateOptions(new Command()).exitOverride().configureOutput({ writeErr: () => {} }).parse(args, { from: 'user' }).opts();

  it('collects repeated --gate flags per metric and reads --alpha', () => {
    expect(parse(['--gate', 'makespanMsP99:maxIncreasePct=5', '--gate', 'makespanMsP99:max=800', '--gate', 'ttftMsP99:max=9', '--alpha', '0.1'])).toEqual({
      gate: { makespanMsP99: { maxIncreasePct: 5, max: 800 }, ttftMsP99: { max: 9 } }, alpha: 0.1,
    });
  });

  it('refuses a malformed --gate and an --alpha outside (0, 1), saying what was expected', () => {
    expect(() => parse(['--gate', 'makespanMsP99'])).toThrow("gate 'makespanMsP99': expected METRIC:KIND=VALUE, e.g. makespanMsP99:maxIncreasePct=5");
    for (const bad of ['0', '1', 'x']) expect(() => parse(['--alpha', bad])).toThrow(`expected a number between 0 and 1, found '${bad}'`);
    expect(parse(['--alpha', '0.999'])).toEqual({ alpha: 0.999 });
  });

  it('documents every flag in --help', () => {
    const help = addGateOptions(new Command('x')).helpInformation();
    for (const line of [
      "--gate <METRIC:KIND=VALUE>  a gate, e.g. makespanMsP99:maxIncreasePct=5 or ttftMsP99:max=800 (repeatable; overrides the scenario's gates for that metric)",
      '--alpha <p>', 'significance level of the paired Wilcoxon signed-rank test over seeds (default 0.05)',
      '--changed-only', 'show only the rows that moved (the Markdown always lists only failures and near misses)',
      '--force', "compare even if the scenario hash or report schema differs; run: simulate cluster.kvBlocks beyond the GPU's memory",
      '--md <file>', 'write the comparison as Markdown', '--junit <file>', 'write JUnit XML (one test case per gate check)',
      '--github-summary', 'append the Markdown to $GITHUB_STEP_SUMMARY (done whenever it is set; this warns if it is not)',
      '--benchmark <dir>', 'write github-action-benchmark inputs (smaller-is-better.json, bigger-is-better.json)',
    ]) expect(help.replace(/\s+/g, ' ')).toContain(line.replace(/\s+/g, ' '));
  });

  it('checkGateFlags refuses --gate metrics the scenario will not emit, and limits the wrong way round, before a run', () => {
    const sc = loadScenario(join(import.meta.dirname, '../../scenarios/quickstart.yaml')).scenario;
    expect(() => checkGateFlags(sc, { gate: { makespanMsP99: { maxIncreasePct: 5 }, throughputRps: { maxDecreasePct: 5 } } })).not.toThrow();
    expect(() => checkGateFlags(sc, {})).not.toThrow();
    let e: unknown;
    try {
      checkGateFlags(sc, { gate: { makespanMsP9: { max: 1 }, throughputRps: { maxIncreasePct: 5 } } });
    } catch (x) {
      e = x;
    }
    const lines = (e as InputError).message.split('\n');
    // makespanMsP90 and makespanMsP99 are both one edit away: the first in the metric list is named.
    expect(lines[0]).toBe("--gate makespanMsP9: unknown gate metric 'makespanMsP9' (did you mean 'makespanMsP90'?)");
    expect(lines[1]).toMatch(/^valid gate metrics for this scenario: /);
    expect(lines[2]).toBe('--gate throughputRps:maxIncreasePct: throughputRps is better higher, so a rise is an improvement and this limit would fail on it; did you mean maxDecreasePct?');
    expect(lines).toHaveLength(3);
  });

  it('names a wrong-way --gate in gatesInForce by its flag', () => {
    expect(() => gatesInForce(base, { gate: { throughputRps: { maxIncreasePct: 1 } } })).toThrow('--gate throughputRps:maxIncreasePct: throughputRps is better higher');
  });
});

describe('gateAndReport output', () => {
  it('names a file the flags chose by its flag, and one it chose itself as the run folder, when it cannot write them', () => {
    const dir = tmp();
    const blocker = join(dir, 'file');
    writeFileSync(blocker, 'x'); // a file where a folder is needed: writing under it fails
    expect(() => gateAndReport(base, base, { md: join(blocker, 'g.md') }, { baseFile: 'b', candFile: 'c' })).toThrow(/--md/);
    expect(() => gateAndReport(base, base, {}, { baseFile: 'b', candFile: 'c', defaultDir: blocker })).toThrow(/\(run folder\)/);
  });

  it('its JSON gives the baseline median, or null without a baseline, and its text can list only the rows that moved', () => {
    const none = gateAndReport(null, worse, { gate: { makespanMsP99: { max: 1000 } } }, { candFile: 'c.json' });
    expect((none.json as { checks: { base: number | null; candidate: number | null }[] }).checks).toEqual([expect.objectContaining({ base: null, candidate: 330 })]);
    const all = gateAndReport(base, worse, {}, { baseFile: 'b.json', candFile: 'c.json' });
    const moved = gateAndReport(base, worse, { changedOnly: true }, { baseFile: 'b.json', candFile: 'c.json' });
    expect(all.text).toContain('throughputRps');
    expect(moved.text).not.toContain('throughputRps'); // unchanged: left out
    expect(moved.text).toContain('makespanMsP99');
  });
});
