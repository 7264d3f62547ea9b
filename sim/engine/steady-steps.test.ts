import { describe, expect, it } from 'vitest';
import { LruEviction } from '../../policies/kv/eviction/lru.js';
import { SeededRng } from '../../policies/rng.js';
import { KvCacheManager } from './kv-cache-manager.js';
import { FcfsPolicy } from '../../policies/scheduling/fcfs.js';
import type { SchedulingPolicy } from '../../policies/scheduling/types.js';
import type { EngineCore } from './engine-core.js';
import { spec, testEngine, type Trace } from './testing.js';

// The fast path's pieces with hand-worked values (linear cost model: 1000 µs + 10 µs per prefill
// token + 5 µs per decode sequence; 16-token blocks).

/** A decoding request as the KV manager sees it: `tokens` in all, every one but the last computed. */
function decoding(tokens: number, blocks: number, cached: number, hashes = 100) {
  return {
    id: 'r', priority: 0, numTokens: tokens, numComputedTokens: tokens - 1, blockHashes: Array.from({ length: hashes }, (_, i) => i + 1),
    blocks: Array.from({ length: blocks }, (_, i) => i + 1), numCachedBlocks: cached, preemptions: 0,
  };
}

describe('KvCacheManager.decodeNeedsSlots', () => {
  const kv = (caching = true) => new KvCacheManager({ numBlocks: 200, blockSize: 16, enablePrefixCaching: caching, maxModelLen: 8192 }, new LruEviction());

  it('is true exactly at block boundaries: a new block at token 16k+1, caching at token 16k', () => {
    // 33 tokens need ceil(33/16) = 3 blocks; 2 held → a new block.
    expect(kv().decodeNeedsSlots(decoding(33, 2, 2))).toBe(true);
    // 32 tokens fill 2 blocks: floor(32/16) = 2 > 1 cached → cache the second.
    expect(kv().decodeNeedsSlots(decoding(32, 2, 1))).toBe(true);
    // 34 tokens: 3 blocks held (ceil 34/16 = 3), 2 full and cached → nothing to do.
    expect(kv().decodeNeedsSlots(decoding(34, 3, 2))).toBe(false);
    // Without prefix caching the full block is not cached: only new blocks count.
    expect(kv(false).decodeNeedsSlots(decoding(32, 2, 0))).toBe(false);
    // Past the request's hashed blocks (2 hashes) nothing more is cached: min(floor(48/16), 2) = 2.
    expect(kv().decodeNeedsSlots(decoding(48, 3, 2, 2))).toBe(false);
  });

  it('when false, allocateSlots for one decode token changes nothing (random decode states)', () => {
    const rng = new SeededRng('decode-needs-slots');
    for (let i = 0; i < 2000; i++) {
      const m = kv(rng.float() < 0.8);
      const tokens = 2 + rng.int(200);
      const blocks = Math.ceil((tokens - 1) / 16) + rng.int(2); // enough for the computed tokens, maybe one more
      const r = decoding(tokens, blocks, Math.min(blocks, Math.floor((tokens - 1) / 16)) - rng.int(2), 1 + rng.int(20));
      if (r.numCachedBlocks < 0) r.numCachedBlocks = 0;
      const before = JSON.stringify({ b: r.blocks, c: r.numCachedBlocks, f: m.pool.numFree });
      // Blocks 1..n are not the pool's: only the count and caching arithmetic matter here.
      const needs = m.decodeNeedsSlots(r);
      if (needs) continue;
      expect(m.allocateSlots(r, 1, 0, [], 0)).toBe(true);
      expect(JSON.stringify({ b: r.blocks, c: r.numCachedBlocks, f: m.pool.numFree })).toBe(before);
    }
  });
});

interface Run {
  readonly engine: EngineCore;
  readonly trace: Map<string, Trace>;
  readonly preempted: string[];
}

/** Step an engine to completion like SimInstance, recording preemptions and checking invariants. */
function run(fastSteps: boolean, over: Parameters<typeof testEngine>[0], add: (e: EngineCore, trace: Map<string, Trace>) => void, between?: (e: EngineCore, step: number, nowUs: number, trace: Map<string, Trace>) => void): Run {
  const trace = new Map<string, Trace>();
  const engine = testEngine(over, undefined, undefined, fastSteps);
  add(engine, trace);
  const preempted: string[] = [];
  let now = 0;
  for (let step = 0; step < 10_000; step++) {
    between?.(engine, step, now, trace);
    const d = engine.beginStep(now);
    if (d === null) {
      // Idle: wait for the next arrival when a schedule of them is given (steps 0–299).
      if (between === undefined || step >= 300) break;
      now += 1000;
      continue;
    }
    for (const r of engine.scheduler.batch.preempted) preempted.push(r.id);
    now += d;
    engine.endStep(now);
    engine.checkInvariants();
  }
  return { engine, trace, preempted };
}

/** Both paths on the same input: same tokens, times, counters and preemptions. */
function both(over: Parameters<typeof testEngine>[0], add: (e: EngineCore, trace: Map<string, Trace>) => void, between?: (e: EngineCore, step: number, nowUs: number, trace: Map<string, Trace>) => void): { fast: Run; ref: Run } {
  const fast = run(true, over, add, between);
  const ref = run(false, over, add, between);
  expect([...fast.trace]).toEqual([...ref.trace]);
  expect(fast.engine.totals()).toEqual(ref.engine.totals());
  expect(fast.preempted).toEqual(ref.preempted);
  expect(ref.engine.steadySteps).toBe(0);
  return { fast, ref };
}

describe('EngineCore steady decode steps (fast path) against the reference', () => {
  it('two requests: the prefill step is a full pass, every decode step after it is fast', () => {
    const { fast } = both({}, (e, t) => {
      e.add(spec('a', [['a', 100]], 5, t), 0);
      e.add(spec('b', [['b', 100]], 3, t), 0);
    });
    // Step 1 (full pass) prefills 200 tokens: 1000 + 2000 = 3000 µs, both first tokens at 3000.
    // Step 2 (fast: both finished their prefill, so each decodes one token): 1010 µs → 4010.
    // Step 3 fast, 1010 µs → 5020: b's third token, b finishes.
    // Steps 4 and 5 fast, a alone, 1005 µs each → 6025, 7030.
    expect(fast.trace.get('a')!.tokens).toEqual([3000, 4010, 5020, 6025, 7030]);
    expect(fast.trace.get('b')!.tokens).toEqual([3000, 4010, 5020]);
    expect(fast.engine.steadySteps).toBe(4);
  });

  it('a request arriving while others decode is admitted in a fast step, after their tokens', () => {
    const { fast } = both({}, (e, t) => {
      e.add(spec('a', [['a', 40]], 4, t), 0);
    }, (e, step, now, t) => {
      if (step === 2) e.add(spec('b', [['b', 40]], 2, t), now);
    });
    // Step 1 (full pass): a's prefill, 1000 + 400 = 1400. Step 2 (fast): a decodes, 1005 → 2405;
    // b arrives. Step 3 (fast): a decodes and b's 40-token prompt is admitted after it:
    // 1000 + 400 + 5 = 1405 → 3810. Step 4 (fast): both decode, 1010 → 4820; both finish.
    expect(fast.trace.get('a')!.tokens).toEqual([1400, 2405, 3810, 4820]);
    expect(fast.trace.get('b')!.tokens).toEqual([3810, 4820]);
    expect(fast.engine.steadySteps).toBe(3);
  });

  it('a chunked prefill keeps the next step on the full pass until its prompt is done', () => {
    const { fast } = both({ maxNumBatchedTokens: 32 }, (e, t) => {
      e.add(spec('a', [['a', 50]], 3, t), 0);
    });
    // Step 1 (full): 32 of 50 prompt tokens, 1000 + 320 = 1320. Step 2 (full: a was mid-prefill):
    // the other 18, 1000 + 180 = 1180 → 2500, first token. Steps 3 and 4 fast: 1005 each.
    expect(fast.trace.get('a')!.tokens).toEqual([2500, 3505, 4510]);
    expect(fast.engine.steadySteps).toBe(2);
  });

  it('an abort between steps sends the next step through the full pass; an arrival does not', () => {
    const { fast } = both({}, (e, t) => {
      e.add(spec('a', [['a', 20]], 30, t), 0);
      e.add(spec('b', [['b', 20]], 30, t), 0);
    }, (e, step, now) => {
      if (step === 6) e.add(spec('c', [['c', 20]], 3, new Map()), now);
      if (step === 12) e.abort('b', now);
    });
    // 30 steps of a: the first (a and b's prefill) and the one after the abort are full passes;
    // c's prefill joins a fast step (its 20 tokens fit the budget), its decodes are fast too.
    expect(fast.engine.counters.steps).toBe(30);
    expect(fast.engine.steadySteps).toBe(30 - 2);
  });

  it('when a block boundary finds no free block, the step falls back to the full pass and preempts like the reference', () => {
    // 9 usable blocks: a and b (48-token prompts, 3 blocks each) and c (1 block) then grow
    // until a boundary finds the free set empty.
    const { fast, ref } = both({ numBlocks: 10, maxNumBatchedTokens: 4096 }, (e, t) => {
      e.add(spec('a', [['a', 48]], 40, t), 0);
      e.add(spec('b', [['b', 48]], 40, t), 0);
      e.add(spec('c', [['c', 16]], 30, t), 0);
    });
    expect(ref.preempted[0]).toBe('c');
    expect(fast.engine.counters.preemptions).toBeGreaterThan(0);
    expect(fast.engine.steadySteps).toBeGreaterThan(0);
  });

  it('a policy\'s per-step hooks see what they see in the full pass (scheduled tokens zeroed, then the batch)', () => {
    const seen = (fastSteps: boolean): string[] => {
      const log: string[] = [];
      const fcfs = new FcfsPolicy();
      const policy: SchedulingPolicy = {
        name: 'logging-fcfs',
        newQueue: () => fcfs.newQueue(),
        preemptionVictim: (running) => fcfs.preemptionVictim(running),
        beforeSchedule: () => log.push(`before ${e.scheduler.running.map((r) => `${r.id}:${r.numScheduledTokens}`).join(' ')}`),
        onScheduled: (batch) => log.push(`batch ${batch.map((r) => `${r.id}:${r.numScheduledTokens}`).join(' ')}`),
      };
      const e = testEngine({}, policy, undefined, fastSteps);
      const t = new Map<string, Trace>();
      e.add(spec('a', [['a', 30]], 4, t), 0);
      let now = 0;
      for (let step = 0; ; step++) {
        if (step === 2) e.add(spec('b', [['b', 20]], 2, t), now);
        const d = e.beginStep(now);
        if (d === null) break;
        now += d;
        e.endStep(now);
      }
      return log;
    };
    const fast = seen(true);
    expect(fast).toEqual(seen(false));
    // Step 3 admits b (20-token prompt) after a's decode token; before it every count reads 0.
    expect(fast.slice(4, 6)).toEqual(['before a:0', 'batch a:1 b:20']);
  });

  it('random load (arrivals, aborts, tiny caches, token budgets): identical to the reference step for step', () => {
    const rng = new SeededRng('steady-random');
    let steady = 0;
    for (let trial = 0; trial < 40; trial++) {
      const over = {
        numBlocks: [12, 40, 400][rng.int(3)]!, maxNumSeqs: [2, 8, 64][rng.int(3)]!,
        maxNumBatchedTokens: [32, 512][rng.int(2)]!, blockSize: [4, 16][rng.int(2)]!,
        enablePrefixCaching: rng.float() < 0.8,
      };
      // A schedule of arrivals (shared prefixes) and aborts, drawn once and replayed on both paths.
      const events = Array.from({ length: 60 }, (_, i) => ({
        step: rng.int(300), id: `r${i}`, doc: `d${rng.int(4)}`, prompt: 1 + rng.int(40), out: 1 + rng.int(60),
        abort: rng.float() < 0.1 ? `r${rng.int(60)}` : null,
      }));
      const { fast } = both(over, () => {}, (e, step, now, trace) => {
        for (const ev of events) {
          if (ev.step !== step) continue;
          if (ev.abort !== null) e.abort(ev.abort, now);
          else e.add(spec(ev.id, [[ev.doc, ev.prompt]], ev.out, trace, { blockSize: over.blockSize }), now);
        }
      });
      steady += fast.engine.steadySteps;
    }
    expect(steady).toBeGreaterThan(1000);
  });
});

describe('EngineCore bulk tokens (BulkTokenSink)', () => {
  /** Two requests stepped with a sink that is ready unless `unreachableSteps` holds the step number (1-based). */
  function withSink(fastSteps: boolean, unreachableSteps: readonly number[] = []) {
    const trace = new Map<string, Trace>();
    const e = testEngine({}, undefined, undefined, fastSteps);
    const bulk: [number, number, number][] = [];
    let step = 0;
    e.tokenSink = { ready: () => !unreachableSteps.includes(step), tokens: (now, gap, n) => bulk.push([now, gap, n]) };
    e.add(spec('a', [['a', 100]], 5, trace), 0);
    e.add(spec('b', [['b', 100]], 3, trace), 0);
    let now = 0;
    for (;;) {
      const d = e.beginStep(now);
      if (d === null) break;
      step++;
      now += d;
      e.endStep(now);
    }
    return { bulk, tokens: (id: string) => trace.get(id)!.tokens };
  }

  it('hands over tokens whose request got its previous token at the last step end; first and last tokens go one by one', () => {
    const { bulk, tokens } = withSink(true);
    // Steps end at 3000 (prefill: first tokens, one by one), 4010, 5020 (b's last), 6025, 7030 (a's last).
    // At 4010 both previous tokens came at 3000: 2 in bulk, gap 1010. At 5020 a in bulk, b
    // finishes (one by one); at 6025 a in bulk (gap 1005); at 7030 a finishes.
    expect(bulk).toEqual([[4010, 1010, 2], [5020, 1010, 1], [6025, 1005, 1]]);
    expect(tokens('a')).toEqual([3000, 7030]);
    expect(tokens('b')).toEqual([3000, 5020]);
  });

  it('nothing in bulk on the reference path, nor in a step whose answers, or the last step\'s, did not reach the client', () => {
    expect(withSink(false).bulk).toEqual([]);
    expect(withSink(false).tokens('a')).toEqual([3000, 4010, 5020, 6025, 7030]);
    // Step 2 (ends 4010) unreachable: its tokens and step 3's (the last step's were held) go one by one.
    const { bulk, tokens } = withSink(true, [2]);
    expect(bulk).toEqual([[6025, 1005, 1]]);
    expect(tokens('a')).toEqual([3000, 4010, 5020, 7030]);
  });

  it('marks each bulk token on its request (the client reads its last sign of life there)', () => {
    const e = testEngine({}, undefined, undefined, true);
    e.tokenSink = { ready: () => true, tokens: () => {} };
    const r = e.add(spec('c', [['c', 10]], 4, new Map()), 0);
    if ('reject' in r) throw new Error(r.reject);
    let now = 0;
    const seen: number[] = [];
    for (let d = e.beginStep(now); d !== null; d = e.beginStep(now)) {
      now += d;
      e.endStep(now);
      seen.push(r.bulkTokenUs);
    }
    // Prefill 1000 + 100 = 1100 (first token), then decodes of 1005 µs: 2105 and 3110 in bulk, 4115 the last.
    expect(seen).toEqual([-1, 2105, 3110, 3110]);
  });
});
