import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { InputError } from '../../workloads/input-error.js';
import { startWatcher } from './run-dir-watch.js';

/** The files a run writes (plus the gate's defaults): a folder holding only these may be replaced. */
export const RUN_FILES = [
  'report.json', 'report.md', 'report.html', 'requests.csv', 'workflows.csv', 'summary.csv', 'run-info.json', 'gate.md', 'junit.xml',
] as const;

/**
 * A run's output folder, written atomically: every file goes into a hidden sibling
 * (`.<name>.partial-<pid>-<n>`) that replaces the folder only by {@link commit}. So an interrupted or
 * failed run leaves the previous results whole, never old and new files mixed. A signal ends the
 * process at once (simulation is synchronous: no handler could run before a cell ends); a watcher
 * process then removes the partial folder and says what was interrupted (run-dir-watch.ts), and
 * the next run into the same folder sweeps anything a SIGKILL of both left behind.
 */
export class RunDir {
  readonly dir: string;
  readonly partialDir: string;
  static #opened = 0;
  readonly #watcher: ChildProcess | undefined;

  private constructor(dir: string, readonly flag: string, watch: boolean) {
    this.dir = dir;
    this.partialDir = join(dirname(dir), `.${basename(dir)}.partial-${process.pid}-${RunDir.#opened++}`);
    sweepPartials(dir);
    try {
      mkdirSync(this.partialDir);
    } catch (e) {
      throw new InputError([`${flag} ${dir}: cannot write beside it (${errText(e)})`]);
    }
    this.stage = 'starting';
    this.#watcher = watch ? startWatcher(this.partialDir, dir) : undefined;
  }

  /** Check `outDir` (named in errors as `flag`) and open a partial folder beside it (watched unless `watch` is false). */
  static open(outDir: string, flag = '--out', watch = true): RunDir {
    const dir = checkOutDir(outDir, flag);
    return new RunDir(dir, flag, watch);
  }

  /** Path of a file in the partial folder. */
  file(name: string): string {
    return join(this.partialDir, name);
  }

  write(name: string, text: string): void {
    writeFileSync(this.file(name), text);
  }

  append(name: string, text: string): void {
    appendFileSync(this.file(name), text);
  }

  /** What is going on (e.g. the cell being run), for the watcher's message if the run is cut. */
  set stage(s: string) {
    writeFileSync(this.file(STAGE_FILE), s);
  }

  /** Replace the folder by the partial one (the old folder, if any, is moved aside, then removed). */
  commit(): void {
    rmSync(this.file(STAGE_FILE), { force: true });
    const old = `${this.partialDir}.old`;
    const had = existsSync(this.dir);
    if (had) renameSync(this.dir, old);
    renameSync(this.partialDir, this.dir);
    if (had) rmSync(old, { recursive: true, force: true });
    this.#release();
  }

  /** Drop the partial folder (a failed run): the previous results stay as they were. */
  abandon(): void {
    rmSync(this.partialDir, { recursive: true, force: true });
    this.#release();
  }

  // The partial folder is gone: closing the pipe ends the watcher without a word.
  #release(): void {
    this.#watcher?.stdin?.end();
  }
}

/** Where the run says what it is doing, inside the partial folder (removed before commit). */
const STAGE_FILE = '.stage';


/** A file-system error in words, with its code. */
export function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const what: Record<string, string> = {
    EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system', ENOSPC: 'no space left on device',
    ENOTDIR: 'a path component is a file, not a directory', ENAMETOOLONG: 'name too long', ENOENT: 'no such directory (or a virtual file system)',
    EEXIST: 'already exists', EISDIR: 'is a folder',
  };
  return err.code && what[err.code] ? `${what[err.code]}, ${err.code}` : err.message;
}

/**
 * Check an output folder before any work: an absolute path that is a folder (or can be created,
 * one level at a time, so that Node's recursive mkdir never loops on /proc), is not the current
 * folder or one of its ancestors, and holds nothing but files of an earlier run.
 */
export function checkOutDir(outDir: string, flag: string): string {
  const bad = (why: string): InputError => new InputError([`${flag} ${outDir}: ${why}`]);
  if (outDir.trim() === '') throw bad('expected a folder path, found an empty string');
  const dir = resolve(outDir);
  if (dir === dirname(dir)) throw bad('expected a folder to create or replace, found the file-system root');
  const cwd = process.cwd();
  if (cwd === dir || cwd.startsWith(dir + sep)) throw bad('is the current folder or one of its parents; a run replaces its output folder, so choose a new one (e.g. runs/<name>)');
  if (basename(dir).length > 200) throw bad(`folder name of ${basename(dir).length} characters; expected at most 200`);
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(dir, { throwIfNoEntry: false });
  } catch (e) {
    throw bad(`cannot use it (${errText(e)})`);
  }
  if (st && !st.isDirectory()) throw bad('exists and is not a folder');
  if (st) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw bad(`cannot read it (${errText(e)})`);
    }
    const foreign = names.filter((n) => !(RUN_FILES as readonly string[]).includes(n));
    if (foreign.length > 0) {
      const list = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, ... (${foreign.length} in all)` : '');
      throw bad(`holds files that are not from a run (${list}); a run replaces the whole folder, so choose a new or empty one`);
    }
    return dir;
  }
  createFolders(dirname(dir), bad);
  return dir;
}

/**
 * Create a folder and its missing parents one level at a time, naming the level that fails
 * (Node's recursive mkdir loops for ever under /proc and reports raw codes).
 */
export function createFolders(dir: string, bad: (why: string) => InputError): void {
  const missing: string[] = [];
  for (let p = resolve(dir); !existsSync(p); p = dirname(p)) missing.unshift(p);
  const top = missing[0] !== undefined ? dirname(missing[0]) : resolve(dir);
  if (!statSync(top).isDirectory()) throw bad(`${top} is a file, not a folder`);
  for (const p of missing) {
    try {
      mkdirSync(p);
    } catch (e) {
      throw bad(`cannot create ${p} (${errText(e)})`);
    }
  }
}

/** Write (or append to) a file a flag names, creating its folder; problems name the flag (exit 2). */
export function writeFlagFile(flag: string, file: string, text: string, append = false): void {
  const bad = (why: string): InputError => new InputError([`${flag} ${file}: ${why}`]);
  createFolders(dirname(file), bad);
  try {
    if (append) appendFileSync(file, text);
    else writeFileSync(file, text);
  } catch (e) {
    throw bad(`cannot write it (${errText(e)})`);
  }
}

/** Remove partial folders beside `dir` left by runs that were killed (their process is gone). */
function sweepPartials(dir: string): void {
  const prefix = `.${basename(dir)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(dir));
  } catch {
    return;
  }
  for (const n of names) {
    const m = n.startsWith(prefix) ? /^partial-(\d+)-\d+(?:\.old)?$/.exec(n.slice(prefix.length)) : null;
    if (m && !alive(Number(m[1]))) rmSync(join(dirname(dir), n), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
