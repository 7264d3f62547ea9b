import { describe, expect, it } from 'vitest';
import { schedRequest } from './testing.js';
import { SCHEDULING_POLICIES } from './registry.js';
import { WorkflowBatchingPolicy, type WorkflowBatchingOptions } from './workflow-batching.js';

const policy = (over: Partial<WorkflowBatchingOptions> = {}) =>
  new WorkflowBatchingPolicy({ maxWorkflowBatchSize: 8, batchingPreference: 1, maxBoostUs: 2000, ...over });
const req = (id: string, seq: number, arrivalUs: number, wf?: string) => schedRequest(id, seq, arrivalUs, wf !== undefined ? { wf } : {});

/** Admit `rs` to the running set the way the scheduler does: through a queue pop. */
function run(p: WorkflowBatchingPolicy, ...rs: ReturnType<typeof req>[]): void {
  const q = p.newQueue();
  for (const r of rs) q.add(r);
  for (let i = 0; i < rs.length; i++) q.pop();
}

describe('workflow-batching: which requests are boosted', () => {
  it('only calls of a workflow running here, never without a workflow, never at preference 0', () => {
    const p = policy();
    run(p, req('a1', 0, 0, 'A'));
    expect(p.boosted(req('a2', 1, 0, 'A'))).toBe(true);
    expect(p.boosted(req('b1', 2, 0, 'B'))).toBe(false);
    expect(p.boosted(req('x', 3, 0))).toBe(false);
    expect(p.keyOf(req('a3', 4, 5000, 'A'))).toBe(3000); // 5000 - 1 × 2000
    const off = policy({ batchingPreference: 0 });
    run(off, req('a1', 0, 0, 'A'));
    expect(off.boosted(req('a2', 1, 0, 'A'))).toBe(false);
  });

  it('re-orders the waiting queue when the running set changes, not only when the queue does', () => {
    const p = policy();
    const a1 = req('a1', 0, 0, 'A');
    run(p, a1);
    const q = p.newQueue();
    q.add(req('b1', 1, 1000, 'B')); // key 1000 (B is not running)
    q.add(req('a2', 2, 2500, 'A')); // key 2500 - 2000 = 500 while a1 runs
    expect(q.peek()?.id).toBe('a2');
    p.onFinished(a1); // A no longer runs here: a2's key is back to 2500, so the older b1 is first
    expect(q.peek()?.id).toBe('b1');
    run(p, req('a0', 3, 0, 'A')); // A runs again (admitted through another queue): a2 jumps again
    expect(q.peek()?.id).toBe('a2');
  });

  it('a request without a workflow is not boosted in the queue order', () => {
    const p = policy();
    run(p, req('a1', 0, 0, 'A'));
    const q = p.newQueue();
    q.add(req('x', 1, 1000)); // key 1000
    q.add(req('a2', 2, 2500, 'A')); // key 2500 - 2000 = 500
    expect(q.peek()?.id).toBe('a2');
  });

  it('admitting the same request twice counts it once', () => {
    const p = policy({ maxWorkflowBatchSize: 2 });
    const a1 = req('a1', 0, 0, 'A');
    p.admitted(a1, false);
    p.admitted(a1, false); // still one A call running: 1 < 2
    expect(p.boosted(req('a2', 1, 0, 'A'))).toBe(true);
  });

  it('a finished call leaves the running set; one that never ran does not count down', () => {
    const p = policy();
    const a1 = req('a1', 0, 0, 'A');
    const a2 = req('a2', 1, 0, 'A');
    run(p, a1, a2);
    p.onFinished(req('a-never', 2, 0, 'A')); // not running: A still has 2
    p.onFinished(a1); // A: 2 - 1 = 1
    expect(p.boosted(req('a3', 3, 0, 'A'))).toBe(true);
    p.onFinished(a2); // A: 0
    expect(p.boosted(req('a3', 3, 0, 'A'))).toBe(false);
  });

  it('a preempted call (prepended) leaves the running set', () => {
    const p = policy();
    const a1 = req('a1', 0, 0, 'A');
    run(p, a1);
    p.newQueue().prepend(a1);
    expect(p.boosted(req('a2', 1, 0, 'A'))).toBe(false);
  });
});

describe('workflow-batching: batch counters', () => {
  it('an empty batch counts nothing; calls without a workflow never make a workflow batch', () => {
    const p = policy();
    p.onScheduled([]);
    expect(p.stats()).toEqual({ workflowBatches: 0, mixedBatches: 0, preferredAdmissions: 0, fcfsAdmissions: 0 });
    p.onScheduled([req('x', 0, 0), req('y', 1, 0)]);
    p.onScheduled([req('a1', 2, 0, 'A'), req('b1', 3, 0, 'B')]);
    expect(p.stats()).toMatchObject({ workflowBatches: 0, mixedBatches: 2 });
    p.onScheduled([req('a1', 2, 0, 'A'), req('a2', 4, 0, 'A'), req('b1', 3, 0, 'B')]);
    expect(p.stats()).toMatchObject({ workflowBatches: 1, mixedBatches: 2 });
  });

  it('a popped preempted request and the oldest waiting request are FCFS admissions', () => {
    const p = policy();
    const q = p.newQueue();
    q.add(req('old', 0, 0, 'B'));
    q.add(req('young', 1, 100, 'C'));
    expect(q.pop().id).toBe('old'); // no older request was waiting
    const back = req('back', 2, 500, 'D');
    q.prepend(back);
    expect(q.pop()).toBe(back);
    expect(p.stats()).toMatchObject({ preferredAdmissions: 0, fcfsAdmissions: 2 });
  });
});

describe('workflow-batching: queue', () => {
  it('equal keys go by admission order, not by insertion', () => {
    const q = policy().newQueue();
    q.add(req('s5', 5, 100));
    q.add(req('s3', 3, 100));
    q.add(req('s4', 4, 100));
    expect([q.pop(), q.pop(), q.pop()].map((r) => r.id)).toEqual(['s3', 's4', 's5']);
  });

  it('a lower admission order does not beat an earlier key', () => {
    const q = policy().newQueue();
    q.add(req('early', 5, 100));
    q.add(req('late-low-seq', 1, 200));
    expect(q.peek()?.id).toBe('early');
  });

  it('the earliest key wins whatever the insertion order', () => {
    const q = policy().newQueue();
    q.add(req('first', 0, 100));
    q.add(req('second', 1, 200));
    expect(q.peek()?.id).toBe('first');
    expect(q.pop().id).toBe('first');
    expect(q.size).toBe(1);
    expect(q.pop().id).toBe('second');
    expect(q.size).toBe(0);
    expect(() => q.pop()).toThrow('workflow-batching: pop from an empty queue');
  });

  it('remove finds prepended requests at any position and keeps the others', () => {
    const q = policy().newQueue();
    const [w, p1, p2, p3] = [req('w', 0, 0), req('p1', 1, 0), req('p2', 2, 0), req('p3', 3, 0)];
    q.add(w!);
    q.prepend(p3!);
    q.prepend(p2!);
    q.prepend(p1!); // front: p1, p2, p3
    expect([...q.values()].map((r) => r.id)).toEqual(['p1', 'p2', 'p3', 'w']);
    expect(q.remove(w!)).toBe(true); // not in the front: the front stays whole
    expect([...q.values()].map((r) => r.id)).toEqual(['p1', 'p2', 'p3']);
    expect(q.remove(p1!)).toBe(true); // index 0
    expect(q.remove(p3!)).toBe(true);
    expect(q.remove(p3!)).toBe(false);
    expect(q.size).toBe(1);
    expect([...q.values()].map((r) => r.id)).toEqual(['p2']);
  });

  it('is named and registered with a summary', () => {
    expect(policy().name).toBe('workflow-batching');
    expect(SCHEDULING_POLICIES['workflow-batching'].summary).toContain('FCFS');
  });
});
