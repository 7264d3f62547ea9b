import { hashNumbers } from '../../../policies/kv/hash.js';
import { contentIds, detokenizeWord, tokenize } from '../tokenizer.js';
import { isObj } from '../json-object.js';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

// Deeper than this, a recursive schema ($ref to itself) stops at its smallest value.
const MAX_DEPTH = 12;

/**
 * Builds a JSON value valid against a JSON schema, deterministic in `key`: what the emulated model
 * "decodes" under guided decoding (vLLM's structured outputs) or as tool-call arguments.
 * Supported: type (and type lists), properties (all are filled, so required ones are), items /
 * prefixItems / minItems / maxItems, enum, const, anyOf / oneOf (the first non-null branch),
 * allOf (merged), local $ref (#/$defs, #/definitions), string minLength / maxLength / format
 * (date-time, date, time, email, uri, uuid), number and integer bounds and multipleOf. `pattern`
 * is not honoured (the value is words). Free strings hold `wordsPerString` rendered words, which
 * is how {@link sizedJson} sizes the answer.
 */
class ValueBuilder {
  #cursor = 0;
  #slot = 0;
  constructor(readonly root: unknown, readonly key: number, readonly wordsPerString: number) {}

  #words(n: number): string {
    const ids = contentIds(hashNumbers(this.key, this.#cursor++), n);
    return ids.map(detokenizeWord).join('').slice(1);
  }

  #draw(salt: number): number {
    return hashNumbers(this.key, 0x5eed, salt, this.#slot++);
  }

  #resolve(s: Record<string, unknown>): Record<string, unknown> {
    const ref = s['$ref'];
    if (typeof ref !== 'string' || !ref.startsWith('#/')) return s;
    let cur: unknown = this.root;
    for (const part of ref.slice(2).split('/')) cur = isObj(cur) ? cur[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    return isObj(cur) ? cur : {};
  }

  value(schemaIn: unknown, depth = 0): unknown {
    if (schemaIn === true || !isObj(schemaIn)) return this.#words(this.wordsPerString);
    const s = this.#resolve(schemaIn);
    if ('const' in s) return s['const'];
    if (Array.isArray(s['enum']) && s['enum'].length > 0) return s['enum'][this.#draw(1) % s['enum'].length];
    const branches = Array.isArray(s['anyOf']) ? s['anyOf'] : Array.isArray(s['oneOf']) ? s['oneOf'] : undefined;
    if (branches && branches.length > 0) {
      const pick = branches.find((b) => !(isObj(b) && b['type'] === 'null')) ?? branches[0];
      return this.value(pick, depth + 1);
    }
    if (Array.isArray(s['allOf'])) {
      const merged: Record<string, unknown> = { ...s, allOf: undefined, properties: { ...(isObj(s['properties']) ? s['properties'] : {}) } };
      for (const part of s['allOf']) {
        const r = isObj(part) ? this.#resolve(part) : {};
        Object.assign(merged, r, { properties: { ...(merged['properties'] as object), ...(isObj(r['properties']) ? r['properties'] : {}) } });
      }
      delete merged['allOf'];
      return this.value(merged, depth + 1);
    }
    const t = Array.isArray(s['type']) ? (s['type'].find((x) => x !== 'null') ?? s['type'][0]) : s['type'];
    const type = typeof t === 'string' ? t : isObj(s['properties']) ? 'object' : 'items' in s ? 'array' : 'string';
    switch (type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        const props = isObj(s['properties']) ? s['properties'] : {};
        if (depth >= MAX_DEPTH) {
          for (const k of Array.isArray(s['required']) ? s['required'] : []) if (typeof k === 'string') out[k] = this.value(props[k], depth + 1);
          return out;
        }
        for (const [k, sub] of Object.entries(props)) out[k] = this.value(sub, depth + 1);
        return out;
      }
      case 'array': {
        const min = num(s['minItems']) ?? 0;
        const max = num(s['maxItems']) ?? Infinity;
        const prefix = Array.isArray(s['prefixItems']) ? s['prefixItems'] : [];
        const n = Math.min(max, Math.max(min, prefix.length, depth >= MAX_DEPTH ? 0 : 1));
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) out.push(this.value(i < prefix.length ? prefix[i] : s['items'], depth + 1));
        return out;
      }
      case 'integer':
      case 'number':
        return this.#number(s, type === 'integer');
      case 'boolean':
        return this.#draw(2) % 2 === 0;
      case 'null':
        return null;
      default:
        return this.#string(s);
    }
  }

  #number(s: Record<string, unknown>, integer: boolean): number {
    const step = num(s['multipleOf']) ?? (integer ? 1 : 0.5);
    // Draft 4's boolean exclusive flags and draft 6's numeric ones.
    const exMin = num(s['exclusiveMinimum']) ?? (s['exclusiveMinimum'] === true ? num(s['minimum']) : undefined);
    const exMax = num(s['exclusiveMaximum']) ?? (s['exclusiveMaximum'] === true ? num(s['maximum']) : undefined);
    const lo = exMin !== undefined ? exMin + step : num(s['minimum']) ?? 0;
    const hi = exMax !== undefined ? exMax - step : num(s['maximum']) ?? lo + 100;
    const first = Math.ceil(lo / step) * step;
    const count = Math.max(1, Math.floor((hi - first) / step) + 1);
    const v = first + (this.#draw(3) % count) * step;
    return Number(v.toFixed(10));
  }

  #string(s: Record<string, unknown>): string {
    switch (s['format']) {
      case 'date-time': return '2024-07-26T12:00:00Z';
      case 'date': return '2024-07-26';
      case 'time': return '12:00:00';
      case 'email': return 'agent@example.com';
      case 'uri':
      case 'url': return 'https://example.com/';
      case 'uuid': {
        const h = (salt: number) => hashNumbers(this.key, salt).toString(16).padStart(14, '0').slice(-12);
        const a = h(1) + h(2) + h(3);
        return `${a.slice(0, 8)}-${a.slice(8, 12)}-4${a.slice(13, 16)}-8${a.slice(17, 20)}-${a.slice(20, 32)}`;
      }
    }
    const min = num(s['minLength']) ?? 0;
    const max = num(s['maxLength']) ?? Infinity;
    let text = this.#words(this.wordsPerString);
    while (text.length < min) text += ` ${this.#words(this.wordsPerString)}`;
    return text.length > max ? text.slice(0, max) : text;
  }
}

/** A JSON value valid against `schema` with `wordsPerString` words in each free string. */
export function valueFromSchema(schema: unknown, key: number, wordsPerString = 1): unknown {
  return new ValueBuilder(schema, key, wordsPerString).value(schema);
}

/**
 * JSON text valid against `schema`, sized toward `targetTokens`: every free string gets the same
 * number of words, the most that keeps the text within the target (found by doubling, then
 * bisection; the token count grows with the words). When even one word per string passes the
 * target, or the schema has no free strings, the smallest value is the answer.
 */
export function sizedJson(schema: unknown, key: number, targetTokens: number): string {
  const text = (words: number) => JSON.stringify(valueFromSchema(schema, key, words));
  const fits = (words: number) => tokenize(text(words)).length <= targetTokens;
  if (!fits(1)) return text(1);
  let lo = 1; // fits
  let hi = 2;
  while (fits(hi)) {
    if (text(hi) === text(lo)) return text(lo); // no free strings: more words change nothing
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return text(lo);
}
