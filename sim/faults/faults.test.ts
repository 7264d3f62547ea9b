import { describe, expect, it } from 'vitest';
import type { InstanceView, RoutingPolicy } from '../../policies/types.js';
import { faultRig } from './testing.js';

// LinearCostModel: a 500-token prefill step takes 1,000 + 10 × 500 = 6,000 µs; a decode step of
// one sequence 1,005 µs. So a call with 1,000 output tokens runs for about 1.01 s.
const doc = (tag: string): [string, number][] => [['doc', 496], [tag, 4]];

describe('crash', () => {
  it('in-flight requests fail, KV is lost, blocks are freed; refused until detected; back cold after recovery', () => {
    const rig = faultRig({ faults: [{ kind: 'crash', target: 'i0', atS: 0.5, recoverAfterS: 3 }], router: { healthCheck: { intervalS: 2 } } });
    const [i0] = rig.instances;
    let cachedBefore = -1;
    rig.clock.at(499_999, 'timer', () => (cachedBefore = i0!.engine.kv.pool.numCachedBlocks));
    let checkedAfterCrash = false;
    rig.clock.at(500_000, 'timer', () => {
      checkedAfterCrash = true;
      // Right after the crash: nothing in the engine, every block free, no cached prefix.
      expect(i0!.engine.numRequests).toBe(0);
      expect(i0!.engine.kv.pool.numUsed).toBe(1); // vLLM's null block only
      expect(i0!.engine.kv.pool.numCachedBlocks).toBe(0);
      i0!.engine.checkInvariants();
      expect(i0!.up).toBe(false);
      expect(i0!.healthy).toBe(true); // the router does not know yet
    });
    // Round robin: a → i0, b → i1, c → i0 (dead, not detected), d → i1, e/f → i1 (i0 known down),
    // g → i0 (rejoined, cold), h → i1 (warm).
    const a = rig.send('a', 0, doc('a'), 1000);
    const b = rig.send('b', 0, doc('b'), 1000);
    const c = rig.send('c', 600_000, [['x', 100]], 10);
    const d = rig.send('d', 600_000, [['y', 100]], 10);
    const e = rig.send('e', 2_100_000, [['z', 100]], 10);
    const f = rig.send('f', 2_100_000, [['w', 100]], 10);
    const g = rig.send('g', 4_100_000, doc('g'), 10);
    const h = rig.send('h', 4_100_000, doc('h'), 10);
    rig.clock.run();
    expect(checkedAfterCrash).toBe(true); // the expectations inside the callback ran

    expect(a.error).toMatchObject({ outcome: 'failed', reason: 'instance i0 crashed (connection reset)', instance: 'i0', endUs: 500_000 });
    expect(a.tokens).toBeGreaterThan(400); // it was streaming: the error goes to the client as is
    expect(b.result?.instance).toBe('i1');
    expect(c.error).toMatchObject({ outcome: 'failed', reason: 'instance i0 is down (connection refused)', endUs: 600_000 });
    expect(d.result?.instance).toBe('i1');
    expect([e.result?.instance, f.result?.instance]).toEqual(['i1', 'i1']);
    expect(g.result).toMatchObject({ instance: 'i0', cachedPromptTokens: 0 });
    expect(h.result).toMatchObject({ instance: 'i1', cachedPromptTokens: 496 });
    const [rec] = rig.failover.injector.records;
    expect(rec).toMatchObject({ kind: 'crash', instance: 'i0', atUs: 500_000, endUs: 3_500_000, detectedUs: 2_000_000, rejoinedUs: 4_000_000, attemptsFailed: 1 });
    // a's output blocks were cached on i0 only; the 31 blocks of the shared document also live on i1.
    expect(rec!.lostKvBlocks).toBe(cachedBefore - 31);
    expect(rig.backend.inflight).toBe(0);
  });

  it('a restarted engine warms up (refusing connections) before it serves; it rejoins at the next passing probe', () => {
    const rig = faultRig({ faults: [{ kind: 'crash', target: 'i0', atS: 0.5, recoverAfterS: 1, warmupS: 2 }], router: { healthCheck: { intervalS: 1 } } });
    let stateAt3 = '';
    rig.clock.at(3_000_000, 'timer', () => (stateAt3 = rig.instances[0]!.state));
    rig.clock.run();
    expect(stateAt3).toBe('down');
    expect(rig.failover.injector.records[0]).toMatchObject({ endUs: 3_500_000, detectedUs: 1_000_000, rejoinedUs: 4_000_000 });
  });

  it('the router re-sends a refused request to another instance (maxAttempts 2)', () => {
    const rig = faultRig({ faults: [{ kind: 'crash', target: 'i0', atS: 0 }], router: { healthCheck: { intervalS: 10 }, retry: { maxAttempts: 2 } } });
    rig.clock.at(0, 'timer', () => (rig.instances[0]!.healthy = true)); // the crash at t=0 comes before the first probe
    const a = rig.send('a', 100_000, [['x', 100]], 10);
    rig.clock.run();
    expect(a.attemptsFailed).toEqual([expect.objectContaining({ outcome: 'failed', reason: 'instance i0 is down (connection refused)', sendUs: 100_000 })]);
    expect(a.result?.instance).toBe('i1');
  });

  it('a retry budget running out with every instance down: a clear reason, before and after detection', () => {
    const rig = faultRig({
      instances: 2, faults: [{ kind: 'crash', target: 'all', atS: 0.05 }],
      router: { healthCheck: { intervalS: 10 }, retry: { maxAttempts: 3 } }, liveUntilUs: 20e6,
    });
    const a = rig.send('a', 100_000, [['x', 100]], 10);
    const b = rig.send('b', 10_100_000, [['y', 100]], 10);
    rig.clock.run();
    // i0 refused, i1 refused, every instance excluded -> back off, clear, third attempt refused.
    expect(a.attemptsFailed.map((e) => e.instance)).toEqual(['i0', 'i1']);
    expect(a.error).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/^instance i[01] is down \(connection refused\)$/) });
    expect(a.error!.endUs).toBeGreaterThanOrEqual(100_000 + 40_000); // 50 ms ± 20 % backoff
    expect(b.error).toMatchObject({ outcome: 'rejected', reason: 'router: no healthy instance', retryable: true });
    expect(rig.failover.injector.records.map((r) => r.detectedUs)).toEqual([10_000_000, 10_000_000]);
  });
});

describe('hang', () => {
  it('until detection the router keeps sending to a hung instance; requests there time out', () => {
    const rig = faultRig({
      faults: [{ kind: 'hang', target: 'i0', atS: 0.5, durationS: 5 }],
      router: { healthCheck: { intervalS: 2, timeoutS: 1 }, retry: { timeoutS: 3 } },
    });
    const a = rig.send('a', 0, [['x', 500]], 1000);
    const b = rig.send('b', 0, [['y', 500]], 1000);
    const c = rig.send('c', 600_000, [['z', 100]], 10); // round robin: i0, hung but not detected
    const d = rig.send('d', 5_000_000, [['w', 100]], 10); // i0 known down: goes to i1
    rig.clock.run();
    expect(a.error).toMatchObject({ outcome: 'timeout', reason: 'no answer from i0 for 3 s', instance: 'i0' });
    expect(a.error!.endUs).toBeGreaterThan(3_400_000);
    expect(a.error!.endUs).toBeLessThan(3_600_000);
    expect(c.error).toMatchObject({ outcome: 'timeout', reason: 'no answer from i0 for 3 s', endUs: 3_600_000 });
    expect(b.result?.instance).toBe('i1');
    expect(d.result?.instance).toBe('i1');
    // The probe at 2 s gets no answer: the hang is known at 2 s + the 1 s probe timeout.
    expect(rig.failover.injector.records[0]).toMatchObject({ detectedUs: 3_000_000, endUs: 5_500_000, rejoinedUs: 6_000_000 });
    expect(rig.instances[0]!.engine.numRequests).toBe(0); // timed-out requests were aborted
  });

  it('with router retries, a timed-out request is re-sent elsewhere; a short hang only delays', () => {
    const rig = faultRig({
      faults: [{ kind: 'hang', target: 'i0', atS: 0.5, durationS: 0.5 }],
      router: { healthCheck: { intervalS: 60 }, retry: { timeoutS: 0.2, maxAttempts: 2 } },
    });
    const slow = faultRig({ faults: [{ kind: 'hang', target: 'i0', atS: 0.5, durationS: 0.5 }], router: { healthCheck: { intervalS: 60 } } });
    const c = rig.send('c', 600_000, [['z', 100]], 10); // round robin's first pick: i0
    const a = slow.send('a', 0, [['x', 500]], 1000);
    rig.clock.run();
    slow.clock.run();
    expect(c.attemptsFailed).toEqual([expect.objectContaining({ outcome: 'timeout', instance: 'i0', endUs: 800_000 })]);
    expect(c.result?.instance).toBe('i1');
    // Without a timeout, the request on i0 just stalls for the hang's 0.5 s and completes.
    expect(a.result?.instance).toBe('i0');
    expect(a.result!.endUs).toBeGreaterThan(1_500_000);
  });
});

describe('slowdown', () => {
  it('multiplies step times for its duration', () => {
    const rig = faultRig({ faults: [{ kind: 'slowdown', target: 'i0', atS: 0, factor: 3, durationS: 1 }] });
    const a = rig.send('a', 100_000, [['x', 500]], 1); // i0 at 3x: 18,000 µs prefill
    rig.send('b', 100_000, [['y', 500]], 1);
    const c = rig.send('c', 1_100_000, [['z', 500]], 1); // i0 back to normal
    let state = '';
    rig.clock.at(500_000, 'timer', () => (state = rig.instances[0]!.state));
    rig.clock.run();
    expect(a.result!.firstTokenUs - 100_000).toBe(18_000);
    expect(c.result).toMatchObject({ instance: 'i0', firstTokenUs: 1_106_000 });
    expect(state).toBe('slow');
    expect(rig.instances[0]!.engine.stepTimeScale).toBe(1);
  });
});

describe('partition', () => {
  it('answers are held until it heals; new connections wait; detection by probe timeout', () => {
    const rig = faultRig({
      faults: [{ kind: 'partition', target: 'i0', atS: 0.5, durationS: 2 }],
      router: { healthCheck: { intervalS: 1, timeoutS: 0.5 } },
    });
    const a = rig.send('a', 0, [['x', 500]], 1000);
    const c = rig.send('c', 600_000, [['z', 100]], 10); // round robin: i0 (partitioned, not detected)
    rig.send('b', 0, [['y', 500]], 10);
    rig.clock.run();
    // a finished inside i0 at ~1.01 s; the client hears the rest, and the end, at the heal.
    expect(a.result).toMatchObject({ instance: 'i0', endUs: 2_500_000, outputTokens: 1000 });
    expect(a.tokens).toBeLessThan(1000);
    // c's connection went through at the heal: prefill 100 tokens = 2,000 µs later.
    expect(c.result).toMatchObject({ instance: 'i0', firstTokenUs: 2_502_000 });
    // The probe sent at 2 s is answered when the partition heals at 2.5 s, within its timeout.
    expect(rig.failover.injector.records[0]).toMatchObject({ detectedUs: 1_500_000, endUs: 2_500_000, rejoinedUs: 2_500_000 });
  });

  it('with a timeout, requests time out and are re-sent; the streaming one fails mid-stream', () => {
    const rig = faultRig({
      faults: [{ kind: 'partition', target: 'i0', atS: 0.5, durationS: 2 }],
      router: { healthCheck: { intervalS: 60 }, retry: { timeoutS: 1, maxAttempts: 2 } },
    });
    const a = rig.send('a', 0, [['x', 500]], 1000);
    rig.send('b', 0, [['y', 500]], 10);
    const c = rig.send('c', 600_000, [['z', 100]], 10);
    rig.clock.run();
    expect(a.error).toMatchObject({ outcome: 'timeout', reason: 'no answer from i0 for 1 s' });
    expect(c.attemptsFailed).toEqual([expect.objectContaining({ outcome: 'timeout', reason: 'could not connect to i0 for 1 s', endUs: 1_600_000 })]);
    expect(c.result?.instance).toBe('i1');
    expect(rig.instances[0]!.engine.numRequests).toBe(0);
  });
});

describe('kv-loss', () => {
  it('flushes the prefix cache; requests in flight finish; the lost prefix is counted when prefilled again', () => {
    const rig = faultRig({ faults: [{ kind: 'kv-loss', target: 'i0', atS: 0.2 }] });
    const a = rig.send('a', 0, doc('a'), 1000); // i0, in flight at the loss
    rig.send('b', 100_000, [['other', 500]], 10); // i1
    const c = rig.send('c', 300_000, doc('c'), 10); // i0: the document must be prefilled again
    rig.clock.run();
    expect(a.result?.outputTokens).toBe(1000);
    expect(c.result).toMatchObject({ instance: 'i0', cachedPromptTokens: 0 });
    expect(rig.ledger.recomputedTokens).toBe(496);
    expect(rig.failover.injector.records[0]!.lostKvBlocks).toBeGreaterThanOrEqual(31);
  });
});

describe('router invariants', () => {
  it('--check: a policy sending work to an instance the router knows is down is an error', () => {
    const rogue: RoutingPolicy = { name: 'rogue', route: (_r, v: readonly InstanceView[]) => v[0]!.id };
    const rig = faultRig({ routing: rogue, faults: [{ kind: 'crash', target: 'i0', atS: 0 }], router: { healthCheck: { intervalS: 1 } } });
    rig.send('a', 1_500_000, [['x', 100]], 10);
    expect(() => rig.clock.run()).toThrow(/routing invariant: rogue sent a to i0, which the router knows is down/);
  });
});

describe('scheduled faults', () => {
  const run = (seed: number) => {
    const rig = faultRig({
      instances: 4, seed, liveUntilUs: 300e6,
      faults: [
        { kind: 'crash', target: 'all', schedule: { mtbfS: 60, mttrS: 10 } },
        { kind: 'slowdown', target: { fraction: 0.5 }, factor: 2, schedule: { mtbfS: 30, mttrS: 5 } },
        { kind: 'kv-loss', target: 'i3', schedule: { mtbfS: 50, untilS: 200 } },
      ],
      router: { healthCheck: { intervalS: 5 } },
    });
    for (let k = 0; k < 200; k++) rig.send(`r${k}`, k * 1_400_000, doc(`r${k}`), 50);
    rig.clock.run();
    return rig;
  };

  it('alternating up/down processes per target, drawn from the seed: same seed, same faults', () => {
    const a = run(1);
    const b = run(1);
    const c = run(2);
    expect(a.failover.injector.records).toEqual(b.failover.injector.records);
    expect(JSON.stringify([...a.logs])).toBe(JSON.stringify([...b.logs]));
    expect(c.failover.injector.records).not.toEqual(a.failover.injector.records);
    const recs = a.failover.injector.records;
    expect(recs.filter((r) => r.kind === 'crash').length).toBeGreaterThan(4);
    expect(new Set(recs.filter((r) => r.kind === 'slowdown').map((r) => r.instance)).size).toBe(2);
    expect(recs.filter((r) => r.kind === 'kv-loss').every((r) => r.instance === 'i3' && r.atUs <= 200e6)).toBe(true);
    // Crashes of one instance never overlap: each starts after the previous one ended.
    for (const id of ['i0', 'i1', 'i2', 'i3']) {
      const cr = recs.filter((r) => r.kind === 'crash' && r.instance === id);
      for (let k = 1; k < cr.length; k++) expect(cr[k]!.atUs).toBeGreaterThan(cr[k - 1]!.endUs);
    }
    // Every call ended exactly once (the rig throws otherwise), and nothing is left in flight.
    expect([...a.logs.values()].every((l) => (l.result === undefined) !== (l.error === undefined))).toBe(true);
    expect(a.backend.inflight).toBe(0);
    for (const i of a.instances) i.engine.checkInvariants();
  });
});
