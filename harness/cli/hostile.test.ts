import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Report } from '../../reports/report.js';
import { main } from './main.js';

// Issue 20: what a hostile or careless user tried, each a clear error (exit 2) or a loud warning.

let out = '';
let err = '';
let dir = '';
beforeEach(() => {
  out = '';
  err = '';
  dir = mkdtempSync(join(tmpdir(), 'agentbench-hostile-'));
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

const scenario = (text: string, name = 's.yaml'): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const base = (over: { name?: string; workload?: string; top?: string } = {}): string => `name: ${over.name ?? 'hostile'}
seeds: [1]
cluster: { instances: 1 }
policies: [ { routing: round-robin } ]
${over.top ?? ''}workloads:
${over.workload ?? `  - name: w
    pattern: sequential
    agents: 2
    workflows: 40
    arrivals: { kind: poisson, ratePerSec: 2 }
`}`;
const TRUNCATING = base({ top: 'limits: { maxSimS: 5 }\n' });

describe('1. a run limit that cuts a run is loud', () => {
  it('warns on stderr, records truncated in report.json, and exits 1', async () => {
    const o = join(dir, 'out');
    expect(await main(['run', scenario(TRUNCATING), '--out', o, '--quiet'])).toBe(1);
    expect(err).toBe('warning: 1 of 1 runs stopped at a run limit; their results cover only part of the workload:\n' +
      '  w × round-robin × seed 1: limits.maxSimS (5) reached at 5 s; 13 workflows started, 1 completed, 27 of 40 workflows never started\n' +
      'raise the limit in the scenario (docs/limits.md), or pass --allow-truncation to accept cut runs (exit 0)\n');
    const report = JSON.parse(readFileSync(join(o, 'report.json'), 'utf8')) as Report;
    expect(report.runs[0]!.end).toBe('limit');
    expect(report.runs[0]!.truncated).toEqual({
      limit: 'limits.maxSimS', value: 5, atS: 5, workflowsRequested: 40, workflowsStarted: 13, workflowsCompleted: 1, workflowsNotStarted: 27,
    });
    expect(report.runs[0]!.summary['workflowsTotal']).toBe(13); // started, not requested
    expect(readFileSync(join(o, 'report.md'), 'utf8')).toContain(
      '> 1 run(s) hit a run limit (limits.maxSimS = 5 in seed 1: 13 workflows started, 27 never started); their open requests were ended as timeouts.');
  });

  it('--json carries the truncation; --allow-truncation exits 0 but still warns', async () => {
    expect(await main(['run', scenario(TRUNCATING), '--out', join(dir, 'out'), '--json', '--allow-truncation'])).toBe(0);
    const json = JSON.parse(out) as { truncated: unknown[] };
    expect(json.truncated).toEqual([{
      workload: 'w', policy: 'round-robin', seed: 1,
      limit: 'limits.maxSimS', value: 5, atS: 5, workflowsRequested: 40, workflowsStarted: 13, workflowsCompleted: 1, workflowsNotStarted: 27,
    }]);
    expect(err).toMatch(/^warning: 1 of 1 runs stopped at a run limit/);
  });

  it('limits.maxEvents is named the same way', async () => {
    expect(await main(['run', scenario(base({ top: 'limits: { maxEvents: 500 }\n' })), '--out', join(dir, 'out'), '--json'])).toBe(1);
    expect((JSON.parse(out) as { truncated: unknown[] }).truncated).toEqual([{
      workload: 'w', policy: 'round-robin', seed: 1,
      // atS: the simulated time of the 500th event under the default cost model (docs/cost-model.md);
      // 4.561 s since each call also schedules its front-end latency (one timer event per attempt)
      // and a step starting on an idle engine pays its 0.3 ms of CPU work.
      limit: 'limits.maxEvents', value: 500, atS: 4.561, workflowsRequested: 40, workflowsStarted: 13, workflowsCompleted: 0, workflowsNotStarted: 27,
    }]);
  });

  it('a run that drains has truncated: [] and no warning', async () => {
    expect(await main(['run', scenario(base()), '--out', join(dir, 'out'), '--json'])).toBe(0);
    expect((JSON.parse(out) as { truncated: unknown[] }).truncated).toEqual([]);
    expect(err).toBe('');
  });
});

describe('3. --out problems name the flag and exit 2 at once', () => {
  it('/proc/x', async () => {
    expect(await main(['run', scenario(base()), '--out', '/proc/x', '--quiet'])).toBe(2);
    expect(err).toBe('error: --out /proc/x: cannot write beside it (no such directory (or a virtual file system), ENOENT)\n');
  });

  it('an existing file', async () => {
    const f = join(dir, 'f.txt');
    writeFileSync(f, 'keep me');
    expect(await main(['run', scenario(base()), '--out', f, '--quiet'])).toBe(2);
    expect(err).toBe(`error: --out ${f}: exists and is not a folder\n`);
    expect(readFileSync(f, 'utf8')).toBe('keep me');
  });
});

describe('3b. every output-file flag names itself when it cannot be written', () => {
  it('--junit under a file, compare --benchmark under /proc (Node\'s recursive mkdir would loop there)', async () => {
    const o = join(dir, 'out');
    const f = scenario(base());
    expect(await main(['run', f, '--out', o, '--quiet', '--gate', 'ttftMsP99:max=800', '--junit', join(f, 'x.xml')])).toBe(2);
    expect(err).toBe(`error: --junit ${join(f, 'x.xml')}: ${f} is a file, not a folder\n`);
    err = '';
    const report = join(o, 'report.json');
    expect(await main(['compare', report, report, '--benchmark', '/proc/agentbench-bench'])).toBe(2);
    expect(err).toBe('error: --benchmark /proc/agentbench-bench/smaller-is-better.json: cannot create /proc/agentbench-bench (no such directory (or a virtual file system), ENOENT)\n');
  });
});

describe('4. huge token counts are refused up front with their location', () => {
  it('contextTokens: 1e12', async () => {
    const f = scenario(base({ workload: '  - { name: w, pattern: sequential, agents: 1, workflows: 2, arrivals: { kind: poisson, ratePerSec: 3 }, contextTokens: 1e12 }\n' }));
    expect(await main(['validate', f])).toBe(2);
    expect(err).toBe(`error: ${f}:6:121: workloads[0].contextTokens: expected at most 10,000,000 tokens, found 1000000000000\n`);
  });

  it('a lognormal whose mean is huge names the key', async () => {
    const f = scenario(base({ workload: '  - { name: w, pattern: sequential, agents: 1, workflows: 2, arrivals: { kind: poisson, ratePerSec: 3 }, outputTokens: { dist: lognormal, mean: 1e9, std: 1 } }\n' }));
    expect(await main(['validate', f])).toBe(2);
    expect(err).toMatch(/s\.yaml:6:\d+: workloads\[0\]\.outputTokens\.mean: expected at most 10,000,000 tokens, found 1000000000\n$/);
  });

  it('a trace row with 10^12 tokens, even with --skip-bad-rows (skipped, counted, said)', async () => {
    const csv = join(dir, 't.csv');
    writeFileSync(csv, 't,p,o\n0,100,10\n1,1000000000000,10\n2,200,20\n');
    const f = scenario(base({ workload: `  - { name: t, pattern: trace, format: csv, file: t.csv, columns: { arrival: t, promptTokens: p, outputTokens: o } }\n` }));
    expect(await main(['run', f, '--out', join(dir, 'o1'), '--quiet'])).toBe(2);
    expect(err).toBe(`error: ${csv}:3: p: expected an integer from 1 to 10,000,000, found "1000000000000" (set skipBadRows: true to skip bad rows)\n`);
    err = '';
    expect(await main(['run', f, '--out', join(dir, 'o2'), '--quiet', '--skip-bad-rows'])).toBe(0);
    expect(err).toBe("note: skipped 1 malformed row(s) of trace workload 't' (--skip-bad-rows; traceRowsSkipped in report.json)\n");
  });
});

describe('5. scenario names are single safe path components', () => {
  for (const [name, col] of [['..', 7], ['.', 7]] as const) {
    it(`'${name}'`, async () => {
      const f = scenario(base({ name: `'${name}'` }));
      expect(await main(['validate', f])).toBe(2);
      expect(err).toBe(`error: ${f}:1:${col}: name: expected a name, not '.' or '..' (names become folder names)\n`);
    });
  }

  it('300 characters', async () => {
    const f = scenario(base({ name: 'a'.repeat(300) }));
    expect(await main(['validate', f])).toBe(2);
    expect(err).toBe(`error: ${f}:1:7: name: expected at most 100 character(s), found string "${'a'.repeat(36)}...\n`);
  });
});

describe('6. --seed is checked as a flag', () => {
  for (const bad of ['', '1e3', '0x10', '-1', '99999999999999999999']) {
    it(`--seed '${bad}'`, async () => {
      expect(await main(['run', scenario(base()), '--seed', bad, '--quiet', '--out', join(dir, 'o')])).toBe(2);
      expect(err.split('\n')[0]).toBe(`error: option '-s, --seed <n>' argument '${bad}' is invalid. expected a non-negative integer (decimal digits, at most 9007199254740991), found '${bad}'`);
    });
  }
});

describe('8. --skip-bad-rows', () => {
  it('all rows bad is an error, not 0 workflows and exit 0', async () => {
    writeFileSync(join(dir, 'bad.csv'), 't,p,o\n0,x,10\n1,y,10\n');
    const f = scenario(base({ workload: '  - { name: t, pattern: trace, format: csv, file: bad.csv, columns: { arrival: t, promptTokens: p, outputTokens: o } }\n' }));
    const o = join(dir, 'o');
    mkdirSync(o);
    writeFileSync(join(o, 'report.json'), 'previous');
    expect(await main(['run', f, '--out', o, '--quiet', '--skip-bad-rows'])).toBe(2);
    expect(err).toBe(`error: ${join(dir, 'bad.csv')}: all 2 rows are malformed (format 'csv'), so the workload has no requests; first: ${join(dir, 'bad.csv')}:2: p: expected an integer from 1 to 10,000,000, found "x"\n`);
    expect(readdirSync(o)).toEqual(['report.json']); // the failed run left the previous results
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

describe('7. validate opens trace files and reads their first rows, as run would', () => {
  const trace = (file: string): string => scenario(base({
    workload: `  - { name: t, pattern: trace, format: csv, file: ${file}, columns: { arrival: t, promptTokens: p, outputTokens: o } }\n`,
  }));

  it('a missing file', async () => {
    const f = trace('nope.csv');
    expect(await main(['validate', f])).toBe(2);
    expect(err).toBe(`error: ${f}: workloads[0] 't': ${join(dir, 'nope.csv')}: cannot read trace: ENOENT: no such file or directory, open '${join(dir, 'nope.csv')}'\n`);
  });

  it('a folder', async () => {
    mkdirSync(join(dir, 'folder.csv'));
    const f = trace('folder.csv');
    expect(await main(['validate', f])).toBe(2);
    expect(err).toBe(`error: ${f}: workloads[0] 't': ${join(dir, 'folder.csv')}: cannot read trace: expected a file, found a folder\n`);
  });

  it('a missing column', async () => {
    writeFileSync(join(dir, 'cols.csv'), 't,p\n0,100\n');
    const f = trace('cols.csv');
    expect(await main(['validate', f])).toBe(2);
    expect(err).toBe(`error: ${f}: workloads[0] 't': ${join(dir, 'cols.csv')}:1: header has no column 'o'; columns: t, p\n`);
  });

  it('a bad row; with --skip-bad-rows it is counted', async () => {
    writeFileSync(join(dir, 'rows.csv'), 't,p,o\n0,100,10\n1,lots,10\n2,100,10\n');
    const f = trace('rows.csv');
    expect(await main(['validate', f])).toBe(2);
    expect(err).toBe(`error: ${f}: workloads[0] 't': ${join(dir, 'rows.csv')}:3: p: expected an integer from 1 to 10,000,000, found "lots" (set skipBadRows: true to skip bad rows)\n`);
    err = '';
    expect(await main(['validate', f, '--skip-bad-rows'])).toBe(0);
    expect(out).toMatch(/: ok — scenario 'hostile' .*\n {2}workloads\[0\] 't': skipped 1 malformed row\(s\) among the first 3 \(--skip-bad-rows\)\n$/);
  });
});

describe('7b. validate opens empirical distribution files too', () => {
  it('a folder given as an empirical file', async () => {
    mkdirSync(join(dir, 'lengths'));
    const f = scenario(base({ workload: '  - { name: w, pattern: sequential, agents: 1, workflows: 2, arrivals: { kind: poisson, ratePerSec: 3 }, contextTokens: { dist: empirical, file: lengths } }\n' }));
    expect(await main(['validate', f])).toBe(2);
    expect(err).toBe(`error: ${f}: workloads[0] 'w': ${join(dir, 'lengths')}: cannot read empirical distribution: expected a file, found a folder\n`);
  });
});

describe('10. oversized and hostile scenario files', () => {
  it('a YAML alias bomb names the file and exits 2', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [k, p] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e']]) levels.push(`${k}: &${k} [${Array(9).fill(`*${p}`).join(',')}]`);
    const f = scenario(`${levels.join('\n')}\n`);
    expect(await main(['validate', f])).toBe(2);
    expect(err).toBe(`error: ${f}: YAML: Excessive alias count indicates a resource exhaustion attack\n`);
  });

  it('a file over 4 MiB is refused before parsing', async () => {
    const f = scenario(`${base()}# ${'x'.repeat(5 * 1024 * 1024)}\n`);
    expect(await main(['validate', f])).toBe(2);
    expect(err).toBe(`error: ${f}: scenario of 5.0 MiB; expected at most 4 MiB (put bulk data in a trace or empirical file)\n`);
  });

  it('a folder given as the scenario', async () => {
    expect(await main(['validate', dir])).toBe(2);
    expect(err).toBe(`error: ${dir}: cannot read scenario: expected a YAML file, found a folder\n`);
  });
});

describe('9. clusters that cannot be simulated, or are not what the GPU holds', () => {
  it('kvBlocks beyond the GPU memory is refused, --force runs it with a warning', async () => {
    const f = scenario(base().replace('cluster: { instances: 1 }', 'cluster: { instances: 1, kvBlocks: 12000000 }'));
    expect(await main(['validate', f])).toBe(2);
    const said = `${f}: cluster.kvBlocks: 12,000,000 blocks are 23437.5 GiB of KV per instance, but H100-SXM (80 GiB × gpuMemoryUtilization 0.9, after weights) holds 28,437 blocks`;
    expect(err).toBe(`error: ${said}; pass --force to simulate it anyway\n`);
    err = '';
    expect(await main(['validate', f, '--force'])).toBe(0);
    expect(err).toBe(`warning: ${said} (--force)\n`);
  });
});
