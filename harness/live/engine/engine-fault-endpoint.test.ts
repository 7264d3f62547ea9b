import { afterEach, describe, expect, it } from 'vitest';
import { testEngine } from '../testdata/cluster.js';
import type { EngineServer } from './engine-server.js';

let srv: EngineServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('emulated engine fault endpoint', () => {
  it('is behind the API key like /v1 (was open to anyone)', async () => {
    srv = await testEngine({ apiKey: 'sekret' });
    const anon = await post(`${srv.url}/agentbench/fault`, { kind: 'crash' });
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { error: { type: string } }).error.type).toBe('AuthenticationError');
    expect(srv.engine.health).toBe('up');
    const keyed = await post(`${srv.url}/agentbench/fault`, { kind: 'hang' }, { authorization: 'Bearer sekret' });
    expect(keyed.status).toBe(200);
    await new Promise((ok) => setTimeout(ok, 20));
    expect(srv.engine.health).toBe('hung');
  });

  it('error: generations answer 500 while /health stays 200, until recover', async () => {
    srv = await testEngine();
    expect((await post(`${srv.url}/agentbench/fault`, { kind: 'error' })).status).toBe(200);
    await new Promise((ok) => setTimeout(ok, 20));
    const r = await post(`${srv.url}/v1/completions`, { prompt: 'hello there', max_tokens: 2 });
    expect(r.status).toBe(500);
    expect(await r.json()).toEqual({ error: { message: 'engine fault: internal error (injected)', type: 'InternalServerError', param: null, code: 500 } });
    expect((await fetch(`${srv.url}/health`)).status).toBe(200);
    await srv.fault('recover');
    expect((await post(`${srv.url}/v1/completions`, { prompt: 'hello there', max_tokens: 2 })).status).toBe(200);
  });

  it('refuses an unknown kind with a 400 naming the kinds', async () => {
    srv = await testEngine();
    const r = await post(`${srv.url}/agentbench/fault`, { kind: 'melt' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { message: string } }).error.message).toBe('fault kind must be crash, hang, slow, kv-loss, error, recover, got "melt"');
  });
});
