import { describe, expect, it } from 'vitest';
import { schedRequest } from './testing.js';
import { SCHEDULING_POLICIES } from './registry.js';
import { Deque, FcfsPolicy } from './fcfs.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('Deque (fcfs ring buffer)', () => {
  it('keeps order across growth past 16 slots, also when the head has wrapped', () => {
    const d = new Deque<number>();
    for (const i of range(17)) d.pushBack(i); // grows 16 → 32 at the 17th push
    expect([...d]).toEqual(range(17));
    const w = new Deque<number>();
    for (const i of range(15)) w.pushBack(i + 1); // 1..15 in slots 0..14
    w.pushFront(0); // head wraps to slot 15: full (16)
    w.pushBack(16); // grows: copy from the wrapped head
    expect([...w]).toEqual(range(17));
    expect(w.popFront()).toBe(0);
    expect(w.size).toBe(16);
  });

  it('a fresh deque keeps a pushFront before a pushBack', () => {
    const d = new Deque<string>();
    d.pushFront('a');
    d.pushBack('b');
    expect([...d]).toEqual(['a', 'b']);
    expect(d.popFront()).toBe('a');
    expect(d.popFront()).toBe('b');
  });

  it('removing from a full buffer keeps every other element', () => {
    const d = new Deque<number>();
    for (const i of range(16)) d.pushBack(i); // full, head 0
    expect(d.remove(15)).toBe(true);
    expect([...d]).toEqual(range(15));
    const e = new Deque<number>();
    for (const i of range(16)) e.pushBack(i);
    expect(e.remove(3)).toBe(true); // 4..15 shift down one slot
    expect([...e]).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(e.remove(99)).toBe(false);
    expect(e.size).toBe(15);
  });

  it('removing the front of 10 elements clears only the vacated slot', () => {
    const d = new Deque<number>();
    for (const i of range(10)) d.pushBack(i);
    d.remove(0); // 1..9 move to slots 0..8; slot 9 is cleared
    expect([...d]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    d.pushBack(10);
    expect([...d]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('popFront on an empty deque changes nothing', () => {
    const d = new Deque<string>();
    expect(d.popFront()).toBeUndefined();
    expect(d.size).toBe(0);
    d.pushBack('a');
    expect(d.size).toBe(1);
    expect(d.peekFront()).toBe('a');
  });
});

describe('fcfs queue', () => {
  it('is named fcfs and registered with a summary', () => {
    expect(new FcfsPolicy().name).toBe('fcfs');
    expect(SCHEDULING_POLICIES.fcfs.summary).toContain('first come first served');
  });

  it('pop from an empty queue throws and leaves the queue usable', () => {
    const q = new FcfsPolicy().newQueue();
    expect(() => q.pop()).toThrow('fcfs: pop from an empty queue');
    expect(q.size).toBe(0);
    const a = schedRequest('a', 0, 0);
    q.add(a);
    expect(q.peek()).toBe(a);
    expect(q.size).toBe(1);
  });

  it('values() lists prepended requests first, then arrivals in order', () => {
    const q = new FcfsPolicy().newQueue();
    const [a, b, c] = ['a', 'b', 'c'].map((id, i) => schedRequest(id, i, i * 10));
    q.add(a!);
    q.add(b!);
    q.prepend(c!);
    expect([...q.values()].map((r) => r.id)).toEqual(['c', 'a', 'b']);
  });
});
