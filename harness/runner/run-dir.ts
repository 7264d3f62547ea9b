import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { InputError } from '../../workloads/input-error.js';
import { startWatcher } from './run-dir-watch.js';
import { checkOutDir, errText } from './out-path.js';

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


/**
 * Remove partial folders beside `dir` left by runs that were killed (their process is gone). A
 * run killed with its watcher between the two renames of a commit left the previous results
 * moved aside (`….old`) and no `dir`: put them back first, as the watcher would have.
 */
function sweepPartials(dir: string): void {
  const prefix = `.${basename(dir)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(dir));
  } catch {
    return;
  }
  for (const n of names) {
    const m = n.startsWith(prefix) ? /^partial-(\d+)-\d+(\.old)?$/.exec(n.slice(prefix.length)) : null;
    if (!m || alive(Number(m[1]))) continue;
    const path = join(dirname(dir), n);
    if (m[2] !== undefined && !existsSync(dir)) renameSync(path, dir);
    else rmSync(path, { recursive: true, force: true });
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
