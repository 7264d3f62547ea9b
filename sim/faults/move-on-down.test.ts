import { describe, expect, it } from 'vitest';
import { faultRig } from './testing.js';

describe('router.moveOnMarkedDown (simulated router)', () => {
  it('re-sends at detection the requests on a hung instance that got no token; without it they wait for the timeout', () => {
    const router = (move: boolean) => ({
      healthCheck: { intervalS: 2, timeoutS: 1 }, retry: { timeoutS: 3, maxAttempts: 2 }, ...(move ? { moveOnMarkedDown: true } : {}),
    });
    const faults = [{ kind: 'hang', target: 'i0', atS: 0.5, durationS: 5 }];
    const moved = faultRig({ faults, router: router(true) });
    const waited = faultRig({ faults, router: router(false) });
    const c = moved.send('c', 600_000, [['z', 100]], 10); // round robin's first pick: i0, hung, not yet detected
    const c2 = waited.send('c', 600_000, [['z', 100]], 10);
    moved.clock.run();
    waited.clock.run();
    // The probe at 2 s gets no answer: i0 is marked down at 3 s, and c moves to i1 then.
    expect(c.attemptsFailed).toEqual([expect.objectContaining({
      outcome: 'failed', reason: 'instance i0 marked down by health checks before its first token', instance: 'i0', endUs: 3_000_000,
    })]);
    expect(c.result?.instance).toBe('i1');
    expect(c2.attemptsFailed).toEqual([expect.objectContaining({ outcome: 'timeout', instance: 'i0', endUs: 3_600_000 })]);
    expect(c2.result?.instance).toBe('i1');
    expect(c.result!.endUs).toBeLessThan(c2.result!.endUs - 500_000);
    expect(moved.instances[0]!.engine.numRequests).toBe(0); // the moved request was aborted on i0
  });
});
