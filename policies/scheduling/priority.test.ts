import { describe, expect, it } from 'vitest';
import { SeededRng } from '../rng.js';
import { schedRequest } from './testing.js';
import { SCHEDULING_POLICIES } from './registry.js';
import { comparePriority, Heap, PriorityPolicy } from './priority.js';

const req = (id: string, seq: number, arrivalUs: number, priority: number) => schedRequest(id, seq, arrivalUs, { priority });

describe('comparePriority', () => {
  it('orders by priority, then arrival, then admission order, by their differences', () => {
    expect(comparePriority(req('a', 0, 0, 3), req('b', 1, 0, 1))).toBe(2); // 3 - 1
    expect(comparePriority(req('a', 0, 50, 1), req('b', 1, 20, 1))).toBe(30); // 50 - 20
    expect(comparePriority(req('a', 4, 20, 1), req('b', 7, 20, 1))).toBe(-3); // 4 - 7
  });
});

describe('Heap', () => {
  it('pops in sorted order through random pushes, pops and removals', () => {
    const rng = new SeededRng('heap');
    const h = new Heap<number>((a, b) => a - b);
    const ref: number[] = [];
    for (let step = 0; step < 400; step++) {
      const op = rng.int(4);
      if (op <= 1 || ref.length === 0) {
        const x = step * 1000 + rng.int(1000); // distinct keys
        const v = (x * 7919) % 400_000;
        h.push(v);
        ref.push(v);
      } else if (op === 2) {
        ref.sort((a, b) => a - b);
        expect(h.pop()).toBe(ref.shift());
      } else {
        const v = ref[rng.int(ref.length)]!;
        expect(h.remove(v)).toBe(true);
        ref.splice(ref.indexOf(v), 1);
      }
      expect(h.size).toBe(ref.length);
    }
    ref.sort((a, b) => a - b);
    expect([...h.values()].sort((a, b) => a - b)).toEqual(ref);
    const out: number[] = [];
    while (h.size > 0) out.push(h.pop()!);
    expect(out).toEqual(ref);
    expect(h.pop()).toBeUndefined();
  });

  it('pop of the last element empties it; remove of the top, of the last slot, of an absent value', () => {
    const h = new Heap<number>((a, b) => a - b);
    h.push(5);
    expect(h.pop()).toBe(5);
    expect(h.size).toBe(0);
    expect(h.peek()).toBeUndefined();
    for (const x of [1, 2, 3]) h.push(x); // array [1, 2, 3]
    expect(h.remove(1)).toBe(true); // index 0
    expect(h.peek()).toBe(2);
    expect(h.remove(3)).toBe(true); // the last slot: nothing moves into it
    expect(h.size).toBe(1);
    expect([...h.values()]).toEqual([2]);
    expect(h.remove(9)).toBe(false);
    expect(h.size).toBe(1);
  });
});

describe('priority policy', () => {
  it('is named priority and registered with a summary', () => {
    expect(new PriorityPolicy().name).toBe('priority');
    expect(SCHEDULING_POLICIES.priority.summary).toContain('priority');
  });

  it('queue: pops by (priority, arrival), values() holds every request, pop on empty throws', () => {
    const q = new PriorityPolicy().newQueue();
    expect(() => q.pop()).toThrow('priority: pop from an empty queue');
    q.add(req('late', 0, 30, 0));
    q.add(req('low', 1, 0, 2));
    q.prepend(req('early', 2, 10, 0)); // prepend orders by key too
    expect([...q.values()].map((r) => r.id).sort()).toEqual(['early', 'late', 'low']);
    expect([q.pop(), q.pop(), q.pop()].map((r) => r.id)).toEqual(['early', 'late', 'low']);
  });

  it('preempts the running request with the largest (priority, arrival)', () => {
    const p = new PriorityPolicy();
    expect(p.preemptionVictim([req('only', 0, 0, 0)])).toBe(0);
    expect(p.preemptionVictim([req('a', 0, 0, 1), req('b', 1, 0, 7), req('c', 2, 0, 3)])).toBe(1);
    expect(p.preemptionVictim([req('a', 0, 5, 2), req('b', 1, 9, 2), req('c', 2, 1, 2)])).toBe(1); // latest arrival
    expect(p.preemptionVictim([])).toBe(-1);
  });
});
