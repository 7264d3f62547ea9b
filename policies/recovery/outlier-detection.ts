/**
 * Passive outlier detection, as Envoy does it (config.cluster.v3.OutlierDetection, "consecutive
 * 5xx"): a backend whose last `consecutive5xx` answers were all server-side failures — a 5xx
 * response, or a locally originated error (refused or reset connection, timeout), which Envoy
 * maps to 5xx while split_external_local_origin_errors is false, its default — is ejected for
 * `baseEjectionUs` × the number of times it has been ejected, capped at `maxEjectionUs`. At most
 * `maxEjectionPercent` of the backends are ejected at once, but at least one may be ("Defaults to
 * 10% but will eject at least one host regardless of the value"). Any success resets the streak.
 *
 * Envoy's documented defaults are {@link ENVOY_OUTLIER_DEFAULTS}. Off unless asked for: vLLM
 * production-stack has no outlier detection, and the router defaults are production-stack's.
 */
export interface OutlierDetectionConfig {
  /** Consecutive server-side failures that eject a backend (Envoy consecutive_5xx). */
  readonly consecutive5xx: number;
  /** Base ejection time, µs (Envoy base_ejection_time); the n-th ejection lasts n × this. */
  readonly baseEjectionUs: number;
  /** Longest ejection, µs (Envoy max_ejection_time). */
  readonly maxEjectionUs: number;
  /** Largest share of the backends ejected at once, % (Envoy max_ejection_percent; at least one). */
  readonly maxEjectionPercent: number;
}

/** Envoy's defaults: consecutive_5xx 5, base_ejection_time 30 s, max_ejection_time 300 s, max_ejection_percent 10. */
export const ENVOY_OUTLIER_DEFAULTS: OutlierDetectionConfig = {
  consecutive5xx: 5, baseEjectionUs: 30e6, maxEjectionUs: 300e6, maxEjectionPercent: 10,
};

interface HostState {
  streak: number;
  ejections: number;
  /** Ejected until this time, µs (-Infinity: not ejected). */
  untilUs: number;
}

/** What one backend's outlier state is, for /metrics and tests. */
export interface EjectionInfo {
  readonly ejected: boolean;
  readonly ejections: number;
  readonly streak: number;
}

/**
 * The per-backend bookkeeping of {@link OutlierDetectionConfig}. Pure: time comes in as `nowUs`
 * from the caller; ejections end lazily, when a later call looks at the backend again.
 */
export class OutlierDetector {
  readonly config: OutlierDetectionConfig;
  readonly #hosts = new Map<string, HostState>();

  constructor(config: OutlierDetectionConfig) {
    this.config = config;
  }

  #host(id: string): HostState {
    let h = this.#hosts.get(id);
    if (!h) this.#hosts.set(id, (h = { streak: 0, ejections: 0, untilUs: -Infinity }));
    return h;
  }

  /** Whether `id` is ejected at `nowUs`. */
  ejected(id: string, nowUs: number): boolean {
    const h = this.#hosts.get(id);
    return h !== undefined && h.untilUs > nowUs;
  }

  /** An answer from `id` that was not a server-side failure: the streak starts again. */
  success(id: string): void {
    const h = this.#hosts.get(id);
    if (h) h.streak = 0;
  }

  /**
   * A server-side failure of `id` (5xx or a local-origin error). `total` is the number of
   * backends. Returns true when this failure ejected it.
   */
  failure(id: string, nowUs: number, total: number): boolean {
    const h = this.#host(id);
    if (h.untilUs > nowUs) return false; // already out: a failure of an attempt sent before the ejection
    h.streak++;
    if (h.streak < this.config.consecutive5xx) return false;
    let out = 0;
    for (const x of this.#hosts.values()) if (x.untilUs > nowUs) out++;
    const cap = Math.max(1, Math.floor((total * this.config.maxEjectionPercent) / 100));
    if (out >= cap) return false;
    h.ejections++;
    h.streak = 0;
    h.untilUs = nowUs + Math.min(this.config.baseEjectionUs * h.ejections, this.config.maxEjectionUs);
    return true;
  }

  /** The state of `id`. */
  info(id: string, nowUs: number): EjectionInfo {
    const h = this.#hosts.get(id);
    return { ejected: h !== undefined && h.untilUs > nowUs, ejections: h?.ejections ?? 0, streak: h?.streak ?? 0 };
  }
}
