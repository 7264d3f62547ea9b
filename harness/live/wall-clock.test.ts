import { describe, expect, it } from 'vitest';
import { WallClock } from './wall-clock.js';

describe('WallClock', () => {
  it('is monotonic and runs timers in time order, never more than half a tick early', async () => {
    const clock = new WallClock({ timeScale: 0.1 });
    const fired: [number, number][] = [];
    const t0 = clock.nowUs();
    await new Promise<void>((resolve) => {
      for (const d of [30_000, 10_000, 20_000, 0]) clock.schedule(t0 + d, () => {
        fired.push([d, clock.nowUs() - t0]);
        if (fired.length === 4) resolve();
      });
    });
    expect(fired.map((f) => f[0])).toEqual([0, 10_000, 20_000, 30_000]);
    // 0.5 real ms at timeScale 0.1 = 5 clock ms.
    for (const [d, at] of fired) expect(at).toBeGreaterThanOrEqual(d - 5000);
    let last = -1;
    for (let i = 0; i < 1000; i++) {
      const n = clock.nowUs();
      expect(n).toBeGreaterThanOrEqual(last);
      last = n;
    }
  });

  it('fires in time order when callbacks hold the thread past other timers\' times (ties in scheduling order)', async () => {
    // Callbacks that busy-wait make timers come due together and wake early or late against
    // libuv's whole-millisecond clock: with one Node timer per clock timer, a timer re-armed
    // after an early wake could fire after a later one.
    const clock = new WallClock({ timeScale: 0.1 });
    const t0 = clock.nowUs();
    const due: number[] = [];
    const fired: number[] = [];
    const n = 120;
    await new Promise<void>((resolve) => {
      for (let i = 0; i < n; i++) {
        const at = t0 + ((i * 7919) % 97) * 1_000 + (i % 3 === 0 ? 0 : 500); // 0–97 clock ms, shuffled, with ties
        due.push(at);
        clock.schedule(at, () => {
          fired.push(i);
          const until = clock.realUs() + (i % 5) * 300; // hold the thread 0–1.2 real ms
          while (clock.realUs() < until) { /* busy */ }
          if (fired.length === n) resolve();
        });
      }
    });
    const expected = due.map((_, i) => i).sort((a, b) => due[a]! - due[b]! || a - b);
    expect(new Set(due).size).toBeLessThan(n); // there are ties to order
    expect(fired).toEqual(expected);
    expect(clock.pending).toBe(0);
  });

  it('a timer scheduled from a callback for an earlier time than those pending fires first', async () => {
    const clock = new WallClock({ timeScale: 0.1 });
    const t0 = clock.nowUs();
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      clock.schedule(t0 + 20_000, () => { order.push('late'); resolve(); });
      clock.schedule(t0 + 5_000, () => {
        order.push('first');
        clock.schedule(t0 + 10_000, () => order.push('second'));
      });
    });
    expect(order).toEqual(['first', 'second', 'late']);
  });

  it('keeps only live timers when many are cancelled, and still fires the rest in order', async () => {
    const clock = new WallClock({ timeScale: 0.1 });
    const t0 = clock.nowUs();
    const fired: number[] = [];
    let allFired = (): void => {};
    const done = new Promise<void>((ok) => { allFired = ok; });
    const ids = Array.from({ length: 500 }, (_, i) => clock.schedule(t0 + 10_000 + i * 10, () => {
      if (fired.push(i) === 10) allFired();
    }));
    for (let i = 0; i < 500; i++) if (i % 50 !== 0) clock.cancel(ids[i]!);
    expect(clock.pending).toBe(10);
    await done;
    expect(fired).toEqual([0, 50, 100, 150, 200, 250, 300, 350, 400, 450]);
    expect(clock.pending).toBe(0);
  });

  it('cancels timers, and close() cancels all of them', async () => {
    const clock = new WallClock();
    let fired = 0;
    const a = clock.schedule(clock.nowUs() + 1000, () => fired++);
    clock.schedule(clock.nowUs() + 2000, () => fired++);
    clock.cancel(a);
    clock.cancel(12345);
    expect(clock.pending).toBe(1);
    clock.close();
    expect(clock.pending).toBe(0);
    await new Promise((ok) => setTimeout(ok, 10));
    expect(fired).toBe(0);
  });

  it('rejects a non-positive time scale', () => {
    expect(() => new WallClock({ timeScale: 0 })).toThrow(/timeScale/);
  });
});
