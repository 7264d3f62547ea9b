import { describe, expect, it } from 'vitest';
import { decideToolCalls, DEFAULT_TOOL_POLICY, parseToolRequest, trailingResultNames, type ToolRequest } from './tool-calls.js';

const fn = (name: string) => ({ type: 'function', function: { name, parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } } });
const req = (body: Record<string, unknown>) => parseToolRequest(body, DEFAULT_TOOL_POLICY) as ToolRequest;

describe('trailingResultNames', () => {
  it('names the calls whose results end the conversation', () => {
    const calls = [{ id: 'a', function: { name: 'search' } }, { id: 'b', function: { name: 'fetch' } }];
    expect(trailingResultNames([{ role: 'user' }, { role: 'assistant', tool_calls: calls }, { role: 'tool', tool_call_id: 'a' }, { role: 'tool', tool_call_id: 'b' }])).toEqual(['fetch', 'search']);
    expect(trailingResultNames([{ role: 'tool', tool_call_id: 'zz' }])).toEqual(['']);
    expect(trailingResultNames([{ role: 'function', name: 'legacy' }])).toEqual(['legacy']);
    expect(trailingResultNames([{ role: 'user' }])).toEqual([]);
  });
});

describe('decideToolCalls', () => {
  it('auto: calls before its tools ran, answers after, calls again after another agent\'s tool (a handoff)', () => {
    const r = req({ tools: [fn('search')] });
    expect(decideToolCalls(r, [], 1, DEFAULT_TOOL_POLICY, 20).map((c) => c.name)).toEqual(['search']);
    expect(decideToolCalls(r, ['search'], 1, DEFAULT_TOOL_POLICY, 20)).toEqual([]);
    expect(decideToolCalls(r, ['transfer_to_search_agent'], 1, DEFAULT_TOOL_POLICY, 20)).toHaveLength(1);
  });

  it('auto calls with the configured probability, seeded by the key', () => {
    const r = req({ tools: [fn('search')], parallel_tool_calls: false });
    const policy = { autoToolChoice: true, autoCallProbability: 0.25 };
    let calls = 0;
    for (let key = 0; key < 1000; key++) calls += decideToolCalls(r, [], key, policy, 10).length;
    expect(calls).toBeGreaterThan(200);
    expect(calls).toBeLessThan(300);
    expect(decideToolCalls(r, [], 5, { ...policy, autoCallProbability: 0 }, 10)).toEqual([]);
  });

  it('required calls even after results; a named function is the only call; none never calls', () => {
    expect(decideToolCalls(req({ tools: [fn('a')], tool_choice: 'required' }), ['a'], 3, DEFAULT_TOOL_POLICY, 10)).toHaveLength(1);
    for (let key = 0; key < 20; key++) {
      const named = decideToolCalls(req({ tools: [fn('a'), fn('b'), fn('c')], tool_choice: { type: 'function', function: { name: 'c' } } }), [], key, DEFAULT_TOOL_POLICY, 10);
      expect(named.map((c) => c.name)).toEqual(['c']);
    }
    expect(parseToolRequest({ tools: [fn('a')], tool_choice: 'none' }, DEFAULT_TOOL_POLICY)).toMatchObject({ choice: { kind: 'none' } });
    expect(decideToolCalls(req({ tools: [fn('a')], tool_choice: 'none' }), [], 3, DEFAULT_TOOL_POLICY, 10)).toEqual([]);
    expect(parseToolRequest({}, DEFAULT_TOOL_POLICY)).toBeUndefined();
  });

  it('splits the target length over parallel calls; ids are distinct', () => {
    const r = req({ tools: [fn('a'), fn('b'), fn('c')] });
    const sizes = new Set<number>();
    for (let key = 0; key < 30; key++) {
      const calls = decideToolCalls(r, [], key, DEFAULT_TOOL_POLICY, 60);
      sizes.add(calls.length);
      expect(new Set(calls.map((c) => c.id)).size).toBe(calls.length);
      for (const c of calls) expect(Object.keys(JSON.parse(c.arguments) as object)).toEqual(['q']);
    }
    expect([...sizes].sort()).toEqual([1, 2, 3]);
  });
});
