// The chaos run's accounting check at a small size (the full run is `npm run chaos`): whatever
// the faults do to individual requests, every request the client sent ends exactly once, with a
// reason when it failed, and the router's counts agree with the client's.
import { describe, expect, it } from 'vitest';
import { defaultTimeline, runChaos } from './chaos-run.js';

describe('chaos run (small)', () => {
  it('every request ends exactly once; client and router counts match; failures carry reasons', async () => {
    const r = await runChaos({
      requests: 40, intervalMs: 10, warmup: 4, timeline: defaultTimeline(400), router: { mode: 'inline' }, timeScale: 1, maxTokens: 8,
    });
    expect(r.sent).toBe(40);
    expect(r.succeeded + r.failed).toBe(40);
    expect(r.routerIncoming).toBe(40);
    expect(Object.values(r.routerEnded).reduce((a, b) => a + b, 0)).toBe(40);
    expect(r.routerEnded['ok'] ?? 0).toBe(r.succeeded);
    expect(Object.values(r.failedReasons).reduce((a, b) => a + b, 0)).toBe(r.failed);
    for (const reason of Object.keys(r.failedReasons)) expect(reason).toMatch(/^\w+( \d{3})?: .+/);
    expect(r.endedExactlyOnce).toBe(true);
  });
});
