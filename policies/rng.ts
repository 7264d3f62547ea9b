import seedrandom from 'seedrandom';
import type { Rng } from './types.js';

/**
 * Seeded RNG (seedrandom's Alea: fast, 2^116 period). `fork(label)` derives the child from
 * this stream's *seed path* and the label, never from how far this stream has advanced, so
 * adding draws in one component never shifts another component's stream.
 */
export class SeededRng implements Rng {
  readonly #path: string;
  readonly #next: () => number;

  constructor(seed: number | string) {
    this.#path = String(seed);
    this.#next = seedrandom.alea(this.#path);
  }

  /** The seed path this stream was built from (for logs and reproduction). */
  get path(): string {
    return this.#path;
  }

  float(): number {
    return this.#next();
  }

  int(maxExclusive: number): number {
    if (!(maxExclusive >= 1)) throw new RangeError(`Rng.int: maxExclusive must be >= 1, got ${maxExclusive}`);
    return Math.floor(this.#next() * maxExclusive);
  }

  fork(label: string): Rng {
    return new SeededRng(`${this.#path}/${label}`);
  }
}
