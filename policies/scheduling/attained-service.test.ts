import { describe, expect, it } from 'vitest';
import { instantiate } from '../registry.js';
import { schedRequest } from './testing.js';
import type { DeclaredHints } from '../types.js';
import { AttainedServicePolicy, type AttainedServiceOptions } from './attained-service.js';
import { SCHEDULING_POLICIES } from './registry.js';
import type { SchedulingPolicy } from './types.js';

const policy = (over: Partial<AttainedServiceOptions> = {}) =>
  new AttainedServicePolicy({ mode: 'plas', firstLevelUs: 100, levels: 10, starvationRatio: 1000, ...over });
const req = (id: string, seq: number, arrivalUs: number, wf?: string, hints?: DeclaredHints) =>
  schedRequest(id, seq, arrivalUs, { ...(wf !== undefined ? { wf } : {}), ...(hints ? { hints } : {}) });

describe('attained service: measured service', () => {
  it('credits each step from one schedule to the next to the previous batch', () => {
    const p = policy({ mode: 'atlas' });
    const r = req('r', 0, 0, 'W', { criticalPathServiceUs: 1000 });
    p.onScheduled([r], 1000);
    p.onScheduled([r], 1500); // ran 1500 - 1000 = 500 µs
    expect(p.serviceOf(r)).toBe(1500); // atlas: critical path 1000 + own 500
    p.onScheduled([], 1800); // r in the previous batch: +300
    expect(p.serviceOf(r)).toBe(1800);
    p.onScheduled([], 2500); // previous batch empty: nothing credited
    expect(p.serviceOf(r)).toBe(1800);
  });

  it('plas: a call without a workflow counts its own service plus its declared service', () => {
    const p = policy();
    const r = req('solo', 0, 0, undefined, { attainedServiceUs: 100 });
    p.onScheduled([r], 0);
    p.onScheduled([], 500);
    expect(p.serviceOf(r)).toBe(600); // 100 + 500
  });

  it('plas: a workflow\'s calls share the program\'s service', () => {
    const p = policy();
    const a = req('a', 0, 0, 'W');
    const b = req('b', 1, 0, 'W', { attainedServiceUs: 50 });
    p.onScheduled([a], 0);
    p.onScheduled([], 400);
    expect(p.serviceOf(b)).toBe(450); // 50 declared + a's 400
  });

  for (const status of ['finished', 'aborted'] as const) {
    it(`does not credit a ${status} call of the previous batch`, () => {
      const p = policy();
      const r = req('r', 0, 0, 'W');
      const other = req('o', 1, 0, 'W');
      p.onScheduled([r], 0);
      r.status = status;
      p.onScheduled([], 700);
      expect(p.serviceOf(r)).toBe(0);
      expect(p.serviceOf(other)).toBe(0); // the program got nothing either
    });
  }

  it('onFinished takes the finished call\'s service out of its program', () => {
    const p = policy();
    const a = req('a', 0, 0, 'W');
    const b = req('b', 1, 0, 'W');
    p.onScheduled([a, b], 0);
    p.onScheduled([b], 300); // a and b: 300 each; program 600
    p.onScheduled([], 500); // b: +200; program 800
    expect(p.serviceOf(b)).toBe(800);
    p.onFinished(a); // program 800 - 300 = 500 (b's own)
    expect(p.serviceOf(b)).toBe(500);
    p.onFinished(b); // program 0
    expect(p.serviceOf(b)).toBe(0);
  });

  it('onFinished of a call that never ran leaves its program alone', () => {
    const p = policy();
    const ran = req('ran', 0, 0, 'W');
    const never = req('never', 1, 0, 'W');
    p.onScheduled([ran], 0);
    p.onScheduled([], 250);
    p.onFinished(never);
    expect(p.serviceOf(ran)).toBe(250);
  });
});

describe('attained service: levels', () => {
  it('level k holds service in [first × 2^(k-1), first × 2^k), capped at levels - 1', () => {
    const p = policy({ levels: 10 });
    const at = (s: number) => p.levelOf(req(`s${s}`, 0, 0, undefined, { attainedServiceUs: s }));
    expect(at(99)).toBe(0);
    expect(at(100)).toBe(1); // 1 + floor(log2(100/100)) = 1
    expect(at(200)).toBe(2); // 1 + floor(log2(2)) = 2
    expect(at(799)).toBe(3); // 1 + floor(log2(7.99)) = 3
    const three = policy({ levels: 3 });
    expect(three.levelOf(req('big', 0, 0, undefined, { attainedServiceUs: 800 }))).toBe(2); // min(2, 1 + 3)
  });

  it('starvation is measured from the request\'s arrival', () => {
    const p = policy({ starvationRatio: 4 });
    const r = req('r', 0, 900, undefined, { attainedServiceUs: 50 });
    p.beforeSchedule(1000); // waited 100 < 4 × max(50, 100) = 400
    expect(p.levelOf(r)).toBe(0);
    p.beforeSchedule(1300); // waited 400
    expect(p.levelOf(r)).toBe(-1);
  });
});

describe('attained service: preemption victim', () => {
  it('the most service; among equals the latest arrival, the later index on a full tie', () => {
    const p = policy();
    const s = (id: string, seq: number, arrivalUs: number, service: number) => req(id, seq, arrivalUs, id, { attainedServiceUs: service });
    expect(p.preemptionVictim([s('late', 0, 10, 500), s('early', 1, 0, 500)])).toBe(0);
    expect(p.preemptionVictim([s('early', 0, 0, 500), s('late', 1, 10, 500)])).toBe(1);
    expect(p.preemptionVictim([s('x', 0, 0, 500), s('y', 1, 0, 500)])).toBe(1);
    expect(p.preemptionVictim([s('x', 0, 0, 900), s('y', 1, 5, 100), s('z', 2, 9, 300)])).toBe(0);
  });
});

describe('attained service: queue', () => {
  it('orders one level by arrival, then by admission order', () => {
    const q = policy().newQueue();
    q.add(req('c', 0, 30));
    q.add(req('a', 1, 10));
    q.add(req('b', 2, 20));
    q.add(req('e', 5, 40));
    q.add(req('d', 3, 40));
    q.add(req('f', 4, 40));
    expect([q.pop(), q.pop(), q.pop(), q.pop(), q.pop(), q.pop()].map((r) => r.id)).toEqual(['a', 'b', 'c', 'd', 'f', 'e']);
  });

  it('sees a request added after a peek; prepend adds; values() lists all; pop on empty throws', () => {
    const q = policy().newQueue();
    expect(q.peek()).toBeUndefined();
    const a = req('a', 0, 0);
    q.add(a);
    expect(q.peek()).toBe(a);
    const b = req('b', 1, 0);
    q.prepend(b);
    expect(q.size).toBe(2);
    expect([...q.values()].map((r) => r.id)).toEqual(['a', 'b']);
    expect(q.remove(a)).toBe(true);
    expect(q.remove(a)).toBe(false);
    expect(q.pop()).toBe(b);
    expect(() => q.pop()).toThrow('plas: pop from an empty queue');
  });

  it('a new pass re-ranks the queue (starvation after a peek); a removed request is no longer peeked', () => {
    const p = policy({ starvationRatio: 2 });
    const q = p.newQueue();
    const heavy = req('heavy', 0, 0, 'H', { attainedServiceUs: 10_000 }); // level 1 + floor(log2(100)) = 7
    const fresh = req('fresh', 1, 15_000, 'F'); // level 0
    q.add(heavy);
    q.add(fresh);
    p.beforeSchedule(15_000); // heavy waited 15 ms < 2 × 10 ms
    expect(q.peek()).toBe(fresh);
    p.beforeSchedule(20_000); // heavy waited 2 × 10 ms: top level
    expect(q.peek()).toBe(heavy);
    expect(q.remove(heavy)).toBe(true);
    expect(q.peek()).toBe(fresh);
  });

  it('counts a promotion only for a popped request that was starving', () => {
    const p = policy({ starvationRatio: 2 });
    const q = p.newQueue();
    q.add(req('fresh', 0, 0));
    p.beforeSchedule(100); // waited 100 < 2 × 100: level 0
    q.pop();
    expect(p.stats()).toEqual({ promotions: 0 });
    q.add(req('old', 1, 0));
    p.beforeSchedule(200); // waited 200 = 2 × max(0, 100): promoted
    q.pop();
    expect(p.stats()).toEqual({ promotions: 1 });
  });
});

describe('plas / atlas registry entries', () => {
  const make = (kind: string, options: Record<string, unknown>) =>
    instantiate<SchedulingPolicy>(SCHEDULING_POLICIES, { kind, options }, { blockSize: 16 }, 'scheduling policy');

  it('are named by their mode and summarised', () => {
    expect(make('plas', {}).name).toBe('plas');
    expect(make('atlas', {}).name).toBe('atlas');
    expect(SCHEDULING_POLICIES.plas.summary).toContain('PLAS');
    expect(SCHEDULING_POLICIES.atlas.summary).toContain('ATLAS');
  });

  it('accept 1 to 64 levels', () => {
    expect(make('plas', { levels: 2 }).name).toBe('plas');
    expect(make('plas', { levels: 64 }).name).toBe('plas');
    expect(() => make('plas', { levels: 65 })).toThrow();
    expect(() => make('plas', { levels: 0 })).toThrow();
  });
});
