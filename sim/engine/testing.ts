import { hashBlocks, hashString, type TokenRun } from '../../policies/kv/hash.js';
import { LruEviction } from '../../policies/kv/eviction/lru.js';
import { FcfsPolicy } from '../../policies/scheduling/fcfs.js';
import type { SchedulingPolicy } from '../../policies/scheduling/types.js';
import type { CostModel, StepShape } from '../cost-model/types.js';
import { EngineCore, type EngineConfig } from './engine-core.js';
import type { EngineListener, EngineRequest } from './engine-request.js';

/**
 * A cost model whose step times are easy to compute by hand:
 * baseUs + perPrefillTokenUs × prefill tokens + perDecodeUs × decode sequences.
 */
export class LinearCostModel implements CostModel {
  readonly name = 'linear';
  constructor(readonly baseUs = 1000, readonly perPrefillTokenUs = 10, readonly perDecodeUs = 5) {}
  stepTimeUs(s: Readonly<StepShape>): number {
    return this.baseUs + this.perPrefillTokenUs * s.prefillTokens + this.perDecodeUs * s.decodeSeqs;
  }
}

/** Engine configuration for tests (small, explicit). */
export function testEngineConfig(over: Partial<EngineConfig> = {}): EngineConfig {
  return {
    numBlocks: 1000, blockSize: 16, enablePrefixCaching: true, maxModelLen: 8192,
    maxNumBatchedTokens: 512, maxNumSeqs: 64, longPrefillTokenThreshold: 0, ...over,
  };
}

/** What a test listener saw for one request. */
export interface Trace {
  tokens: number[];
  finishedUs: number;
}

/**
 * How {@link testEngine} builds engines when not told: tests that step engines run once per
 * path by setting it (e.g. in a `describe.each` over both), so the fast path meets them too.
 */
export const testEngineSteps: { fastSteps: boolean } = { fastSteps: true };

/** Build an engine with the LRU free queue and the given policy. */
export function testEngine(
  over: Partial<EngineConfig> = {}, policy: SchedulingPolicy = new FcfsPolicy(), cost: CostModel = new LinearCostModel(),
  fastSteps = testEngineSteps.fastSteps,
): EngineCore {
  return new EngineCore(testEngineConfig(over), cost, policy, new LruEviction(), null, { fastSteps });
}

/** A request spec over named content runs, recording tokens into `trace`. */
export function spec(id: string, runs: [string, number][], outputTokens: number, trace: Map<string, Trace>, extra: { priority?: number; blockSize?: number } = {}) {
  const tokenRuns: TokenRun[] = runs.map(([label, length]) => ({ key: hashString(label), start: 0, length }));
  const promptTokens = tokenRuns.reduce((s, r) => s + r.length, 0);
  const all = [...tokenRuns, { key: hashString(`out:${id}`), start: 0, length: outputTokens }];
  const t: Trace = { tokens: [], finishedUs: NaN };
  trace.set(id, t);
  const listener: EngineListener = {
    onToken: (_r: EngineRequest, now: number) => t.tokens.push(now),
    onFinished: (_r: EngineRequest, now: number) => {
      t.finishedUs = now;
    },
  };
  return { id, promptTokens, blockHashes: hashBlocks(all, extra.blockSize ?? 16), outputTokens, priority: extra.priority, listener };
}

/** Step an engine to completion the way SimInstance does; returns the end time. */
export function drain(engine: EngineCore, startUs = 0, maxSteps = 1_000_000, onStep?: (nowUs: number) => void): number {
  let now = startUs;
  for (let i = 0; i < maxSteps; i++) {
    const d = engine.beginStep(now);
    if (d === null) return now;
    now += d;
    engine.endStep(now);
    onStep?.(now);
  }
  throw new Error('drain: step limit reached');
}
