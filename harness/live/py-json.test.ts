import { describe, expect, it } from 'vitest';
import { pyJson } from './py-json.js';

describe('pyJson', () => {
  it('writes Python json.dumps separators, compact and indented', () => {
    const v = { name: 'f', p: { a: [1, 'x'], b: null, e: {} , l: [] }, u: undefined };
    expect(pyJson(v)).toBe('{"name": "f", "p": {"a": [1, "x"], "b": null, "e": {}, "l": []}}');
    expect(pyJson({ a: [1, { b: true }] }, 4)).toBe('{\n    "a": [\n        1,\n        {\n            "b": true\n        }\n    ]\n}');
    expect(pyJson('é"')).toBe('"é\\""');
  });
});
