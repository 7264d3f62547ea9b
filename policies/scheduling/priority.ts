import { definePolicy, noOptions } from '../registry.js';
import type { SchedRequest, SchedulingPolicy, WaitingQueue } from './types.js';

/** vLLM's priority order: lower `priority` first, then earlier arrival, then admission order. */
export function comparePriority(a: SchedRequest, b: SchedRequest): number {
  return a.priority - b.priority || a.arrivalUs - b.arrivalUs || a.seq - b.seq;
}

/** A binary heap over a comparator (min at the top). */
export class Heap<T> {
  readonly #a: T[] = [];
  constructor(readonly compare: (a: T, b: T) => number) {}
  get size(): number {
    return this.#a.length;
  }
  peek(): T | undefined {
    return this.#a[0];
  }
  push(x: T): void {
    const a = this.#a;
    a.push(x);
    this.#up(a.length - 1);
  }
  pop(): T | undefined {
    const a = this.#a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      this.#down(0);
    }
    return top;
  }
  remove(x: T): boolean {
    const a = this.#a;
    const i = a.indexOf(x);
    if (i < 0) return false;
    const last = a.pop()!;
    if (i < a.length) {
      a[i] = last;
      this.#down(i);
      this.#up(i);
    }
    return true;
  }
  values(): Iterable<T> {
    return this.#a;
  }
  #up(i: number): void {
    const a = this.#a;
    const x = a[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.compare(x, a[p]!) >= 0) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = x;
  }
  #down(i: number): void {
    const a = this.#a;
    const n = a.length;
    const x = a[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.compare(a[r]!, a[l]!) < 0 ? r : l;
      if (this.compare(a[c]!, x) >= 0) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = x;
  }
}

class PriorityQueue implements WaitingQueue {
  readonly #h = new Heap<SchedRequest>(comparePriority);
  get size(): number {
    return this.#h.size;
  }
  add(req: SchedRequest): void {
    this.#h.push(req);
  }
  prepend(req: SchedRequest): void {
    // vLLM's PriorityRequestQueue.prepend_request is add_request: order is by key, not position.
    this.#h.push(req);
  }
  peek(): SchedRequest | undefined {
    return this.#h.peek();
  }
  pop(): SchedRequest {
    const r = this.#h.pop();
    if (!r) throw new Error('priority: pop from an empty queue');
    return r;
  }
  remove(req: SchedRequest): boolean {
    return this.#h.remove(req);
  }
  values(): Iterable<SchedRequest> {
    return this.#h.values();
  }
}

/**
 * vLLM v1's PRIORITY policy (request_queue.py PriorityRequestQueue; scheduler.py preemption):
 * waiting requests by (priority, arrival time), lower first; the victim is the running request
 * with the largest (priority, arrival time).
 */
export class PriorityPolicy implements SchedulingPolicy {
  readonly name = 'priority';
  newQueue(): WaitingQueue {
    return new PriorityQueue();
  }
  preemptionVictim(running: readonly SchedRequest[]): number {
    let best = -1;
    for (let i = 0; i < running.length; i++) {
      if (best < 0 || comparePriority(running[i]!, running[best]!) > 0) best = i;
    }
    return best;
  }
}

/** Registry entry for `scheduling: priority`. */
export const priorityFactory = definePolicy({
  summary: "vLLM's priority policy: lowest (priority, arrival) first, preempt the highest",
  options: noOptions,
  make: () => new PriorityPolicy(),
});
