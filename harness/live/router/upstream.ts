import { Pool } from 'undici';
import type { InstanceView, RouteRequest } from '../../../policies/types.js';
import { parsePrometheus } from '../prometheus.js';
import { WindowStats } from './window.js';

/** One backend as configured: an id and its base URL, optionally its own API key. */
export interface UpstreamSpec {
  readonly id: string;
  readonly url: string;
  /** Sent to this backend as `Authorization: Bearer`; never logged or exposed. */
  readonly apiKey?: string | undefined;
}

/** What the router last scraped from a backend's /metrics (vLLM names). */
interface Scraped {
  running: number;
  waiting: number;
  kvUsage: number;
  numBlocks: number;
  prefixQueries: number;
  prefixHits: number;
}

/** Router-side bookkeeping of one request on one upstream. */
export interface InflightEntry {
  readonly route: RouteRequest;
  readonly startMs: number;
  firstByteMs: number;
}

/**
 * One backend as the router sees it, and the InstanceView the routing policy reads (refreshed in
 * place before each decision). Running + waiting come from the router's own in-flight count
 * (exact for traffic through this router), split by the last scraped waiting queue; KV usage and
 * capacity come from the scraped vLLM metrics (`vllm:kv_cache_usage_perc`,
 * `vllm:cache_config_info{num_gpu_blocks}`), so they are as stale as the scrape interval.
 */
export class Upstream implements InstanceView {
  readonly id: string;
  readonly url: string;
  readonly apiKey: string | undefined;
  readonly pool: Pool;
  readonly basePath: string;
  healthy = true;
  running = 0;
  waiting = 0;
  kvBlocksUsed = 0;
  kvBlocksTotal = 0;
  inflightPrefillTokens = 0;
  inflightDecodeTokens = 0;
  /** Requests the router has on this backend. */
  inflight = 0;
  /** Of those, how many have not sent a first byte yet. */
  prefilling = 0;
  consecutiveFailures = 0;
  /** Models this backend serves (its last `GET /v1/models`); null: not known yet, so any. */
  models: readonly string[] | null = null;
  /** Its last `GET /v1/models` answered 401/403: the router's key for it (`--backend-api-key`) is wrong or missing. */
  keyRefused = false;
  /** Aborts of the attempts on this backend that have sent the client nothing yet (moved when it is marked down). */
  readonly uncommitted = new Set<() => void>();
  readonly scraped: Scraped = { running: 0, waiting: 0, kvUsage: 0, numBlocks: 0, prefixQueries: 0, prefixHits: 0 };
  readonly starts = new WindowStats();
  readonly latencyS = new WindowStats();
  readonly itlS = new WindowStats();
  /** Streamed events per finished request (production-stack's avg_decoding_length). */
  readonly decodeLen = new WindowStats();
  #prefillTokens = 0;
  #decodeTokens = 0;

  constructor(spec: UpstreamSpec) {
    this.id = spec.id;
    this.url = spec.url;
    this.apiKey = spec.apiKey;
    const u = new URL(spec.url);
    this.basePath = u.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.pool = new Pool(u.origin, { connections: null, pipelining: 1, keepAliveTimeout: 30_000 });
  }

  /** Bring the view fields up to date from counters and the last scrape. */
  refresh(): void {
    const w = Math.min(this.inflight, this.scraped.waiting);
    this.waiting = w;
    this.running = this.inflight - w;
    this.kvBlocksTotal = this.scraped.numBlocks;
    this.kvBlocksUsed = Math.round(this.scraped.kvUsage * this.scraped.numBlocks);
    this.inflightPrefillTokens = this.#prefillTokens;
    this.inflightDecodeTokens = this.#decodeTokens;
  }

  /** A request was sent here. */
  begin(route: RouteRequest, nowMs: number): InflightEntry {
    this.inflight++;
    this.prefilling++;
    this.#prefillTokens += route.promptTokens;
    this.starts.add(1, nowMs);
    return { route, startMs: nowMs, firstByteMs: -1 };
  }

  /** Its first body byte arrived: it is past prefill. */
  firstByte(e: InflightEntry, nowMs: number): void {
    if (e.firstByteMs >= 0) return;
    e.firstByteMs = nowMs;
    this.prefilling--;
    this.#prefillTokens -= e.route.promptTokens;
    this.#decodeTokens += e.route.promptTokens;
  }

  /** It ended (any outcome). */
  end(e: InflightEntry, nowMs: number, ok: boolean, chunks: number): void {
    this.inflight--;
    if (e.firstByteMs < 0) {
      this.prefilling--;
      this.#prefillTokens -= e.route.promptTokens;
    } else {
      this.#decodeTokens -= e.route.promptTokens;
      if (ok && chunks > 1) this.itlS.add((nowMs - e.firstByteMs) / 1000 / (chunks - 1), nowMs);
    }
    if (ok) {
      this.latencyS.add((nowMs - e.startMs) / 1000, nowMs);
      if (chunks > 0) this.decodeLen.add(chunks, nowMs);
    }
  }

  /** Apply a scraped /metrics page. */
  applyMetrics(text: string): void {
    const s = this.scraped;
    for (const m of parsePrometheus(text)) {
      switch (m.name) {
        case 'vllm:num_requests_running': s.running = m.value; break;
        case 'vllm:num_requests_waiting': s.waiting = m.value; break;
        case 'vllm:kv_cache_usage_perc': s.kvUsage = m.value; break;
        case 'vllm:gpu_cache_usage_perc': s.kvUsage = m.value; break;
        case 'vllm:prefix_cache_queries_total': s.prefixQueries = m.value; break;
        case 'vllm:prefix_cache_hits_total': s.prefixHits = m.value; break;
        case 'vllm:cache_config_info': {
          const n = Number(m.labels['num_gpu_blocks']);
          if (Number.isFinite(n)) s.numBlocks = n;
          break;
        }
        default:
      }
    }
  }
}
