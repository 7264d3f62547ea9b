import type { Rng } from '../../policies/types.js';
import type { FaultSpec } from './spec.js';

/**
 * Indices of the instances a fault hits, from the fault's own seeded stream — the same choice
 * in simulation and on spawned live engines: an id, `all`, `random` (one), or a fraction
 * (a seeded partial Fisher–Yates shuffle picks ceil(fraction × n) distinct instances).
 */
export function faultTargets(target: FaultSpec['target'], ids: readonly string[], rng: Rng): number[] {
  const all = ids.map((_, i) => i);
  if (target === 'all') return all;
  if (target === 'random') return [rng.int(all.length)];
  if (typeof target === 'string') return all.filter((i) => ids[i] === target);
  const n = Math.min(all.length, Math.ceil(target.fraction * all.length - 1e-9));
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(all.length - i);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, n).sort((a, b) => a - b);
}
