import { describe, expect, it } from 'vitest';
import { responsesToChat } from './responses-api.js';

describe('responsesToChat', () => {
  it('translates instructions, input items, function tools, tool_choice, text.format and max_output_tokens', () => {
    const chat = responsesToChat({
      model: 'm', instructions: 'Be brief.', max_output_tokens: 50, parallel_tool_calls: false,
      tools: [{ type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: true }],
      tool_choice: { type: 'function', name: 'f' },
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'hi' }, { type: 'input_image', image_url: 'https://x/y.png' }] },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call', call_id: 'c2', name: 'f', arguments: '{"a":1}' },
        { type: 'function_call_output', call_id: 'c1', output: 'one' },
        { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'two' }] },
        { type: 'reasoning', id: 'r', summary: [] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'done' }] },
      ],
    });
    expect(chat).toEqual({
      model: 'm', stream: false, parallel_tool_calls: false, max_tokens: 50,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
        { role: 'assistant', content: null, tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } },
          { id: 'c2', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
        ] },
        { role: 'tool', tool_call_id: 'c1', content: 'one' },
        { role: 'tool', tool_call_id: 'c2', content: [{ type: 'text', text: 'two' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'done' }] },
      ],
      tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
    });
  });

  it('refuses what it cannot serve with a 400 naming the field', () => {
    expect(responsesToChat({ input: 'x', previous_response_id: 'resp_1' })).toMatchObject({ status: 400, param: 'previous_response_id' });
    expect(responsesToChat({ input: 'x', tools: [{ type: 'web_search' }] })).toMatchObject({ status: 400, param: 'tools', message: expect.stringMatching(/only function tools/) });
    expect(responsesToChat({ input: [{ type: 'item_reference', id: 'x' }] })).toMatchObject({ status: 400, param: 'input' });
    expect(responsesToChat({ input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] })).toMatchObject({ status: 400, message: expect.stringMatching(/input_file/) });
    expect(responsesToChat({ input: 7 })).toMatchObject({ status: 400, param: 'input' });
  });
});
