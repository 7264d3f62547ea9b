import { ensure, ensureSame, throws, type ConformanceCheck } from '../../policies/conformance.js';
import { SeededRng } from '../../policies/rng.js';
import type { DeclaredHints } from '../../policies/types.js';
import { KvCacheManager } from '../engine/kv-cache-manager.js';
import { LruEviction } from '../../policies/kv/eviction/lru.js';
import type { SchedRequest, SchedulerLimits, SchedulingPolicy } from '../../policies/scheduling/types.js';
import { V1Scheduler } from '../engine/v1-scheduler.js';
import { schedRequest } from '../../policies/scheduling/testing.js';

export { schedRequest } from '../../policies/scheduling/testing.js';

const BS = 16;


/** One step's invariants, or a description of what broke. */
function checkStep(s: V1Scheduler, limits: SchedulerLimits): string | undefined {
  const b = s.batch;
  let sum = 0;
  const seen = new Set<SchedRequest>();
  for (const r of b.scheduled) {
    if (seen.has(r)) return `request ${r.id} scheduled twice`;
    seen.add(r);
    if (r.numScheduledTokens <= 0) return `request ${r.id} in the batch with ${r.numScheduledTokens} tokens`;
    if (r.status !== 'running') return `request ${r.id} in the batch with status ${r.status}`;
    sum += r.numScheduledTokens;
  }
  if (sum !== b.tokens) return `batch tokens ${b.tokens} but requests sum to ${sum}`;
  if (b.tokens > limits.maxNumBatchedTokens) return `batch of ${b.tokens} tokens exceeds the budget ${limits.maxNumBatchedTokens}`;
  if (s.running.length > limits.maxNumSeqs) return `${s.running.length} running exceeds maxNumSeqs ${limits.maxNumSeqs}`;
  return undefined;
}

/**
 * Drive the real V1Scheduler + KvCacheManager (LRU) with `policy` over a random stream of
 * workflow calls with hints, applying each step like the engine does. Throws on a broken
 * invariant; returns the trace of (step, scheduled ids) and how many requests finished.
 */
export function drive(policy: SchedulingPolicy, seed: number, opts: { numBlocks?: number; requests?: number } = {}): { trace: string[]; finished: number; preemptions: number } {
  const limits: SchedulerLimits = { maxNumBatchedTokens: 96, maxNumSeqs: 5, maxModelLen: 1024, longPrefillTokenThreshold: 0 };
  const kv = new KvCacheManager({ numBlocks: opts.numBlocks ?? 40, blockSize: BS, enablePrefixCaching: true, maxModelLen: 1024 }, new LruEviction());
  const s = new V1Scheduler(limits, kv, policy);
  const rng = new SeededRng(seed);
  const total = opts.requests ?? 80;
  const trace: string[] = [];
  let now = 0;
  let added = 0;
  let finished = 0;
  for (let step = 0; step < 20_000 && finished < total; step++) {
    now += 1000 + rng.int(20_000);
    while (added < total && rng.float() < 0.5) {
      const wf = `wf${rng.int(8)}`;
      const hints: DeclaredHints = { attainedServiceUs: rng.int(500_000), criticalPathServiceUs: rng.int(300_000), stepsToReuse: rng.int(4) };
      s.add(schedRequest(`r${added}`, added, now, { promptTokens: 20 + rng.int(200), wf, priority: rng.int(3), hints }));
      added++;
    }
    const b = s.schedule(now);
    const err = checkStep(s, limits);
    if (err) throw new Error(`step ${step}: ${err}`);
    trace.push(b.scheduled.map((r) => `${r.id}:${r.numScheduledTokens}`).join(','));
    now += 500;
    for (const r of b.scheduled) {
      r.numComputedTokens += r.numScheduledTokens;
      if (r.numComputedTokens < r.numTokens) continue;
      r.numOutputTokens++;
      r.numTokens++;
      if (r.numOutputTokens >= (r as SchedRequest & { outputTokens: number }).outputTokens) {
        s.finish(r, now);
        finished++;
      }
    }
    s.compactRunning();
    kv.pool.checkConservation();
  }
  return { trace, finished, preemptions: s.preemptions };
}

/** The checks every scheduling policy passes (scheduling-policies.suite.ts, `agentbench check-policy`). */
export const SCHEDULING_CHECKS: readonly ConformanceCheck<SchedulingPolicy, 'determinism'>[] = [
  {
    title: 'never exceeds the token budget or the seats, and serves every request',
    run(make) {
      for (const seed of [1, 2]) {
        const r = drive(make(), seed);
        ensure(r.finished === 80, `seed ${seed}: ${r.finished} of 80 requests finished`);
      }
    },
  },
  {
    title: 'stays within limits under KV pressure that forces preemptions',
    run(make) {
      const r = drive(make(), 3, { numBlocks: 20 });
      ensure(r.finished === 80, `${r.finished} of 80 requests finished`);
      ensure(r.preemptions > 0, 'no preemption with 20 KV blocks (the check needs KV pressure)');
    },
  },
  {
    title: 'the queue holds exactly the waiting requests',
    run(make) {
      const q = make().newQueue();
      const reqs = [0, 1, 2, 3].map((i) => schedRequest(`q${i}`, i, i * 10, { wf: `w${i % 2}` }));
      for (const r of reqs) q.add(r);
      const sizeAfterAdd: number = q.size;
      ensure(sizeAfterAdd === 4, `size ${sizeAfterAdd} after adding 4`);
      ensure(q.remove(reqs[2]!), 'remove() of a queued request returned false');
      ensure(!q.remove(reqs[2]!), 'remove() of a removed request returned true');
      const out = new Set([q.pop(), q.pop(), q.pop()]);
      ensure(out.size === 3 && [0, 1, 3].every((i) => out.has(reqs[i]!)), `pop() returned ${[...out].map((r) => r.id).join(', ')}, expected q0, q1, q3 in some order`);
      const sizeAfterPop: number = q.size;
      ensure(sizeAfterPop === 0, `size ${sizeAfterPop} after popping every request`);
      ensure(q.peek() === undefined, 'peek() of an empty queue returned a request');
      ensure(throws(() => q.pop()), 'pop() of an empty queue did not throw');
    },
  },
  {
    title: 'is deterministic',
    skippable: 'determinism',
    run(make) {
      ensureSame(drive(make(), 9).trace, drive(make(), 9).trace, 'batches');
    },
  },
];
