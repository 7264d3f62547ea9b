import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.js';

describe('SseParser', () => {
  it('splits events across arbitrary chunk boundaries, CRLF included', () => {
    const text = 'data: {"a":1}\n\ndata: {"b":2}\r\n\r\n: comment\n\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n';
    for (const size of [1, 3, 7, 1000]) {
      const got: string[] = [];
      const p = new SseParser((d) => got.push(d));
      for (let i = 0; i < text.length; i += size) p.push(text.slice(i, i + size));
      p.end();
      expect(got).toEqual(['{"a":1}', '{"b":2}', 'line1\nline2', '[DONE]']);
    }
  });

  it('delivers a last event that lacks its blank line at end of stream', () => {
    const got: string[] = [];
    const p = new SseParser((d) => got.push(d));
    p.push('data: x');
    expect(got).toEqual([]);
    p.end();
    expect(got).toEqual(['x']);
  });
});
