import type { Clock, TimerId } from '../../policies/types.js';
import { EVENT_RANK, EventQueue, type SimEvent } from '../../sim/event-queue.js';

// Half a libuv timer tick, real µs.
const EARLY_TOLERANCE_REAL_US = 500;
// Cancelled timers stay in the queue until they reach its top; past this share of dead entries
// (and a small floor) the queue is rebuilt, so a component that re-arms a timer per token does
// not grow it without bound.
const MAX_DEAD_PER_LIVE = 3;
const MIN_REBUILD_SIZE = 64;

/**
 * Wall-clock time for live runs: monotonic (process.hrtime), timers on setTimeout. With a
 * `timeScale` below 1 the clock runs faster than real time (0.1: ten clock-seconds per real
 * second), so every component sharing it (engines, router, client, arrivals, tool waits) stays
 * in one consistent timeline and reports read in the modelled time.
 *
 * Timers fire in the order of their times (ties in the order they were scheduled), as the
 * simulator's event queue orders them: the clock keeps them in one {@link EventQueue} and arms a
 * single Node timer for the earliest. One Node timer per clock timer could not promise that:
 * libuv's clock counts whole milliseconds, so a timer can wake up to a tick early, and one
 * re-armed after an early wake was seen to fire after a later timer when the process was
 * descheduled. A wake more than half a tick (500 real µs) early re-arms, so a timer fires within
 * ±0.5 ms of its time on average instead of a systematic +1 ms (which would stretch every
 * emulated engine step). Each due timer runs in its own macrotask (the next one on setImmediate),
 * so promise continuations of one run before the next, as with separate Node timers.
 */
export class WallClock implements Clock {
  readonly timeScale: number;
  readonly #t0: bigint;
  readonly #live = new Set<TimerId>();
  #queue = new EventQueue();
  #armed: { readonly atUs: number; readonly handle: NodeJS.Timeout | NodeJS.Immediate } | undefined;
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
    return this.#live.size;
  }

  schedule(atUs: number, fn: () => void): TimerId {
    const id = this.#next++;
    this.#live.add(id);
    this.#queue.push({ timeUs: atUs, rank: EVENT_RANK.timer, seq: id, kind: 'timer', fn });
    if (this.#armed === undefined || atUs < this.#armed.atUs) this.#arm();
    return id;
  }

  cancel(id: TimerId): void {
    if (!this.#live.delete(id)) return;
    if (this.#live.size === 0) this.close();
    else if (this.#queue.size >= MIN_REBUILD_SIZE && this.#queue.size > (MAX_DEAD_PER_LIVE + 1) * this.#live.size) this.#rebuild();
  }

  /** Cancel every pending timer (end of a run). */
  close(): void {
    this.#live.clear();
    this.#disarm();
    this.#queue = new EventQueue();
  }

  /** The earliest live timer, dropping cancelled ones above it. */
  #top(): SimEvent | undefined {
    for (let ev = this.#queue.peek(); ev !== undefined; ev = this.#queue.peek()) {
      if (this.#live.has(ev.seq)) return ev;
      this.#queue.pop();
    }
    return undefined;
  }

  /** Arm one Node timer (or immediate) for the earliest live timer. */
  #arm(): void {
    this.#disarm();
    const top = this.#top();
    if (top === undefined) return;
    const delayMs = ((top.timeUs - this.nowUs()) * this.timeScale) / 1000;
    const fire = (): void => this.#fire();
    this.#armed = { atUs: top.timeUs, handle: delayMs <= 0 ? setImmediate(fire) : setTimeout(fire, delayMs) };
  }

  #disarm(): void {
    if (this.#armed === undefined) return;
    clearTimeout(this.#armed.handle as NodeJS.Timeout);
    clearImmediate(this.#armed.handle as NodeJS.Immediate);
    this.#armed = undefined;
  }

  /** Run the earliest timer if its time has come (within half a tick), then arm for the next. */
  #fire(): void {
    this.#armed = undefined;
    const top = this.#top();
    if (top === undefined) return;
    if ((top.timeUs - this.nowUs()) * this.timeScale > EARLY_TOLERANCE_REAL_US) {
      this.#arm();
      return;
    }
    this.#queue.pop();
    this.#live.delete(top.seq);
    try {
      top.fn();
    } finally {
      if (this.#armed === undefined) this.#arm();
    }
  }

  #rebuild(): void {
    const old = this.#queue;
    this.#queue = new EventQueue();
    for (let ev = old.pop(); ev !== undefined; ev = old.pop()) if (this.#live.has(ev.seq)) this.#queue.push(ev);
  }
}
