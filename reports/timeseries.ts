/** One sample of one instance's state. */
export interface InstanceSample {
  readonly tMs: number;
  readonly instance: string;
  readonly kvUsage: number;
  readonly running: number;
  readonly waiting: number;
  readonly healthy: boolean;
  /** Output tokens produced by the instance since the previous sample. */
  readonly tokens: number;
  /**
   * Prompt tokens computed (prefill chunks, recomputes) since the previous sample: what vLLM's
   * "Avg prompt throughput" logs count.
   */
  readonly prefillTokens: number;
  /** Tokens computed by decode steps since the previous sample ("Avg generation throughput"). */
  readonly decodeTokens: number;
  /** What is really going on (`healthy` is the router's belief): ok, down, hung, partitioned, slow. */
  readonly state: string;
}

/** Cumulative token counters of one engine (EngineCounters has them). */
export interface TokenTotals {
  readonly outputTokens: number;
  readonly prefillTokens: number;
  readonly decodeTokens: number;
}

/** Per-interval token deltas of a set of engines from their cumulative counters. */
export class TokenDeltas {
  readonly #last: { output: number; prefill: number; decode: number }[];

  constructor(engines: number) {
    this.#last = Array.from({ length: engines }, () => ({ output: 0, prefill: 0, decode: 0 }));
  }

  /** Tokens of engine `k` since the previous call for it. */
  next(k: number, t: TokenTotals): { tokens: number; prefillTokens: number; decodeTokens: number } {
    const last = this.#last[k]!;
    const out = { tokens: t.outputTokens - last.output, prefillTokens: t.prefillTokens - last.prefill, decodeTokens: t.decodeTokens - last.decode };
    last.output = t.outputTokens;
    last.prefill = t.prefillTokens;
    last.decode = t.decodeTokens;
    return out;
  }
}

/**
 * Samples of instance state over time, bounded: when the buffer exceeds `maxPoints` per
 * instance, pairs of samples are merged and the sampling interval doubles, so long runs keep
 * a uniform, bounded series (memory does not grow with run length).
 */
export class Timeseries {
  readonly #maxPoints: number;
  #samples: InstanceSample[] = [];
  #intervalUs: number;
  #instances: number;

  constructor(intervalUs: number, instances: number, maxPoints = 400) {
    this.#intervalUs = intervalUs;
    this.#instances = Math.max(1, instances);
    this.#maxPoints = maxPoints;
  }

  get intervalUs(): number {
    return this.#intervalUs;
  }

  /** Add one round of samples (one per instance). */
  push(round: readonly InstanceSample[]): void {
    for (const s of round) this.#samples.push(s);
    if (this.#samples.length / this.#instances > this.#maxPoints) {
      // Merge rounds pairwise: keep the later state, add up the tokens of both.
      const keep: InstanceSample[] = [];
      const n = this.#instances;
      const rounds = this.#samples.length / n;
      for (let r = 0; r < rounds; r += 2) {
        for (let k = 0; k < n; k++) {
          const a = this.#samples[r * n + k]!;
          const b = r + 1 < rounds ? this.#samples[(r + 1) * n + k]! : undefined;
          keep.push(b ? {
            ...b, tokens: a.tokens + b.tokens, prefillTokens: a.prefillTokens + b.prefillTokens, decodeTokens: a.decodeTokens + b.decodeTokens,
          } : a);
        }
      }
      this.#samples = keep;
      this.#intervalUs *= 2;
    }
  }

  get samples(): readonly InstanceSample[] {
    return this.#samples;
  }
}
