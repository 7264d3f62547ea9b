import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRng } from '../../policies/rng.js';
import { LeastLoadedPolicy } from '../../policies/routing/least-loaded.js';
import type { EngineServer } from './engine/engine-server.js';
import { startRouterServer, type RouterServer } from './router/router-server.js';
import { testEngine } from './testdata/cluster.js';
import { WallClock } from './wall-clock.js';

// The official `openai` npm client against our engine and our router: our compatibility test
// with the real ecosystem (request shapes, SSE framing, usage, errors, auth).
let engine: EngineServer;
let router: RouterServer;
beforeAll(async () => {
  engine = await testEngine({ apiKey: 'engine-key' });
  router = await startRouterServer({
    upstreams: [{ id: 'e0', url: engine.url, apiKey: 'engine-key' }], policy: new LeastLoadedPolicy(), rng: new SeededRng(1),
    clock: new WallClock(), blockSize: 16, apiKey: 'router-key', health: { intervalMs: 60_000, scrapeIntervalMs: 0 },
  });
});
afterAll(async () => {
  await router.close();
  await engine.close();
});

// vLLM's extension forcing the output length; the client passes unknown fields through.
const IGNORE_EOS = { ignore_eos: true } as object;

const targets = [
  { name: 'engine', url: () => `${engine.url}/v1`, key: 'engine-key' },
  { name: 'router', url: () => `${router.url}/v1`, key: 'router-key' },
] as const;

describe.each(targets)('openai client against the $name', (t) => {
  const client = () => new OpenAI({ baseURL: t.url(), apiKey: t.key, maxRetries: 0, timeout: 30_000 });

  it('lists the model', async () => {
    const models = await client().models.list();
    expect(models.data.map((m) => m.id)).toEqual(['llama-3.1-8b']);
  });

  it('completions, not streamed', async () => {
    const r = await client().completions.create({
      model: 'llama-3.1-8b', prompt: 'The agents agreed that', max_tokens: 5,
      ...IGNORE_EOS,
    });
    expect(r.object).toBe('text_completion');
    expect(r.choices[0]!.text.trim().split(' ')).toHaveLength(5);
    expect(r.choices[0]!.finish_reason).toBe('length');
    expect(r.usage).toMatchObject({ completion_tokens: 5, total_tokens: r.usage!.prompt_tokens + 5 });
  });

  it('completions, streamed, with usage', async () => {
    const stream = await client().completions.create({
      model: 'llama-3.1-8b', prompt: 'Plan the work:', max_tokens: 6, stream: true, stream_options: { include_usage: true },
      ...IGNORE_EOS,
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.trim().split(' ')).toHaveLength(6);
    expect(usage?.completion_tokens).toBe(6);
    // 'Plan the work:' is 3 tokens, less than one 16-token block: nothing of it can be cached.
    expect(usage?.prompt_tokens).toBe(3);
    expect(usage?.prompt_tokens_details?.cached_tokens).toBe(0);
  });

  it('chat completions, not streamed', async () => {
    const r = await client().chat.completions.create({
      model: 'llama-3.1-8b', max_tokens: 4,
      messages: [{ role: 'system', content: 'You are a planner.' }, { role: 'user', content: 'Split the task.' }],
    });
    expect(r.object).toBe('chat.completion');
    expect(r.choices[0]!.message.role).toBe('assistant');
    expect(r.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(r.usage!.completion_tokens).toBeLessThanOrEqual(4);
  });

  it('chat completions, streamed', async () => {
    const stream = await client().chat.completions.create({
      model: 'llama-3.1-8b', max_completion_tokens: 7, stream: true, stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Summarise the findings.' }],
      ...IGNORE_EOS,
    });
    let content = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      finish ??= chunk.choices[0]?.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(content.trim().split(' ')).toHaveLength(7);
    expect(finish).toBe('length');
    expect(usage?.completion_tokens).toBe(7);
  });

  it('surfaces errors as typed API errors', async () => {
    await expect(new OpenAI({ baseURL: t.url(), apiKey: 'wrong', maxRetries: 0 }).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(client().completions.create({ model: 'no-such-model', prompt: 'x' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client().completions.create({ model: 'llama-3.1-8b', prompt: 'x', max_tokens: 0 })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});
