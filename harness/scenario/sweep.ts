import { axisLabel } from '../../reports/capacity.js';
import { setPath } from './paths.js';

/** One point of a sweep: the value each axis takes, and a label naming them. */
export interface SweepPoint {
  /** `ratePerSec=4, instances=2` (the last key of each path); '' when the scenario has no sweep. */
  readonly label: string;
  /** Axis path → value, in the order the axes were written. */
  readonly values: Readonly<Record<string, number | string | boolean>>;
  /** The raw scenario with this point's values set and no `sweep:` key. */
  readonly raw: Record<string, unknown>;
}

/** At most this many points (a sweep is a grid; bigger ones are a mistake, or several runs). */
export const MAX_SWEEP_POINTS = 1000;

type Axis = readonly [path: string, values: readonly (number | string | boolean)[]];

/**
 * Expand a raw scenario's `sweep:` into its points (the cartesian product of the axes, the first
 * axis outermost). Errors name the key path under `sweep`. Without a sweep: one point, the raw
 * scenario itself.
 */
export function expandSweep(raw: Record<string, unknown>): SweepPoint[] | { errors: string[] } {
  const sweep = raw['sweep'];
  if (sweep === undefined) return [{ label: '', values: {}, raw }];
  if (sweep === null || typeof sweep !== 'object' || Array.isArray(sweep)) return { errors: ['sweep: expected a mapping of key paths to lists of values, e.g. "workloads[*].arrivals.ratePerSec: [1, 2, 4]"'] };
  const axes: Axis[] = [];
  const errors: string[] = [];
  for (const [path, values] of Object.entries(sweep as Record<string, unknown>)) {
    if (!Array.isArray(values) || values.length === 0 || !values.every((v) => ['number', 'string', 'boolean'].includes(typeof v))) {
      errors.push(`sweep.${path}: expected a non-empty list of numbers, strings or booleans, found ${JSON.stringify(values)}`);
      continue;
    }
    if (path === 'sweep' || path.startsWith('sweep.') || path === 'seeds' || path.startsWith('seeds[')) {
      errors.push(`sweep.${path}: seeds are paired across every point already; sweep another key`);
      continue;
    }
    axes.push([path, values as (number | string | boolean)[]]);
  }
  if (errors.length > 0) return { errors };
  const total = axes.reduce((n, [, v]) => n * v.length, 1);
  if (total > MAX_SWEEP_POINTS) return { errors: [`sweep: ${total} points (${axes.map(([p, v]) => `${p}: ${v.length}`).join(' × ')}); at most ${MAX_SWEEP_POINTS}`] };
  const base: Record<string, unknown> = { ...raw };
  delete base['sweep'];
  const points: SweepPoint[] = [];
  for (let n = 0; n < total; n++) {
    const copy = structuredClone(base);
    const values: Record<string, number | string | boolean> = {};
    let rest = n;
    // First axis outermost: its index changes slowest.
    const idx = axes.map(() => 0);
    for (let a = axes.length - 1; a >= 0; a--) {
      idx[a] = rest % axes[a]![1].length;
      rest = Math.floor(rest / axes[a]![1].length);
    }
    for (let a = 0; a < axes.length; a++) {
      const [path, vals] = axes[a]!;
      const v = vals[idx[a]!]!;
      const e = setPath(copy, path, v);
      if (e) return { errors: [`sweep.${e.error}`] };
      values[path] = v;
    }
    points.push({ label: axes.map(([p]) => `${axisLabel(p)}=${String(values[p])}`).join(', '), values, raw: copy });
  }
  return points;
}
