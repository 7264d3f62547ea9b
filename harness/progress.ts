/** A single updating status line on stderr, for runs longer than a second on a TTY. */
export class Progress {
  readonly #stream: NodeJS.WriteStream;
  readonly #enabled: boolean;
  readonly #startMs = performance.now();
  #lastMs = 0;
  #shown = false;

  constructor(stream: NodeJS.WriteStream, enabled: boolean) {
    this.#stream = stream;
    this.#enabled = enabled && stream.isTTY === true;
  }

  /** Show `text` (throttled to 10 updates a second, nothing during the first second). */
  update(text: string): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (now - this.#startMs < 1000 || now - this.#lastMs < 100) return;
    this.#lastMs = now;
    const width = (this.#stream.columns ?? 100) - 1;
    this.#stream.write(`\r\x1b[2K${text.length > width ? text.slice(0, width) : text}`);
    this.#shown = true;
  }

  /** Clear the line. */
  done(): void {
    if (this.#shown) this.#stream.write('\r\x1b[2K');
    this.#shown = false;
  }
}
