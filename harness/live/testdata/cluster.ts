import { clusterSchema } from '../../scenario/schema.js';
import { resolveCluster, type ResolvedCluster } from '../../runner/resolve.js';
import { buildEmulatedEngine } from '../engine/build.js';
import { startEngineServer, type EngineServer, type EngineServerOptions } from '../engine/engine-server.js';
import { WallClock } from '../wall-clock.js';

/** A resolved cluster for tests (Llama-3.1-8B on H100 unless overridden). */
export function testCluster(over: Record<string, unknown> = {}): ResolvedCluster {
  return resolveCluster(clusterSchema.parse({ instances: 1, ...over }), 'test');
}

/** Start an emulated engine on an ephemeral loopback port. */
export async function testEngine(opts: {
  timeScale?: number; cluster?: Record<string, unknown>; apiKey?: string; clock?: WallClock;
  /** How the server answers (chat template, tool policy, answer mode). */
  serve?: Pick<EngineServerOptions, 'chatTemplate' | 'tools' | 'answer'>;
} = {}): Promise<EngineServer> {
  const clock = opts.clock ?? new WallClock({ timeScale: opts.timeScale ?? 0.05 });
  const engine = buildEmulatedEngine({
    cluster: testCluster(opts.cluster), scheduling: { kind: 'fcfs', options: {} }, eviction: { kind: 'lru', options: {} }, clock,
  });
  return startEngineServer({ engine, apiKey: opts.apiKey, enableFaultEndpoint: true, ...opts.serve });
}
