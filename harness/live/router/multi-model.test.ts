// Two models behind one router (issue 14, item 9): requests go only to backends serving their
// model, /v1/models lists every backend's models, an unknown model is a 404.
import { afterEach, describe, expect, it } from 'vitest';
import { SeededRng } from '../../../policies/rng.js';
import { RoundRobinPolicy } from '../../../policies/routing/round-robin.js';
import { buildEmulatedEngine } from '../engine/build.js';
import { startEngineServer, type EngineServer } from '../engine/engine-server.js';
import { testCluster } from '../testdata/cluster.js';
import { WallClock } from '../wall-clock.js';
import { startRouterServer, type RouterServer } from './router-server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function engineServing(modelName: string): Promise<EngineServer> {
  const clock = new WallClock({ timeScale: 0.05 });
  const engine = buildEmulatedEngine({ cluster: testCluster(), scheduling: { kind: 'fcfs', options: {} }, eviction: { kind: 'lru', options: {} }, clock, modelName });
  const e = await startEngineServer({ engine });
  cleanups.push(async () => {
    await e.close();
    clock.close();
  });
  return e;
}

describe('router with two models', () => {
  it('routes each request to a backend serving its model, merges /v1/models, 404s an unknown model', async () => {
    const [a1, b1, a2] = [await engineServing('model-a'), await engineServing('model-b'), await engineServing('model-a')];
    const r: RouterServer = await startRouterServer({
      upstreams: [{ id: 'a1', url: a1.url }, { id: 'b1', url: b1.url }, { id: 'a2', url: a2.url }], policy: new RoundRobinPolicy(),
      rng: new SeededRng(1), clock: new WallClock(), blockSize: 16, health: { intervalMs: 60_000, scrapeIntervalMs: 0 },
    });
    cleanups.push(() => r.close());
    const served: string[] = [];
    for (const model of ['model-b', 'model-a', 'model-b', 'model-a', 'model-a']) {
      const res = await fetch(`${r.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, prompt: 'hello', max_tokens: 1 }) });
      expect(res.status).toBe(200);
      served.push(`${model}@${res.headers.get('x-agentbench-instance')!}`);
    }
    // round robin's k-th pick (k = 0, 1, 2...) over the backends serving each request's model:
    // k mod 1 of [b1], k mod 2 of [a1, a2]
    expect(served).toEqual(['model-b@b1', 'model-a@a2', 'model-b@b1', 'model-a@a2', 'model-a@a1']);
    const models = (await (await fetch(`${r.url}/v1/models`)).json()) as { object: string; data: { id: string }[] };
    expect(models.object).toBe('list');
    expect(models.data.map((m) => m.id)).toEqual(['model-a', 'model-b']);
    const unknown = await fetch(`${r.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'nope', prompt: 'x' }) });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { message: 'The model `nope` does not exist.', type: 'NotFoundError', param: 'model', code: 404 } });
    expect(Object.fromEntries(r.counters.ended)).toEqual({ ok: 5, unknown_model: 1 });
  });

  it('notices at start a backend that refuses the router\'s key (the CLI warns)', async () => {
    const clock = new WallClock({ timeScale: 0.05 });
    const engine = buildEmulatedEngine({ cluster: testCluster(), scheduling: { kind: 'fcfs', options: {} }, eviction: { kind: 'lru', options: {} }, clock });
    const e = await startEngineServer({ engine, apiKey: 'right' });
    cleanups.push(async () => {
      await e.close();
      clock.close();
    });
    const mk = async (apiKey: string): Promise<RouterServer> => {
      const r = await startRouterServer({
        upstreams: [{ id: 'k', url: e.url, apiKey }], policy: new RoundRobinPolicy(), rng: new SeededRng(1), clock: new WallClock(), blockSize: 16,
        health: { intervalMs: 60_000, scrapeIntervalMs: 0 },
      });
      cleanups.push(() => r.close());
      return r;
    };
    expect((await mk('wrong')).upstreams[0]!.keyRefused).toBe(true);
    expect((await mk('right')).upstreams[0]!.keyRefused).toBe(false);
  });
});
