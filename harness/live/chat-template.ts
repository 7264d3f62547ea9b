import { pyJson } from './py-json.js';
import { isObj } from './json-object.js';

/**
 * The chat templates the emulated engine renders prompts with (the router renders the same to
 * estimate prompt tokens): `llama3` is Llama 3.1 Instruct's (the default model's), `chatml` is
 * Qwen 2.5's ChatML with Hermes-style `<tool_call>` blocks.
 */
export const CHAT_TEMPLATES = ['llama3', 'chatml'] as const;
export type ChatTemplateName = (typeof CHAT_TEMPLATES)[number];

/** One chat message as OpenAI clients send it; fields are unchecked here (the engine validates). */
export interface ChatMessage {
  readonly role: string;
  readonly content?: unknown;
  readonly tool_calls?: unknown;
  readonly tool_call_id?: unknown;
}

/** What a chat prompt is rendered from: messages, the request's tools, its response format. */
export interface ChatPrompt {
  readonly messages: readonly ChatMessage[];
  /** The `tools` list as the client sent it (rendered as the template's `tojson` does). */
  readonly tools?: readonly unknown[] | undefined;
  /** `response_format` of the request, rendered as an instruction in the system turn. */
  readonly responseFormat?: unknown;
}

/**
 * Tokens an image part costs: 576, the 24×24 patch grid of a 336-pixel CLIP ViT-L/14 (LLaVA-1.5).
 * An image renders as that many placeholder pieces named by a hash of its URL, so the same image
 * is the same prefix.
 */
export const IMAGE_TOKENS = 576;


function imageText(url: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < url.length; i++) h = Math.imul(h ^ url.charCodeAt(i), 16777619);
  return `${` <img:${(h >>> 0).toString(16).padStart(8, '0')}>`.repeat(IMAGE_TOKENS)}\n`;
}

/**
 * Text of a message's content: a string, or its parts joined (`text`/`input_text`/`output_text`
 * parts by their text, image parts by {@link IMAGE_TOKENS} placeholder tokens); other content
 * renders as its JSON, like a template's `tojson`.
 */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content === undefined || content === null) return '';
  if (!Array.isArray(content)) return pyJson(content);
  let s = '';
  for (const p of content) {
    if (!isObj(p)) continue;
    if (typeof p['text'] === 'string') s += p['text'];
    else if (p['type'] === 'image_url' && isObj(p['image_url']) && typeof p['image_url']['url'] === 'string') s += imageText(p['image_url']['url']);
    else if (p['type'] === 'input_image') s += imageText(typeof p['image_url'] === 'string' ? p['image_url'] : typeof p['file_id'] === 'string' ? p['file_id'] : '');
  }
  return s;
}

/** The function calls of an assistant message: name and arguments (parsed when they are JSON, as vLLM does before templating). */
function toolCallsOf(m: ChatMessage): { name: string; args: unknown }[] {
  if (!Array.isArray(m.tool_calls)) return [];
  const out: { name: string; args: unknown }[] = [];
  for (const c of m.tool_calls) {
    const f = isObj(c) && isObj(c['function']) ? c['function'] : undefined;
    if (!f) continue;
    const raw = f['arguments'];
    let args: unknown = raw;
    if (typeof raw === 'string') {
      try {
        args = JSON.parse(raw) as unknown;
      } catch {
        args = raw;
      }
    }
    out.push({ name: typeof f['name'] === 'string' ? f['name'] : '', args });
  }
  return out;
}

/** The instruction a response format adds to the system turn ('' for plain text). */
export function formatInstruction(rf: unknown): string {
  if (!isObj(rf)) return '';
  if (rf['type'] === 'json_object') return 'Respond with a JSON object.';
  if (rf['type'] === 'json_schema' && isObj(rf['json_schema'])) return `Respond with JSON that matches this schema:\n${pyJson(rf['json_schema']['schema'] ?? {})}`;
  return '';
}

const isSystem = (m: ChatMessage | undefined): boolean => m !== undefined && (m.role === 'system' || m.role === 'developer');
const isToolResult = (m: ChatMessage | undefined): boolean => m !== undefined && (m.role === 'tool' || m.role === 'function' || m.role === 'ipython');

// Llama 3.1 Instruct's template (tokenizer_config.json), tools in the first user message, the
// default date string. One deviation: several tool calls of one assistant message render as
// consecutive assistant turns (Llama 3.1's template refuses more than one).
function llama3(p: ChatPrompt): string {
  let rest = p.messages;
  let sys = '';
  if (isSystem(rest[0])) {
    sys = messageText(rest[0]!.content).trim();
    rest = rest.slice(1);
  }
  const tools = p.tools !== undefined && p.tools.length > 0 ? p.tools : undefined;
  const fmt = formatInstruction(p.responseFormat);
  let s = '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n';
  if (tools) s += 'Environment: ipython\n';
  s += `Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n${sys}${sys && fmt ? '\n\n' : ''}${fmt}<|eot_id|>`;
  if (tools) {
    let first = '';
    if (rest[0]?.role === 'user') {
      first = messageText(rest[0].content).trim();
      rest = rest.slice(1);
    }
    s += '<|start_header_id|>user<|end_header_id|>\n\nGiven the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\n\n' +
      'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.Do not use variables.\n\n';
    for (const t of tools) s += `${pyJson(t, 4)}\n\n`;
    s += `${first}<|eot_id|>`;
  }
  for (const m of rest) {
    const calls = toolCallsOf(m);
    if (isToolResult(m)) s += `<|start_header_id|>ipython<|end_header_id|>\n\n${messageText(m.content)}<|eot_id|>`;
    else if (calls.length > 0) {
      for (const c of calls) s += `<|start_header_id|>assistant<|end_header_id|>\n\n{"name": "${c.name}", "parameters": ${pyJson(c.args)}}<|eot_id|>`;
    } else s += `<|start_header_id|>${m.role}<|end_header_id|>\n\n${messageText(m.content).trim()}<|eot_id|>`;
  }
  return `${s}<|start_header_id|>assistant<|end_header_id|>\n\n`;
}

const QWEN_SYSTEM = 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.';

// Qwen 2.5 Instruct's ChatML template (tokenizer_config.json): tools in the system turn, tool
// calls as <tool_call> blocks, consecutive tool results in one user turn.
function chatml(p: ChatPrompt): string {
  const msgs = p.messages;
  const hasSys = isSystem(msgs[0]);
  const fmt = formatInstruction(p.responseFormat);
  const sys = (hasSys ? messageText(msgs[0]!.content) : QWEN_SYSTEM) + (fmt ? `\n\n${fmt}` : '');
  let s: string;
  if (p.tools !== undefined && p.tools.length > 0) {
    s = `<|im_start|>system\n${sys}\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>`;
    for (const t of p.tools) s += `\n${pyJson(t)}`;
    s += '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n';
  } else s = `<|im_start|>system\n${sys}<|im_end|>\n`;
  for (let i = hasSys ? 1 : 0; i < msgs.length; i++) {
    const m = msgs[i]!;
    const calls = toolCallsOf(m);
    if (isToolResult(m)) {
      if (!isToolResult(msgs[i - 1])) s += '<|im_start|>user';
      s += `\n<tool_response>\n${messageText(m.content)}\n</tool_response>`;
      if (!isToolResult(msgs[i + 1])) s += '<|im_end|>\n';
    } else if (m.role === 'assistant' && calls.length > 0) {
      const text = messageText(m.content);
      s += `<|im_start|>assistant${text ? `\n${text}` : ''}`;
      for (const c of calls) s += `\n<tool_call>\n{"name": "${c.name}", "arguments": ${pyJson(c.args)}}\n</tool_call>`;
      s += '<|im_end|>\n';
    } else s += `<|im_start|>${m.role}\n${messageText(m.content)}<|im_end|>\n`;
  }
  return `${s}<|im_start|>assistant\n`;
}

/** The generation prompt each template ends with (the assistant turn's header). */
export const GENERATION_PROMPT: Record<ChatTemplateName, string> = {
  llama3: '<|start_header_id|>assistant<|end_header_id|>\n\n',
  chatml: '<|im_start|>assistant\n',
};

/** Render a chat prompt with a template, generation prompt included unless `addGenerationPrompt` is false. */
export function renderChat(p: ChatPrompt, template: ChatTemplateName = 'llama3', addGenerationPrompt = true): string {
  const text = template === 'chatml' ? chatml(p) : llama3(p);
  return addGenerationPrompt ? text : text.slice(0, text.length - GENERATION_PROMPT[template].length);
}

/** The chat prompt of a /v1/chat/completions body (unchecked: the router estimates with it). */
export function chatPromptOf(body: Record<string, unknown>): ChatPrompt {
  const msgs = Array.isArray(body['messages']) ? (body['messages'] as unknown[]).filter((m): m is ChatMessage => isObj(m) && typeof m['role'] === 'string') : [];
  return { messages: msgs, tools: Array.isArray(body['tools']) ? body['tools'] : undefined, responseFormat: body['response_format'] };
}
