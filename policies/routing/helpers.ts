import type { InstanceView, Rng } from '../types.js';

/** Rejection used by every policy when nothing can take the request. */
export const NO_HEALTHY = { reject: 'no healthy instance' } as const;

/** Requests on an instance: running + waiting (production-stack's and vLLM's queue load). */
export function queueLoad(v: InstanceView): number {
  return v.running + v.waiting;
}

/**
 * Index of the healthy instance minimising `score`, ties broken uniformly at random with `rng`
 * (reservoir sampling, one draw per tie), or -1 when none is healthy.
 */
export function argminHealthy(instances: readonly InstanceView[], score: (v: InstanceView, i: number) => number, rng: Rng): number {
  let best = -1;
  let bestScore = Infinity;
  let ties = 0;
  for (let i = 0; i < instances.length; i++) {
    const v = instances[i]!;
    if (!v.healthy) continue;
    const s = score(v, i);
    if (best < 0 || s < bestScore) {
      best = i;
      bestScore = s;
      ties = 1;
    } else if (s === bestScore) {
      ties++;
      if (rng.int(ties) === 0) best = i;
    }
  }
  return best;
}

/** Indices of the healthy instances. */
export function healthyIndices(instances: readonly InstanceView[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < instances.length; i++) if (instances[i]!.healthy) out.push(i);
  return out;
}

/**
 * Index of the healthy instance maximising `score`, ties broken uniformly at random with `rng`
 * (one draw per tie), or -1 when none is healthy.
 */
export function argmaxHealthy(instances: readonly InstanceView[], score: (v: InstanceView, i: number) => number, rng: Rng): number {
  let best = -1;
  let bestScore = -Infinity;
  let ties = 0;
  for (let i = 0; i < instances.length; i++) {
    const v = instances[i]!;
    if (!v.healthy) continue;
    const s = score(v, i);
    if (best < 0 || s > bestScore) {
      best = i;
      bestScore = s;
      ties = 1;
    } else if (s === bestScore) {
      ties++;
      if (rng.int(ties) === 0) best = i;
    }
  }
  return best;
}

/** Least and most loaded healthy instance loads (running + waiting); [0, 0] when none is healthy. */
export function loadRange(instances: readonly InstanceView[], exclude?: string): [min: number, max: number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of instances) {
    if (!v.healthy || v.id === exclude) continue;
    const l = queueLoad(v);
    if (l < min) min = l;
    if (l > max) max = l;
  }
  return min === Infinity ? [0, 0] : [min, max];
}
