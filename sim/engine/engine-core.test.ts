import { beforeEach, describe, expect, it } from 'vitest';
import { PriorityPolicy } from '../../policies/scheduling/priority.js';
import { SeededRng } from '../../policies/rng.js';
import { drain, spec, testEngine, testEngineSteps, type Trace } from './testing.js';
import { emptyTotals } from './engine-core.js';

// Every test runs on both paths: the fast one (steady decode steps) and the step-by-step reference.
describe.each([['fast', true], ['reference', false]] as const)('%s engine', (_name, fastSteps) => {
  beforeEach(() => {
    testEngineSteps.fastSteps = fastSteps;
  });

  describe('EngineCore (golden, hand-computed with the linear cost model 1000 + 10/prefill token + 5/decode seq µs)', () => {
    it('one request alone: TTFT is its single prefill step, then one token per decode step', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine();
      e.add(spec('r', [['doc', 300]], 4, trace), 0);
      const end = drain(e);
      // Prefill step: 1000 + 10 × 300 = 4000 µs -> first token. Decodes: 1000 + 5 = 1005 µs each.
      expect(trace.get('r')!.tokens).toEqual([4000, 5005, 6010, 7015]);
      expect(trace.get('r')!.finishedUs).toBe(7015);
      expect(end).toBe(7015);
      expect(e.counters).toMatchObject({ steps: 4, prefillTokens: 300, decodeTokens: 3, outputTokens: 4, finished: 1 });
      e.checkInvariants();
      expect(e.kv.pool.numFree).toBe(999); // everything back (cached but free), null block aside
    });

    it('chunked prefill splits a long prompt across steps within the token budget', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine({ maxNumBatchedTokens: 512 });
      e.add(spec('long', [['doc', 1300]], 2, trace), 0);
      const shapes: number[] = [];
      let now = 0;
      for (;;) {
        const d = e.beginStep(now);
        if (d === null) break;
        shapes.push(e.currentShape.prefillTokens);
        now += d;
        e.endStep(now);
      }
      // 1300 = 512 + 512 + 276; the first token comes with the last chunk, then one decode.
      expect(shapes).toEqual([512, 512, 276, 0]);
      expect(trace.get('long')!.tokens).toEqual([6120 + 6120 + 3760, 6120 + 6120 + 3760 + 1005]);
    });

    it('running requests go first; a new prompt takes what is left of the budget', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine({ maxNumBatchedTokens: 512 });
      e.add(spec('a', [['a', 400]], 3, trace), 0);
      let now = 0;
      now += e.beginStep(now)!; // a: 400 prefill tokens
      e.endStep(now);
      e.add(spec('b', [['b', 600]], 2, trace), now);
      e.beginStep(now);
      // a decodes 1 token; b gets the remaining 511 tokens of the budget.
      expect(e.currentShape).toMatchObject({ decodeSeqs: 1, prefillTokens: 511, prefillSeqs: 1 });
    });

    it('maxNumSeqs caps running requests', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine({ maxNumSeqs: 2, maxNumBatchedTokens: 4096 });
      for (const id of ['a', 'b', 'c']) e.add(spec(id, [[id, 100]], 5, trace), 0);
      e.beginStep(0);
      expect(e.numRunning).toBe(2);
      expect(e.numWaiting).toBe(1);
    });
  });

  describe('EngineCore preemption (recompute, vLLM v1)', () => {
    // 9 usable blocks of 16 tokens: two 48-token prompts (3 blocks each) fit, their decodes do not.
    const tight = { numBlocks: 10, maxNumBatchedTokens: 4096 } as const;

    it('FCFS preempts the last running request, requeues it at the front, recomputes it later', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine(tight);
      e.add(spec('a', [['a', 48]], 40, trace), 0);
      e.add(spec('b', [['b', 48]], 40, trace), 0);
      e.add(spec('c', [['c', 16]], 30, trace), 0);
      let now = 0;
      const order: string[] = [];
      for (let i = 0; i < 400 && e.hasWork; i++) {
        const d = e.beginStep(now);
        if (d === null) break;
        for (const r of e.scheduler.batch.preempted) order.push(r.id);
        now += d;
        e.endStep(now);
        e.checkInvariants();
      }
      // c (admitted last, so last in the running list) is the first victim; it is preempted when
      // its own 17th token needs a block: the scheduler then stops the running loop.
      expect(order[0]).toBe('c');
      const b = trace.get('b')!;
      const a = trace.get('a')!;
      expect(a.tokens).toHaveLength(40);
      expect(b.tokens).toHaveLength(40);
      expect(trace.get('c')!.tokens).toHaveLength(30);
      expect(e.counters.preemptions).toBeGreaterThan(0);
      expect(e.counters.finished).toBe(3);
    });

    it('the preempted request goes back to the front of the waiting queue', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine({ numBlocks: 10, maxNumBatchedTokens: 4096, maxNumSeqs: 2 });
      e.add(spec('a', [['a', 64]], 64, trace), 0);
      e.add(spec('b', [['b', 64]], 64, trace), 0);
      e.add(spec('late', [['late', 16]], 2, trace), 0);
      let now = 0;
      let seen = false;
      for (let i = 0; i < 400 && e.hasWork; i++) {
        const d = e.beginStep(now);
        if (d === null) break;
        if (!seen && e.scheduler.batch.preempted.length > 0) {
          const victim = e.scheduler.batch.preempted[0]!;
          expect(victim.id).toBe('b');
          expect(e.scheduler.waiting.peek()!.id).toBe('b'); // ahead of 'late', which arrived earlier in the queue
          expect(victim.numComputedTokens).toBe(0);
          expect(victim.blocks).toEqual([]);
          seen = true;
        }
        now += d;
        e.endStep(now);
      }
      expect(seen).toBe(true);
      expect(trace.get('b')!.tokens).toHaveLength(64);
      expect(e.get('b')).toBeUndefined();
    });

    it('PRIORITY preempts the running request with the largest (priority, arrival)', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine(tight, new PriorityPolicy());
      e.add(spec('urgent', [['u', 48]], 40, trace, { priority: 0 }), 0);
      e.add(spec('bulk', [['b', 48]], 40, trace, { priority: 5 }), 0);
      e.add(spec('mid', [['m', 16]], 30, trace, { priority: 1 }), 0);
      let now = 0;
      const victims: string[] = [];
      for (let i = 0; i < 1000 && e.hasWork; i++) {
        const d = e.beginStep(now);
        if (d === null) break;
        for (const r of e.scheduler.batch.preempted) victims.push(r.id);
        now += d;
        e.endStep(now);
      }
      expect(victims.length).toBeGreaterThan(0);
      expect(victims[0]).toBe('bulk');
      expect(victims).not.toContain('urgent');
      // The urgent request never waited for the others: it finished first.
      expect(trace.get('urgent')!.finishedUs).toBeLessThan(trace.get('bulk')!.finishedUs);
      expect(e.get('bulk')).toBeUndefined();
    });

    it('counts a recomputed request\'s preemptions and recomputes its prompt and generated tokens', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine(tight);
      e.add(spec('a', [['a', 48]], 40, trace), 0);
      e.add(spec('b', [['b', 48]], 40, trace), 0);
      let now = 0;
      let resume: { hit: number; scheduled: number; numTokens: number } | undefined;
      for (let i = 0; i < 400 && e.hasWork; i++) {
        const d = e.beginStep(now);
        if (d === null) break;
        const b = e.get('b');
        if (b && b.preemptions > 0 && !resume && b.status === 'running') {
          resume = { hit: b.numComputedTokens, scheduled: b.numScheduledTokens, numTokens: b.numTokens };
        }
        now += d;
        e.endStep(now);
      }
      // b was preempted after generating tokens; on resume its prompt + generated tokens are
      // recomputed, minus whole blocks still in the prefix cache (its own freed blocks, tail first).
      expect(resume).toBeDefined();
      expect(resume!.numTokens).toBeGreaterThan(48);
      expect(resume!.hit % 16).toBe(0);
      expect(resume!.hit + resume!.scheduled).toBe(resume!.numTokens);
      expect(e.get('b')).toBeUndefined();
      expect(trace.get('b')!.tokens).toHaveLength(40);
      expect(e.counters.preemptions).toBeGreaterThanOrEqual(1);
    });
  });

  describe('EngineCore property: block conservation under random load', () => {
    it('free + used = total and ref counts match holders after every step of thousands', () => {
      const rng = new SeededRng(2024);
      const trace = new Map<string, Trace>();
      const e = testEngine({ numBlocks: 64, maxNumBatchedTokens: 256, maxNumSeqs: 16 });
      let now = 0;
      let n = 0;
      const live: string[] = [];
      for (let step = 0; step < 4000; step++) {
        // Arrivals share one of a few prefixes so the prefix cache and eviction are exercised.
        if (rng.float() < 0.3) {
          const id = `r${n++}`;
          const prefix = `p${rng.int(4)}`;
          e.add(spec(id, [[prefix, 16 + rng.int(120)], [id, 1 + rng.int(60)]], 1 + rng.int(100), trace), now);
          live.push(id);
        }
        if (live.length > 0 && rng.float() < 0.03) {
          const id = live.splice(rng.int(live.length), 1)[0]!;
          e.abort(id, now);
        }
        const d = e.beginStep(now);
        if (d !== null) {
          now += d;
          e.endStep(now);
        } else now += 1000;
        e.checkInvariants();
      }
      drain(e, now, 100_000, () => e.checkInvariants());
      expect(e.numRequests).toBe(0);
      expect(e.kv.pool.numFree).toBe(63);
      expect(e.counters.preemptions).toBeGreaterThan(0);
      expect(e.kv.pool.evictions).toBeGreaterThan(0);
      expect(e.kv.stats.hits).toBeGreaterThan(0);
    });

    it('the invariant check catches a leaked block', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine();
      e.add(spec('r', [['doc', 64]], 2, trace), 0);
      e.beginStep(0);
      e.endStep(10);
      e.get('r')!.blocks.pop(); // lose track of a block
      expect(() => e.checkInvariants()).toThrow(/KV conservation/);
    });
  });

  describe('EngineCore.abortAll (a crash)', () => {
    it('ends every in-flight request in arrival order and frees their blocks in that order, each request tail first', () => {
      const trace = new Map<string, Trace>();
      // 11 usable blocks (block 0 is the null block): 3 requests × 3 blocks, 2 never used.
      const e = testEngine({ numBlocks: 12 });
      for (const id of ['a', 'b', 'c']) e.add(spec(id, [[id, 40]], 8, trace), 0);
      const d = e.beginStep(0)!; // one prefill step admits all three: 40 tokens = 2 full blocks + 1 partial each
      e.endStep(d);
      const held = ['a', 'b', 'c'].map((id) => [...e.get(id)!.blocks]);
      expect(held.map((b) => b.length)).toEqual([3, 3, 3]);
      const aborted = e.abortAll(d);
      expect(aborted.map((r) => r.id)).toEqual(['a', 'b', 'c']);
      expect(e.numRequests).toBe(0);
      e.checkInvariants();
      // The LRU free queue now holds, from its head: the 2 never-used blocks, then a's blocks tail
      // first (vLLM frees a request's blocks in reverse), then b's, then c's. A request needing
      // all 11 blocks (170 tokens = 10 full + 1 partial) takes them in exactly that order.
      e.add(spec('d', [['d', 170]], 1, trace), d);
      e.beginStep(d);
      const got = e.get('d')!.blocks;
      expect(got.slice(2)).toEqual([...held[0]!].reverse().concat([...held[1]!].reverse(), [...held[2]!].reverse()));
    });
  });

  describe('EngineCore admission, counters and gauges (linear cost model)', () => {
    it('refuses what vLLM refuses, naming why', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine({ numBlocks: 10, maxModelLen: 128 });
      expect(e.add(spec('a', [['a', 10]], 1, trace), 0)).toMatchObject({ id: 'a' });
      expect(e.add(spec('a', [['x', 10]], 1, trace), 0)).toEqual({ reject: "duplicate request id 'a'" });
      expect(e.add({ ...spec('z', [], 1, trace), promptTokens: 0 }, 0)).toEqual({ reject: 'prompt has no tokens' });
      expect(e.add(spec('b', [['b', 128]], 1, trace), 0)).toEqual({ reject: 'prompt of 128 tokens exceeds max_model_len 128' });
      expect(e.add(spec('c', [['c', 10]], 0, trace), 0)).toEqual({ reject: 'output length must be at least 1 token' });
      // 127 prompt tokens: the sequence stops at max_model_len after 1 token → ⌈128 / 16⌉ = 8 blocks ≤ 9: accepted.
      expect(e.add(spec('d', [['d', 127]], 500, trace), 0)).toMatchObject({ id: 'd' });
      // 10 blocks minus the null block = 9 usable; 100 + 60 tokens need ⌈160 / 16⌉ = 10.
      const small = testEngine({ numBlocks: 10 });
      expect(small.add(spec('e', [['e', 100]], 60, trace), 0)).toEqual({ reject: 'request needs 10 KV blocks, the instance has 9' });
      expect(small.add(spec('f', [['f', 100]], 44, trace), 0)).toMatchObject({ id: 'f' }); // 144 tokens = exactly 9 blocks
    });

    it('counts steps, busy time, prefill, decode and output tokens, and keeps the gauges exact', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine();
      e.add(spec('a', [['a', 100]], 3, trace), 0);
      e.add(spec('b', [['b', 40]], 2, trace), 0);
      expect([e.pendingPrefillTokens, e.decodingContextTokens, e.numRequests, e.hasWork]).toEqual([140, 0, 2, true]);
      // Step 1: both prefill, 1000 + 10 × 140 = 2400 µs; each samples its first token.
      expect(e.beginStep(0)).toBe(2400);
      expect(e.inStep).toBe(true);
      expect(() => e.beginStep(0)).toThrow('EngineCore.beginStep while a step is in progress');
      e.endStep(2400);
      // Now both decode: context a 101, b 41 tokens, nothing left to prefill.
      expect([e.pendingPrefillTokens, e.decodingContextTokens]).toEqual([0, 142]);
      // Step 2: two decodes, 1000 + 5 × 2 = 1010 µs, at half speed (a slowdown fault) 2020.
      e.stepTimeScale = 2;
      expect(e.beginStep(2400)).toBe(2020);
      e.endStep(4420); // b's second token: finished
      expect([e.decodingContextTokens, e.numRequests]).toEqual([102, 1]);
      e.stepTimeScale = 1;
      expect(e.beginStep(4420)).toBe(1005);
      e.endStep(5425);
      expect(e.beginStep(5425)).toBeNull();
      expect(() => e.endStep(5425)).toThrow('EngineCore.endStep without beginStep');
      expect(trace.get('a')!.tokens).toEqual([2400, 4420, 5425]);
      expect(trace.get('b')).toEqual({ tokens: [2400, 4420], finishedUs: 4420 });
      expect(e.totals()).toEqual({
        steps: 3, busyUs: 2400 + 2020 + 1005, prefillTokens: 140, decodeTokens: 3, outputTokens: 5, preemptions: 0, finished: 2, aborted: 0,
        evictions: 0, prefixQueries: 140, prefixHits: 0,
      });
      expect([e.pendingPrefillTokens, e.decodingContextTokens, e.numRequests, e.hasWork]).toEqual([0, 0, 0, false]);
    });

    it('abort removes one request (counted, gauges updated, blocks freed) and returns it; an unknown id gives undefined', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine();
      e.add(spec('a', [['a', 100]], 3, trace), 0);
      e.add(spec('b', [['b', 40]], 2, trace), 0);
      e.endStep(e.beginStep(0)!);
      const r = e.abort('a', 3000);
      expect([r?.id, r?.status, e.counters.aborted, e.numRequests, e.decodingContextTokens]).toEqual(['a', 'aborted', 1, 1, 41]);
      expect(e.abort('a', 3000)).toBeUndefined();
      e.checkInvariants();
      // a's 7 blocks (101 tokens) are free again; b holds 3 (41 tokens).
      expect(e.kv.pool.numFree).toBe(999 - 3);
      expect(trace.get('a')!.finishedUs).toBeNaN(); // no callback on abort
    });

    it('a request aborted by an earlier one\'s callback in the middle of a step gets nothing from that step', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine();
      const a = spec('a', [['a', 100]], 3, trace);
      // a's second token (step 2) aborts b, which comes after a in the batch (admission order).
      a.listener = {
        onToken: (_r, now, first) => {
          trace.get('a')!.tokens.push(now);
          if (!first) e.abort('b', now);
        },
        onFinished: () => {},
      };
      e.add(a, 0);
      e.add(spec('b', [['b', 40]], 3, trace), 0);
      expect(e.beginStep(0)).toBe(2400); // both prefill: 1000 + 10 × 140
      e.endStep(2400);
      expect(e.beginStep(2400)).toBe(1010); // both decode: 1000 + 5 × 2
      e.endStep(3410);
      expect(trace.get('a')!.tokens).toEqual([2400, 3410]);
      expect(trace.get('b')!.tokens).toEqual([2400]); // no token at 3410: b was aborted before its turn
      // Two first tokens and a's second; one decode token computed.
      expect([e.counters.outputTokens, e.counters.decodeTokens, e.counters.aborted, e.numRequests]).toEqual([3, 1, 1, 1]);
      e.checkInvariants();
    });
  });

  describe('EngineCore: held KV, cancelled steps, first scheduling, one-token prefills', () => {
    it('a request that holds its KV on finish counts until released; abortAll releases it too', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine();
      e.add({ ...spec('a', [['a', 32]], 1, trace), holdKvOnFinish: true }, 0);
      e.endStep(e.beginStep(0)!);
      expect([trace.get('a')!.finishedUs, e.numHeld, e.numRequests, e.hasWork]).toEqual([1320, 1, 1, false]);
      expect(e.kv.pool.numFree).toBe(999 - 2); // the 32 computed tokens' 2 blocks (the sampled token never gets a slot)
      e.checkInvariants();
      expect(e.releaseHeld('a', 2000)).toBe(true);
      expect(e.releaseHeld('a', 2000)).toBe(false);
      expect([e.numHeld, e.numRequests, e.kv.pool.numFree]).toEqual([0, 0, 999]);
      e.add({ ...spec('b', [['b', 32]], 1, trace), holdKvOnFinish: true }, 3000);
      e.endStep(3000 + e.beginStep(3000)!);
      expect(e.abortAll(5000)).toEqual([]); // nothing in flight, but the held blocks go
      expect([e.numHeld, e.kv.pool.numFree]).toEqual([0, 999]);
    });

    it('cancelStep abandons a step (a crash mid-step): the next beginStep is allowed', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine();
      e.add(spec('a', [['a', 32]], 2, trace), 0);
      expect(e.inStep).toBe(false);
      e.beginStep(0);
      e.cancelStep();
      expect(e.inStep).toBe(false);
      expect(e.beginStep(10)).toBe(1320); // the same prefill again: nothing was applied
    });

    it('records when a request is first scheduled, once', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine({ maxNumSeqs: 1 });
      const a = e.add(spec('a', [['a', 16]], 2, trace), 0);
      const b = e.add(spec('b', [['b', 16]], 1, trace), 0);
      let now = 0;
      for (let d = e.beginStep(now); d !== null; d = e.beginStep(now)) {
        now += d;
        e.endStep(now);
      }
      // a: prefill 1000 + 160 = 1160, decode 1005 → done at 2165, when b is first scheduled.
      expect(['firstScheduledUs' in a && a.firstScheduledUs, 'firstScheduledUs' in b && b.firstScheduledUs]).toEqual([0, 2165]);
    });

    it('a prompt whose prefix is all cached but its last token is a 1-token prefill, not a decode', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine();
      e.add(spec('a', [['doc', 33]], 1, trace), 0);
      e.endStep(e.beginStep(0)!); // 1000 + 330 = 1330
      // b: the same 33 tokens; 2 blocks hit (32 tokens), the 33rd is computed: 1000 + 10 × 1.
      e.add(spec('b', [['doc', 33]], 1, trace), 1330);
      expect(e.beginStep(1330)).toBe(1010);
      expect(e.currentShape).toMatchObject({ prefillSeqs: 1, prefillTokens: 1, decodeSeqs: 0, sampledSeqs: 1 });
      e.endStep(2340);
      expect(e.counters).toMatchObject({ prefillTokens: 34, decodeTokens: 0 });
    });

    it('a request aborted during its step gets no token, and the step still ends', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine();
      e.add(spec('a', [['a', 32]], 2, trace), 0);
      e.add(spec('b', [['b', 32]], 2, trace), 0);
      const d = e.beginStep(0)!;
      expect(e.currentShape.sampledSeqs).toBe(2);
      e.abort('a', 100);
      e.endStep(d);
      expect([trace.get('a')!.tokens, trace.get('b')!.tokens]).toEqual([[], [d]]);
      expect(e.counters).toMatchObject({ prefillTokens: 32, outputTokens: 1, aborted: 1 });
      e.checkInvariants();
    });

    it('a chunk that does not reach the end of the prompt samples nothing', () => {
      const trace = new Map<string, Trace>();
      const e = testEngine({ maxNumBatchedTokens: 100 });
      e.add(spec('a', [['a', 150]], 1, trace), 0);
      e.beginStep(0);
      expect(e.currentShape).toMatchObject({ prefillTokens: 100, sampledSeqs: 0 });
    });

    it('emptyTotals is all zeros', () => {
      expect(emptyTotals()).toEqual({ steps: 0, busyUs: 0, prefillTokens: 0, decodeTokens: 0, outputTokens: 0, preemptions: 0, finished: 0, aborted: 0, evictions: 0, prefixQueries: 0, prefixHits: 0 });
    });

    it('accepts a one-token prompt', () => {
      const trace = new Map<string, Trace>();
      expect(testEngine().add(spec('one', [['x', 1]], 1, trace), 0)).toMatchObject({ id: 'one', promptTokens: 1 });
    });
  });
});
