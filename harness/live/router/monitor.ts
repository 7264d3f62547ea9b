import type { Upstream } from './upstream.js';

/** Health-check settings (production-stack's defaults are similar: a few seconds, a few misses). */
export interface HealthOptions {
  /** Time between checks of each backend, ms. */
  readonly intervalMs: number;
  /** A check without an answer within this is a failure, ms. */
  readonly timeoutMs: number;
  /** Consecutive failures before a backend is marked unhealthy. */
  readonly unhealthyThreshold: number;
  /** Time between /metrics scrapes of each backend, ms (0: never scrape). */
  readonly scrapeIntervalMs: number;
}

/** Default health settings. */
export const DEFAULT_HEALTH: HealthOptions = { intervalMs: 1000, timeoutMs: 1000, unhealthyThreshold: 2, scrapeIntervalMs: 1000 };

/**
 * Periodic GET /health and GET /metrics of every backend. A backend turns unhealthy after
 * `unhealthyThreshold` failed checks in a row (or at once on a refused connection, via
 * {@link markDown}) and healthy again on the first good check.
 */
export class UpstreamMonitor {
  readonly #ups: readonly Upstream[];
  readonly #opts: HealthOptions;
  readonly #onDown: (u: Upstream) => void;
  readonly #timers: NodeJS.Timeout[] = [];
  #closed = false;

  constructor(ups: readonly Upstream[], opts: HealthOptions, onDown: (u: Upstream) => void) {
    this.#ups = ups;
    this.#opts = opts;
    this.#onDown = onDown;
  }

  start(): void {
    this.#timers.push(setInterval(() => void this.checkAll(), this.#opts.intervalMs));
    if (this.#opts.scrapeIntervalMs > 0) {
      this.#timers.push(setInterval(() => void this.scrapeAll(), this.#opts.scrapeIntervalMs));
      void this.scrapeAll();
    }
  }

  stop(): void {
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
  }

  /** Mark a backend down now (a refused connection needs no second opinion). */
  markDown(u: Upstream): void {
    u.consecutiveFailures = Math.max(u.consecutiveFailures, this.#opts.unhealthyThreshold);
    if (u.healthy) {
      u.healthy = false;
      this.#onDown(u);
    }
  }

  /** Check every backend once. */
  async checkAll(): Promise<void> {
    await Promise.all(this.#ups.map((u) => this.#check(u)));
  }

  /** Scrape every backend's /metrics once. */
  async scrapeAll(): Promise<void> {
    await Promise.all(this.#ups.map(async (u) => {
      try {
        const res = await u.pool.request({
          path: `${u.basePath}/metrics`, method: 'GET', headersTimeout: this.#opts.timeoutMs, bodyTimeout: this.#opts.timeoutMs,
          signal: AbortSignal.timeout(this.#opts.timeoutMs),
        });
        const text = await res.body.text();
        if (res.statusCode === 200 && !this.#closed) u.applyMetrics(text);
      } catch {
        // A failed scrape keeps the last figures; health checks judge liveness.
      }
    }));
  }

  async #check(u: Upstream): Promise<void> {
    let ok = false;
    try {
      const res = await u.pool.request({
        path: `${u.basePath}/health`, method: 'GET', headersTimeout: this.#opts.timeoutMs, bodyTimeout: this.#opts.timeoutMs,
        signal: AbortSignal.timeout(this.#opts.timeoutMs),
      });
      await res.body.dump();
      ok = res.statusCode === 200;
    } catch {
      ok = false;
    }
    if (this.#closed) return;
    if (ok) {
      u.consecutiveFailures = 0;
      u.healthy = true;
      return;
    }
    u.consecutiveFailures++;
    if (u.consecutiveFailures >= this.#opts.unhealthyThreshold && u.healthy) {
      u.healthy = false;
      this.#onDown(u);
    }
  }
}
