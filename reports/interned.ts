/** Distinct strings in first-seen order, each with its code (its index): a string column's dictionary. */
export class Interned {
  readonly values: string[] = [];
  readonly #codes = new Map<string, number>();
  // The last string asked for: most columns repeat it from row to row (a cell's policy, its
  // workload, the status `ok`), and a string compare is cheaper than a Map lookup.
  #last: string | undefined;
  #lastCode = -1;

  /** The code of `s`, given the next one if it is new. */
  code(s: string): number {
    if (s === this.#last && this.#lastCode >= 0) return this.#lastCode;
    let c = this.#codes.get(s);
    if (c === undefined) {
      c = this.values.length;
      this.#codes.set(s, c);
      this.values.push(s);
    }
    this.#last = s;
    this.#lastCode = c;
    return c;
  }
}
