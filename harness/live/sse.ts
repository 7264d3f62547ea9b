/**
 * Incremental parser of a `text/event-stream` body: feed it decoded text as it arrives; it calls
 * `onData` with each event's data (multi-line data joined by "\n"). Only `data:` fields matter
 * for OpenAI streams; comments and other fields are skipped. Handles CRLF and events split
 * across chunks.
 */
export class SseParser {
  readonly #onData: (data: string) => void;
  #buf = '';
  #data: string[] = [];

  constructor(onData: (data: string) => void) {
    this.#onData = onData;
  }

  push(text: string): void {
    this.#buf += text;
    let start = 0;
    for (;;) {
      const nl = this.#buf.indexOf('\n', start);
      if (nl < 0) break;
      let line = this.#buf.slice(start, nl);
      start = nl + 1;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') {
        if (this.#data.length > 0) {
          const d = this.#data.join('\n');
          this.#data = [];
          this.#onData(d);
        }
        continue;
      }
      if (line.startsWith('data:')) this.#data.push(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5));
    }
    this.#buf = this.#buf.slice(start);
  }

  /** End of stream: a final event without its blank line still counts. */
  end(): void {
    if (this.#buf !== '') this.push('\n');
    if (this.#data.length > 0) this.push('\n');
  }
}
