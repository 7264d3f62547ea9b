import { afterAll, describe, expect, it } from 'vitest';
import { SeededRng } from '../../policies/rng.js';
import { LruEviction } from '../../policies/kv/eviction/lru.js';
import { SimClock } from '../../sim/sim-clock.js';
import { EngineCore } from '../../sim/engine/engine-core.js';
import { SimInstance } from '../../sim/cluster/instance.js';
import { SimBackend } from '../../sim/sim-backend.js';
import { clusterCostModel } from '../runner/resolve.js';
import { EmulatedEngine } from './engine/emulated-engine.js';
import { startEngineServer, type EngineServer } from './engine/engine-server.js';
import { HttpBackend } from './http-backend.js';
import { startRouterServer } from './router/router-server.js';
import { testCluster } from './testdata/cluster.js';
import { WallClock } from './wall-clock.js';
import { CONFORMANCE_CASES, runBackendConformance, type ConformanceWorld, type Observed, type WorldSpec } from './backend.conformance.js';

const cluster = testCluster({ instances: 2 });

/** The simulated cluster: EngineCores stepped on virtual time, the SimRouter in SimBackend. */
async function simWorld(spec: WorldSpec): Promise<ConformanceWorld> {
  const clock = new SimClock();
  const cost = clusterCostModel(cluster);
  const instances = Array.from({ length: spec.instances }, (_, i) =>
    new SimInstance(`i${i}`, new EngineCore(cluster.engine, cost, spec.scheduling(), new LruEviction()), clock));
  const backend = new SimBackend(clock, instances, spec.routing, new SeededRng(1).fork('routing'), {
    blockSize: cluster.engine.blockSize, viewRefreshUs: 0, check: false, router: spec.router,
  });
  return {
    backend,
    async settle() {
      clock.run({ untilUs: 600e6, maxEvents: 1e7 });
    },
    async crash(k) {
      instances[k]!.up = false; // a dead process: connections are refused (the router has not noticed yet)
    },
    async hang(k) {
      instances[k]!.hung = true;
    },
    async close() {},
  };
}

/** The HTTP path: HttpBackend → agentbench router (the same RouterCore) → emulated engines (the same EngineCore). */
async function liveWorld(spec: WorldSpec): Promise<ConformanceWorld> {
  const clock = new WallClock({ timeScale: 0.05 });
  const cost = clusterCostModel(cluster);
  const engines: EngineServer[] = [];
  for (let i = 0; i < spec.instances; i++) {
    const engine = new EmulatedEngine({
      clock, modelName: cluster.model.name,
      makeCore: EmulatedEngine.coreFactory(cluster.engine, cost, spec.scheduling, () => new LruEviction()),
    });
    engines.push(await startEngineServer({ engine, enableFaultEndpoint: true }));
  }
  // Health checks far apart: the suite is about the request path, not detection.
  const router = await startRouterServer({
    upstreams: engines.map((e, i) => ({ id: `i${i}`, url: e.url })), policy: spec.routing, rng: new SeededRng(1).fork('routing'),
    clock: new WallClock(), blockSize: cluster.engine.blockSize, health: { intervalMs: 600_000, scrapeIntervalMs: 0 }, router: spec.router,
  });
  const backend = new HttpBackend({ baseUrl: router.url, model: cluster.model.name, clock: new WallClock(), requestTimeoutUs: 30e6, sendOutputKey: true });
  return {
    backend,
    async settle() {
      for (let i = 0; i < 600 && backend.open > 0; i++) await new Promise((r) => setTimeout(r, 25));
    },
    async crash(k) {
      await engines[k]!.fault('crash');
    },
    async hang(k) {
      await engines[k]!.fault('hang');
    },
    async close() {
      await backend.close();
      await router.close();
      await Promise.all(engines.map((e) => e.close()));
      clock.close();
    },
  };
}

describe('Backend conformance: SimBackend and HttpBackend → router → emulated engines', () => {
  const observed = new Map<string, Observed>();
  runBackendConformance('sim', simWorld, observed);
  runBackendConformance('live', liveWorld, observed);

  it('both worlds observed the same thing in every case', () => {
    const names = Object.keys(CONFORMANCE_CASES);
    expect(observed.size).toBe(2 * names.length);
    for (const n of names) expect(observed.get(`live/${n}`)).toEqual(observed.get(`sim/${n}`));
  });

  afterAll(() => observed.clear());
});
