import type { GateCheck } from './compare.js';

/** A passing relative check counts as a near miss once it used this share of its limit. */
export const NEAR_MISS_SHARE = 0.5;

/** How much of its limit a check used, signed toward "worse" (1 = at the limit); null when not relative. */
export function limitUsed(x: GateCheck): number | null {
  if (x.changePct === null || (x.kind !== 'maxIncreasePct' && x.kind !== 'maxDecreasePct')) return null;
  const worse = x.kind === 'maxIncreasePct' ? x.changePct : -x.changePct;
  if (x.limit === 0) return worse > 0 ? Infinity : 0;
  return worse / x.limit;
}

/**
 * A check worth a reader's eye although it did not fail: within seed noise (the limit was
 * passed but the test did not agree), or a pass that moved at least NEAR_MISS_SHARE of its
 * limit the wrong way.
 */
export function isNearMiss(x: GateCheck): boolean {
  if (x.verdict === 'noise') return true;
  if (x.verdict !== 'pass') return false;
  const used = limitUsed(x);
  return used !== null && used >= NEAR_MISS_SHARE;
}

/** Whether a check moved at all (a change that prints as non-zero at one decimal). */
export function moved(x: GateCheck): boolean {
  return x.verdict === 'fail' || (x.changePct !== null && Math.abs(x.changePct) >= 0.05);
}
