import { describe, expect, it } from 'vitest';
import { FcfsPolicy } from '../../policies/scheduling/fcfs.js';
import type { KvRequest } from '../../policies/kv/request.js';
import { LruEviction } from '../../policies/kv/eviction/lru.js';
import type { KvConnector } from './connector.js';
import { EngineCore } from './engine-core.js';
import { LinearCostModel, spec, testEngine, testEngineConfig, type Trace } from './testing.js';

/**
 * The scheduler through the engine (public methods and observable records only), with the
 * linear cost model: a step costs 1000 µs + 10 µs per prefill token + 5 µs per decode sequence.
 */

/** A KV connector whose loads are scripted per request: external tokens and load time. */
class ScriptedConnector implements KvConnector {
  readonly calls: string[] = [];
  constructor(readonly script: Record<string, { external: number; loadUs: number }>) {}
  matchedTokens(req: KvRequest): number {
    return this.script[req.id]?.external ?? 0;
  }
  startLoad(req: KvRequest, localTokens: number, externalTokens: number, nowUs: number): number {
    this.calls.push(`start ${req.id} local ${localTokens} external ${externalTokens} at ${nowUs}`);
    return nowUs + this.script[req.id]!.loadUs;
  }
  finishLoad(req: KvRequest, ok: boolean, nowUs: number): void {
    this.calls.push(`finish ${req.id} ${ok ? 'ok' : 'aborted'} at ${nowUs}`);
  }
  onBlocksComputed(req: KvRequest, fromBlock: number, toBlock: number, nowUs: number): void {
    this.calls.push(`computed ${req.id} blocks ${fromBlock}-${toBlock} at ${nowUs}`);
  }
}

const withConnector = (c: KvConnector) => new EngineCore(testEngineConfig(), new LinearCostModel(), new FcfsPolicy(), new LruEviction(), c);

describe('V1Scheduler: asynchronous KV loads (WAITING_FOR_REMOTE_KVS)', () => {
  it('waits for each load, resumes loaded requests in load-completion order with the last token to compute', () => {
    const trace = new Map<string, Trace>();
    const conn = new ScriptedConnector({ a: { external: 64, loadUs: 2000 }, b: { external: 64, loadUs: 5000 } });
    const e = withConnector(conn);
    const a = e.add(spec('a', [['a', 64]], 1, trace), 0);
    e.add(spec('b', [['b', 64]], 1, trace), 0);
    // Both leave the queue to load; nothing to compute, so no step.
    expect(e.beginStep(0)).toBeNull();
    expect([e.numLoading, e.numWaiting, e.nextWakeUs, e.pendingPrefillTokens]).toEqual([2, 0, 2000, 0]);
    expect('status' in a && a.status).toBe('waiting-kv');
    // At 2000 a's load is done: 64 tokens loaded, the last one recomputed: a 1-token prefill step.
    expect(e.beginStep(2000)).toBe(1010);
    expect(e.nextWakeUs).toBe(5000);
    e.endStep(3010);
    // Nothing runs until b's load is done.
    expect(e.beginStep(3010)).toBeNull();
    expect(e.beginStep(5000)).toBe(1010);
    e.endStep(6010);
    expect([trace.get('a')!.finishedUs, trace.get('b')!.finishedUs]).toEqual([3010, 6010]);
    expect(conn.calls).toEqual([
      'start a local 0 external 64 at 0', 'start b local 0 external 64 at 0',
      'finish a ok at 2000',
      // The step completing token 64 (block 3, 0-based) of a's 65-token sequence.
      'computed a blocks 3-4 at 3010',
      'finish b ok at 5000', 'computed b blocks 3-4 at 6010',
    ]);
    // Prefix stats are recorded once per request, when its load starts (128 queried, 0 hit locally).
    expect([e.kv.stats.requests, e.kv.stats.queries, e.kv.stats.hits]).toEqual([2, 128, 0]);
    expect(e.totals()).toMatchObject({ steps: 2, busyUs: 2020, prefillTokens: 2, outputTokens: 2 });
    expect([e.numLoading, e.nextWakeUs, e.hasWork]).toEqual([0, Infinity, false]);
    e.checkInvariants();
  });

  it('a partial load: the loaded tokens count as computed and the rest is prefilled', () => {
    const trace = new Map<string, Trace>();
    const conn = new ScriptedConnector({ a: { external: 32, loadUs: 100 } });
    const e = withConnector(conn);
    e.add(spec('a', [['a', 64]], 1, trace), 0);
    expect(e.beginStep(0)).toBeNull();
    expect(e.pendingPrefillTokens).toBe(32); // 64 − 32 loading
    // 32 of 64 loaded: 32 prefilled, 1000 + 10 × 32 = 1320 µs.
    expect(e.beginStep(100)).toBe(1320);
    e.endStep(1420);
    expect(conn.calls).toEqual(['start a local 0 external 32 at 0', 'finish a ok at 100', 'computed a blocks 2-4 at 1420']);
  });

  it('aborting a request while it loads ends the load (not ok) and frees its blocks', () => {
    const trace = new Map<string, Trace>();
    const conn = new ScriptedConnector({ a: { external: 64, loadUs: 2000 }, b: { external: 64, loadUs: 3000 } });
    const e = withConnector(conn);
    e.add(spec('a', [['a', 64]], 1, trace), 0);
    e.add(spec('b', [['b', 64]], 1, trace), 0);
    e.beginStep(0);
    expect(e.kv.pool.numFree).toBe(999 - 8); // the whole prompt's 4 blocks each
    e.abort('a', 500);
    expect([e.numLoading, e.nextWakeUs, e.kv.pool.numFree]).toEqual([1, 3000, 999 - 4]);
    expect(conn.calls.at(-1)).toBe('finish a aborted at 500');
    e.checkInvariants();
  });
});

describe('V1Scheduler: batches', () => {
  it('chunks long prefills at longPrefillTokenThreshold, for new and running requests', () => {
    const trace = new Map<string, Trace>();
    const e = testEngine({ longPrefillTokenThreshold: 100 });
    e.add(spec('a', [['a', 250]], 1, trace), 0);
    const chunks: number[] = [];
    let now = 0;
    for (let d = e.beginStep(now); d !== null; d = e.beginStep(now)) {
      chunks.push(e.currentShape.prefillTokens);
      now += d;
      e.endStep(now);
    }
    expect(chunks).toEqual([100, 100, 50]);
  });

  it('preempts the last running request for the first one and still schedules the first in that step; no admission after a preemption', () => {
    // 9 usable blocks: a (48 tokens, 3 blocks) and b (96 tokens, 6 blocks) fill them.
    const trace = new Map<string, Trace>();
    const e = testEngine({ numBlocks: 10, maxNumBatchedTokens: 4096 });
    e.add(spec('a', [['a', 48]], 5, trace), 0);
    e.add(spec('b', [['b', 96]], 5, trace), 0);
    const d1 = e.beginStep(0)!; // both prefill: 1000 + 10 × 144 = 2440
    expect(d1).toBe(2440);
    e.endStep(2440);
    e.add(spec('c', [['c', 16]], 1, trace), 2440); // waits: admission stops once this step preempted
    // a's 49th token needs a 4th block, none is free: FCFS preempts b (the last running) and a fits.
    e.beginStep(2440);
    expect(e.scheduler.batch.scheduled.map((r) => r.id)).toEqual(['a']);
    expect(e.scheduler.batch.preempted.map((r) => r.id)).toEqual(['b']);
    expect(e.get('b')).toMatchObject({ status: 'preempted', numComputedTokens: 0, preemptions: 1 });
    expect(e.currentShape).toMatchObject({ decodeSeqs: 1, prefillSeqs: 0 });
    expect(e.numWaiting).toBe(2); // b (front) and c
  });

  it('a policy naming a victim out of range is an error naming the policy', () => {
    const trace = new Map<string, Trace>();
    const bad = Object.assign(new FcfsPolicy(), { name: 'bad', preemptionVictim: () => 7 });
    // 6 usable blocks, taken by a and b (48 tokens, 3 blocks each); a's 49th token needs a 4th.
    const e = testEngine({ numBlocks: 7, maxNumBatchedTokens: 4096 }, bad);
    e.add(spec('a', [['a', 48]], 5, trace), 0);
    e.add(spec('b', [['b', 48]], 5, trace), 0);
    e.endStep(e.beginStep(0)!);
    expect(() => e.beginStep(3000)).toThrow('bad: preemption victim 7 out of range');
  });

  it('marks requests finished, and removes an aborted waiting request from the queue', () => {
    const trace = new Map<string, Trace>();
    const e = testEngine({ maxNumSeqs: 1 });
    const a = e.add(spec('a', [['a', 16]], 1, trace), 0);
    e.add(spec('b', [['b', 16]], 1, trace), 0);
    e.endStep(e.beginStep(0)!);
    expect('status' in a && a.status).toBe('finished');
    expect(e.numWaiting).toBe(1);
    const b = e.abort('b', 2000);
    expect([b?.status, e.numWaiting, e.hasWork]).toEqual(['aborted', 0, false]);
    e.checkInvariants();
  });
});
