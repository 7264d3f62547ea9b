import { afterEach, describe, expect, it } from 'vitest';
import { renderRuns } from '../../../workloads/render.js';
import { parsePrometheus } from '../prometheus.js';
import { SseParser } from '../sse.js';
import { testEngine } from '../testdata/cluster.js';
import { buckets125 } from './emulated-engine.js';
import type { EngineServer } from './engine-server.js';

let srv: EngineServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function streamEvents(res: Response): Promise<string[]> {
  const events: string[] = [];
  const p = new SseParser((d) => events.push(d));
  p.push(await res.text());
  p.end();
  return events;
}

const doc = renderRuns([{ key: 42, start: 0, length: 200 }]);

describe('emulated engine', () => {
  it('streams exactly max_tokens chunks with ignore_eos, then usage and [DONE]', async () => {
    srv = await testEngine();
    const res = await post(`${srv.url}/v1/completions`, {
      model: 'llama-3.1-8b', prompt: doc, max_tokens: 7, ignore_eos: true, stream: true, stream_options: { include_usage: true }, some_unknown_field: 1,
    }, { 'x-request-id': 'abc' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('x-request-id')).toBe('abc');
    const events = await streamEvents(res);
    expect(events.at(-1)).toBe('[DONE]');
    const parsed = events.slice(0, -1).map((e) => JSON.parse(e) as { id: string; choices: { text: string; finish_reason: string | null }[]; usage?: { prompt_tokens: number; completion_tokens: number } });
    const tokens = parsed.filter((e) => e.choices[0]?.text);
    expect(tokens).toHaveLength(7);
    expect(parsed.every((e) => e.id === 'cmpl-abc')).toBe(true);
    expect(parsed.find((e) => e.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('length');
    expect(parsed.at(-1)?.usage).toMatchObject({ prompt_tokens: 200, completion_tokens: 7 });
  });

  it('reports cached tokens when the same prefix comes again', async () => {
    srv = await testEngine();
    const ask = async (prompt: string) => {
      const r = await post(`${srv!.url}/v1/completions`, { prompt, max_tokens: 2, ignore_eos: true });
      return (await r.json()) as { usage: { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } }; choices: { text: string }[] };
    };
    const first = await ask(doc);
    expect(first.usage.prompt_tokens_details.cached_tokens).toBe(0);
    expect(first.choices[0]!.text.split(' ').length - 1).toBe(2);
    const longer = `${doc}${renderRuns([{ key: 7, start: 0, length: 40 }])}`;
    const second = await ask(longer);
    expect(second.usage.prompt_tokens).toBe(240);
    // 200 shared tokens = 12 full blocks of 16.
    expect(second.usage.prompt_tokens_details.cached_tokens).toBe(192);
  });

  it('answers chat completions, streamed and not', async () => {
    srv = await testEngine();
    const messages = [{ role: 'system', content: 'be brief' }, { role: 'user', content: [{ type: 'text', text: 'hello there' }] }];
    const full = (await (await post(`${srv.url}/v1/chat/completions`, { messages, max_tokens: 3, ignore_eos: true })).json()) as {
      object: string; choices: { message: { role: string; content: string } }[]; usage: { completion_tokens: number };
    };
    expect(full.object).toBe('chat.completion');
    expect(full.choices[0]!.message.role).toBe('assistant');
    expect(full.usage.completion_tokens).toBe(3);
    const events = await streamEvents(await post(`${srv.url}/v1/chat/completions`, { messages, max_tokens: 3, ignore_eos: true, stream: true }));
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { object: string; choices: { delta: { content?: string; role?: string } }[]; usage?: unknown });
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBe(3);
    expect(chunks.some((c) => c.usage)).toBe(false); // no include_usage
  });

  it('stops by itself without ignore_eos, within max_tokens', async () => {
    srv = await testEngine();
    const r = (await (await post(`${srv.url}/v1/completions`, { prompt: doc, max_tokens: 1000 })).json()) as { usage: { completion_tokens: number }; choices: { finish_reason: string }[] };
    expect(r.usage.completion_tokens).toBeGreaterThanOrEqual(16);
    expect(r.usage.completion_tokens).toBeLessThanOrEqual(256);
    expect(r.choices[0]!.finish_reason).toBe('stop');
  });

  it('rejects bad input with OpenAI-style errors', async () => {
    srv = await testEngine({ cluster: { maxModelLen: 256 } });
    const bad = await post(`${srv.url}/v1/completions`, '{"prompt": ');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/malformed JSON/);
    const long = await post(`${srv.url}/v1/completions`, { prompt: renderRuns([{ key: 1, start: 0, length: 300 }]) });
    expect(long.status).toBe(400);
    expect(((await long.json()) as { error: { message: string } }).error.message).toMatch(/maximum context length is 256/);
    const model = await post(`${srv.url}/v1/completions`, { model: 'gpt-9', prompt: 'hi' });
    expect(model.status).toBe(404);
    expect((await fetch(`${srv.url}/v1/nope`)).status).toBe(404);
  });

  it('requires the API key on /v1 when set, not on /health', async () => {
    srv = await testEngine({ apiKey: 'sekret' });
    expect((await fetch(`${srv.url}/v1/models`)).status).toBe(401);
    const ok = await fetch(`${srv.url}/v1/models`, { headers: { authorization: 'Bearer sekret' } });
    expect(((await ok.json()) as { data: { id: string }[] }).data[0]!.id).toBe('llama-3.1-8b');
    expect((await fetch(`${srv.url}/health`)).status).toBe(200);
  });

  it('exposes vLLM metric names on /metrics', async () => {
    srv = await testEngine();
    await (await post(`${srv.url}/v1/completions`, { prompt: doc, max_tokens: 4, ignore_eos: true })).json();
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    const samples = parsePrometheus(text);
    const get = (n: string) => samples.find((s) => s.name === n);
    expect(get('vllm:num_requests_running')?.value).toBe(0);
    expect(get('vllm:generation_tokens_total')?.value).toBe(4);
    expect(get('vllm:prompt_tokens_total')?.value).toBe(200);
    expect(get('vllm:prefix_cache_queries_total')?.value).toBe(200);
    expect(get('vllm:time_to_first_token_seconds_count')?.value).toBe(1);
    expect(get('vllm:e2e_request_latency_seconds_count')?.value).toBe(1);
    expect(get('vllm:cache_config_info')?.labels['num_gpu_blocks']).toMatch(/^\d+$/);
    // Per-request histograms of vLLM v1: phases and token counts.
    expect(get('vllm:request_prompt_tokens_sum')?.value).toBe(200);
    expect(get('vllm:request_generation_tokens_sum')?.value).toBe(4);
    const bucket = (n: string, le: string) => samples.find((s) => s.name === `${n}_bucket` && s.labels['le'] === le)?.value;
    expect([bucket('vllm:request_prompt_tokens', '100'), bucket('vllm:request_prompt_tokens', '200')]).toEqual([0, 1]);
    for (const n of ['queue_time', 'inference_time', 'prefill_time', 'decode_time']) expect(get(`vllm:request_${n}_seconds_count`)?.value).toBe(1);
    const inference = get('vllm:request_inference_time_seconds_sum')!.value;
    expect(inference).toBeGreaterThan(0);
    expect(get('vllm:request_prefill_time_seconds_sum')!.value + get('vllm:request_decode_time_seconds_sum')!.value).toBeCloseTo(inference, 9);
    expect(buckets125(1000)).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]);
  });

  it('crashes (port closed, streams cut) and recovers on the same port with an empty cache', async () => {
    srv = await testEngine();
    const res = await post(`${srv.url}/v1/completions`, { prompt: doc, max_tokens: 5000, ignore_eos: true, stream: true });
    const reader = res.body!.getReader();
    await reader.read();
    await srv.fault('crash');
    await expect((async () => {
      for (;;) if ((await reader.read()).done) throw new Error('stream ended cleanly');
    })()).rejects.toThrow();
    await expect(fetch(`${srv.url}/health`)).rejects.toThrow();
    await srv.fault('recover');
    expect((await fetch(`${srv.url}/health`)).status).toBe(200);
    expect(srv.engine.inflight).toBe(0);
  });

  it('hangs: /health stops answering until recovery', async () => {
    srv = await testEngine();
    const r = await post(`${srv.url}/agentbench/fault`, { kind: 'hang' });
    expect(r.status).toBe(200);
    await new Promise((ok) => setTimeout(ok, 20));
    const health = fetch(`${srv.url}/health`);
    const raced = await Promise.race([health.then(() => 'answered'), new Promise((ok) => setTimeout(() => ok('silent'), 100))]);
    expect(raced).toBe('silent');
    await srv.fault('recover');
    expect((await health).status).toBe(200);
  });
});
