/**
 * Log-bucketed histogram for values that come per token (inter-token latency): constant memory
 * whatever the run length, relative error below `1 / bucketsPerDecade · ln 10 / 2` (≈ 0.6% at
 * 200 buckets per decade). Values below `minValue` share the first bucket.
 */
export class LogHistogram {
  readonly #counts: Float64Array;
  readonly #minLog: number;
  readonly #perDecade: number;
  #n = 0;
  #sum = 0;
  // Bucket of the last value recorded: the decode requests of one engine step record the same
  // inter-token latency one after another, so this skips a log10 per token.
  #lastValue = NaN;
  #lastBucket = 0;

  constructor(minValue = 1e-3, maxValue = 1e7, bucketsPerDecade = 200) {
    this.#minLog = Math.log10(minValue);
    this.#perDecade = bucketsPerDecade;
    const buckets = Math.ceil((Math.log10(maxValue) - this.#minLog) * bucketsPerDecade) + 2;
    this.#counts = new Float64Array(buckets);
  }

  get count(): number {
    return this.#n;
  }

  get mean(): number {
    return this.#n > 0 ? this.#sum / this.#n : NaN;
  }

  record(value: number): void {
    let i = this.#lastBucket;
    if (value !== this.#lastValue) {
      if (!Number.isFinite(value) || value < 0) return;
      const b = value <= 0 ? 0 : Math.floor((Math.log10(value) - this.#minLog) * this.#perDecade) + 1;
      i = Math.min(this.#counts.length - 1, Math.max(0, b));
      this.#lastValue = value;
      this.#lastBucket = i;
    }
    this.#counts[i]!++;
    this.#n++;
    this.#sum += value;
  }

  /**
   * {@link record} `value` `count` times: the same counts, n and (summed one value at a time,
   * in the same floating-point order) the same sum, without a bucket lookup per value.
   */
  recordMany(value: number, count: number): void {
    if (count <= 0) return;
    this.record(value);
    if (!Number.isFinite(value) || value < 0) return;
    this.#counts[this.#lastBucket]! += count - 1;
    this.#n += count - 1;
    let sum = this.#sum;
    for (let k = 1; k < count; k++) sum += value;
    this.#sum = sum;
  }

  /** The counts as JSON can carry them: non-empty buckets as [index, count] pairs, with n and the sum. */
  toSparse(): SparseHistogram {
    const buckets: [number, number][] = [];
    this.#counts.forEach((c, i) => {
      if (c > 0) buckets.push([i, c]);
    });
    return { n: this.#n, sum: this.#sum, buckets };
  }

  /** Add the counts of another histogram of the same bucketing (slices of one live run merged). */
  addSparse(s: SparseHistogram): void {
    for (const [i, c] of s.buckets) {
      if (!Number.isInteger(i) || i < 0 || i >= this.#counts.length) throw new Error(`histogram bucket ${i} out of range 0..${this.#counts.length - 1}`);
      this.#counts[i]! += c;
    }
    this.#n += s.n;
    this.#sum += s.sum;
  }

  /** Percentile p ∈ [0,100], reported at the geometric middle of its bucket. */
  percentile(p: number): number {
    if (this.#n === 0) return NaN;
    const rank = (p / 100) * (this.#n - 1);
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen > rank) return this.#bucketValue(i);
    }
    return this.#bucketValue(this.#counts.length - 1);
  }

  #bucketValue(i: number): number {
    if (i === 0) return 10 ** this.#minLog;
    return 10 ** (this.#minLog + (i - 0.5) / this.#perDecade);
  }
}

/** A {@link LogHistogram}'s counts in JSON: non-empty buckets as [index, count]. */
export interface SparseHistogram {
  readonly n: number;
  readonly sum: number;
  readonly buckets: readonly (readonly [number, number])[];
}
