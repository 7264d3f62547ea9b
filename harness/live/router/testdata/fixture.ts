// Test fixtures for the router: an emulated engine and a router on loopback, closed after each test.
import { afterEach } from 'vitest';
import { SeededRng } from '../../../../policies/rng.js';
import { RoundRobinPolicy } from '../../../../policies/routing/round-robin.js';
import type { EngineServer } from '../../engine/engine-server.js';
import { testEngine } from '../../testdata/cluster.js';
import { WallClock } from '../../wall-clock.js';
import { startRouterServer, type RouterOptions, type RouterServer } from '../router-server.js';

/** Closers of what the current test started, run (last first) after it. */
export const cleanups: (() => Promise<void>)[] = [];

/** Register the after-each cleanup in the calling test file. */
export function closeAfterEach(): void {
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });
}

/** An emulated engine, closed after the test. */
export async function engine(): Promise<EngineServer> {
  const e = await testEngine();
  cleanups.push(() => e.close());
  return e;
}

/** A round-robin router (health checks a minute apart, no scrapes) with `over`, closed after the test. */
export async function router(over: Partial<RouterOptions> & Pick<RouterOptions, 'upstreams'>): Promise<RouterServer> {
  const r = await startRouterServer({
    policy: new RoundRobinPolicy(), rng: new SeededRng(1), clock: new WallClock(), blockSize: 16,
    health: { intervalMs: 60_000, scrapeIntervalMs: 0 }, ...over,
  });
  cleanups.push(() => r.close());
  return r;
}
