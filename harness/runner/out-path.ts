// Output paths named by flags: checked before any work, created one level at a time, every
// file-system error named with its flag (exit 2).
import { appendFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import { InputError } from '../../workloads/input-error.js';

/** The files a run writes (plus the gate's defaults): a folder holding only these may be replaced. */
export const RUN_FILES = [
  'report.json', 'report.md', 'report.html', 'requests.csv', 'workflows.csv', 'summary.csv', 'run-info.json', 'gate.md', 'junit.xml', 'chart-data.json',
] as const;

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
    // A file where a folder should be: Node 20 throws ENOTDIR, Node 24 returns nothing; both go
    // on to createFolders, which names the file.
    if ((e as NodeJS.ErrnoException).code !== 'ENOTDIR') throw bad(`cannot use it (${errText(e)})`);
    st = undefined;
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

