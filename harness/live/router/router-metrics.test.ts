import { afterEach, describe, expect, it } from 'vitest';
import { parsePrometheus } from '../prometheus.js';
import { LatencyHistograms, newRouterCounters, routerMetricsText } from './router-metrics.js';
import { Upstream } from './upstream.js';
import { WorkflowStore } from './workflow-store.js';

const ups: Upstream[] = [];
afterEach(async () => {
  await Promise.all(ups.splice(0).map((u) => u.pool.close()));
});

describe('routerMetricsText', () => {
  it('exports per-backend gauges, router counters, latency histograms and workflow metrics with their values', () => {
    const a = new Upstream({ id: 'a', url: 'http://127.0.0.1:9/a' });
    const b = new Upstream({ id: 'b', url: 'http://127.0.0.1:9/b' });
    ups.push(a, b);
    // a: 3 in flight (one past its first byte), 1 waiting scraped; prefix 30 hits of 120 queries.
    a.applyMetrics('vllm:num_requests_waiting 1\nvllm:prefix_cache_queries_total 120\nvllm:prefix_cache_hits_total 30');
    const e1 = a.begin({ id: 'x', promptTokens: 10, maxTokens: 5, promptBlocks: [], nowUs: 0 }, 0);
    a.begin({ id: 'y', promptTokens: 10, maxTokens: 5, promptBlocks: [], nowUs: 0 }, 0);
    a.begin({ id: 'z', promptTokens: 10, maxTokens: 5, promptBlocks: [], nowUs: 0 }, 0);
    a.firstByte(e1, 100);
    b.healthy = false;
    const counters = newRouterCounters();
    counters.incoming = 7;
    counters.reroutes = 2;
    counters.rejected = 1;
    counters.errors.set('http://127.0.0.1:9/b\u0000connection_refused', 2);
    counters.ended.set('ok', 6);
    counters.ended.set('rejected', 1);
    const wf = new WorkflowStore();
    wf.routed('w1', 'p', 'a', 0);
    wf.routed('w1', 'q', 'a', 1); // an affinity hit
    wf.routed('w1', 'r', 'b', 2); // a migration
    const latency = new LatencyHistograms();
    latency.observe('http://127.0.0.1:9/a', '200', 0.2);
    latency.observe('http://127.0.0.1:9/a', '200', 3);
    const text = routerMetricsText({ upstreams: [a, b], counters, workflows: wf, latency, model: 'm', nowMs: 500, ejected: (id) => id === 'b' });
    const v = (name: string, labels: Record<string, string> = {}): number[] =>
      parsePrometheus(text).filter((s) => s.name === name && Object.entries(labels).every(([k, x]) => s.labels[k] === x)).map((s) => s.value);
    const A = { server: 'http://127.0.0.1:9/a' };
    const B = { server: 'http://127.0.0.1:9/b' };
    expect(v('vllm:num_requests_running', A)).toEqual([2]); // 3 in flight − 1 waiting
    expect(v('vllm:num_requests_waiting', A)).toEqual([1]);
    expect(v('vllm:gpu_prefix_cache_hit_rate', A)).toEqual([0.25]);
    expect(v('vllm:gpu_prefix_cache_hit_rate', B)).toEqual([0]); // no queries: 0, not NaN
    expect(v('vllm:num_prefill_requests', A)).toEqual([2]);
    expect(v('vllm:num_decoding_requests', A)).toEqual([1]);
    expect([v('vllm:healthy_pods_total', A), v('vllm:healthy_pods_total', B)]).toEqual([[1], [0]]);
    expect(v('vllm:current_qps', A)).toEqual([0.3]); // 3 starts over the 10 s window
    expect(v('vllm:num_incoming_requests_total', { model: 'm' })).toEqual([7]);
    expect(v('vllm:request_errors_total', { ...B, error_type: 'connection_refused' })).toEqual([2]);
    // Buckets are cumulative: 0.2 s is within 0.25, 3 s within 5.
    expect(v('vllm:request_latency_seconds_bucket', { ...A, status: '200', le: '0.25' })).toEqual([1]);
    expect(v('vllm:request_latency_seconds_bucket', { ...A, status: '200', le: '5' })).toEqual([2]);
    expect(v('vllm:request_latency_seconds_count', { ...A, status: '200' })).toEqual([2]);
    expect(v('vllm:request_latency_seconds_sum', { ...A, status: '200' })).toEqual([3.2]);
    expect(v('vllm:workflow_requests_total')).toEqual([3]);
    expect(v('vllm:workflow_cache_affinity_hits_total')).toEqual([1]);
    expect(v('vllm:workflow_migrations_total')).toEqual([1]);
    expect(v('vllm:active_workflows')).toEqual([1]);
    expect(v('agentbench:router_reroutes_total')).toEqual([2]);
    expect([v('agentbench:router_backend_ejected', A), v('agentbench:router_backend_ejected', B)]).toEqual([[0], [1]]);
    expect(v('agentbench:router_requests_ended_total', { outcome: 'ok' })).toEqual([6]);
    expect(v('agentbench:router_rejected_total')).toEqual([1]);
  });
});
