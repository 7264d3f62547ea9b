import { describe, expect, it } from 'vitest';
import { saturateBody, statusBreakdown } from './saturate-body.js';

describe('load saturate body', () => {
  it('sends messages to chat completions and a prompt to completions (was a completions body on every path)', () => {
    const o = { model: 'm', promptTokens: 4, maxTokens: 2, stream: true };
    const chat = JSON.parse(saturateBody('/v1/chat/completions', o)) as Record<string, unknown>;
    const comp = JSON.parse(saturateBody('/v1/completions', o)) as Record<string, unknown>;
    expect(Object.keys(chat).sort()).toEqual(['ignore_eos', 'max_tokens', 'messages', 'model', 'stream']);
    expect(Object.keys(comp).sort()).toEqual(['ignore_eos', 'max_tokens', 'model', 'prompt', 'stream']);
    expect((chat['messages'] as { role: string; content: string }[])[0]!.content).toBe(comp['prompt']);
  });

  it('breaks failures down by status', () => {
    expect(statusBreakdown({ 503: { count: 50 }, 200: { count: 950 } })).toBe('200: 950, 503: 50');
    expect(statusBreakdown(undefined)).toBe('');
  });
});
