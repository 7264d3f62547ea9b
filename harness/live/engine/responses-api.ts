import { badRequest, type RequestProblem } from './request-problem.js';
import { isObj } from '../json-object.js';


type Msg = Record<string, unknown>;

// Content parts of a Responses message as chat parts: input_text/output_text → text,
// input_image → image_url; files cannot be counted and are refused.
function chatContent(content: unknown, at: string): unknown[] | string | RequestProblem {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return badRequest(`${at}.content must be a string or a list of content parts`, 'input');
  const out: unknown[] = [];
  for (const p of content) {
    const t = isObj(p) ? p['type'] : undefined;
    if ((t === 'input_text' || t === 'output_text') && typeof p['text'] === 'string') out.push({ type: 'text', text: p['text'] });
    else if (t === 'refusal' && typeof p['refusal'] === 'string') out.push({ type: 'text', text: p['refusal'] });
    else if (t === 'input_image') out.push({ type: 'image_url', image_url: { url: typeof p['image_url'] === 'string' ? p['image_url'] : typeof p['file_id'] === 'string' ? p['file_id'] : '' } });
    else return badRequest(`${at}: content part type ${JSON.stringify(t)} is not supported (input_text, output_text, refusal, input_image)`, 'input');
  }
  return out;
}

/**
 * The chat messages of a Responses request: `instructions` as the system message, then the
 * `input` string (one user message) or items: messages (`{role, content}`, with or without
 * `type: "message"`), `function_call` items (consecutive ones become one assistant message
 * with tool_calls) and `function_call_output` items (tool messages). Reasoning items carry no
 * prompt the emulated model reads and are skipped; item references need stored responses and
 * are refused.
 */
function chatMessages(body: Record<string, unknown>): Msg[] | RequestProblem {
  const msgs: Msg[] = [];
  const ins = body['instructions'];
  if (typeof ins === 'string' && ins !== '') msgs.push({ role: 'system', content: ins });
  const input = body['input'];
  if (typeof input === 'string') {
    msgs.push({ role: 'user', content: input });
    return msgs;
  }
  if (!Array.isArray(input)) return badRequest('input must be a string or a list of input items', 'input');
  for (const [i, item] of input.entries()) {
    const at = `input[${i}]`;
    if (!isObj(item)) return badRequest(`${at} must be an object`, 'input');
    const type = item['type'] ?? 'message';
    if (type === 'message') {
      const role = item['role'];
      if (role !== 'user' && role !== 'assistant' && role !== 'system' && role !== 'developer') return badRequest(`${at}.role must be user, assistant, system or developer`, 'input');
      const content = chatContent(item['content'], at);
      if (isObj(content)) return content as RequestProblem;
      msgs.push({ role, content });
    } else if (type === 'function_call') {
      if (typeof item['call_id'] !== 'string' || typeof item['name'] !== 'string' || typeof item['arguments'] !== 'string') {
        return badRequest(`${at}: a function_call item needs call_id, name and arguments (strings)`, 'input');
      }
      const call = { id: item['call_id'], type: 'function', function: { name: item['name'], arguments: item['arguments'] } };
      const prev = msgs[msgs.length - 1];
      if (prev?.['role'] === 'assistant' && Array.isArray(prev['tool_calls'])) (prev['tool_calls'] as unknown[]).push(call);
      else msgs.push({ role: 'assistant', content: null, tool_calls: [call] });
    } else if (type === 'function_call_output') {
      if (typeof item['call_id'] !== 'string') return badRequest(`${at}: a function_call_output item needs call_id`, 'input');
      const out = item['output'];
      const content = typeof out === 'string' ? out : chatContent(out, at);
      if (isObj(content)) return content as RequestProblem;
      msgs.push({ role: 'tool', tool_call_id: item['call_id'], content });
    } else if (type === 'reasoning') {
      continue;
    } else return badRequest(`${at}: input item type ${JSON.stringify(type)} is not supported (message, function_call, function_call_output, reasoning)`, 'input');
  }
  if (msgs.length === 0) return badRequest('input is empty', 'input');
  return msgs;
}

/**
 * Translate a `POST /v1/responses` body into the chat completions body the engine runs (vLLM's
 * Responses server renders the same chat template): function tools `{type: "function", name,
 * parameters}` become chat tools, `tool_choice` `{type: "function", name}` a named choice,
 * `text.format` a `response_format`, `max_output_tokens` `max_tokens`. Stored state
 * (`previous_response_id`, `conversation`) and hosted tools are refused with a 400 naming them.
 */
export function responsesToChat(body: unknown): Record<string, unknown> | RequestProblem {
  if (!isObj(body)) return badRequest('request body must be a JSON object', 'input');
  for (const f of ['previous_response_id', 'conversation', 'prompt']) {
    if (body[f] !== undefined && body[f] !== null) return badRequest(`${f} is not supported by the emulated engine (it stores no responses)`, f);
  }
  const messages = chatMessages(body);
  if (!Array.isArray(messages)) return messages;
  const chat: Record<string, unknown> = { messages, stream: body['stream'] === true };
  for (const f of ['model', 'parallel_tool_calls', 'seed', 'priority', 'ignore_eos', 'agentbench_output_key', 'top_logprobs']) if (body[f] !== undefined) chat[f] = body[f];
  if (body['max_output_tokens'] !== undefined) chat['max_tokens'] = body['max_output_tokens'];
  const tools = body['tools'];
  if (tools !== undefined && tools !== null) {
    if (!Array.isArray(tools)) return badRequest('tools must be a list', 'tools');
    const chatTools: unknown[] = [];
    for (const [i, t] of tools.entries()) {
      if (!isObj(t) || t['type'] !== 'function') return badRequest(`tools[${i}]: only function tools are supported, got ${JSON.stringify(isObj(t) ? t['type'] : t)}`, 'tools');
      const { type: _t, ...fn } = t;
      chatTools.push({ type: 'function', function: fn });
    }
    chat['tools'] = chatTools;
  }
  const tc = body['tool_choice'];
  if (tc !== undefined && tc !== null) {
    if (typeof tc === 'string') chat['tool_choice'] = tc;
    else if (isObj(tc) && tc['type'] === 'function' && typeof tc['name'] === 'string') chat['tool_choice'] = { type: 'function', function: { name: tc['name'] } };
    else return badRequest(`tool_choice must be "none", "auto", "required" or {type: "function", name}, got ${JSON.stringify(tc)}`, 'tool_choice');
  }
  const text = body['text'];
  const format = isObj(text) ? text['format'] : undefined;
  if (isObj(format)) {
    if (format['type'] === 'json_schema') chat['response_format'] = { type: 'json_schema', json_schema: { name: format['name'], schema: format['schema'], strict: format['strict'] } };
    else chat['response_format'] = { type: format['type'] };
  }
  return chat;
}
