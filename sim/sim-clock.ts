import type { Clock, TimerId } from '../policies/types.js';
import { EVENT_RANK, EventQueue, type EventKind } from './event-queue.js';

/** Limits that stop a run by themselves. */
export interface RunLimits {
  /** Stop before processing an event later than this virtual time. */
  readonly untilUs?: number;
  /** Stop after this many events. */
  readonly maxEvents?: number;
}

/** Why {@link SimClock.run} returned. */
export type RunEnd = 'drained' | 'until' | 'max-events' | 'stopped';

/**
 * Virtual clock driving a discrete-event simulation. Time only moves when the next event is
 * popped; an event scheduled in the past is an error (causality).
 */
export class SimClock implements Clock {
  readonly #queue = new EventQueue();
  readonly #cancelled = new Set<number>();
  #nowUs = 0;
  #seq = 0;
  #processed = 0;
  #stopped = false;

  nowUs(): number {
    return this.#nowUs;
  }

  /** Events processed so far. */
  get eventsProcessed(): number {
    return this.#processed;
  }

  /** Events still pending (including cancelled ones not yet popped). */
  get pending(): number {
    return this.#queue.size;
  }

  schedule(atUs: number, fn: () => void): TimerId {
    return this.at(atUs, 'timer', fn);
  }

  /** Schedule an event of a given kind (its rank orders ties at the same instant). */
  at(atUs: number, kind: EventKind, fn: () => void): TimerId {
    if (!(atUs >= this.#nowUs)) {
      throw new Error(`SimClock: event '${kind}' scheduled at ${atUs}us, before now (${this.#nowUs}us)`);
    }
    const seq = this.#seq++;
    this.#queue.push({ timeUs: atUs, rank: EVENT_RANK[kind], seq, kind, fn });
    return seq;
  }

  cancel(id: TimerId): void {
    if (id >= 0 && id < this.#seq) this.#cancelled.add(id);
  }

  /** Ask a running {@link run} to return after the current event. */
  stop(): void {
    this.#stopped = true;
  }

  /** Process events in order until the queue drains or a limit is reached. */
  run(limits: RunLimits = {}): RunEnd {
    const untilUs = limits.untilUs ?? Infinity;
    const maxEvents = limits.maxEvents ?? Infinity;
    this.#stopped = false;
    for (;;) {
      if (this.#stopped) return 'stopped';
      const next = this.#queue.peek();
      if (next === undefined) return 'drained';
      if (next.timeUs > untilUs) return 'until';
      if (this.#processed >= maxEvents) return 'max-events';
      this.#queue.pop();
      if (this.#cancelled.size > 0 && this.#cancelled.delete(next.seq)) continue;
      this.#nowUs = next.timeUs;
      this.#processed++;
      next.fn();
    }
  }
}
