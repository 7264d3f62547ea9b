import { describe, expect, it } from 'vitest';
import { instantiate } from '../../policies/registry.js';
import { KvCacheManager } from './kv-cache-manager.js';
import { LruEviction } from '../../policies/kv/eviction/lru.js';
import { SCHEDULING_POLICIES } from '../../policies/scheduling/registry.js';
import { runSchedulingSuite, schedRequest } from './scheduling-policies.suite.js';
import type { SchedRequest, SchedulingPolicy } from '../../policies/scheduling/types.js';
import { V1Scheduler } from './v1-scheduler.js';

const make = (kind: string, options: Record<string, unknown> = {}): SchedulingPolicy =>
  instantiate<SchedulingPolicy>(SCHEDULING_POLICIES, { kind, options }, { blockSize: 16 }, 'scheduling policy');

for (const kind of Object.keys(SCHEDULING_POLICIES)) runSchedulingSuite(kind, { make: () => make(kind) });

/** A scheduler with room for `seats` requests and a large budget. */
function scheduler(policy: SchedulingPolicy, seats: number): V1Scheduler {
  const kv = new KvCacheManager({ numBlocks: 400, blockSize: 16, enablePrefixCaching: true, maxModelLen: 4096 }, new LruEviction());
  return new V1Scheduler({ maxNumBatchedTokens: 100_000, maxNumSeqs: seats, maxModelLen: 4096, longPrefillTokenThreshold: 0 }, kv, policy);
}

const ids = (rs: readonly SchedRequest[]) => rs.map((r) => r.id);

describe('workflow-batching', () => {
  it('lets a running workflow\'s call jump older requests, within the boost', () => {
    const p = make('workflow-batching', { batchingPreference: 1, maxBoostMs: 2 });
    const s = scheduler(p, 2);
    s.add(schedRequest('a1', 0, 0, { wf: 'A' }));
    s.schedule(0); // a1 runs: workflow A is running here
    s.add(schedRequest('b1', 1, 1000, { wf: 'B' }));
    s.add(schedRequest('a2', 2, 2500, { wf: 'A' })); // 1.5 ms younger than b1, boosted by 2 ms
    expect(ids(s.schedule(3000).scheduled)).toEqual(['a1', 'a2']);
    expect(p.stats?.()).toMatchObject({ preferredAdmissions: 1, fcfsAdmissions: 1, workflowBatches: 1, mixedBatches: 1 });
  });

  it('is FCFS at preference 0, and beyond the boost', () => {
    for (const [pref, arrival] of [[0, 2500], [1, 3500]] as const) {
      const s = scheduler(make('workflow-batching', { batchingPreference: pref, maxBoostMs: 2 }), 2);
      s.add(schedRequest('a1', 0, 0, { wf: 'A' }));
      s.schedule(0);
      s.add(schedRequest('b1', 1, 1000, { wf: 'B' }));
      s.add(schedRequest('a2', 2, arrival, { wf: 'A' }));
      expect(ids(s.schedule(4000).scheduled)).toEqual(['a1', 'b1']);
    }
  });

  it('stops preferring a workflow at maxWorkflowBatchSize', () => {
    const s = scheduler(make('workflow-batching', { maxWorkflowBatchSize: 2, batchingPreference: 1 }), 3);
    s.add(schedRequest('a1', 0, 0, { wf: 'A' }));
    s.add(schedRequest('a2', 1, 0, { wf: 'A' }));
    s.schedule(0);
    s.add(schedRequest('b1', 2, 1000, { wf: 'B' }));
    s.add(schedRequest('a3', 3, 1500, { wf: 'A' }));
    expect(ids(s.schedule(2000).scheduled)).toEqual(['a1', 'a2', 'b1']);
  });
});

describe('plas / atlas (Autellix)', () => {
  it('plas serves the workflow with the least attained service first, FCFS within a level', () => {
    const s = scheduler(make('plas'), 1);
    s.add(schedRequest('heavy', 0, 0, { wf: 'H', hints: { attainedServiceUs: 5_000_000 } }));
    s.add(schedRequest('light', 1, 10, { wf: 'L', hints: { attainedServiceUs: 10_000 } }));
    s.add(schedRequest('new', 2, 20, { wf: 'N' }));
    expect(ids(s.schedule(100).scheduled)).toEqual(['light']); // level 0, earliest
  });

  it('plas counts service measured here: a workflow whose call has been running drops behind', () => {
    const s = scheduler(make('plas', { firstLevelMs: 1, starvationRatio: 1000 }), 2);
    s.add(schedRequest('A-long', 0, 0, { wf: 'A' }));
    s.schedule(0);
    s.schedule(5000); // A-long ran 5 ms (the test never completes its prefill, so it keeps running)
    s.add(schedRequest('A-next', 1, 5000, { wf: 'A' }));
    s.add(schedRequest('B-first', 2, 6000, { wf: 'B' }));
    // At 7 ms workflow A has attained 7 ms (level 3), B nothing (level 0): B takes the free seat
    // although A-next arrived first (FCFS would admit A-next).
    expect(ids(s.schedule(7000).scheduled)).toEqual(['A-long', 'B-first']);
    const fcfs = scheduler(make('fcfs'), 2);
    fcfs.add(schedRequest('A-long', 0, 0, { wf: 'A' }));
    fcfs.schedule(0);
    fcfs.add(schedRequest('A-next', 1, 5000, { wf: 'A' }));
    fcfs.add(schedRequest('B-first', 2, 6000, { wf: 'B' }));
    expect(ids(fcfs.schedule(7000).scheduled)).toEqual(['A-long', 'A-next']);
  });

  it('anti-starvation: a call waiting starvationRatio × its service jumps to the top level', () => {
    const setup = () => {
      const p = make('plas', { firstLevelMs: 1, starvationRatio: 2 });
      const s = scheduler(p, 1);
      s.add(schedRequest('old-heavy', 0, 0, { wf: 'H', hints: { attainedServiceUs: 10_000 } })); // level 4
      s.add(schedRequest('fresh', 1, 15_000, { wf: 'F' })); // level 0
      return { p, s };
    };
    const before = setup();
    expect(ids(before.s.schedule(19_999).scheduled)).toEqual(['fresh']); // waited 19.999 ms < 2 × 10 ms
    const after = setup();
    expect(ids(after.s.schedule(20_000).scheduled)).toEqual(['old-heavy']); // waited 2 × its service
    expect(after.p.stats?.()).toEqual({ promotions: 1 });
  });

  it('atlas ranks by critical-path service, not by the whole program', () => {
    const s = scheduler(make('atlas'), 1);
    // Same program service, different critical paths: the short path goes first.
    s.add(schedRequest('deep', 0, 0, { wf: 'W', hints: { attainedServiceUs: 900_000, criticalPathServiceUs: 900_000 } }));
    s.add(schedRequest('wide', 1, 10, { wf: 'W', hints: { attainedServiceUs: 900_000, criticalPathServiceUs: 50_000 } }));
    expect(ids(s.schedule(100).scheduled)).toEqual(['wide']);
    const plas = scheduler(make('plas'), 1);
    plas.add(schedRequest('deep', 0, 0, { wf: 'W', hints: { attainedServiceUs: 900_000, criticalPathServiceUs: 900_000 } }));
    plas.add(schedRequest('wide', 1, 10, { wf: 'W', hints: { attainedServiceUs: 900_000, criticalPathServiceUs: 50_000 } }));
    expect(ids(plas.schedule(100).scheduled)).toEqual(['deep']); // one program: FCFS
  });

  it('preempts the running call with the most attained service', () => {
    const p = make('plas');
    const running = [
      schedRequest('x', 0, 0, { wf: 'X', hints: { attainedServiceUs: 100 } }),
      schedRequest('y', 1, 0, { wf: 'Y', hints: { attainedServiceUs: 9_000_000 } }),
      schedRequest('z', 2, 0, { wf: 'Z', hints: { attainedServiceUs: 5_000 } }),
    ];
    expect(p.preemptionVictim(running)).toBe(1);
  });
});

describe('V1Scheduler', () => {
  it('never returns an empty batch because the request being placed was its own preemption victim', () => {
    // 4 usable blocks; A (priority 5) and B (priority 0) hold 2 each. A's next token needs a
    // third block: vLLM's priority victim is A itself, placed first, so its pass schedules
    // nothing; the scheduler runs the next pass at once (vLLM's engine loop would too).
    const kv = new KvCacheManager({ numBlocks: 5, blockSize: 16, enablePrefixCaching: true, maxModelLen: 4096 }, new LruEviction());
    const s = new V1Scheduler({ maxNumBatchedTokens: 1000, maxNumSeqs: 4, maxModelLen: 4096, longPrefillTokenThreshold: 0 }, kv, make('priority'));
    const a = schedRequest('A', 0, 0, { promptTokens: 32, priority: 5 });
    const b = schedRequest('B', 1, 0, { promptTokens: 32, priority: 0 });
    s.add(a);
    expect(ids(s.schedule(0).scheduled)).toEqual(['A']);
    s.add(b); // A stays first in the running list (its prefill is not applied yet: same 2 blocks)
    expect(ids(s.schedule(500).scheduled)).toEqual(['A', 'B']);
    for (const r of [a, b]) {
      r.numComputedTokens = 32;
      r.numOutputTokens = 1;
      r.numTokens = 33;
    }
    s.schedule(1000);
    expect(ids(s.batch.preempted)).toEqual(['A']);
    // The second pass places B in one of A's freed blocks; A (one block of its prefix left) waits.
    expect(ids(s.batch.scheduled)).toEqual(['B']);
    expect(s.running.map((r) => r.id)).toEqual(['B']);
    expect(s.waiting.peek()?.id).toBe('A');
  });
});
