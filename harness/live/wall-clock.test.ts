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
