import { describe, expect, it } from 'vitest';
import { parseGeneration } from '../engine/openai-request.js';
import { responsesToChat } from '../engine/responses-api.js';
import { buildRouteRequest, promptIds } from './route-request.js';

// The router estimates an agent request's prompt with the engine's default template: the same
// token ids the emulated engine counts (tools, tool calls and results included).
const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];
const chat = {
  messages: [
    { role: 'user', content: 'find it' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"it"}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: 'found' },
  ],
  tools,
  max_tokens: 10,
};

describe('router prompt estimate for agent traffic', () => {
  it('chat completions with tools: the engine\'s prompt ids', () => {
    const engine = parseGeneration('chat', chat, { maxModelLen: 8192 });
    if ('status' in engine) throw new Error(engine.message);
    expect(promptIds('/v1/chat/completions', chat)).toEqual(engine.promptIds);
    expect(engine.promptIds.length).toBe(124);
  });

  it('the Responses API: the prompt of its chat translation, max_output_tokens as maxTokens', async () => {
    const body = { input: [{ role: 'user', content: 'find it' }, { type: 'function_call', call_id: 'c1', name: 'lookup', arguments: '{"q":"it"}' }, { type: 'function_call_output', call_id: 'c1', output: 'found' }], tools: [{ type: 'function', ...tools[0]!.function }], max_output_tokens: 10 };
    const engine = parseGeneration('chat', responsesToChat(body), { maxModelLen: 8192 });
    if ('status' in engine) throw new Error(engine.message);
    expect(promptIds('/v1/responses', body)).toEqual(engine.promptIds);
    const r = await buildRouteRequest({ id: 'r', path: '/v1/responses', headers: {}, body, blockSize: 16, defaultMaxTokens: 4096, nowUs: 0 });
    if ('error' in r) throw new Error(r.error);
    expect([r.promptTokens, r.maxTokens]).toEqual([124, 10]);
    expect(promptIds('/v1/responses', { input: 3 })).toEqual([]);
  });
});
