import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The watcher as a Node.js program (CommonJS, run with `node -e`, argv: partial folder, output
 * folder), used where there is no POSIX shell.
 * It outlives the run: the run holds its stdin, so the pipe closes when the run ends, however it
 * ends (a signal, SIGKILL, a crash). If the partial folder is still there then, the run did not
 * finish: the watcher puts back a folder moved aside mid-commit, removes the partial folder and
 * says what the run was doing (`.stage`, written by the run before each step). It ignores SIGINT
 * and SIGTERM, which a terminal sends to the whole process group, to clean up after the run.
 */
export const WATCHER_JS = `
const fs = require('node:fs');
const [partial, dir] = process.argv.slice(1);
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
process.stdout.write('ready\\n');
process.stdin.resume();
process.stdin.on('close', () => {
  if (!fs.existsSync(partial)) return;
  let stage = 'the run';
  try { stage = fs.readFileSync(partial + '/.stage', 'utf8'); } catch {}
  if (fs.existsSync(partial + '.old') && !fs.existsSync(dir)) fs.renameSync(partial + '.old', dir);
  fs.rmSync(partial, { recursive: true, force: true });
  process.stderr.write('\\nagentbench: interrupted during ' + stage + ': nothing written; ' + dir + ' left as it was\\n');
});
`;

/**
 * The same watcher as a POSIX shell program (argv: partial folder, output folder), used where
 * `/bin/sh` exists: a shell starts in about a millisecond, a second Node.js process in ~0.1 s of
 * CPU that competed with the run it watches (bench-trace's whole run on 2 cores: 0.855 → 0.795 s,
 * docs/performance.md). Ignored signals stay ignored in `cat`, which waits for the pipe to close.
 * The folders are absolute paths (`checkOutDir` resolves them), so none reads as an option.
 */
export const WATCHER_SH = `
trap '' INT TERM
echo ready
cat >/dev/null
[ -e "$1" ] || exit 0
stage='the run'
if [ -f "$1/.stage" ]; then stage=$(cat "$1/.stage"); fi
if [ -e "$1.old" ] && [ ! -e "$2" ]; then mv "$1.old" "$2"; fi
rm -rf "$1"
printf '\\nagentbench: interrupted during %s: nothing written; %s left as it was\\n' "$stage" "$2" >&2
`;

const SHELL = '/bin/sh';

/** The watcher's command line: the shell program where there is a POSIX shell, else Node.js. */
export function watcherCommand(partialDir: string, dir: string, shell = SHELL): [string, string[]] {
  if (process.platform !== 'win32' && existsSync(shell)) return [shell, ['-c', WATCHER_SH, 'agentbench-watch', partialDir, dir]];
  return [process.execPath, ['-e', WATCHER_JS, partialDir, dir]];
}

/**
 * Start the watcher of a partial folder; close its stdin (or end the process) to let it act.
 * Returns undefined if it cannot start (then the next run sweeps what an interrupt leaves).
 */
export function startWatcher(partialDir: string, dir: string, output: 'inherit' | 'pipe' = 'inherit', shell = SHELL): ChildProcess | undefined {
  try {
    // stdout says 'ready' once the signal handlers are in (tests wait for it; runs ignore it).
    const [command, args] = watcherCommand(partialDir, dir, shell);
    const child = spawn(command, args, { stdio: ['pipe', output === 'pipe' ? 'pipe' : 'ignore', output] });
    child.on('error', () => {}); // could not start: no watcher, the sweep still works
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return child;
  } catch {
    return undefined;
  }
}
