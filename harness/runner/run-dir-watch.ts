import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The watcher's program (CommonJS, run with `node -e`, argv: partial folder, output folder).
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
 * Start the watcher of a partial folder; close its stdin (or end the process) to let it act.
 * Returns undefined if it cannot start (then the next run sweeps what an interrupt leaves).
 */
export function startWatcher(partialDir: string, dir: string, output: 'inherit' | 'pipe' = 'inherit'): ChildProcess | undefined {
  try {
    // stdout says 'ready' once the signal handlers are in (tests wait for it; runs ignore it).
    const child = spawn(process.execPath, ['-e', WATCHER_JS, partialDir, dir], { stdio: ['pipe', output === 'pipe' ? 'pipe' : 'ignore', output] });
    child.on('error', () => {}); // could not start: no watcher, the sweep still works
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return child;
  } catch {
    return undefined;
  }
}
