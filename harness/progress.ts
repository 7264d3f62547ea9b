/** Where progress goes: stderr, or a fake stream in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}

/** Options of a {@link Progress}; the defaults suit a terminal and a CI log. */
export interface ProgressOptions {
  /** Monotonic clock in ms (tests inject one). */
  readonly nowMs?: () => number;
  /** Without a TTY: one plain line at most this often (CI logs). */
  readonly plainIntervalMs?: number;
}

/**
 * Progress of a run on stderr. On a TTY: one line rewritten in place (at most 10 times a
 * second, nothing during the first second) with done/total in its unit, elapsed time and ETA,
 * then the current cell's detail. Without a TTY (CI logs): a plain line every ~10 s and, if
 * there was one, a last one at the end, so a long job shows it is alive without flooding the
 * log (a run shorter than the interval prints nothing). Disabled (`--quiet`,
 * `--json`): nothing at all. ETA = elapsed / done × remaining (cells of one scenario cost
 * about the same; it is shown once one is done).
 */
export class Progress {
  readonly #stream: ProgressStream;
  readonly #enabled: boolean;
  readonly #tty: boolean;
  readonly #nowMs: () => number;
  readonly #plainIntervalMs: number;
  readonly #startMs: number;
  #lastMs = -Infinity;
  #lastPlainMs: number;
  #shown = false;
  #plainLines = 0;
  #total: number | undefined;
  #unit = '';
  #done = 0;
  #detail = '';

  constructor(stream: ProgressStream, enabled: boolean, opts: ProgressOptions = {}) {
    this.#stream = stream;
    this.#enabled = enabled;
    this.#tty = stream.isTTY === true;
    this.#nowMs = opts.nowMs ?? (() => performance.now());
    this.#plainIntervalMs = opts.plainIntervalMs ?? 10_000;
    this.#startMs = this.#nowMs();
    this.#lastPlainMs = this.#startMs;
  }

  /** The run has `total` units of work (e.g. 40 cells). */
  start(total: number, unit: string): void {
    this.#total = total;
    this.#unit = unit;
  }

  /** One more unit is done. */
  advance(): void {
    this.#done++;
    this.#show(false);
  }

  /** Show `detail` (what the current unit is doing). */
  update(detail: string): void {
    this.#detail = detail;
    this.#show(false);
  }

  /** The run ended: clear the TTY line, or write the last plain line. */
  done(): void {
    if (!this.#enabled) return;
    if (this.#tty) {
      if (this.#shown) this.#stream.write('\r\x1b[2K');
      this.#shown = false;
    } else if (this.#plainLines > 0) {
      this.#show(true);
    }
  }

  /** The status text without the detail: `12/40 cells (30%), 31 s elapsed, ETA 1:12`. */
  status(): string {
    const elapsedMs = this.#nowMs() - this.#startMs;
    const parts: string[] = [];
    if (this.#total !== undefined) {
      const pct = this.#total > 0 ? Math.floor((100 * this.#done) / this.#total) : 100;
      parts.push(`${this.#done}/${this.#total} ${this.#unit} (${pct}%)`);
    }
    parts.push(`${duration(elapsedMs)} elapsed`);
    if (this.#total !== undefined && this.#done > 0 && this.#done < this.#total) {
      parts.push(`ETA ${duration((elapsedMs / this.#done) * (this.#total - this.#done))}`);
    }
    return parts.join(', ');
  }

  #show(final: boolean): void {
    if (!this.#enabled) return;
    const now = this.#nowMs();
    if (this.#tty) {
      if (now - this.#startMs < 1000 || now - this.#lastMs < 100) return;
      this.#lastMs = now;
      const text = this.#detail ? `${this.status()} | ${this.#detail}` : this.status();
      const width = (this.#stream.columns ?? 100) - 1;
      this.#stream.write(`\r\x1b[2K${text.length > width ? text.slice(0, width) : text}`);
      this.#shown = true;
      return;
    }
    if (!final && now - this.#lastPlainMs < this.#plainIntervalMs) return;
    this.#lastPlainMs = now;
    this.#plainLines++;
    this.#stream.write(`progress: ${this.status()}${this.#detail && !final ? ` | ${this.#detail}` : ''}${final ? ' (done)' : ''}\n`);
  }
}

/** `42 s`, `3:07`, `1:02:03` (whole seconds). */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
