import { definePolicy, noOptions } from '../registry.js';
import type { SchedRequest, SchedulingPolicy, WaitingQueue } from './types.js';

/** A double-ended queue on a growable ring buffer (O(1) at both ends). */
export class Deque<T> {
  #buf: (T | undefined)[] = new Array<T | undefined>(16);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  pushBack(x: T): void {
    this.#grow();
    this.#buf[(this.#head + this.#size) & (this.#buf.length - 1)] = x;
    this.#size++;
  }

  pushFront(x: T): void {
    this.#grow();
    this.#head = (this.#head - 1) & (this.#buf.length - 1);
    this.#buf[this.#head] = x;
    this.#size++;
  }

  peekFront(): T | undefined {
    return this.#size > 0 ? this.#buf[this.#head] : undefined;
  }

  popFront(): T | undefined {
    if (this.#size === 0) return undefined;
    const x = this.#buf[this.#head];
    this.#buf[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#buf.length - 1);
    this.#size--;
    return x;
  }

  /** Remove the first element equal to `x` (O(n)). */
  remove(x: T): boolean {
    const mask = this.#buf.length - 1;
    for (let i = 0; i < this.#size; i++) {
      if (this.#buf[(this.#head + i) & mask] === x) {
        for (let j = i; j < this.#size - 1; j++) {
          this.#buf[(this.#head + j) & mask] = this.#buf[(this.#head + j + 1) & mask];
        }
        this.#buf[(this.#head + this.#size - 1) & mask] = undefined;
        this.#size--;
        return true;
      }
    }
    return false;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    const mask = this.#buf.length - 1;
    for (let i = 0; i < this.#size; i++) yield this.#buf[(this.#head + i) & mask]!;
  }

  #grow(): void {
    if (this.#size < this.#buf.length) return;
    const old = this.#buf;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.#size; i++) next[i] = old[(this.#head + i) & (old.length - 1)];
    this.#buf = next;
    this.#head = 0;
  }
}

class FcfsQueue implements WaitingQueue {
  readonly #q = new Deque<SchedRequest>();
  get size(): number {
    return this.#q.size;
  }
  add(req: SchedRequest): void {
    this.#q.pushBack(req);
  }
  prepend(req: SchedRequest): void {
    this.#q.pushFront(req);
  }
  peek(): SchedRequest | undefined {
    return this.#q.peekFront();
  }
  pop(): SchedRequest {
    const r = this.#q.popFront();
    if (!r) throw new Error('fcfs: pop from an empty queue');
    return r;
  }
  remove(req: SchedRequest): boolean {
    return this.#q.remove(req);
  }
  values(): Iterable<SchedRequest> {
    return this.#q;
  }
}

/**
 * vLLM v1's FCFS policy (vllm/v1/core/sched/request_queue.py FCFSRequestQueue): arrival order;
 * a preempted request goes back to the front; the victim of preemption is the last running
 * request (scheduler.py: `self.running.pop()`).
 */
export class FcfsPolicy implements SchedulingPolicy {
  readonly name = 'fcfs';
  newQueue(): WaitingQueue {
    return new FcfsQueue();
  }
  preemptionVictim(running: readonly SchedRequest[]): number {
    return running.length - 1;
  }
}

/** Registry entry for `scheduling: fcfs`. */
export const fcfsFactory = definePolicy({
  summary: "vLLM's default: first come first served, preempt the last running request",
  options: noOptions,
  make: () => new FcfsPolicy(),
});
