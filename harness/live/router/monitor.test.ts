import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { closeServer, listen, trackSockets } from '../http-util.js';
import { UpstreamMonitor } from './monitor.js';
import { Upstream } from './upstream.js';

/** A backend whose /health status and /metrics answer the test sets; it counts the paths asked. */
async function backend(): Promise<{ url: string; health: { status: number }; metrics: { status: number; text: string }; paths: string[]; close: () => Promise<void> }> {
  const health = { status: 200 };
  const metrics = { status: 200, text: '' };
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? '');
    if (req.url?.endsWith('/health')) return void res.writeHead(health.status).end();
    res.writeHead(metrics.status).end(metrics.text);
  });
  const sockets = trackSockets(server);
  const port = await listen(server, 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}/base/v1`, health, metrics, paths, close: () => closeServer(server, sockets) };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(threshold = 2) {
  const b = await backend();
  const u = new Upstream({ id: 'b', url: b.url });
  const downs: string[] = [];
  const m = new UpstreamMonitor([u], { intervalMs: 60_000, timeoutMs: 2000, unhealthyThreshold: threshold, scrapeIntervalMs: 0 }, (x) => downs.push(x.id));
  cleanups.push(b.close, () => u.pool.close(), async () => m.stop());
  return { b, u, m, downs };
}

describe('UpstreamMonitor', () => {
  it('marks a backend down after `unhealthyThreshold` failed checks in a row (once), and up on the first good one', async () => {
    const { b, u, m, downs } = await setup(2);
    b.health.status = 503;
    await m.checkAll();
    expect([u.healthy, u.consecutiveFailures, downs]).toEqual([true, 1, []]);
    await m.checkAll();
    expect([u.healthy, u.consecutiveFailures, downs]).toEqual([false, 2, ['b']]);
    await m.checkAll();
    expect([u.healthy, u.consecutiveFailures, downs]).toEqual([false, 3, ['b']]); // no second onDown
    b.health.status = 200;
    await m.checkAll();
    expect([u.healthy, u.consecutiveFailures]).toEqual([true, 0]);
    // Checks go to the backend's base path (its URL minus /v1).
    expect(b.paths).toEqual(['/base/health', '/base/health', '/base/health', '/base/health']);
  });

  it('counts a refused connection as a failed check', async () => {
    const { b, u, m, downs } = await setup(1);
    await b.close();
    await m.checkAll();
    expect([u.healthy, downs]).toEqual([false, ['b']]);
  });

  it('markDown takes a backend down at once (one onDown) and needs the full threshold of failures to be cleared', async () => {
    const { u, m, downs } = await setup(3);
    m.markDown(u);
    m.markDown(u);
    expect([u.healthy, u.consecutiveFailures, downs]).toEqual([false, 3, ['b']]);
  });

  it('scrapes /metrics into the view and keeps the last figures when a scrape fails', async () => {
    const { b, u, m } = await setup();
    b.metrics.text = 'vllm:num_requests_waiting 4\nvllm:kv_cache_usage_perc 0.5\n';
    await m.scrapeAll();
    expect([u.scraped.waiting, u.scraped.kvUsage]).toEqual([4, 0.5]);
    b.metrics.status = 500;
    b.metrics.text = 'vllm:num_requests_waiting 9\n';
    await m.scrapeAll();
    expect(u.scraped.waiting).toBe(4);
    expect(b.paths).toEqual(['/base/metrics', '/base/metrics']);
  });

  it('changes nothing once stopped', async () => {
    const { b, u, m, downs } = await setup(1);
    b.health.status = 503;
    b.metrics.text = 'vllm:num_requests_waiting 4\n';
    m.stop();
    await m.checkAll();
    await m.scrapeAll();
    expect([u.healthy, u.consecutiveFailures, downs, u.scraped.waiting]).toEqual([true, 0, [], 0]);
  });
});
