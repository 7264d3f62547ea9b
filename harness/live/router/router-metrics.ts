import { PromHistogram, PromWriter } from '../prometheus.js';
import type { Upstream } from './upstream.js';
import type { WorkflowStore } from './workflow-store.js';

/** Router-wide counters. */
export interface RouterCounters {
  /** Valid requests received (production-stack's vllm:num_incoming_requests). */
  incoming: number;
  /** Requests sent again to another backend after a connection failure. */
  reroutes: number;
  /** Requests the policy refused (no healthy instance...). */
  rejected: number;
  /** Requests that failed after every attempt, or whose stream broke. */
  failed: number;
  /** Errors by (backend, kind). */
  readonly errors: Map<string, number>;
  /** Generation requests ended, by outcome (ok, http_<status>, stream_broken, client_gone, bad_request, rejected, all_attempts_failed): they sum to `incoming`. */
  readonly ended: Map<string, number>;
}

/** A fresh set of counters. */
export function newRouterCounters(): RouterCounters {
  return { incoming: 0, reroutes: 0, rejected: 0, failed: 0, errors: new Map(), ended: new Map() };
}

// production-stack's request_latency_seconds buckets (vllm_router/services/metrics_service).
const LATENCY_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Per-backend latency histograms keyed by `server\0status`. */
export class LatencyHistograms {
  readonly byKey = new Map<string, PromHistogram>();
  observe(server: string, status: string, seconds: number): void {
    const k = `${server}\u0000${status}`;
    let h = this.byKey.get(k);
    if (!h) this.byKey.set(k, (h = new PromHistogram(LATENCY_BUCKETS_S)));
    h.observe(seconds);
  }
}

/**
 * The router's /metrics: production-stack's router gauge names per backend (`server` label =
 * backend URL; vllm_router/services/metrics_service), its counters, and the workflow metrics of
 * the seed design (workflow requests, cache-affinity hits, active workflows, migrations).
 */
export function routerMetricsText(opts: {
  upstreams: readonly Upstream[];
  counters: RouterCounters;
  workflows: WorkflowStore;
  latency: LatencyHistograms;
  model: string;
  nowMs: number;
  /** Whether passive outlier detection has a backend ejected now (absent: off). */
  ejected?: ((id: string) => boolean) | undefined;
}): string {
  const { upstreams: ups, counters: c, workflows: wf, nowMs } = opts;
  const per = (f: (u: Upstream) => number): [Record<string, string>, number][] => ups.map((u) => [{ server: u.url }, f(u)]);
  for (const u of ups) u.refresh();
  const w = new PromWriter()
    .family('vllm:num_requests_running', 'gauge', 'Number of running requests', per((u) => u.running))
    .family('vllm:num_requests_waiting', 'gauge', 'Number of waiting requests', per((u) => u.waiting))
    .family('vllm:gpu_prefix_cache_hit_rate', 'gauge', 'GPU Prefix Cache Hit Rate', per((u) => (u.scraped.prefixQueries > 0 ? u.scraped.prefixHits / u.scraped.prefixQueries : 0)))
    .family('vllm:gpu_prefix_cache_hits_total', 'gauge', 'Total GPU Prefix Cache Hits', per((u) => u.scraped.prefixHits))
    .family('vllm:gpu_prefix_cache_queries_total', 'gauge', 'Total GPU Prefix Cache Queries', per((u) => u.scraped.prefixQueries))
    .family('vllm:current_qps', 'gauge', 'Current Queries Per Second', per((u) => u.starts.rate(nowMs)))
    .family('vllm:avg_decoding_length', 'gauge', 'Average Decoding Length', per((u) => u.decodeLen.mean(nowMs)))
    .family('vllm:num_prefill_requests', 'gauge', 'Number of Prefill Requests', per((u) => u.prefilling))
    .family('vllm:num_decoding_requests', 'gauge', 'Number of Decoding Requests', per((u) => u.inflight - u.prefilling))
    .family('vllm:healthy_pods_total', 'gauge', 'Number of healthy vLLM pods', per((u) => (u.healthy ? 1 : 0)))
    .family('vllm:avg_latency', 'gauge', 'Average end-to-end request latency', per((u) => u.latencyS.mean(nowMs)))
    .family('vllm:avg_itl', 'gauge', 'Average Inter-Token Latency', per((u) => u.itlS.mean(nowMs)))
    .family('vllm:num_requests_swapped', 'gauge', 'Number of swapped requests', per(() => 0))
    .family('vllm:num_incoming_requests_total', 'counter', 'Total valid incoming requests to router (including when no backends available).', [[{ model: opts.model }, c.incoming]])
    .family('vllm:request_errors_total', 'counter', 'Total request errors', [...c.errors].map(([k, n]) => {
      const [server, type] = k.split('\u0000') as [string, string];
      return [{ server, model: opts.model, error_type: type }, n] as const;
    }))
    .histogram('vllm:request_latency_seconds', 'End-to-end request latency observed at the router', [...opts.latency.byKey].map(([k, h]) => {
      const [server, status] = k.split('\u0000') as [string, string];
      return [{ server, model: opts.model, status }, h] as const;
    }))
    .family('vllm:workflow_requests_total', 'counter', 'Requests carrying workflow metadata.', [[{}, wf.counters.workflowRequests]])
    .family('vllm:workflow_cache_affinity_hits_total', 'counter', 'Workflow requests routed to the instance that served the workflow last.', [[{}, wf.counters.affinityHits]])
    .family('vllm:workflow_migrations_total', 'counter', 'Workflow requests routed to a different instance than the workflow last used.', [[{}, wf.counters.migrations]])
    .family('vllm:active_workflows', 'gauge', 'Workflows seen within the TTL.', [[{}, wf.active]])
    .family('vllm:agent_messages_total', 'counter', 'Agent-to-agent messages queued.', [[{}, wf.counters.messagesPosted]])
    .family('agentbench:router_agent_message_bytes', 'gauge', 'Bytes of agent-to-agent messages queued (capped by the workflow store).', [[{}, wf.queuedBytes]])
    .family('agentbench:router_reroutes_total', 'counter', 'Requests re-sent to another backend after a connection failure.', [[{}, c.reroutes]])
    .family('agentbench:router_backend_ejected', 'gauge', 'Whether outlier detection has the backend ejected (1) or not (0).', per((u) => (opts.ejected?.(u.id) ? 1 : 0)))
    .family('agentbench:router_requests_ended_total', 'counter', 'Generation requests ended, by outcome (each request exactly once).', [...c.ended].map(([outcome, n]) => [{ outcome }, n] as const))
    .family('agentbench:router_rejected_total', 'counter', 'Requests the routing policy refused.', [[{}, c.rejected]]);
  return w.text();
}
