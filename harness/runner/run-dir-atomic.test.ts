import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../workloads/input-error.js';
import { parseScenario } from '../scenario/load.js';
import { runScenario } from './matrix.js';
import { RunDir } from './run-dir.js';
import { checkOutDir, errText } from './out-path.js';
import { startWatcher, watcherCommand } from './run-dir-watch.js';
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

/** Wait until the watcher says it is ready (its signal handlers are in). */
async function ready(child: ChildProcess): Promise<void> {
  await new Promise<void>((res) => child.stdout!.once('data', () => res()));
}

/** A file's text, or '' when it cannot be read. */
function readFileOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

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

  it('sweeps partial folders of killed runs (dead pids) on the next run', () => {
    const dir = previousRun();
    const stale = join(dir, '..', '.run.partial-999999999-0');
    mkdirSync(stale);
    RunDir.open(dir).abandon();
    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(join(dir, '..'))).toEqual(['run']);
  });

  it('a run and its watcher both killed between the two renames of a commit: the next run puts the old folder back', () => {
    const dir = previousRun();
    const stale = join(dir, '..', '.run.partial-999999999-0');
    mkdirSync(stale);
    renameSync(dir, `${stale}.old`);
    const out = RunDir.open(dir);
    expect(readdirSync(dir).sort()).toEqual(['report.json', 'report.md', 'requests.csv', 'summary.csv']);
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe('old report.json');
    out.abandon();
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

// The watcher runs as a shell program where /bin/sh exists, else as Node.js: both behave alike.
describe.each([
  ['the shell watcher', '/bin/sh'],
  ['the Node.js watcher (no /bin/sh)', '/nonexistent/sh'],
])('%s', (_name, shell) => {
  it('is the program asked for', () => {
    const [command] = watcherCommand('p', 'd', shell);
    expect(command).toBe(shell === '/bin/sh' ? '/bin/sh' : process.execPath);
  });

  it('the run killed mid-way (its pipe to the watcher closes): the watcher removes the partial folder, keeps the old files, says what was interrupted', async () => {
    const dir = previousRun();
    const partial = join(dir, '..', '.run.partial-1-0');
    mkdirSync(partial);
    writeFileSync(join(partial, 'requests.csv'), 'header only');
    writeFileSync(join(partial, '.stage'), 'cell [2/4] chain × rr × seed 1 (100% $HOME "quoted")');
    const child = startWatcher(partial, dir, 'pipe', shell)!;
    let said = '';
    child.stderr!.on('data', (d: Buffer) => (said += d.toString()));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    // A terminal's Ctrl-C reaches the whole process group: the watcher, once started, ignores it.
    await ready(child);
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(partial)).toBe(true);
    child.stdin!.destroy(); // what the OS does when the run dies
    expect(await exited).toBe(0);
    expect(said).toBe(`\nagentbench: interrupted during cell [2/4] chain × rr × seed 1 (100% $HOME "quoted"): nothing written; ${dir} left as it was\n`);
    expect(readdirSync(dir).sort()).toEqual(['report.json', 'report.md', 'requests.csv', 'summary.csv']);
    expect(readFileSync(join(dir, 'requests.csv'), 'utf8')).toBe('old requests.csv');
    expect(readdirSync(join(dir, '..'))).toEqual(['run']);
  });

  it('killed between the two renames of a commit: the watcher puts the old folder back', async () => {
    const dir = previousRun();
    const partial = join(dir, '..', '.run.partial-1-0');
    mkdirSync(partial);
    renameSync(dir, `${partial}.old`);
    const child = startWatcher(partial, dir, 'pipe', shell)!;
    const exited = new Promise((res) => child.on('exit', res));
    child.stdin!.destroy();
    await exited;
    expect(readdirSync(dir).sort()).toEqual(['report.json', 'report.md', 'requests.csv', 'summary.csv']);
    expect(readdirSync(join(dir, '..'))).toEqual(['run']);
  });

  it('a committed run closes the watcher without a word', async () => {
    const dir = previousRun();
    const out = RunDir.open(dir, '--out', false);
    const child = startWatcher(out.partialDir, dir, 'pipe', shell)!;
    let said = '';
    child.stderr!.on('data', (d: Buffer) => (said += d.toString()));
    const exited = new Promise((res) => child.on('exit', res));
    out.write('report.json', 'new');
    out.commit();
    child.stdin!.end();
    await exited;
    expect(said).toBe('');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });
});

describe('agentbench run interrupted (the bundled command, npm run build)', () => {
  const BUNDLE = fileURLToPath(new URL('../../dist/bundle/agentbench.js', import.meta.url));
  const SCENARIO = fileURLToPath(new URL('../../scenarios/bench-scale-100k.yaml', import.meta.url));

  it('SIGINT in the middle of a cell: the process dies at once, its watcher removes the partial folder and says which cell, the old results stay', async () => {
    const dir = previousRun();
    const child = spawn(process.execPath, [BUNDLE, 'run', SCENARIO, '--out', dir, '--quiet', '--formats', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    child.stderr.on('data', (d: Buffer) => (said += d.toString()));
    // stderr closes when both the run and its watcher (which shares it) have closed it.
    const closed = new Promise<void>((res) => child.stderr.on('close', () => res()));
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_code, signal) => res(signal)));
    const partial = (): string | undefined => readdirSync(join(dir, '..')).find((n) => n.startsWith('.run.partial-'));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const p = partial();
      if (p !== undefined && readFileOr(join(dir, '..', p, '.stage')).startsWith('cell ')) break;
      if (Date.now() > deadline) throw new Error(`the run never reached a cell; stderr: ${said}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGINT');
    expect(await exited).toBe('SIGINT');
    await closed;
    expect(said).toMatch(/^\nagentbench: interrupted during cell \[1\/1\] .*: nothing written; .* left as it was\n$/);
    expect(readdirSync(join(dir, '..'))).toEqual(['run']);
    expect(readdirSync(dir).sort()).toEqual(['report.json', 'report.md', 'requests.csv', 'summary.csv']);
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe('old report.json');
  }, 30_000);
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
    // The same words on every Node (20 throws ENOTDIR from statSync, 24 returns nothing).
    expect(message(() => checkOutDir(join(f, 'a', 'b'), '--out'))).toBe(`--out ${join(f, 'a', 'b')}: ${f} is a file, not a folder`);
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
