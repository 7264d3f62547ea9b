import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../workloads/input-error.js';
import { parseScenario } from '../scenario/load.js';
import { runScenario } from './matrix.js';
import { checkOutDir, errText, RunDir } from './run-dir.js';
import { SMALL_SCENARIO } from './testdata/small-run.js';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'agentbench-rundir-'));
const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error('expected an InputError');
};

/** A folder holding a previous run's files. */
function previousRun(): string {
  const dir = join(fresh(), 'run');
  mkdirSync(dir);
  for (const f of ['report.json', 'report.md', 'summary.csv', 'requests.csv']) writeFileSync(join(dir, f), `old ${f}`);
  return dir;
}

describe('RunDir: a run replaces its folder whole or not at all', () => {
  it('writes into a hidden sibling and swaps it in on commit, dropping the old files', () => {
    const dir = previousRun();
    const out = RunDir.open(dir);
    out.write('report.json', 'new');
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe('old report.json'); // untouched until commit
    expect(readdirSync(join(dir, '..')).sort()).toEqual([`.run.partial-${process.pid}-${out.partialDir.split('-').pop()}`, 'run']);
    out.commit();
    expect(readdirSync(dir)).toEqual(['report.json']);
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe('new');
    expect(readdirSync(join(dir, '..'))).toEqual(['run']);
  });

  it('SIGINT mid-run: the partial folder goes, the old files stay, the message says what was interrupted, exit 130', () => {
    const dir = previousRun();
    let said = '';
    let code = -1;
    const out = RunDir.open(dir, '--out', { write: (t) => (said += t), exit: (c) => (code = c) });
    out.write('requests.csv', 'header only');
    out.stage = 'cell [2/4] chain × rr × seed 1';
    out.interrupt('SIGINT');
    expect(code).toBe(130);
    expect(said).toBe(`\ninterrupted (SIGINT) during cell [2/4] chain × rr × seed 1: nothing written; ${dir} left as it was\n`);
    expect(readdirSync(dir).sort()).toEqual(['report.json', 'report.md', 'requests.csv', 'summary.csv']);
    expect(readFileSync(join(dir, 'requests.csv'), 'utf8')).toBe('old requests.csv');
    expect(readdirSync(join(dir, '..'))).toEqual(['run']);
  });

  it('SIGTERM exits 143; the handlers are gone once the folder is closed', () => {
    const before = process.listenerCount('SIGTERM');
    let code = -1;
    const out = RunDir.open(join(fresh(), 'x'), '--out', { write: () => {}, exit: (c) => (code = c) });
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    expect(out.unguarded(() => process.listenerCount('SIGTERM'))).toBe(before); // a signal kills synchronous work at once
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    out.interrupt('SIGTERM');
    expect(code).toBe(143);
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });

  it('sweeps partial folders of killed runs (dead pids) on the next run', () => {
    const dir = previousRun();
    const stale = join(dir, '..', '.run.partial-999999999-0');
    mkdirSync(stale);
    RunDir.open(dir).abandon();
    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(join(dir, '..'))).toEqual(['run']);
  });

  it('a run that fails mid-way (a bad trace row) leaves the previous results and no partial folder', async () => {
    const dir = previousRun();
    const azureBad = join(import.meta.dirname, '../../workloads/testdata/azure-bad.csv');
    const bad = parseScenario(`${SMALL_SCENARIO}  - { name: replay, pattern: trace, format: azure, file: ${JSON.stringify(azureBad)} }\n`, 'small.yaml');
    await expect(runScenario(bad, { outDir: dir, check: true })).rejects.toThrow(/azure-bad\.csv:3: ContextTokens: expected an integer/);
    expect(readdirSync(dir).sort()).toEqual(['report.json', 'report.md', 'requests.csv', 'summary.csv']);
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe('old report.json');
    expect(readdirSync(join(dir, '..'))).toEqual(['run']);
  });
});

describe('--out is checked before any work, and every problem names the flag', () => {
  it('an existing file', () => {
    const f = join(fresh(), 'file.txt');
    writeFileSync(f, 'x');
    expect(message(() => checkOutDir(f, '--out'))).toBe(`--out ${f}: exists and is not a folder`);
  });

  it('a path under a file', () => {
    const f = join(fresh(), 'file.txt');
    writeFileSync(f, 'x');
    expect(message(() => checkOutDir(join(f, 'a', 'b'), '--out'))).toMatch(/^--out .*file\.txt\/a\/b: cannot use it \(a path component is a file, not a directory, ENOTDIR\)$/);
  });

  it('/proc (where Node\'s recursive mkdir loops for ever) fails at once', () => {
    expect(message(() => RunDir.open('/proc/agentbench-x'))).toBe(
      '--out /proc/agentbench-x: cannot write beside it (no such directory (or a virtual file system), ENOENT)');
  });

  it('a folder with files that are not from a run is not replaced', () => {
    const dir = previousRun();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    expect(message(() => checkOutDir(dir, '--out'))).toBe(
      `--out ${dir}: holds files that are not from a run (notes.txt); a run replaces the whole folder, so choose a new or empty one`);
  });

  it('the current folder, the root and an empty path', () => {
    expect(message(() => checkOutDir('.', '--out'))).toMatch(/^--out \.: is the current folder or one of its parents/);
    expect(message(() => checkOutDir('/', '--out'))).toBe('--out /: expected a folder to create or replace, found the file-system root');
    expect(message(() => checkOutDir('', '--out'))).toBe('--out : expected a folder path, found an empty string');
  });

  it('read-only and full file systems are said in words (tests run as root, so a read-only folder cannot be made here)', () => {
    const err = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: raw`), { code });
    expect(errText(err('EACCES'))).toBe('permission denied, EACCES');
    expect(errText(err('EROFS'))).toBe('read-only file system, EROFS');
    expect(errText(err('ENOSPC'))).toBe('no space left on device, ENOSPC');
    expect(errText(err('EWHATEVER'))).toBe('EWHATEVER: raw');
  });

  it('creates missing parents one level at a time', () => {
    const base = fresh();
    expect(checkOutDir(join(base, 'a', 'b', 'run'), '--out')).toBe(join(base, 'a', 'b', 'run'));
    expect(existsSync(join(base, 'a', 'b'))).toBe(true);
    expect(existsSync(join(base, 'a', 'b', 'run'))).toBe(false);
  });
});
