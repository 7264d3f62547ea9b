import { describe, expect, it } from 'vitest';
import type { GateCheck } from './compare.js';
import { isNearMiss, limitUsed, moved } from './triage.js';

const check = (over: Partial<GateCheck>): GateCheck => ({
  workload: 'w', policy: 'p', metric: 'm', kind: 'maxIncreasePct', limit: 4, base: null,
  cand: { values: [], median: null, min: null, max: null, bySeed: new Map() }, changePct: 0, test: null, verdict: 'pass', reason: '', ...over,
});

describe('triage of gate checks', () => {
  it('measures the share of the limit used toward worse', () => {
    expect(limitUsed(check({ changePct: 3 }))).toBe(0.75); // +3% of a 4% rise limit
    expect(limitUsed(check({ kind: 'maxDecreasePct', changePct: -1 }))).toBe(0.25); // −1% of a 4% drop limit
    expect(limitUsed(check({ kind: 'maxDecreasePct', changePct: 2 }))).toBe(-0.5); // a rise is better
    expect(limitUsed(check({ kind: 'max', changePct: 2 }))).toBeNull();
    expect(limitUsed(check({ limit: 0, changePct: 1 }))).toBe(Infinity);
  });

  it('calls noise and passes past half the limit near misses', () => {
    expect(isNearMiss(check({ changePct: 2 }))).toBe(true); // 2/4 = 0.5
    expect(isNearMiss(check({ changePct: 1.9 }))).toBe(false);
    expect(isNearMiss(check({ verdict: 'noise', changePct: 9 }))).toBe(true);
    expect(isNearMiss(check({ verdict: 'fail', changePct: 9 }))).toBe(false);
  });

  it('says whether a check moved at one decimal', () => {
    expect(moved(check({ changePct: 0.04 }))).toBe(false);
    expect(moved(check({ changePct: -0.05 }))).toBe(true);
    expect(moved(check({ changePct: null, verdict: 'fail' }))).toBe(true);
  });
});
