import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RoundRobinPolicy } from '../../../policies/routing/round-robin.js';
import type { RouteRequest, RoutingPolicy } from '../../../policies/types.js';
import { renderRuns } from '../../../workloads/render.js';
import { closeServer, listen, trackSockets } from '../http-util.js';
import { parsePrometheus } from '../prometheus.js';
import { ROUTER_DEFAULTS, type RouterCoreOptions } from '../../../sim/router-core.js';
import { cleanups, closeAfterEach, engine, router } from './testdata/fixture.js';

closeAfterEach();

/** Router options with `n` attempts per request (the default is production-stack's 1). */
const attempts = (n: number): RouterCoreOptions => ({ ...ROUTER_DEFAULTS, retry: { ...ROUTER_DEFAULTS.retry, maxAttempts: n } });

/** An upstream that records what it receives and answers a fixed completion. */
async function captureServer(): Promise<{ url: string; seen: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[] }> {
  const seen: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      if (req.url === '/health' || req.method === 'GET') return void res.end(); // health, and the router's GET /v1/models
      seen.push({ headers: req.headers, body: JSON.parse(raw || '{}') as Record<string, unknown> });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'x', object: 'text_completion', choices: [{ index: 0, text: ' ok' }] }));
    });
  });
  const sockets = trackSockets(server);
  const port = await listen(server, 0, '127.0.0.1');
  cleanups.push(() => closeServer(server, sockets));
  return { url: `http://127.0.0.1:${port}`, seen };
}

/** A loopback port with nothing listening. */
async function deadPort(): Promise<number> {
  const s = createServer();
  const port = await listen(s, 0, '127.0.0.1');
  await new Promise((ok) => s.close(ok));
  return port;
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const prompt = renderRuns([{ key: 5, start: 0, length: 64 }]);

describe('router', () => {
  it('streams through, names the instance, passes X-Request-Id, and round-robins', async () => {
    const [a, b] = [await engine(), await engine()];
    const r = await router({ upstreams: [{ id: 'a', url: a.url }, { id: 'b', url: b.url }] });
    const served: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await post(`${r.url}/v1/completions`, { prompt, max_tokens: 3, ignore_eos: true, stream: true }, { 'x-request-id': `req-${i}` });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe(`req-${i}`);
      served.push(res.headers.get('x-agentbench-instance')!);
      const text = await res.text();
      expect(text.match(/"text":" /g)).toHaveLength(3);
      expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    }
    expect(served).toEqual(['a', 'b', 'a', 'b']);
    expect(r.counters.incoming).toBe(4);
  });

  it('hands the policy what the client sent: metadata from headers or body, max_tokens, prompt blocks', async () => {
    const cap = await captureServer();
    const seen: RouteRequest[] = [];
    const spy: RoutingPolicy = { name: 'spy', route: (req, views) => (seen.push(req), views[0]!.id) };
    const r = await router({ upstreams: [{ id: 'c', url: cap.url }], policy: spy });
    await post(`${r.url}/v1/completions`, { prompt, max_tokens: 9 }, { 'x-workflow-id': 'wf1', 'x-agent-id': 'planner', 'x-workflow-priority': '2', 'x-session-id': 's1' });
    await post(`${r.url}/v1/chat/completions`, {
      messages: [{ role: 'user', content: 'hi' }], workflow_metadata: { workflow_id: 'wf2', agent_id: 'w', parent_request_id: 'p1', workflow_priority: 1 },
    });
    await post(`${r.url}/v1/completions`, { prompt: 'x', workflow_id: 'wf3', agent_id: 'solo' });
    expect(seen[0]).toMatchObject({ workflowId: 'wf1', agentId: 'planner', priority: 2, sessionKey: 's1', maxTokens: 9, promptTokens: 64 });
    expect(seen[0]!.promptBlocks).toHaveLength(4);
    expect(seen[1]).toMatchObject({ workflowId: 'wf2', agentId: 'w', parentRequestId: 'p1', priority: 1, maxTokens: 4096 });
    expect(seen[2]).toMatchObject({ workflowId: 'wf3', agentId: 'solo', maxTokens: 16 });
    // Not stripped by default: the body goes through unchanged.
    expect(cap.seen[1]!.body['workflow_metadata']).toEqual({ workflow_id: 'wf2', agent_id: 'w', parent_request_id: 'p1', workflow_priority: 1 });
    const status = (await (await fetch(`${r.url}/v1/workflows/wf1/status`)).json()) as { requests: number; last_instance: string; agents: string[] };
    expect(status).toMatchObject({ requests: 1, last_instance: 'c', agents: ['planner'] });
  });

  it('strips workflow fields when asked, and keeps client keys away from backends that have their own', async () => {
    const cap = await captureServer();
    const r = await router({ upstreams: [{ id: 'c', url: cap.url, apiKey: 'backend-key' }], stripWorkflowFields: true, apiKey: 'router-key' });
    expect((await post(`${r.url}/v1/completions`, { prompt: 'x' })).status).toBe(401);
    const ok = await post(`${r.url}/v1/completions`, { prompt: 'x', workflow_metadata: { workflow_id: 'w' }, agent_id: 'a', temperature: 0 }, {
      authorization: 'Bearer router-key', 'x-workflow-id': 'w',
    });
    expect(ok.status).toBe(200);
    const got = cap.seen[0]!;
    expect(got.body).toEqual({ prompt: 'x', temperature: 0 });
    expect(got.headers.authorization).toBe('Bearer backend-key');
    expect(got.headers['x-workflow-id']).toBeUndefined();
    // No X-Request-Id from the client: the router makes one (crypto.randomUUID, a version-4 UUID).
    expect(got.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('reroutes when a backend refuses the connection, and marks it down', async () => {
    const e = await engine();
    const downs: string[] = [];
    const policy = new RoundRobinPolicy();
    const r = await router({
      upstreams: [{ id: 'dead', url: `http://127.0.0.1:${await deadPort()}` }, { id: 'live', url: e.url }],
      policy: Object.assign(policy, { onInstanceDown: (id: string) => downs.push(id) }),
      router: attempts(2),
    });
    for (let i = 0; i < 3; i++) {
      const res = await post(`${r.url}/v1/completions`, { prompt, max_tokens: 2, ignore_eos: true });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-agentbench-instance')).toBe('live');
    }
    expect(r.counters.reroutes).toBe(1);
    expect(downs).toEqual(['dead']);
    expect(r.upstreams[0]!.healthy).toBe(false);
    const metrics = parsePrometheus(await (await fetch(`${r.url}/metrics`)).text());
    expect(metrics.find((m) => m.name === 'agentbench:router_reroutes_total')?.value).toBe(1);
    expect(metrics.find((m) => m.name === 'vllm:healthy_pods_total' && m.labels['server'] === e.url)?.value).toBe(1);
  });

  it('answers 502 when every attempt fails and 503 (marked as a rejection) when no backend is healthy', async () => {
    const r = await router({ upstreams: [{ id: 'd1', url: `http://127.0.0.1:${await deadPort()}` }, { id: 'd2', url: `http://127.0.0.1:${await deadPort()}` }], router: attempts(3) });
    const first = await post(`${r.url}/v1/completions`, { prompt: 'x' });
    expect(first.status).toBe(502);
    // d1 then d2 refuse (each excluded in turn); the third attempt backs off, finds both down: the last tried is named.
    expect(first.headers.get('x-agentbench-instance')).toBe('d2');
    expect(((await first.json()) as { error: { message: string } }).error.message).toMatch(/ECONNREFUSED/);
    const second = await post(`${r.url}/v1/completions`, { prompt: 'x' });
    expect(second.status).toBe(503);
    expect(second.headers.get('x-agentbench-reject')).toBe('1');
    expect((await fetch(`${r.url}/health`)).status).toBe(503);
  });

  it('health checks take a hung backend out after the threshold and bring it back', async () => {
    const e = await engine();
    const r = await router({ upstreams: [{ id: 'e', url: e.url }], health: { intervalMs: 60_000, timeoutMs: 50, unhealthyThreshold: 2, scrapeIntervalMs: 0 } });
    await e.fault('hang');
    await r.monitor.checkAll();
    expect(r.upstreams[0]!.healthy).toBe(true);
    await r.monitor.checkAll();
    expect(r.upstreams[0]!.healthy).toBe(false);
    await e.fault('recover');
    await r.monitor.checkAll();
    expect(r.upstreams[0]!.healthy).toBe(true);
  });

  it('scrapes vLLM metrics into the views and serves production-stack names plus workflow metrics', async () => {
    const e = await engine();
    const r = await router({ upstreams: [{ id: 'e', url: e.url }] });
    for (const agent of ['a1', 'a2']) await (await post(`${r.url}/v1/completions`, { prompt, max_tokens: 2, ignore_eos: true }, { 'x-workflow-id': 'w', 'x-agent-id': agent })).text();
    await r.monitor.scrapeAll();
    const u = r.upstreams[0]!;
    u.refresh();
    expect(u.kvBlocksTotal).toBe(e.engine.core.kv.pool.numBlocks);
    const m = parsePrometheus(await (await fetch(`${r.url}/metrics`)).text());
    const names = new Set(m.map((x) => x.name));
    for (const n of ['vllm:num_requests_running', 'vllm:num_requests_waiting', 'vllm:current_qps', 'vllm:avg_latency', 'vllm:avg_itl',
      'vllm:num_prefill_requests', 'vllm:num_decoding_requests', 'vllm:healthy_pods_total', 'vllm:gpu_prefix_cache_hit_rate',
      'vllm:num_incoming_requests_total', 'vllm:request_latency_seconds_count', 'vllm:workflow_requests_total',
      'vllm:workflow_cache_affinity_hits_total', 'vllm:workflow_migrations_total', 'vllm:active_workflows']) expect(names).toContain(n);
    const get = (n: string) => m.find((x) => x.name === n)?.value;
    expect(get('vllm:workflow_requests_total')).toBe(2);
    expect(get('vllm:workflow_cache_affinity_hits_total')).toBe(1);
    expect(get('vllm:active_workflows')).toBe(1);
    expect(get('vllm:gpu_prefix_cache_hit_rate')).toBeGreaterThan(0);
  });

  it('spends exactly maxAttempts upstream attempts on a request whose connections keep breaking, then answers 502', async () => {
    // Three upstreams that reset every connection on its first bytes: a transport failure before
    // any response. Only completions are counted (the router also asks each for GET /v1/models).
    const counts = [0, 0, 0];
    const servers = counts.map((_, k) => {
      const srv = createTcpServer((sock) => {
        sock.once('data', (d: Buffer) => {
          if (d.toString('latin1').startsWith('POST /v1/completions')) counts[k]!++;
          sock.resetAndDestroy();
        });
      });
      cleanups.push(() => new Promise<void>((r) => srv.close(() => r())));
      return srv;
    });
    const ports = await Promise.all(servers.map((srv) => new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as { port: number }).port)))));
    for (const n of [1, 2, 3]) {
      counts.fill(0);
      const r = await router({ upstreams: ports.map((p, k) => ({ id: `u${k}`, url: `http://127.0.0.1:${p}` })), router: attempts(n) });
      const res = await post(`${r.url}/v1/completions`, { prompt: 'x', max_tokens: 1 });
      expect(res.status).toBe(502);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(new RegExp(`after ${n} attempt\\(s\\)`));
      // Round-robin over the upstreams not yet excluded: one connection each, n in all.
      expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
      expect(counts.filter((c) => c === 1).length).toBe(n);
      await r.close();
    }
  });
});
