/**
 * Event kinds of the simulator and their rank among events at the same instant. Completions
 * come before arrivals, so capacity freed at t is visible to whatever arrives at t; sampling
 * comes last, so a sample at t sees everything that happened at t.
 */
export const EVENT_RANK = {
  fault: 0,
  stepEnd: 1,
  transfer: 2,
  toolDone: 3,
  arrival: 4,
  timeout: 5,
  health: 6,
  timer: 7,
  sample: 8,
} as const;

/** Name of an event kind. */
export type EventKind = keyof typeof EVENT_RANK;

/** One pending event. `seq` is a per-run counter that makes the order total. */
export interface SimEvent {
  readonly timeUs: number;
  readonly rank: number;
  readonly seq: number;
  readonly kind: EventKind;
  readonly fn: () => void;
}

/** The one ordering of events: (timeUs, kindRank, seq). */
export function compareEvents(a: SimEvent, b: SimEvent): number {
  return a.timeUs - b.timeUs || a.rank - b.rank || a.seq - b.seq;
}

/** Binary min-heap of events under {@link compareEvents}. */
export class EventQueue {
  readonly #heap: SimEvent[] = [];

  get size(): number {
    return this.#heap.length;
  }

  push(ev: SimEvent): void {
    const heap = this.#heap;
    heap.push(ev);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (compareEvents(ev, p) >= 0) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = ev;
  }

  peek(): SimEvent | undefined {
    return this.#heap[0];
  }

  pop(): SimEvent | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    const n = heap.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && compareEvents(heap[r]!, heap[l]!) < 0) c = r;
      const child = heap[c]!;
      if (compareEvents(last, child) <= 0) break;
      heap[i] = child;
      i = c;
    }
    heap[i] = last;
    return top;
  }
}
