import { describe, expect, it } from 'vitest';
import { FcfsPolicy } from '../../policies/scheduling/fcfs.js';
import type { StepShape } from '../cost-model/types.js';
import { LinearCostModel, spec, testEngine, type Trace } from './testing.js';

// Golden tests of async scheduling's one-step admission lag (vllm/v1/engine/core.py
// step_with_batch_queue: step n+1 is scheduled when step n is submitted, so a request arriving
// while step n runs joins step n+2). Linear cost model: 1000 + 10/prefill token + 5/decode seq µs.
describe('EngineCore with asyncScheduling', () => {
  /** Run a (decoding, 10 tokens) then add b (100-token prompt) at `arriveUs`, during a's first decode. */
  function lateArrival(asyncScheduling: boolean, arriveUs: number): Map<string, Trace> {
    const trace = new Map<string, Trace>();
    const e = testEngine({ asyncScheduling });
    e.add(spec('a', [['a', 100]], 10, trace), 0);
    let now = 0;
    let added = false;
    for (;;) {
      const d = e.beginStep(now);
      if (d === null) break;
      const end = now + d;
      if (!added && arriveUs >= now && arriveUs < end) {
        e.add(spec('b', [['b', 100]], 2, trace), arriveUs);
        added = true;
      }
      now = end;
      e.endStep(now);
    }
    e.checkInvariants();
    return trace;
  }

  it('a request arriving mid-step joins the step after next, not the next one', () => {
    // a's prefill: 1000 + 10 × 100 = 2000 µs (0-2000); its first decode 2000-3005. b arrives at 2500.
    // Synchronous: b's prefill shares the step beginning at 3005: 1000 + 10 × 100 + 5 = 2005 µs,
    // b's first token at 5010.
    expect(lateArrival(false, 2500).get('b')!.tokens[0]).toBe(5010);
    // Async: the step beginning at 3005 was formed at 2000 (a's decode alone, 1005 µs, to 4010);
    // b joins the one beginning at 4010: 2005 µs, first token at 6015 — one decode step later.
    expect(lateArrival(true, 2500).get('b')!.tokens[0]).toBe(6015);
  });

  it('a request arriving while the engine is idle is scheduled at once either way', () => {
    const trace = new Map<string, Trace>();
    const e = testEngine({ asyncScheduling: true });
    e.add(spec('a', [['a', 100]], 1, trace), 0);
    expect(e.beginStep(0)).toBe(2000);
    e.endStep(2000);
    expect(e.beginStep(2000)).toBeNull(); // a finished with its first token
    e.add(spec('b', [['b', 100]], 1, trace), 2500);
    expect(e.beginStep(2500)).toBe(2000);
    expect(e.currentShape.prefillSeqs).toBe(1);
  });

  it('a request added as the only work left is not held back (nothing else would run)', () => {
    // a finishes in its prefill step; b arrives during it. The step at 2000 would be empty
    // without b, so vLLM's loop schedules b as soon as it is read: no lag.
    const trace = new Map<string, Trace>();
    const e = testEngine({ asyncScheduling: true });
    e.add(spec('a', [['a', 100]], 1, trace), 0);
    e.beginStep(0);
    e.add(spec('b', [['b', 100]], 1, trace), 500);
    expect(e.numDeferred).toBe(1);
    e.endStep(2000);
    expect(e.beginStep(2000)).toBe(2000);
    expect(e.numDeferred).toBe(0);
  });

  it('an aborted deferred request leaves nothing behind', () => {
    const trace = new Map<string, Trace>();
    const e = testEngine({ asyncScheduling: true });
    e.add(spec('a', [['a', 100]], 5, trace), 0);
    e.beginStep(0);
    e.add(spec('b', [['b', 100]], 5, trace), 500);
    expect(e.abort('b', 600)).toBeDefined();
    expect(e.numDeferred).toBe(0);
    e.endStep(2000);
    e.beginStep(2000);
    expect(e.currentShape).toMatchObject({ prefillSeqs: 0, decodeSeqs: 1 });
    e.endStep(3005);
    e.checkInvariants();
  });
});

describe('EngineCore with asyncScheduling: the first step after an idle spell', () => {
  it('costs stepTimeAfterIdleUs (no previous step hides its CPU work); back-to-back steps cost stepTimeUs', () => {
    // Linear model + 300 µs of CPU per step that overlap hides only behind a previous step.
    class WithCpu extends LinearCostModel {
      stepTimeAfterIdleUs(s: Readonly<StepShape>): number {
        return this.stepTimeUs(s) + 300;
      }
    }
    const trace = new Map<string, Trace>();
    const e = testEngine({ asyncScheduling: true }, new FcfsPolicy(), new WithCpu());
    e.add(spec('a', [['a', 100]], 3, trace), 0);
    // Idle engine: prefill 1000 + 10 × 100 = 2000, + 300 = 2300 µs. Then back to back: 1005 each.
    expect(e.beginStep(0)).toBe(2300);
    e.endStep(2300);
    expect(e.beginStep(2300)).toBe(1005);
    e.endStep(3305);
    // A gap (the engine waited, e.g. on a KV load or a hang): the next step pays the CPU again.
    expect(e.beginStep(4000)).toBe(1305);
    e.endStep(5305);
    // A synchronous engine never uses it (its stepTimeUs already adds the CPU work).
    const s = testEngine({ asyncScheduling: false }, new FcfsPolicy(), new WithCpu());
    s.add(spec('b', [['b', 100]], 1, trace), 0);
    expect(s.beginStep(0)).toBe(2000);
  });
});
