import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';

/** Run `node <args>` to its end; its stdout and wall time in seconds. Throws on a non-zero exit. */
export function spawnNode(args: readonly string[]): { stdout: string; wallS: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  const wallS = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { stdout: r.stdout, wallS };
}

/** The 1, 5 and 15 minute load averages, for figures that mean little without them. */
export const loadAverage = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
