import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRuns } from '../../../workloads/render.js';
import { parsePrometheus } from '../prometheus.js';
import { SseParser } from '../sse.js';
import { testEngine } from '../testdata/cluster.js';
import { tokenize } from '../tokenizer.js';
import type { EngineServer } from './engine-server.js';

let srv: EngineServer;
beforeAll(async () => {
  srv = await testEngine();
});
afterAll(async () => {
  await srv.close();
});

const post = async (path: string, body: unknown): Promise<{ status: number; json: any }> => {
  const r = await fetch(`${srv.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, json: r.headers.get('content-type')?.includes('json') ? await r.json() : await r.text() };
};
const chat = (body: Record<string, unknown>) => post('/v1/chat/completions', { model: 'llama-3.1-8b', ...body });
const events = async (path: string, body: unknown): Promise<string[]> => {
  const r = await fetch(`${srv.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const out: string[] = [];
  const p = new SseParser((d) => out.push(d));
  p.push(await r.text());
  p.end();
  return out;
};

const weather = { type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { enum: ['c', 'f'] } }, required: ['city', 'unit'] } } };
const user = [{ role: 'user', content: 'Weather in Paris?' }];

describe('tool calls on chat completions', () => {
  it('answers with a tool call whose arguments fit the schema; its tokens are the output tokens', async () => {
    const { status, json } = await chat({ messages: user, tools: [weather] });
    expect(status).toBe(200);
    const choice = json.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    const call = choice.message.tool_calls[0];
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(call.id).toMatch(/^call_[0-9a-z]{22}$/);
    const args = JSON.parse(call.function.arguments);
    expect(Object.keys(args)).toEqual(['city', 'unit']);
    expect(typeof args.city).toBe('string');
    expect(['c', 'f']).toContain(args.unit);
    expect(json.usage.completion_tokens).toBe(tokenize(call.function.arguments).length);
    // Deterministic: the same request gets the same call.
    expect((await chat({ messages: user, tools: [weather] })).json.choices[0].message.tool_calls).toEqual(choice.message.tool_calls);
  });

  it('streams a tool call as OpenAI does: id, type and name first, then argument deltas, finish_reason tool_calls', async () => {
    const full = (await chat({ messages: user, tools: [weather] })).json.choices[0].message.tool_calls[0];
    const ev = await events('/v1/chat/completions', { messages: user, tools: [weather], stream: true });
    expect(ev.at(-1)).toBe('[DONE]');
    const chunks = ev.slice(0, -1).map((e) => JSON.parse(e));
    const deltas = chunks.map((c) => c.choices[0].delta.tool_calls?.[0]).filter((d) => d !== undefined);
    expect(deltas[0]).toEqual({ index: 0, id: full.id, type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(deltas.slice(1).every((d) => d.index === 0 && d.id === undefined && Object.keys(d.function).join() === 'arguments')).toBe(true);
    expect(deltas.map((d) => d.function.arguments).join('')).toBe(full.function.arguments);
    expect(deltas).toHaveLength(1 + tokenize(full.function.arguments).length);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
  });

  it('answers in text once the tool results are in, and when tool_choice is none', async () => {
    const call = (await chat({ messages: user, tools: [weather] })).json.choices[0].message.tool_calls[0];
    const after = await chat({ messages: [...user, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: 'sunny, 24C' }], tools: [weather] });
    expect(after.json.choices[0].finish_reason).toBe('stop');
    expect(after.json.choices[0].message.tool_calls).toEqual([]);
    expect(after.json.choices[0].message.content.length).toBeGreaterThan(0);
    const none = await chat({ messages: user, tools: [weather], tool_choice: 'none' });
    expect(none.json.choices[0].message.tool_calls).toEqual([]);
  });

  it('calls the named function, and always under required (even after tool results)', async () => {
    const other = { type: 'function', function: { name: 'search', parameters: { type: 'object', properties: { q: { type: 'string' } } } } };
    for (let i = 0; i < 4; i++) {
      const r = await chat({ messages: [{ role: 'user', content: `question ${i}` }], tools: [weather, other], tool_choice: { type: 'function', function: { name: 'search' } } });
      expect(r.json.choices[0].message.tool_calls.map((c: any) => c.function.name)).toEqual(['search']);
    }
    const req = await chat({ messages: [...user, { role: 'tool', tool_call_id: 'x', content: 'ok' }], tools: [weather], tool_choice: 'required' });
    expect(req.json.choices[0].finish_reason).toBe('tool_calls');
  });

  it('honours parallel_tool_calls: false gives one call; by default some answers make several calls to distinct tools', async () => {
    const tools = ['a', 'b', 'c', 'd'].map((n) => ({ type: 'function', function: { name: n, parameters: { type: 'object', properties: {} } } }));
    const counts: number[] = [];
    for (let i = 0; i < 8; i++) {
      const messages = [{ role: 'user', content: `task ${i}` }];
      expect((await chat({ messages, tools, parallel_tool_calls: false })).json.choices[0].message.tool_calls).toHaveLength(1);
      const calls = (await chat({ messages, tools })).json.choices[0].message.tool_calls as { function: { name: string; arguments: string } }[];
      expect(new Set(calls.map((c) => c.function.name)).size).toBe(calls.length);
      expect(calls.every((c) => c.function.arguments === '{}')).toBe(true);
      counts.push(calls.length);
    }
    expect(Math.max(...counts)).toBeGreaterThan(1);
    expect(Math.max(...counts)).toBeLessThanOrEqual(3);
  });

  it('rejects bad tool requests with 400s naming the field', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ tool_choice: 'required' }, 'tool_choice', /needs a non-empty tools list/],
      [{ tools: [weather], tool_choice: { type: 'function', function: { name: 'nope' } } }, 'tool_choice', /not in tools/],
      [{ tools: [{ type: 'function', function: { name: 'bad name' } }] }, 'tools', /name must match/],
      [{ tools: [weather], tool_choice: 'sometimes' }, 'tool_choice', /must be "none"/],
      [{ logprobs: true }, 'logprobs', /not supported/],
      [{ top_logprobs: 2 }, 'top_logprobs', /not supported/],
      [{ seed: 1.5 }, 'seed', /integer/],
      [{ stop: 3 }, 'stop', /string/],
      [{ response_format: { type: 'xml' } }, 'response_format', /must be "text"/],
      [{ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, 'messages', /input_audio.*not supported/],
    ];
    for (const [extra, param, msg] of cases) {
      const r = await chat({ messages: user, ...extra });
      expect(r.status).toBe(400);
      expect(r.json.error.param).toBe(param);
      expect(r.json.error.message).toMatch(msg);
    }
  });

  it('answers vLLM\'s 400 for auto tool choice when the tool parser is off', async () => {
    const off = await testEngine({ serve: { tools: { autoToolChoice: false, autoCallProbability: 1 } } });
    try {
      const send = (b: unknown) => fetch(`${off.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(b) });
      const r = await send({ messages: user, tools: [weather] });
      expect(r.status).toBe(400);
      expect((await r.json() as any).error.message).toBe('"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set');
      expect((await send({ messages: user, tools: [weather], tool_choice: 'required' })).status).toBe(200);
    } finally {
      await off.close();
    }
  });
});

describe('structured output, stop and seed', () => {
  const schema = { type: 'object', properties: { title: { type: 'string' }, score: { type: 'integer', minimum: 1, maximum: 5 }, tags: { type: 'array', items: { type: 'string' }, minItems: 2 } }, required: ['title', 'score', 'tags'], additionalProperties: false };

  it('json_schema: the content is JSON valid against the schema, its tokens are the output tokens', async () => {
    const { json } = await chat({ messages: user, response_format: { type: 'json_schema', json_schema: { name: 'review', schema, strict: true } } });
    const content = json.choices[0].message.content as string;
    const v = JSON.parse(content);
    expect(Object.keys(v)).toEqual(['title', 'score', 'tags']);
    expect(Number.isInteger(v.score) && v.score >= 1 && v.score <= 5).toBe(true);
    expect(v.tags.length).toBe(2);
    expect(json.choices[0].finish_reason).toBe('stop');
    expect(json.usage.completion_tokens).toBe(tokenize(content).length);
  });

  it('json_object gives a JSON object; a max_tokens too small cuts it with finish_reason length', async () => {
    const obj = await chat({ messages: user, response_format: { type: 'json_object' } });
    expect(Object.keys(JSON.parse(obj.json.choices[0].message.content))).toEqual(['answer']);
    const cut = await chat({ messages: user, response_format: { type: 'json_schema', json_schema: { name: 'review', schema } }, max_tokens: 2 });
    expect(cut.json.choices[0].finish_reason).toBe('length');
    expect(cut.json.usage.completion_tokens).toBe(2);
    expect(() => JSON.parse(cut.json.choices[0].message.content)).toThrow();
  });

  it('stop strings cut the text where they start; the token that completed them counts', async () => {
    const free = await chat({ messages: user, max_tokens: 12, ignore_eos: true });
    const text = free.json.choices[0].message.content as string;
    const words = text.split(' ').slice(1); // the text is " w1 w2 ..."
    const stopWord = ` ${words[5]!}`;
    const at = text.indexOf(stopWord);
    const cut = await chat({ messages: user, max_tokens: 12, ignore_eos: true, stop: ['never-there', stopWord] });
    expect(cut.json.choices[0].message.content).toBe(text.slice(0, at));
    expect(cut.json.choices[0].finish_reason).toBe('stop');
    expect(cut.json.usage.completion_tokens).toBe(text.slice(0, at).split(' ').length);
  });

  it('seed: the same seed gives the same answer, another seed another one', async () => {
    const ask = async (seed: number) => (await chat({ messages: user, seed })).json.choices[0].message.content as string;
    expect(await ask(7)).toBe(await ask(7));
    expect(await ask(7)).not.toBe(await ask(8));
  });
});

describe('prompt tokens of agent traffic', () => {
  it('counts tool schemas, tool calls and tool results as the Llama 3.1 template renders them', async () => {
    const bare = (await chat({ messages: user, max_tokens: 1 })).json.usage.prompt_tokens;
    const withTool = (await chat({ messages: user, tools: [weather], max_tokens: 1, tool_choice: 'none' })).json.usage.prompt_tokens;
    const head = '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n';
    const date = 'Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>';
    const gen = '<|start_header_id|>assistant<|end_header_id|>\n\n';
    expect(bare).toBe(tokenize(`${head}${date}<|start_header_id|>user<|end_header_id|>\n\nWeather in Paris?<|eot_id|>${gen}`).length);
    const toolJson = JSON.stringify(weather, null, 4); // Python's indent=4 dump is the same text
    const rendered = `${head}Environment: ipython\n${date}<|start_header_id|>user<|end_header_id|>\n\n` +
      'Given the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\n\n' +
      'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.Do not use variables.\n\n' +
      `${toolJson}\n\nWeather in Paris?<|eot_id|>${gen}`;
    expect(withTool).toBe(tokenize(rendered).length);
    expect([bare, withTool]).toEqual([29, 138]);
    const args = JSON.stringify({ city: 'x'.repeat(2000) });
    const history = [...user, { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: args } }] }, { role: 'tool', tool_call_id: 'c1', content: 'sunny' }];
    const withHistory = (await chat({ messages: history, tools: [weather], max_tokens: 1 })).json.usage.prompt_tokens;
    // The 2,000-character argument is 125 pieces of 16 characters.
    expect(withHistory - withTool).toBeGreaterThan(125);
  });
});

describe('the Responses API', () => {
  const rtools = [{ type: 'function', name: 'get_weather', parameters: weather.function.parameters }];

  it('answers a function_call item whose arguments and usage match the chat answer to the same prompt', async () => {
    const { status, json } = await post('/v1/responses', { model: 'llama-3.1-8b', input: 'Weather in Paris?', tools: rtools });
    expect(status).toBe(200);
    expect(json).toMatchObject({ object: 'response', status: 'completed', incomplete_details: null, model: 'llama-3.1-8b', output_text: '' });
    expect(json.id).toMatch(/^resp_/);
    expect(json.output).toHaveLength(1);
    const call = json.output[0];
    expect(call).toMatchObject({ type: 'function_call', status: 'completed', name: 'get_weather' });
    expect(call.id).toMatch(/^fc_/);
    expect(call.call_id).toMatch(/^call_/);
    expect(json.usage.output_tokens).toBe(tokenize(call.arguments).length);
    expect(json.usage.total_tokens).toBe(json.usage.input_tokens + json.usage.output_tokens);
    const viaChat = (await chat({ messages: user, tools: [{ type: 'function', function: { name: 'get_weather', parameters: weather.function.parameters } }] })).json;
    expect(call.arguments).toBe(viaChat.choices[0].message.tool_calls[0].function.arguments);
    expect(json.usage.input_tokens).toBe(viaChat.usage.prompt_tokens);
  });

  it('streams a function call as typed events with sequence numbers', async () => {
    const ev = (await events('/v1/responses', { input: 'Weather in Paris?', tools: rtools, stream: true })).map((e) => JSON.parse(e));
    const types = ev.map((e) => e.type as string);
    const deltas = types.filter((t) => t === 'response.function_call_arguments.delta').length;
    expect(types).toEqual([
      'response.created', 'response.in_progress', 'response.output_item.added',
      ...Array<string>(deltas).fill('response.function_call_arguments.delta'),
      'response.function_call_arguments.done', 'response.output_item.done', 'response.completed',
    ]);
    expect(ev.map((e) => e.sequence_number)).toEqual(ev.map((_, i) => i));
    const done = ev.at(-1).response.output[0];
    expect(ev.filter((e) => e.type === 'response.function_call_arguments.delta').map((e) => e.delta).join('')).toBe(done.arguments);
    expect(deltas).toBe(tokenize(done.arguments).length);
    expect(ev[2].item).toEqual({ ...done, status: 'in_progress', arguments: '' });
  });

  it('answers text after function_call_output, incomplete when cut by max_output_tokens', async () => {
    const { json } = await post('/v1/responses', {
      input: [{ role: 'user', content: 'Weather in Paris?' }, { type: 'function_call', call_id: 'c1', name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' }, { type: 'function_call_output', call_id: 'c1', output: 'sunny' }],
      tools: rtools, max_output_tokens: 4,
    });
    expect(json.status).toBe('incomplete');
    expect(json.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(json.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'incomplete' });
    expect(json.output[0].content[0].text).toBe(json.output_text);
    expect(json.usage.output_tokens).toBe(4);
  });

  it('rejects stored state and hosted tools with 400s', async () => {
    const r = await post('/v1/responses', { input: 'x', previous_response_id: 'resp_1' });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ param: 'previous_response_id', type: 'BadRequestError' });
    expect((await post('/v1/responses', { input: 'x', tools: [{ type: 'file_search' }] })).status).toBe(400);
  });
});

describe('the vLLM surface: echo answers, /tokenize, /detokenize, /version, /ready', () => {
  it('echo mode answers with the last user message, cut at max_tokens', async () => {
    const echo = await testEngine({ serve: { answer: 'echo', chatTemplate: 'chatml' } });
    try {
      const ask = async (body: Record<string, unknown>) => (await (await fetch(`${echo.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(body) })).json()) as any;
      const messages = [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'say exactly this back' }];
      const full = await ask({ messages });
      expect(full.choices[0].message.content).toBe('say exactly this back');
      expect(full.choices[0].finish_reason).toBe('stop');
      expect(full.usage.completion_tokens).toBe(4);
      const cut = await ask({ messages, max_tokens: 2 });
      expect([cut.choices[0].message.content, cut.choices[0].finish_reason]).toEqual(['say exactly', 'length']);
      // /tokenize renders with this engine's template (chatml).
      const tok = (await (await fetch(`${echo.url}/tokenize`, { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }) })).json()) as any;
      expect(tok.count).toBe(tokenize('<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n').length);
    } finally {
      await echo.close();
    }
  });

  it('tokenizes as the engine counts, detokenizes rendered words, names its version, is ready', async () => {
    const messages = [{ role: 'user', content: 'Weather in Paris?' }];
    const tok = (await post('/tokenize', { messages, tools: [weather] })).json;
    expect(tok.count).toBe(138); // the prompt_tokens of the same chat request (above)
    expect(tok.tokens).toHaveLength(138);
    expect(tok.max_model_len).toBe(srv.engine.config.maxModelLen);
    const noGen = (await post('/tokenize', { messages, tools: [weather], add_generation_prompt: false })).json;
    expect(tok.count - noGen.count).toBe(tokenize('<|start_header_id|>assistant<|end_header_id|>\n\n').length);
    const words = (await post('/tokenize', { prompt: ' time year people' })).json;
    expect(words.count).toBe(3);
    expect((await post('/detokenize', { tokens: words.tokens })).json).toEqual({ prompt: ' time year people' });
    expect((await post('/detokenize', { tokens: [1e9] })).json).toEqual({ prompt: '<|1000000000|>' });
    expect((await post('/detokenize', { tokens: ['x'] })).status).toBe(400);
    expect(await (await fetch(`${srv.url}/version`)).json()).toEqual({ version: '0.1.0+agentbench' });
    expect((await fetch(`${srv.url}/ready`)).status).toBe(200);
  });
});

describe('parallel calls and aborts', () => {
  const tools = ['a', 'b', 'c'].map((n) => ({ type: 'function', function: { name: n, parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } } }));
  // The first of these prompts whose answer makes several calls (the draw is seeded, so it is always the same one).
  const parallelPrompt = async (): Promise<{ messages: unknown[]; calls: any[] }> => {
    for (let i = 0; i < 20; i++) {
      const messages = [{ role: 'user', content: `task ${i}` }];
      const calls = (await chat({ messages, tools, max_tokens: 200 })).json.choices[0].message.tool_calls;
      if (calls.length > 1) return { messages, calls };
    }
    throw new Error('no prompt among 20 drew parallel calls');
  };

  it('streams several calls with their indices; the SDK-style reassembly gives the non-streamed calls', async () => {
    const { messages, calls } = await parallelPrompt();
    const ev = await events('/v1/chat/completions', { messages, tools, max_tokens: 200, stream: true });
    const rebuilt: { id: string; type: string; function: { name: string; arguments: string } }[] = [];
    for (const e of ev.slice(0, -1)) {
      for (const d of JSON.parse(e).choices[0]?.delta?.tool_calls ?? []) {
        if (d.id) rebuilt[d.index] = { id: d.id, type: d.type, function: { name: d.function.name, arguments: '' } };
        rebuilt[d.index]!.function.arguments += d.function.arguments;
      }
    }
    expect(rebuilt).toEqual(calls);
  });

  it('answers several function_call items on the Responses API', async () => {
    const { messages, calls } = await parallelPrompt();
    const input = (messages[0] as { content: string }).content;
    const { json } = await post('/v1/responses', { input, max_output_tokens: 200, tools: tools.map((t) => ({ type: 'function', ...t.function })) });
    expect(json.output.map((o: any) => [o.type, o.call_id, o.name, o.arguments])).toEqual(calls.map((c: any) => ['function_call', c.id, c.function.name, c.function.arguments]));
  });

  it('a client that goes away mid-stream frees its request in the engine', async () => {
    const ctl = new AbortController();
    const r = await fetch(`${srv.url}/v1/responses`, { method: 'POST', body: JSON.stringify({ input: 'long one', max_output_tokens: 5000, ignore_eos: true, stream: true }), signal: ctl.signal });
    const reader = r.body!.getReader();
    await reader.read();
    expect(srv.engine.inflight).toBe(1);
    ctl.abort();
    for (let i = 0; i < 50 && srv.engine.inflight > 0; i++) await new Promise((ok) => setTimeout(ok, 10));
    expect(srv.engine.inflight).toBe(0);
  });
});

describe('LoRA adapters and cache_salt', () => {
  it('loads, lists, serves, separates the prefix cache of, and unloads an adapter', async () => {
    const prompt = renderRuns([{ key: 5, start: 0, length: 64 }]);
    const ask = async (model: string, extra: Record<string, unknown> = {}) => post('/v1/completions', { model, prompt, max_tokens: 1, ...extra });
    const load = await fetch(`${srv.url}/v1/load_lora_adapter`, { method: 'POST', body: JSON.stringify({ lora_name: 'sql', lora_path: '/adapters/sql' }) });
    expect([load.status, await load.text()]).toEqual([200, "Success: LoRA adapter 'sql' added successfully."]);
    expect((await post('/v1/load_lora_adapter', { lora_name: 'sql', lora_path: '/x' })).status).toBe(400);
    const models = (await (await fetch(`${srv.url}/v1/models`)).json() as any).data;
    expect(models.map((m: any) => [m.id, m.root, m.parent])).toEqual([['llama-3.1-8b', 'llama-3.1-8b', null], ['sql', '/adapters/sql', 'llama-3.1-8b']]);
    expect((await ask('llama-3.1-8b')).json.usage.prompt_tokens_details.cached_tokens).toBe(0);
    // Same tokens on the adapter: its own namespace, so a miss; then a hit on it.
    const onAdapter = (await ask('sql')).json;
    expect(onAdapter.model).toBe('sql'); // answers name the model asked for, as vLLM's do
    expect(onAdapter.usage.prompt_tokens_details.cached_tokens).toBe(0);
    expect((await ask('sql')).json.usage.prompt_tokens_details.cached_tokens).toBe(48);
    // cache_salt splits the base model's cache too.
    expect((await ask('llama-3.1-8b', { cache_salt: 'tenant-a' })).json.usage.prompt_tokens_details.cached_tokens).toBe(0);
    expect((await ask('llama-3.1-8b', { cache_salt: 'tenant-a' })).json.usage.prompt_tokens_details.cached_tokens).toBe(48);
    expect((await ask('llama-3.1-8b')).json.usage.prompt_tokens_details.cached_tokens).toBe(48);
    expect((await ask('llama-3.1-8b', { cache_salt: '' })).status).toBe(400);
    const info = parsePrometheus(await (await fetch(`${srv.url}/metrics`)).text()).find((x) => x.name === 'vllm:lora_requests_info');
    expect(info?.labels).toEqual({ max_lora: '1', running_lora_adapters: '', waiting_lora_adapters: '' });
    const unload = await fetch(`${srv.url}/v1/unload_lora_adapter`, { method: 'POST', body: JSON.stringify({ lora_name: 'sql' }) });
    expect([unload.status, await unload.text()]).toEqual([200, "Success: LoRA adapter 'sql' removed successfully."]);
    expect((await ask('sql')).status).toBe(404);
    expect((await post('/v1/unload_lora_adapter', { lora_name: 'sql' })).status).toBe(404);
  });

  it('names adapters with requests inside as running or waiting', async () => {
    await post('/v1/load_lora_adapter', { lora_name: 'chat', lora_path: '/adapters/chat' });
    const ctl = new AbortController();
    const r = await fetch(`${srv.url}/v1/completions`, { method: 'POST', body: JSON.stringify({ model: 'chat', prompt: 'go on', max_tokens: 5000, ignore_eos: true, stream: true }), signal: ctl.signal });
    const reader = r.body!.getReader();
    await reader.read(); // the first token is out: running
    const info = () => fetch(`${srv.url}/metrics`).then(async (m) => parsePrometheus(await m.text()).find((x) => x.name === 'vllm:lora_requests_info')!.labels);
    expect(await info()).toMatchObject({ running_lora_adapters: 'chat', waiting_lora_adapters: '' });
    ctl.abort();
    for (let i = 0; i < 50 && srv.engine.inflight > 0; i++) await new Promise((ok) => setTimeout(ok, 10));
    expect(await info()).toMatchObject({ running_lora_adapters: '', waiting_lora_adapters: '' });
    await post('/v1/unload_lora_adapter', { lora_name: 'chat' });
  });
});
