import { describe, expect, it } from 'vitest';
import { tokenize } from '../tokenizer.js';
import { sizedJson, valueFromSchema } from './schema-value.js';

const schema = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    days: { type: 'integer', minimum: 1, maximum: 7 },
    unit: { enum: ['c', 'f'] },
    tags: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 },
    when: { type: 'string', format: 'date' },
    ok: { type: 'boolean' },
    ratio: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 1 },
    code: { type: 'string', maxLength: 3 },
    kind: { const: 'report' },
    child: { $ref: '#/$defs/Child' },
    either: { anyOf: [{ type: 'null' }, { type: 'integer', multipleOf: 5, minimum: 11, maximum: 30 }] },
  },
  required: ['city'],
  $defs: { Child: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } },
};

describe('valueFromSchema', () => {
  it('builds a value of every supported keyword, deterministic in the key', () => {
    const v = valueFromSchema(schema, 42) as Record<string, unknown>;
    expect(v).toEqual(valueFromSchema(schema, 42));
    expect(Object.keys(v)).toEqual(Object.keys(schema.properties));
    expect(v['city']).toMatch(/^[a-z]+$/); // one word
    expect(Number.isInteger(v['days']) && (v['days'] as number) >= 1 && (v['days'] as number) <= 7).toBe(true);
    expect(['c', 'f']).toContain(v['unit']);
    expect((v['tags'] as string[]).length).toBe(2);
    expect(v['when']).toBe('2024-07-26');
    expect(typeof v['ok']).toBe('boolean');
    expect([0.5, 1]).toContain(v['ratio']);
    expect((v['code'] as string).length).toBeLessThanOrEqual(3);
    expect(v['kind']).toBe('report');
    expect(Object.keys(v['child'] as object)).toEqual(['name']);
    expect([15, 20, 25, 30]).toContain(v['either']);
    expect(valueFromSchema(schema, 43)).not.toEqual(v);
  });

  it('stops a recursive schema at its required fields', () => {
    const tree = { $ref: '#/$defs/Node', $defs: { Node: { type: 'object', properties: { label: { type: 'string' }, kids: { type: 'array', items: { $ref: '#/$defs/Node' } } }, required: ['label'] } } };
    const text = JSON.stringify(valueFromSchema(tree, 1));
    // A node is 2 levels below its parent (object, then array): nodes at depths 0, 2, ..., 12; the
    // one at MAX_DEPTH 12 keeps only its required label and no kids.
    expect(text.split('"label"').length - 1).toBe(7);
    expect(text).toMatch(/\{"label":"[a-z]+"\}(\]\}){6}$/);
  });
});

describe('sizedJson', () => {
  it('grows free strings toward the target and never passes it', () => {
    for (const target of [20, 40, 120]) {
      const text = sizedJson(schema, 7, target);
      const n = tokenize(text).length;
      expect(n).toBeLessThanOrEqual(target);
      expect(n).toBeGreaterThan(target - 8); // one more word in each of the 4 free strings would pass it
      expect(Object.keys(JSON.parse(text) as object)).toEqual(Object.keys(schema.properties));
    }
  });

  it('returns the only value of a schema without free strings, and the smallest when the target is too small', () => {
    expect(sizedJson({ type: 'object', properties: { n: { type: 'integer', minimum: 3, maximum: 3 } } }, 1, 100)).toBe('{"n":3}');
    expect(sizedJson({ type: 'object', properties: {} }, 1, 100)).toBe('{}');
    expect(tokenize(sizedJson(schema, 7, 1)).length).toBe(tokenize(JSON.stringify(valueFromSchema(schema, 7, 1))).length);
  });
});
