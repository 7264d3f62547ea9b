/**
 * Sum and count of values over a sliding window of whole seconds (ring of per-second buckets),
 * for the router's QPS and average-latency gauges. Constant memory.
 */
export class WindowStats {
  readonly #seconds: number;
  readonly #sums: Float64Array;
  readonly #counts: Float64Array;
  readonly #stamp: Float64Array;

  constructor(seconds = 10) {
    this.#seconds = seconds;
    this.#sums = new Float64Array(seconds);
    this.#counts = new Float64Array(seconds);
    this.#stamp = new Float64Array(seconds).fill(-1);
  }

  add(value: number, nowMs: number): void {
    const sec = Math.floor(nowMs / 1000);
    const i = sec % this.#seconds;
    if (this.#stamp[i] !== sec) {
      this.#stamp[i] = sec;
      this.#sums[i] = 0;
      this.#counts[i] = 0;
    }
    this.#sums[i]! += value;
    this.#counts[i]!++;
  }

  /** Sum and count of the values added in the last `seconds` seconds. */
  totals(nowMs: number): { sum: number; count: number } {
    const sec = Math.floor(nowMs / 1000);
    let sum = 0;
    let count = 0;
    for (let i = 0; i < this.#seconds; i++) {
      if (this.#stamp[i]! > sec - this.#seconds) {
        sum += this.#sums[i]!;
        count += this.#counts[i]!;
      }
    }
    return { sum, count };
  }

  /** Values per second over the window. */
  rate(nowMs: number): number {
    return this.totals(nowMs).count / this.#seconds;
  }

  /** Mean value over the window (0 when empty). */
  mean(nowMs: number): number {
    const t = this.totals(nowMs);
    return t.count > 0 ? t.sum / t.count : 0;
  }
}
