import { tool } from '@langchain/core/tools';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { ChatOpenAI } from '@langchain/openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { agentStack } from '../testdata/agent-stack.js';

// LangChain's ChatOpenAI and LangGraph's prebuilt ReAct agent through `agentbench router` over
// two emulated engines.
let stack: Awaited<ReturnType<typeof agentStack>>;
beforeAll(async () => {
  stack = await agentStack();
});
afterAll(async () => {
  await stack.close();
});

const model = (workflow: string) => new ChatOpenAI({
  model: 'llama-3.1-8b', apiKey: 'none', maxRetries: 0,
  configuration: { baseURL: stack.baseURL, defaultHeaders: { 'x-workflow-id': workflow } },
});

describe('LangChain and LangGraph through the router', () => {
  it('a ReAct agent calls its tool and answers: two model calls, one tool run', async () => {
    const runs: string[] = [];
    const weather = tool(async ({ city }: { city: string }) => {
      runs.push(city);
      return `It is sunny in ${city}.`;
    }, { name: 'get_weather', description: 'Current weather in a city', schema: z.object({ city: z.string() }) });
    const agent = createReactAgent({ llm: model('wf-langgraph'), tools: [weather] });
    const out = await agent.invoke({ messages: [{ role: 'user', content: 'What is the weather in Paris?' }] });
    const kinds = out.messages.map((m) => m.getType());
    expect(kinds).toEqual(['human', 'ai', 'tool', 'ai']);
    expect(runs).toHaveLength(1);
    expect(typeof runs[0]).toBe('string');
    const last = out.messages.at(-1)!;
    expect(typeof last.content === 'string' && last.content.length > 0).toBe(true);
  });

  it('withStructuredOutput parses (json_schema and function calling)', async () => {
    const schema = z.object({ title: z.string(), rating: z.number().int().min(1).max(5), tags: z.array(z.string()) });
    for (const method of ['jsonSchema', 'functionCalling'] as const) {
      const r = await model(`wf-structured-${method}`).withStructuredOutput(schema, { method }).invoke('Review the film Alien.');
      expect(schema.parse(r)).toEqual(r);
      expect(Number.isInteger(r.rating) && r.rating >= 1 && r.rating <= 5).toBe(true);
    }
  });
});
