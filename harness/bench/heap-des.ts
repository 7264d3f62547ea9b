import { EventQueue, type SimEvent } from '../../sim/event-queue.js';
import { SeededRng } from '../../policies/rng.js';

/**
 * Pops per wall second of a bare discrete-event loop on the simulator's own binary heap
 * (sim/event-queue.ts): the classic hold model, `pending` events in the queue, each pop schedules
 * one event an exponential delay later, and the handler does nothing else. No simulator can pop
 * events faster on this machine and runtime: `npm run bench` divides by it.
 */
export function heapDesPopsPerSec(pops = 2_000_000, pending = 1024): number {
  const q = new EventQueue();
  const rng = new SeededRng(1);
  const noop = (): void => {};
  let seq = 0;
  const push = (timeUs: number): void => q.push({ timeUs, rank: 1, seq: seq++, kind: 'stepEnd', fn: noop });
  for (let i = 0; i < pending; i++) push(rng.float() * 1e6);
  const t0 = performance.now();
  let ev: SimEvent | undefined;
  for (let i = 0; i < pops; i++) {
    ev = q.pop()!;
    ev.fn();
    push(ev.timeUs - Math.log(1 - rng.float()) * 1e4);
  }
  return pops / ((performance.now() - t0) / 1000);
}
