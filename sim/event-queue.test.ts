import { describe, expect, it } from 'vitest';
import { EVENT_RANK, EventQueue, compareEvents, type EventKind, type SimEvent } from './event-queue.js';
import { SimClock } from './sim-clock.js';
import { SeededRng } from '../policies/rng.js';

const ev = (timeUs: number, kind: EventKind, seq: number): SimEvent =>
  ({ timeUs, kind, rank: EVENT_RANK[kind], seq, fn: () => {} });

describe('compareEvents', () => {
  it('orders by time, then kind rank, then seq', () => {
    expect(compareEvents(ev(1, 'sample', 0), ev(2, 'fault', 1))).toBeLessThan(0);
    expect(compareEvents(ev(5, 'stepEnd', 9), ev(5, 'arrival', 1))).toBeLessThan(0);
    expect(compareEvents(ev(5, 'arrival', 2), ev(5, 'arrival', 3))).toBeLessThan(0);
    expect(compareEvents(ev(5, 'arrival', 3), ev(5, 'arrival', 3))).toBe(0);
  });
});

describe('EventQueue', () => {
  it('pops ties in (rank, seq) order regardless of insertion order', () => {
    const q = new EventQueue();
    const kinds: EventKind[] = ['sample', 'arrival', 'stepEnd', 'fault', 'arrival', 'stepEnd'];
    kinds.forEach((k, i) => q.push(ev(100, k, i)));
    const out: string[] = [];
    for (let e = q.pop(); e; e = q.pop()) out.push(`${e.kind}#${e.seq}`);
    expect(out).toEqual(['fault#3', 'stepEnd#2', 'stepEnd#5', 'arrival#1', 'arrival#4', 'sample#0']);
  });

  it('sorts a large random set exactly like a stable sort by the comparator', () => {
    const rng = new SeededRng(3);
    const kinds = Object.keys(EVENT_RANK) as EventKind[];
    const all = Array.from({ length: 5000 }, (_, i) => ev(rng.int(50), kinds[rng.int(kinds.length)]!, i));
    const q = new EventQueue();
    for (const e of all) q.push(e);
    const popped: SimEvent[] = [];
    for (let e = q.pop(); e; e = q.pop()) popped.push(e);
    expect(popped.map((e) => e.seq)).toEqual([...all].sort(compareEvents).map((e) => e.seq));
  });
});

describe('SimClock', () => {
  it('advances time monotonically, honours ranks on ties and skips cancelled timers', () => {
    const clock = new SimClock();
    const log: string[] = [];
    clock.at(10, 'arrival', () => log.push(`arrival@${clock.nowUs()}`));
    clock.at(10, 'stepEnd', () => {
      log.push(`step@${clock.nowUs()}`);
      clock.at(10, 'fault', () => log.push(`fault@${clock.nowUs()}`));
    });
    const t = clock.schedule(5, () => log.push('cancelled'));
    clock.cancel(t);
    clock.schedule(20, () => log.push(`timer@${clock.nowUs()}`));
    expect(clock.run()).toBe('drained');
    // A fault scheduled at the current instant from inside a step still runs before the arrival.
    expect(log).toEqual(['step@10', 'fault@10', 'arrival@10', 'timer@20']);
    expect(clock.eventsProcessed).toBe(4);
  });

  it('refuses to schedule into the past', () => {
    const clock = new SimClock();
    let ran = false;
    clock.schedule(100, () => {
      ran = true;
      expect(() => clock.schedule(50, () => {})).toThrow(/before now/);
    });
    clock.run();
    expect(ran).toBe(true);
  });

  it('stops at untilUs and maxEvents', () => {
    const clock = new SimClock();
    for (let i = 1; i <= 10; i++) clock.schedule(i * 10, () => {});
    expect(clock.run({ untilUs: 35 })).toBe('until');
    expect(clock.nowUs()).toBe(30);
    expect(clock.run({ maxEvents: 5 })).toBe('max-events');
    expect(clock.eventsProcessed).toBe(5);
  });
});
