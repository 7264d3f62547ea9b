// The router's request parser under malformed input (issue 14): every bad body, header or path
// segment is a 400 with an OpenAI-style error, never a 5xx, and the router keeps serving.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRng } from '../../../policies/rng.js';
import type { Rng } from '../../../policies/types.js';
import { RoundRobinPolicy } from '../../../policies/routing/round-robin.js';
import { closeServer, listen, trackSockets } from '../http-util.js';
import { WallClock } from '../wall-clock.js';
import { startRouterServer, type RouterServer } from './router-server.js';

let upstream: { server: Server; close: () => Promise<void>; url: string };
let r: RouterServer;

beforeAll(async () => {
  // An upstream that accepts anything: what the router lets through gets a 200.
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"x","object":"text_completion","choices":[]}'));
  });
  const sockets = trackSockets(server);
  const port = await listen(server, 0, '127.0.0.1');
  upstream = { server, url: `http://127.0.0.1:${port}`, close: () => closeServer(server, sockets) };
  r = await startRouterServer({
    upstreams: [{ id: 'a', url: upstream.url }], policy: new RoundRobinPolicy(), rng: new SeededRng(1), clock: new WallClock(), blockSize: 16,
    health: { intervalMs: 60_000, scrapeIntervalMs: 0 },
  });
});

afterAll(async () => {
  await r.close();
  await upstream.close();
});

async function send(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${r.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as unknown };
}

const isOpenAiError = (j: unknown, code: number): boolean => {
  const e = (j as { error?: { message?: unknown; type?: unknown; code?: unknown } }).error;
  return typeof e?.message === 'string' && e.message !== '' && typeof e.type === 'string' && e.code === code;
};

const KEYS = ['role', 'content', 'text', 'type', 'workflow_id', 'agent_id', 'hints', 'stepsToReuse', 'priority', 'prompt', 'messages', ''];

/** A random JSON value, depth-limited. */
function randomJson(rng: Rng, depth: number): unknown {
  const k = rng.int(depth > 0 ? 9 : 6);
  switch (k) {
    case 0: return null;
    case 1: return rng.float() < 0.5;
    case 2: return [0, -1, 1.5, 1e308, -0, 2 ** 53, 7][rng.int(7)];
    case 3: return ['', 'x', '%E0%A4%A', '\u0000', '<|user|>', 'ü'.repeat(rng.int(40)), '{"a":'][rng.int(7)];
    case 4: return rng.int(1000);
    case 5: return 'user';
    case 6: case 7: return Array.from({ length: rng.int(4) }, () => randomJson(rng, depth - 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(4); i > 0; i--) o[KEYS[rng.int(KEYS.length)]!] = randomJson(rng, depth - 1);
      return o;
    }
  }
}

describe('request parser fuzz', () => {
  it('answers 400 with an OpenAI error for each known malformed input', async () => {
    const chat = '/v1/chat/completions';
    const comp = '/v1/completions';
    const cases: [string, string, Record<string, string>?][] = [
      [chat, '{"messages":[null]}'], [chat, '{"messages":null}'], [chat, '{"messages":[]}'], [chat, '{"messages":[{}]}'],
      [chat, '{"messages":[{"role":1,"content":"x"}]}'], [chat, '{"messages":"hi"}'], [chat, '{}'],
      [comp, '{"prompt":null}'], [comp, '{"prompt":[]}'], [comp, '{"prompt":[1.5]}'], [comp, '{"prompt":[-1]}'],
      [comp, '{"prompt":["a","b"]}'], [comp, '{"prompt":{}}'], [comp, '{}'],
      [comp, '[]'], [comp, 'null'], [comp, '1'], [comp, '"x"'], [comp, '{'], [comp, ''], [comp, '\u00ff\u00fe'],
      [comp, '{"prompt":"x","workflow_metadata":{"hints":5}}'], [comp, '{"prompt":"x","workflow_metadata":{"hints":{"nope":1}}}'],
      [comp, '{"prompt":"x"}', { 'x-workflow-hints': 'not json' }], [comp, '{"prompt":"x"}', { 'x-workflow-priority': 'high' }],
      [comp, '{"prompt":"x","priority":"high"}'], [comp, '{"prompt":"x"}', { 'x-expected-reuse-us': '-5' }],
    ];
    for (const [path, body, headers] of cases) {
      const got = await send(path, body, headers);
      expect([path, body, got.status]).toEqual([path, body, 400]);
      expect(isOpenAiError(got.json, 400)).toBe(true);
    }
  });

  it('answers 400 for malformed percent-encoding in workflow and agent ids', async () => {
    const bad = [
      ['GET', '/v1/workflows/%E0%A4%A/status'], ['POST', '/v1/workflows/%ZZ/messages'], ['GET', '/v1/workflows/ok/agents/%C0/messages'],
    ] as const;
    for (const [method, path] of bad) {
      const res = await fetch(`${r.url}${path}`, { method, ...(method === 'POST' ? { body: '{"source_agent":"a","target_agent":"b"}' } : {}) });
      expect([path, res.status]).toEqual([path, 400]);
      expect(isOpenAiError(await res.json(), 400)).toBe(true);
    }
  });

  it('never answers 5xx to 400 random bodies and keeps serving', async () => {
    const rng = new SeededRng(14).fork('fuzz');
    const seen = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      const chat = rng.float() < 0.5;
      const body: Record<string, unknown> = chat ? { messages: randomJson(rng, 3) } : { prompt: randomJson(rng, 2) };
      if (rng.float() < 0.3) body['workflow_metadata'] = randomJson(rng, 2);
      if (rng.float() < 0.2) body['priority'] = randomJson(rng, 1);
      if (rng.float() < 0.2) body['max_tokens'] = randomJson(rng, 1);
      const got = await send(chat ? '/v1/chat/completions' : '/v1/completions', JSON.stringify(body));
      seen.set(got.status, (seen.get(got.status) ?? 0) + 1);
      if (got.status !== 200) expect([JSON.stringify(body), got.status, isOpenAiError(got.json, 400)]).toEqual([JSON.stringify(body), 400, true]);
    }
    // Both answers occur: the fuzz reaches past the parser as well as into its refusals.
    expect([...seen.keys()].sort()).toEqual([200, 400]);
    expect((await fetch(`${r.url}/health`)).status).toBe(200);
  });
});
