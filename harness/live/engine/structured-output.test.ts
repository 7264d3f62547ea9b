import { describe, expect, it } from 'vitest';
import { cutAtStop, JSON_OBJECT_SCHEMA, parseResponseFormat, parseStop } from './structured-output.js';

describe('cutAtStop', () => {
  const pieces = [' alpha', ' beta', ' gamma', ' delta'];
  it('keeps the text before the earliest stop string; the token completing it counts', () => {
    expect(cutAtStop(pieces, [' gamma'])).toEqual({ pieces: [' alpha', ' beta', ''], tokens: 3 });
    expect(cutAtStop(pieces, ['mm', 'et'])).toEqual({ pieces: [' alpha', ' b'], tokens: 2 });
    // A stop string across two tokens: the second one completes it.
    expect(cutAtStop(pieces, ['ta ga'])).toEqual({ pieces: [' alpha', ' be', ''], tokens: 3 });
    expect(cutAtStop(pieces, ['zeta'])).toBeUndefined();
    expect(cutAtStop(pieces, [])).toBeUndefined();
  });
});

describe('request fields', () => {
  it('parses stop and response_format', () => {
    expect(parseStop({ stop: 'x' })).toEqual(['x']);
    expect(parseStop({ stop: ['a', ''] })).toEqual(['a']);
    expect(parseStop({})).toEqual([]);
    expect(parseResponseFormat({ response_format: { type: 'text' } })).toBeUndefined();
    expect(parseResponseFormat({ response_format: { type: 'json_object' } })).toEqual({ schema: JSON_OBJECT_SCHEMA });
    expect(parseResponseFormat({ response_format: { type: 'json_schema', json_schema: { name: 'n', schema: { type: 'array' } } } })).toEqual({ schema: { type: 'array' } });
    expect(parseResponseFormat({ response_format: { type: 'json_schema', json_schema: { schema: {} } } })).toMatchObject({ status: 400, param: 'response_format' });
  });
});
