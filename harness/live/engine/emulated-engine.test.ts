import { describe, expect, it } from 'vitest';
import { LruEviction } from '../../../policies/kv/eviction/lru.js';
import { FcfsPolicy } from '../../../policies/scheduling/fcfs.js';
import { LinearCostModel, testEngineConfig } from '../../../sim/engine/testing.js';
import { WallClock } from '../wall-clock.js';
import { EmulatedEngine, type EmulatedRequest } from './emulated-engine.js';

// A linear cost model with the simulator's front end (SimRouter charges the same before the engine).
class WithFrontend extends LinearCostModel {
  frontendUs(promptTokens: number): number {
    return 20_000 + promptTokens; // 20 ms + 1 µs per prompt token
  }
}

function engine(): EmulatedEngine {
  return new EmulatedEngine({
    clock: new WallClock(), modelName: 'test',
    makeCore: EmulatedEngine.coreFactory(testEngineConfig(), new WithFrontend(), () => new FcfsPolicy(), () => new LruEviction()),
  });
}

function request(promptTokens: number, outputTokens: number, listener: EmulatedRequest['listener']): EmulatedRequest {
  return {
    promptIds: Array.from({ length: promptTokens }, (_, i) => 1000 + i), outputIds: Array.from({ length: outputTokens }, (_, i) => 7 + i),
    stopReason: 'length', listener,
  };
}

describe('EmulatedEngine: the API server front end before the engine core', () => {
  it('hands a request to the core only after frontendUs; its first token comes after front end + prefill', async () => {
    const e = engine();
    const sentUs = e.clock.nowUs();
    const tokensUs: number[] = [];
    const done = new Promise<void>((resolve) => {
      const r = e.submit(request(100, 3, { onToken: (_i, nowUs) => tokensUs.push(nowUs), onFinished: () => resolve() }));
      expect('id' in r).toBe(true);
    });
    // In the front end: counted in flight, not yet in the core.
    expect(e.inflight).toBe(1);
    expect(e.core.numRequests).toBe(0);
    await done;
    // Front end 20,000 + 100 = 20,100 µs, then the prefill step: 1,000 + 10 × 100 = 2,000 µs.
    // A timer never fires early, so 22,100 µs is a lower bound on any machine; the upper bound
    // leaves a loaded machine 1 s of slack.
    expect(tokensUs[0]! - sentUs).toBeGreaterThanOrEqual(22_100);
    expect(tokensUs[0]! - sentUs).toBeLessThan(1_022_100);
    expect(tokensUs).toHaveLength(3);
    e.close();
  });

  it('an aborted request still in the front end never reaches the core', async () => {
    const e = engine();
    const r = e.submit(request(50, 2, { onToken: () => { throw new Error('no token expected'); }, onFinished: () => { throw new Error('no finish expected'); } }));
    if (!('id' in r)) throw new Error(r.reject);
    e.abort(r.id);
    expect(e.inflight).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 60)); // past its 20,050 µs front end
    expect(e.core.numRequests).toBe(0);
    expect(e.core.totals().aborted).toBe(0); // the core never saw it to abort it
    e.close();
  });

  it('refuses at once what the core would refuse (vLLM answers 400 from the front end)', () => {
    const e = engine();
    const r = e.submit(request(9000, 1, { onToken: () => {}, onFinished: () => {} }));
    expect(r).toEqual({ reject: 'prompt of 9000 tokens exceeds max_model_len 8192' });
    expect(e.inflight).toBe(0);
    e.close();
  });
});
