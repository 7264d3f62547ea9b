/** Distinct strings in first-seen order, each with its code (its index): a string column's dictionary. */
export class Interned {
  readonly values: string[] = [];
  readonly #codes = new Map<string, number>();

  /** The code of `s`, given the next one if it is new. */
  code(s: string): number {
    let c = this.#codes.get(s);
    if (c === undefined) {
      c = this.values.length;
      this.#codes.set(s, c);
      this.values.push(s);
    }
    return c;
  }
}
