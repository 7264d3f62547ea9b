import { Agent, OpenAIProvider, Runner, setTracingDisabled, tool } from '@openai/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { agentStack } from '../testdata/agent-stack.js';

// The OpenAI Agents SDK through `agentbench router` over two emulated engines, on the Responses
// API (its default) and on chat completions. Tracing is off: nothing leaves loopback.
setTracingDisabled(true);
let stack: Awaited<ReturnType<typeof agentStack>>;
beforeAll(async () => {
  stack = await agentStack();
});
afterAll(async () => {
  await stack.close();
});

const runner = (useResponses: boolean) => new Runner({
  modelProvider: new OpenAIProvider({ baseURL: stack.baseURL, apiKey: 'none', useResponses }), model: 'llama-3.1-8b', tracingDisabled: true,
});

describe.each([{ api: 'responses', useResponses: true }, { api: 'chat completions', useResponses: false }])('Agents SDK on $api', ({ useResponses }) => {
  it('a triage agent hands off to an agent that calls its tool and answers', async () => {
    const runs: string[] = [];
    const getWeather = tool({
      name: 'get_weather', description: 'Current weather in a city', parameters: z.object({ city: z.string() }),
      execute: async ({ city }) => {
        runs.push(city);
        return `It is sunny in ${city}.`;
      },
    });
    const weather = new Agent({ name: 'Weather agent', instructions: 'Answer weather questions with get_weather.', tools: [getWeather] });
    const triage = new Agent({ name: 'Triage agent', instructions: 'Hand weather questions to the weather agent.', handoffs: [weather] });
    const result = await runner(useResponses).run(triage, 'What is the weather in Paris?');
    expect(result.lastAgent?.name).toBe('Weather agent');
    expect(runs).toHaveLength(1);
    const items = result.newItems.map((i) => i.type);
    expect(items).toEqual(['handoff_call_item', 'handoff_output_item', 'tool_call_item', 'tool_call_output_item', 'message_output_item']);
    expect(result.rawResponses).toHaveLength(3);
    expect(typeof result.finalOutput === 'string' && result.finalOutput.length > 0).toBe(true);
  });

  it('outputType parses the structured answer', async () => {
    const Review = z.object({ title: z.string(), rating: z.number().int().min(1).max(5) });
    const critic = new Agent({ name: 'Critic', instructions: 'Review films.', outputType: Review });
    const result = await runner(useResponses).run(critic, 'Review the film Alien.');
    expect(Review.parse(result.finalOutput)).toEqual(result.finalOutput);
  });
});
