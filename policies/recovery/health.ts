/**
 * A router's active health checking, as configured. Defaults follow vLLM production-stack's
 * static backend health checks (src/vllm_router/service_discovery.py,
 * StaticServiceDiscovery.check_model_health: every backend is probed, then
 * `await asyncio.sleep(60)`; parsers/parser.py: `--backend-health-check-timeout-seconds`
 * default 10). One failed probe puts a backend on the unhealthy list and the next passing
 * probe takes it off, i.e. both thresholds are 1.
 */
export interface HealthCheckConfig {
  /** Time between two probes of an instance, µs. */
  readonly intervalUs: number;
  /** A probe without an answer for this long has failed, µs. */
  readonly timeoutUs: number;
  /** Consecutive failed probes before the router stops routing to the instance. */
  readonly failureThreshold: number;
  /** Consecutive passing probes before an unhealthy instance is routed to again. */
  readonly successThreshold: number;
}

/** production-stack's health-check defaults (see {@link HealthCheckConfig}). */
export const PRODUCTION_STACK_HEALTH: HealthCheckConfig = {
  intervalUs: 60e6, timeoutUs: 10e6, failureThreshold: 1, successThreshold: 1,
};

/**
 * The router's belief about one instance, driven by probe results only (pure: the caller
 * owns time). Starts healthy.
 */
export class HealthTracker {
  #healthy = true;
  #fails = 0;
  #oks = 0;
  constructor(readonly config: Pick<HealthCheckConfig, 'failureThreshold' | 'successThreshold'>) {}

  get healthy(): boolean {
    return this.#healthy;
  }

  /** Record one probe; returns the new belief when it changed, else null. */
  record(ok: boolean): 'down' | 'up' | null {
    if (ok) {
      this.#fails = 0;
      if (this.#healthy) return null;
      if (++this.#oks < this.config.successThreshold) return null;
      this.#oks = 0;
      this.#healthy = true;
      return 'up';
    }
    this.#oks = 0;
    if (!this.#healthy) return null;
    if (++this.#fails < this.config.failureThreshold) return null;
    this.#fails = 0;
    this.#healthy = false;
    return 'down';
  }
}
