import type { Clock, TimerId } from '../../policies/types.js';

// Half a libuv timer tick, real µs.
const EARLY_TOLERANCE_REAL_US = 500;

/**
 * Wall-clock time for live runs: monotonic (process.hrtime), timers on setTimeout. With a
 * `timeScale` below 1 the clock runs faster than real time (0.1: ten clock-seconds per real
 * second), so every component sharing it (engines, router, client, arrivals, tool waits) stays
 * in one consistent timeline and reports read in the modelled time. libuv timers tick in whole
 * milliseconds and can wake up to a tick early or late; a wake more than half a tick (500 real
 * µs) early re-arms, so a timer fires within ±0.5 ms of its time on average instead of a
 * systematic +1 ms (which would stretch every emulated engine step).
 */
export class WallClock implements Clock {
  readonly timeScale: number;
  readonly #t0: bigint;
  readonly #timers = new Map<number, NodeJS.Timeout | NodeJS.Immediate>();
  #next = 1;

  constructor(opts: { timeScale?: number } = {}) {
    const s = opts.timeScale ?? 1;
    if (!(s > 0 && Number.isFinite(s))) throw new RangeError(`WallClock: timeScale must be a positive number, got ${s}`);
    this.timeScale = s;
    this.#t0 = process.hrtime.bigint();
  }

  nowUs(): number {
    return Number(process.hrtime.bigint() - this.#t0) / 1000 / this.timeScale;
  }

  /** Real (unscaled) µs since the clock started. */
  realUs(): number {
    return Number(process.hrtime.bigint() - this.#t0) / 1000;
  }

  /** Timers not yet fired or cancelled. */
  get pending(): number {
    return this.#timers.size;
  }

  schedule(atUs: number, fn: () => void): TimerId {
    const id = this.#next++;
    this.#arm(id, atUs, fn);
    return id;
  }

  cancel(id: TimerId): void {
    const t = this.#timers.get(id);
    if (t === undefined) return;
    this.#timers.delete(id);
    clearTimeout(t as NodeJS.Timeout);
    clearImmediate(t as NodeJS.Immediate);
  }

  /** Cancel every pending timer (end of a run). */
  close(): void {
    for (const id of [...this.#timers.keys()]) this.cancel(id);
  }

  #arm(id: number, atUs: number, fn: () => void): void {
    const delayMs = ((atUs - this.nowUs()) * this.timeScale) / 1000;
    const fire = (): void => {
      if (!this.#timers.has(id)) return;
      if ((atUs - this.nowUs()) * this.timeScale > EARLY_TOLERANCE_REAL_US) {
        this.#arm(id, atUs, fn);
        return;
      }
      this.#timers.delete(id);
      fn();
    };
    this.#timers.set(id, delayMs <= 0 ? setImmediate(fire) : setTimeout(fire, delayMs));
  }
}
