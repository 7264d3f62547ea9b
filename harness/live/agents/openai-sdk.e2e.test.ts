import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTANCE_HEADER } from '../http-backend.js';
import { agentStack } from '../testdata/agent-stack.js';

// The official openai client runs a tool-using agent loop through `agentbench router` over two
// emulated engines: model → tool_calls → tool result → final answer, on chat completions and on
// the Responses API, each workflow pinned to one engine with its prefix cache hit.
let stack: Awaited<ReturnType<typeof agentStack>>;
beforeAll(async () => {
  stack = await agentStack();
});
afterAll(async () => {
  await stack.close();
});

const parameters = { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city', 'unit'], additionalProperties: false };
const tools: ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', description: 'Current weather in a city', parameters } }];

describe('openai SDK tool loop through the router', () => {
  it('chat completions: a tool call, the tool runs, the answer comes from the same engine with a cache hit', async () => {
    const client = new OpenAI({ baseURL: stack.baseURL, apiKey: 'none', maxRetries: 0, defaultHeaders: { 'x-workflow-id': 'wf-chat' } });
    const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: 'You are a weather agent.' }, { role: 'user', content: 'What is the weather in Paris?' }];
    const instances: string[] = [];
    const cached: number[] = [];
    const toolRuns: string[] = [];
    let final: string | null = null;
    for (let turn = 0; turn < 4 && final === null; turn++) {
      const { data, response } = await client.chat.completions.create({ model: 'llama-3.1-8b', messages, tools }).withResponse();
      instances.push(response.headers.get(INSTANCE_HEADER) ?? '?');
      cached.push(data.usage?.prompt_tokens_details?.cached_tokens ?? -1);
      const msg = data.choices[0]!.message;
      if (data.choices[0]!.finish_reason === 'tool_calls') {
        messages.push(msg);
        for (const call of msg.tool_calls ?? []) {
          if (call.type !== 'function') continue;
          const args = JSON.parse(call.function.arguments) as { city: string; unit: string };
          toolRuns.push(call.function.name);
          messages.push({ role: 'tool', tool_call_id: call.id, content: `22 degrees ${args.unit} in ${args.city.split(' ')[0]}` });
        }
      } else final = msg.content;
    }
    expect(toolRuns).toEqual(['get_weather']);
    expect(instances).toHaveLength(2);
    expect(instances[1]).toBe(instances[0]);
    expect(cached[0]).toBe(0);
    expect(cached[1]).toBeGreaterThan(0);
    expect(typeof final).toBe('string');
    expect(final!.length).toBeGreaterThan(0);
  });

  it('chat completions streamed: the SDK assembles the tool call from its deltas', async () => {
    const client = new OpenAI({ baseURL: stack.baseURL, apiKey: 'none', maxRetries: 0 });
    const stream = client.chat.completions.stream({ model: 'llama-3.1-8b', messages: [{ role: 'user', content: 'Weather in Oslo?' }], tools, parallel_tool_calls: false });
    const done = await stream.finalChatCompletion();
    const call = done.choices[0]!.message.tool_calls![0]!;
    expect(done.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call.type === 'function' && Object.keys(JSON.parse(call.function.arguments) as object)).toEqual(['city', 'unit']);
  });

  it('Responses API: a function_call item, its output sent back, then a message; streamed events parse', async () => {
    const client = new OpenAI({ baseURL: stack.baseURL, apiKey: 'none', maxRetries: 0, defaultHeaders: { 'x-workflow-id': 'wf-responses' } });
    const rtools = [{ type: 'function' as const, name: 'get_weather', description: 'Current weather', parameters, strict: true }];
    const first = await client.responses.create({ model: 'llama-3.1-8b', instructions: 'You are a weather agent.', input: 'Weather in Rome?', tools: rtools });
    expect(first.status).toBe('completed');
    const call = first.output[0]!;
    expect(call.type).toBe('function_call');
    if (call.type !== 'function_call') return;
    expect(Object.keys(JSON.parse(call.arguments) as object)).toEqual(['city', 'unit']);
    const stream = await client.responses.create({
      model: 'llama-3.1-8b', instructions: 'You are a weather agent.', tools: rtools, stream: true,
      input: [{ role: 'user', content: 'Weather in Rome?' }, call, { type: 'function_call_output', call_id: call.call_id, output: '18 degrees' }],
    });
    const types: string[] = [];
    let text = '';
    let completed: OpenAI.Responses.Response | undefined;
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'response.output_text.delta') text += ev.delta;
      if (ev.type === 'response.completed') completed = ev.response;
    }
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    expect(completed!.output_text).toBe(text);
    expect(completed!.usage!.input_tokens_details.cached_tokens).toBeGreaterThan(0);
  });
});
