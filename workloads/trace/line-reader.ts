import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { InputError } from '../input-error.js';

const CHUNK_BYTES = 64 * 1024;

/**
 * Reads a text file line by line, synchronously, holding one chunk at a time (so a trace of
 * any size replays in constant memory). Line numbers are 1-based; `\r\n` endings are accepted.
 */
export class LineReader {
  readonly path: string;
  #fd: number | null;
  readonly #buf = Buffer.allocUnsafe(CHUNK_BYTES);
  readonly #decoder = new StringDecoder('utf8');
  #lines: string[] = [];
  #next = 0;
  #partial = '';
  #eof = false;
  /** Number of the line last returned by {@link next}. */
  lineNo = 0;

  constructor(path: string) {
    this.path = path;
    try {
      this.#fd = openSync(path, 'r');
    } catch (e) {
      throw new InputError([`${path}: cannot read trace: ${(e as Error).message}`]);
    }
    // Linux opens a folder for reading; the first read would then fail with a bare EISDIR.
    if (fstatSync(this.#fd).isDirectory()) {
      this.close();
      throw new InputError([`${path}: cannot read trace: expected a file, found a folder`]);
    }
  }

  /** The next line (without its ending), or null at the end of the file. */
  next(): string | null {
    while (this.#next >= this.#lines.length) {
      if (this.#eof || this.#fd === null) return null;
      let n: number;
      try {
        n = readSync(this.#fd, this.#buf, 0, CHUNK_BYTES, null);
      } catch (e) {
        throw new InputError([`${this.path}:${this.lineNo + 1}: cannot read trace: ${(e as Error).message}`]);
      }
      let text: string;
      if (n === 0) {
        this.#eof = true;
        text = this.#partial + this.#decoder.end();
        this.#partial = '';
        this.close();
        this.#lines = text === '' ? [] : [text];
      } else {
        text = this.#partial + this.#decoder.write(this.#buf.subarray(0, n));
        const parts = text.split('\n');
        this.#partial = parts.pop()!;
        this.#lines = parts;
      }
      this.#next = 0;
    }
    this.lineNo++;
    const line = this.#lines[this.#next++]!;
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  }

  /** Release the file (also done at the end of the file). */
  close(): void {
    if (this.#fd !== null) {
      closeSync(this.#fd);
      this.#fd = null;
    }
  }
}
