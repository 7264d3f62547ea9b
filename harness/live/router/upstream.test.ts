import { afterEach, describe, expect, it } from 'vitest';
import type { RouteRequest } from '../../../policies/types.js';
import { Upstream } from './upstream.js';

const opened: Upstream[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((u) => u.pool.close()));
});
const upstream = (url: string): Upstream => {
  const u = new Upstream({ id: 'u', url });
  opened.push(u);
  return u;
};
const route = (promptTokens: number): RouteRequest => ({ id: `r${promptTokens}`, promptTokens, maxTokens: 16, promptBlocks: [], nowUs: 0 });

describe('Upstream', () => {
  it('strips a trailing /v1 and slashes from the base path', () => {
    expect(upstream('http://127.0.0.1:9/').basePath).toBe('');
    expect(upstream('http://127.0.0.1:9/v1').basePath).toBe('');
    expect(upstream('http://127.0.0.1:9/gw/v1/').basePath).toBe('/gw');
    expect(upstream('http://127.0.0.1:9/gw//').basePath).toBe('/gw');
  });

  it('tracks in-flight requests and their prompt tokens from send to first byte to end', () => {
    const u = upstream('http://127.0.0.1:9');
    const a = u.begin(route(100), 0);
    const b = u.begin(route(40), 10);
    u.refresh();
    expect([u.inflight, u.prefilling, u.inflightPrefillTokens, u.inflightDecodeTokens]).toEqual([2, 2, 140, 0]);
    u.firstByte(a, 500);
    u.firstByte(a, 600); // a second first byte changes nothing
    u.refresh();
    expect([u.prefilling, u.inflightPrefillTokens, u.inflightDecodeTokens, a.firstByteMs]).toEqual([1, 40, 100, 500]);
    // a ends ok after 5 streamed chunks at 1500: ITL (1500 − 500) ms / 4 gaps = 0.25 s; latency 1.5 s.
    u.end(a, 1500, true, 5);
    // b never sent a byte and failed: leaves prefill, records no latency.
    u.end(b, 1600, false, 0);
    u.refresh();
    expect([u.inflight, u.prefilling, u.inflightPrefillTokens, u.inflightDecodeTokens]).toEqual([0, 0, 0, 0]);
    expect(u.itlS.totals(1600)).toEqual({ sum: 0.25, count: 1 });
    expect(u.latencyS.totals(1600)).toEqual({ sum: 1.5, count: 1 });
    expect(u.decodeLen.totals(1600)).toEqual({ sum: 5, count: 1 });
    expect(u.starts.totals(1600)).toEqual({ sum: 2, count: 2 });
  });

  it('records no ITL for a single chunk, and neither latency nor decode length for a failure after its first byte', () => {
    const u = upstream('http://127.0.0.1:9');
    const one = u.begin(route(8), 0);
    u.firstByte(one, 100);
    u.end(one, 200, true, 1);
    const broken = u.begin(route(8), 300);
    u.firstByte(broken, 400);
    u.end(broken, 900, false, 3);
    expect(u.itlS.totals(900).count).toBe(0);
    expect(u.latencyS.totals(900)).toEqual({ sum: 0.2, count: 1 });
    expect(u.decodeLen.totals(900)).toEqual({ sum: 1, count: 1 });
  });

  it('applies scraped vLLM metrics and splits its own in-flight count into running and waiting', () => {
    const u = upstream('http://127.0.0.1:9');
    u.applyMetrics([
      'vllm:num_requests_running{model_name="m"} 3',
      'vllm:num_requests_waiting{model_name="m"} 2',
      'vllm:kv_cache_usage_perc{model_name="m"} 0.25',
      'vllm:prefix_cache_queries_total{model_name="m"} 400',
      'vllm:prefix_cache_hits_total{model_name="m"} 100',
      'vllm:cache_config_info{num_gpu_blocks="1000",block_size="16"} 1',
      'vllm:something_else 7',
    ].join('\n'));
    expect(u.scraped).toEqual({ running: 3, waiting: 2, kvUsage: 0.25, numBlocks: 1000, prefixQueries: 400, prefixHits: 100 });
    for (let i = 0; i < 3; i++) u.begin(route(1), 0);
    u.refresh();
    // 3 in flight here, 2 waiting scraped → 2 waiting, 1 running; KV 0.25 · 1000 = 250 blocks used.
    expect([u.running, u.waiting, u.kvBlocksUsed, u.kvBlocksTotal]).toEqual([1, 2, 250, 1000]);
    // Fewer in flight than the scraped queue: all of ours count as waiting.
    u.applyMetrics('vllm:num_requests_waiting 9\nvllm:gpu_cache_usage_perc 0.5\nvllm:cache_config_info{num_gpu_blocks="x"} 1');
    u.refresh();
    expect([u.running, u.waiting, u.kvBlocksUsed, u.kvBlocksTotal]).toEqual([0, 3, 500, 1000]); // older vLLM's gauge name; a bad block count is ignored
  });
});
