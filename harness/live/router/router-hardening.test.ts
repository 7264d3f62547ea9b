// Regression tests of issue 14: what production throws at the router (Expect: 100-continue,
// 5xx backends, hung backends, cut streams, oversize and malformed bodies, wrong methods).
import { createServer, request as httpRequest, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { renderRuns } from '../../../workloads/render.js';
import { HttpBackend } from '../http-backend.js';
import { closeServer, listen, trackSockets } from '../http-util.js';
import { parsePrometheus } from '../prometheus.js';
import { WallClock } from '../wall-clock.js';
import { ROUTER_DEFAULTS, type RouterCoreOptions } from '../../../sim/router-core.js';
import type { CallError } from '../../../workloads/backend.js';
import { cleanups, closeAfterEach, engine, router } from './testdata/fixture.js';

closeAfterEach();

const opts = (maxAttempts: number, extra: Partial<RouterCoreOptions> = {}): RouterCoreOptions =>
  ({ ...ROUTER_DEFAULTS, retry: { ...ROUTER_DEFAULTS.retry, maxAttempts, jitter: 0 }, ...extra });

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const prompt = renderRuns([{ key: 9, start: 0, length: 48 }]);

/** A backend that answers every generation with one SSE token and then cuts the connection. */
async function cuttingServer(): Promise<string> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/health') return void res.end();
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"id":"c","object":"text_completion","choices":[{"index":0,"text":" one","finish_reason":null}]}\n\n');
      setTimeout(() => res.socket?.destroy(), 20);
    });
  });
  const sockets = trackSockets(server);
  const port = await listen(server, 0, '127.0.0.1');
  cleanups.push(() => closeServer(server, sockets));
  return `http://127.0.0.1:${port}`;
}

/** POST with `Expect: 100-continue` as curl sends it for bodies over 1 KiB (node:http waits for the 100). */
function postExpect(url: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', expect: '100-continue', 'content-length': Buffer.byteLength(body) } });
    req.on('continue', () => req.end(body));
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
  });
}

describe('router under failure (issue 14)', () => {
  it('passes a request carrying Expect: 100-continue (was 502 UND_ERR_NOT_SUPPORTED)', async () => {
    const e = await engine();
    const r = await router({ upstreams: [{ id: 'a', url: e.url }] });
    const big = renderRuns([{ key: 3, start: 0, length: 600 }]); // > 1 KiB, where curl adds the header
    const got = await postExpect(`${r.url}/v1/completions`, JSON.stringify({ prompt: big, max_tokens: 2, ignore_eos: true }));
    expect(got.status).toBe(200);
    expect((JSON.parse(got.text) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(2);
  });

  it('re-sends a 500 to another backend before anything reached the client; with one attempt the backend\'s 500 passes through', async () => {
    const [bad, good] = [await engine(), await engine()];
    await bad.fault('error');
    const r = await router({ upstreams: [{ id: 'bad', url: bad.url }, { id: 'good', url: good.url }], router: opts(2) });
    const res = await post(`${r.url}/v1/completions`, { prompt, max_tokens: 2, ignore_eos: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-agentbench-instance')).toBe('good');
    expect(r.counters.reroutes).toBe(1);
    const one = await router({ upstreams: [{ id: 'bad', url: bad.url }], router: opts(1) });
    const r500 = await post(`${one.url}/v1/completions`, { prompt, max_tokens: 2 });
    expect(r500.status).toBe(500);
    expect(((await r500.json()) as { error: { message: string } }).error.message).toBe('engine fault: internal error (injected)');
    expect(Object.fromEntries(one.counters.ended)).toEqual({ http_500: 1 });
  });

  it('ejects a backend after consecutive 5xx (Envoy consecutive_5xx) while health checks still pass', async () => {
    const [bad, good] = [await engine(), await engine()];
    await bad.fault('error');
    const r = await router({
      upstreams: [{ id: 'bad', url: bad.url }, { id: 'good', url: good.url }], router: opts(1, {
        outlierDetection: { consecutive5xx: 2, baseEjectionUs: 30e6, maxEjectionUs: 300e6, maxEjectionPercent: 50 },
      }),
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(`${r.url}/v1/completions`, { prompt, max_tokens: 1 })).status);
    // round robin: bad (500), good, bad (500: second in a row, ejected), then good only
    expect(statuses).toEqual([500, 200, 500, 200, 200, 200]);
    expect(r.upstreams[0]!.healthy).toBe(true);
    const m = parsePrometheus(await (await fetch(`${r.url}/metrics`)).text()).filter((x) => x.name === 'agentbench:router_backend_ejected');
    expect(m.map((x) => [x.labels['server'], x.value])).toEqual([[bad.url, 1], [good.url, 0]]);
  });

  it('gives up on a hung backend after the first-token timeout and re-sends elsewhere', async () => {
    const [hung, good] = [await engine(), await engine()];
    await hung.fault('hang');
    const r = await router({ upstreams: [{ id: 'hung', url: hung.url }, { id: 'good', url: good.url }], router: opts(2, { firstTokenTimeoutUs: 300_000 }) });
    const t0 = performance.now();
    const res = await post(`${r.url}/v1/chat/completions`, { messages: [{ role: 'user', content: prompt }], max_tokens: 2, stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-agentbench-instance')).toBe('good');
    expect((await res.text()).trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(performance.now() - t0).toBeLessThan(5000);
    const one = await router({ upstreams: [{ id: 'hung', url: hung.url }], router: opts(1, { firstTokenTimeoutUs: 200_000 }) });
    const r502 = await post(`${one.url}/v1/completions`, { prompt, max_tokens: 2, stream: true });
    expect(r502.status).toBe(502);
    expect(((await r502.json()) as { error: { message: string } }).error.message).toBe(
      'router: no backend answered after 1 attempt(s): hung: no first byte within 0.2 s (first-token timeout)');
  });

  it('moves a non-streamed request off a backend the health checks mark down before it answered', async () => {
    const [hung, good] = [await engine(), await engine()];
    await hung.fault('hang');
    const r = await router({
      upstreams: [{ id: 'hung', url: hung.url }, { id: 'good', url: good.url }], router: opts(2, { moveOnMarkedDown: true }),
      health: { intervalMs: 150, timeoutMs: 400, unhealthyThreshold: 1, scrapeIntervalMs: 0 }, // generous: a loaded CI machine must not fail the good one's checks
    });
    const res = await post(`${r.url}/v1/completions`, { prompt, max_tokens: 2 });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-agentbench-instance')).toBe('good');
    expect(r.counters.reroutes).toBe(1);
    expect(Object.fromEntries(r.counters.ended)).toEqual({ ok: 1 });
  });

  it('ends a stream cut after bytes were sent with an SSE error event and [DONE]; HttpBackend records a failure with the reason', async () => {
    const up = await cuttingServer();
    const r = await router({ upstreams: [{ id: 'cut', url: up }] });
    const res = await post(`${r.url}/v1/completions`, { prompt, max_tokens: 4, stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    const events = text.split('\n\n').filter((x) => x !== '');
    expect(events).toHaveLength(3);
    expect(events[2]).toBe('data: [DONE]');
    const err = JSON.parse(events[1]!.slice(6)) as { error: { message: string; code: number } };
    expect(err.error.code).toBe(502);
    expect(err.error.message.startsWith('router: backend cut broke the stream: ')).toBe(true);
    expect(Object.fromEntries(r.counters.ended)).toEqual({ stream_broken: 1 });

    const backend = new HttpBackend({ baseUrl: r.url, model: 'm', clock: new WallClock(), requestTimeoutUs: 10e6 });
    cleanups.push(() => backend.close());
    const ended = await new Promise<CallError>((resolve, reject) => backend.submit(
      { id: 'c1', prompt: [{ key: 1, start: 0, length: 32 }], promptTokens: 32, outputKey: 2, outputTokens: 4, maxTokens: 4 },
      { onToken() {}, onDone: () => reject(new Error('a cut stream must not be a success')), onError: resolve },
    ));
    expect(ended.outcome).toBe('failed');
    expect(ended.reason.startsWith('stream error: router: backend cut broke the stream: ')).toBe(true);
  });

  it('answers 413 with a JSON error for an oversize body (declared or streamed), instead of resetting', async () => {
    const e = await engine();
    const r = await router({ upstreams: [{ id: 'a', url: e.url }], maxBodyBytes: 1024 });
    const res = await post(`${r.url}/v1/completions`, { prompt: 'x'.repeat(4000) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { message: 'request body larger than 1024 bytes', type: 'BadRequestError', param: null, code: 413 } });
    // Chunked (no Content-Length): the limit is found while reading.
    const chunked = await fetch(`${r.url}/v1/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, duplex: 'half',
      body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(`{"prompt":"${'y'.repeat(3000)}"}`)); c.close(); } }),
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('answers 405 with Allow for a wrong method on a known path, 404 on an unknown one', async () => {
    const e = await engine();
    const r = await router({ upstreams: [{ id: 'a', url: e.url }] });
    const cases: [string, string, number, string | null][] = [
      ['GET', '/v1/completions', 405, 'POST'], ['PUT', '/v1/chat/completions', 405, 'POST'], ['POST', '/health', 405, 'GET'],
      ['DELETE', '/metrics', 405, 'GET'], ['POST', '/v1/models', 405, 'GET'], ['GET', '/v1/workflows/w/messages', 405, 'POST'],
      ['POST', '/v1/workflows/w/status', 405, 'GET'], ['GET', '/v1/nothing', 404, null],
    ];
    for (const [method, path, status, allow] of cases) {
      const res = await fetch(`${r.url}${path}`, { method });
      expect([method, path, res.status, res.headers.get('allow')]).toEqual([method, path, status, allow]);
      expect(((await res.json()) as { error: { code: number } }).error.code).toBe(status);
    }
  });

  it('bounds A2A memory: 413 past the message cap, 429 past the global byte cap, freed when taken', async () => {
    const e = await engine();
    const r = await router({ upstreams: [{ id: 'a', url: e.url }], workflowStore: { maxMessageBytes: 2048, maxTotalBytes: 5000 } });
    const msg = (n: number) => ({ source_agent: 'a', target_agent: 'b', content: 'x'.repeat(n) });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(`${r.url}/v1/workflows/w1/messages`, msg(1400))).status);
    expect(statuses).toEqual([201, 201, 201, 429]); // 3 × 1,452 bytes held; a fourth would pass 5,000
    const big = await post(`${r.url}/v1/workflows/w1/messages`, msg(3000));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { message: string } }).error.message).toBe('request body larger than 2048 bytes');
    expect(r.workflows.queuedBytes).toBe(3 * 1452);
    const taken = (await (await fetch(`${r.url}/v1/workflows/w1/agents/b/messages?limit=2`)).json()) as { messages: unknown[] };
    expect(taken.messages).toHaveLength(2);
    expect(r.workflows.queuedBytes).toBe(1452);
    expect((await post(`${r.url}/v1/workflows/w1/messages`, msg(1400))).status).toBe(201);
  });

  it('counts a backend\'s 5xx in vllm:request_errors_total but not a client\'s 4xx', async () => {
    const [bad, good] = [await engine(), await engine()];
    await bad.fault('error');
    const r = await router({ upstreams: [{ id: 'bad', url: bad.url }, { id: 'good', url: good.url }], router: opts(1) });
    expect((await post(`${r.url}/v1/completions`, { prompt, max_tokens: 1 })).status).toBe(500); // bad
    expect((await post(`${r.url}/v1/completions`, { prompt, max_tokens: 1, n: 2 })).status).toBe(400); // good, refuses n > 1
    const errs = parsePrometheus(await (await fetch(`${r.url}/metrics`)).text()).filter((x) => x.name === 'vllm:request_errors_total');
    expect(errs.map((x) => [x.labels['server'], x.labels['error_type'], x.value])).toEqual([[bad.url, 'http_500', 1]]);
  });
});
