import { describe, expect, it } from 'vitest';
import { IMAGE_TOKENS, messageText, renderChat } from './chat-template.js';
import { tokenize } from './tokenizer.js';

const tool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
const history = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Weather in Paris?' },
  { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
  { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
];

describe('chat templates', () => {
  it('renders Llama 3.1: tools in the first user turn, calls as JSON, results as ipython', () => {
    expect(renderChat({ messages: history, tools: [tool] }, 'llama3')).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nEnvironment: ipython\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\nBe brief.<|eot_id|>' +
      '<|start_header_id|>user<|end_header_id|>\n\nGiven the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\n\n' +
      'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.Do not use variables.\n\n' +
      '{\n    "type": "function",\n    "function": {\n        "name": "get_weather",\n        "parameters": {\n            "type": "object",\n            "properties": {\n                "city": {\n                    "type": "string"\n                }\n            },\n            "required": [\n                "city"\n            ]\n        }\n    }\n}\n\n' +
      'Weather in Paris?<|eot_id|>' +
      '<|start_header_id|>assistant<|end_header_id|>\n\n{"name": "get_weather", "parameters": {"city": "Paris"}}<|eot_id|>' +
      '<|start_header_id|>ipython<|end_header_id|>\n\nsunny<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    );
  });

  it('renders ChatML (Qwen 2.5): tools in the system turn, <tool_call> and <tool_response> blocks', () => {
    expect(renderChat({ messages: history, tools: [tool] }, 'chatml')).toBe(
      '<|im_start|>system\nBe brief.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
      '{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}' +
      '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n' +
      '<|im_start|>user\nWeather in Paris?<|im_end|>\n<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>\n' +
      '<|im_start|>user\n<tool_response>\nsunny\n</tool_response><|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('puts a json_schema response format into the system turn', () => {
    const rf = { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } };
    expect(renderChat({ messages: [{ role: 'user', content: 'hi' }], responseFormat: rf }, 'chatml')).toBe(
      `<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.\n\nRespond with JSON that matches this schema:\n{"type": "object"}<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n`,
    );
  });

  it('counts an image part as IMAGE_TOKENS tokens, the same image as the same tokens', () => {
    const img = (url: string) => messageText([{ type: 'image_url', image_url: { url } }]);
    expect(tokenize(img('https://example.com/a.png'))).toHaveLength(IMAGE_TOKENS + 1); // + the newline after it
    expect(tokenize(img('https://example.com/a.png'))).toEqual(tokenize(img('https://example.com/a.png')));
    expect(tokenize(img('https://example.com/b.png'))[0]).not.toBe(tokenize(img('https://example.com/a.png'))[0]);
  });
});
