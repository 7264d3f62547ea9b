import { hashNumbers } from '../../../policies/kv/hash.js';
import { chatPromptOf, messageText, renderChat, type ChatTemplateName } from '../chat-template.js';
import { tokenize } from '../tokenizer.js';
import { planAnswer, type AnswerPlan } from './answer-plan.js';
import { isProblem, type RequestProblem } from './request-problem.js';
import { parseResponseFormat, parseStop } from './structured-output.js';
import { decideToolCalls, DEFAULT_TOOL_POLICY, parseToolRequest, trailingResultNames, type ToolPolicy } from './tool-calls.js';
import { isObj } from '../json-object.js';

export type { PlannedCall } from './answer-plan.js';
export type { RequestProblem } from './request-problem.js';

/** Which OpenAI endpoint a request came to (`responses` is parsed as chat, see responses-api.ts). */
export type ApiKind = 'completions' | 'chat';

/** How the engine turns requests into prompts and answers. */
export interface GenerationOptions {
  readonly maxModelLen: number;
  readonly chatTemplate?: ChatTemplateName | undefined;
  readonly tools?: ToolPolicy | undefined;
  /**
   * What a text answer says: `synthetic` (default) rendered words of the drawn length; `echo`
   * the last user message (chat) or the prompt (completions), cut at max_tokens, for client
   * tests that check content. Tool calls and JSON answers are the same in both.
   */
  readonly answer?: AnswerMode | undefined;
}

/** The text answer modes ({@link GenerationOptions.answer}). */
export const ANSWER_MODES = ['synthetic', 'echo'] as const;
export type AnswerMode = (typeof ANSWER_MODES)[number];

// The text an echo answer repeats; '' when there is none (the answer is then synthetic).
function echoText(kind: ApiKind, body: Record<string, unknown>): string {
  if (kind === 'completions') {
    const p = body['prompt'];
    return typeof p === 'string' ? p : Array.isArray(p) && typeof p[0] === 'string' ? p[0] : '';
  }
  const msgs = body['messages'] as { role: string; content?: unknown }[];
  for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i]!.role === 'user') return messageText(msgs[i]!.content);
  return '';
}

/** A generation request as the emulated engine runs it. */
export interface ParsedGeneration extends AnswerPlan {
  readonly kind: ApiKind;
  readonly model: string | undefined;
  readonly promptIds: number[];
  readonly stream: boolean;
  readonly includeUsage: boolean;
  /** vLLM's `cache_salt`: the request's blocks are shared only with requests of the same salt. */
  readonly cacheSalt: string | undefined;
}


/**
 * How long the emulated model "wants" to answer when EOS is not ignored: 16..256 tokens,
 * a deterministic function of the prompt and the request's `seed` (the same prompt and seed
 * always get the same answer length).
 */
export function naturalLength(promptIds: readonly number[], seed?: number): number {
  const tail = promptIds.slice(-16);
  return 16 + ((seed === undefined ? hashNumbers(promptIds.length, ...tail) : hashNumbers(promptIds.length, seed, ...tail)) % 241);
}

function intField(body: Record<string, unknown>, key: string, min: number): number | undefined | RequestProblem {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    return { status: 400, message: `${key} must be an integer >= ${min}, got ${JSON.stringify(v)}`, param: key };
  }
  return v;
}

const CHAT_ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function', 'ipython']);
const CHAT_PARTS = new Set(['text', 'image_url', 'refusal']);

// Messages as OpenAI accepts them; a content part the engine cannot count (audio, files) is a
// 400 naming it rather than a part silently dropped from the prompt.
function checkMessages(msgs: unknown): RequestProblem | undefined {
  if (!Array.isArray(msgs) || msgs.length === 0) return { status: 400, message: 'messages must be a non-empty list of {role, content}', param: 'messages' };
  for (const [i, m] of msgs.entries()) {
    if (!isObj(m) || typeof m['role'] !== 'string') return { status: 400, message: `messages[${i}] must be {role, content}`, param: 'messages' };
    if (!CHAT_ROLES.has(m['role'])) return { status: 400, message: `messages[${i}].role must be one of ${[...CHAT_ROLES].join(', ')}, got ${JSON.stringify(m['role'])}`, param: 'messages' };
    const c = m['content'];
    if (Array.isArray(c)) {
      for (const p of c) {
        const t = isObj(p) ? p['type'] : undefined;
        if (typeof t !== 'string' || !CHAT_PARTS.has(t)) return { status: 400, message: `messages[${i}]: content part type ${JSON.stringify(t)} is not supported (text, image_url, refusal)`, param: 'messages' };
      }
    } else if (typeof c !== 'string' && c !== null && c !== undefined) {
      return { status: 400, message: `messages[${i}].content must be a string or a list of content parts`, param: 'messages' };
    }
  }
  return undefined;
}

// `logprobs` are not emulated: a request that asks for them gets a 400 naming the field rather
// than a response without them.
function checkLogprobs(body: Record<string, unknown>): RequestProblem | undefined {
  for (const f of ['logprobs', 'top_logprobs', 'prompt_logprobs']) {
    const v = body[f];
    if (v !== undefined && v !== null && v !== false && v !== 0) return { status: 400, message: `${f} is not supported by the emulated engine`, param: f };
  }
  return undefined;
}

/**
 * Parse a /v1/completions or /v1/chat/completions body like vLLM's OpenAI server: unknown
 * fields are ignored; `max_tokens` (or `max_completion_tokens`) caps the output; `ignore_eos`
 * makes a text output exactly that long (vLLM's benchmarks force lengths this way); `seed`
 * reseeds the answer. Chat requests are rendered with the chat template (tools and the response
 * format included) and may be answered with tool calls or schema-valid JSON (tool-calls.ts,
 * schema-value.ts); `stop` strings cut a text answer. The optional `agentbench_output_key`
 * names the content of a text output so a workflow's later prompts that quote it hit the cache
 * where its blocks are.
 */
export function parseGeneration(kind: ApiKind, body: unknown, opts: GenerationOptions): ParsedGeneration | RequestProblem {
  if (!isObj(body)) return { status: 400, message: 'request body must be a JSON object', param: null };
  const maxModelLen = opts.maxModelLen;
  let promptIds: number[];
  if (kind === 'completions') {
    const p = body['prompt'];
    if (typeof p === 'string') promptIds = tokenize(p);
    else if (Array.isArray(p) && p.length > 0 && p.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) promptIds = p as number[];
    else if (Array.isArray(p) && p.length === 1 && typeof p[0] === 'string') promptIds = tokenize(p[0]);
    else return { status: 400, message: 'prompt must be a string, a list of one string, or a list of token ids (batched prompts are not supported)', param: 'prompt' };
  } else {
    const bad = checkMessages(body['messages']);
    if (bad) return bad;
    promptIds = tokenize(renderChat(chatPromptOf(body), opts.chatTemplate));
  }
  if (promptIds.length === 0) return { status: 400, message: 'prompt is empty', param: 'prompt' };
  if (promptIds.length >= maxModelLen) {
    return { status: 400, message: `This model's maximum context length is ${maxModelLen} tokens. However, your request has ${promptIds.length} input tokens.`, param: 'prompt' };
  }
  const n = intField(body, 'n', 1);
  if (isProblem(n)) return n;
  if (n !== undefined && n > 1) return { status: 400, message: 'n > 1 is not supported by the emulated engine', param: 'n' };
  const lp = checkLogprobs(body);
  if (lp) return lp;
  const seedRaw = body['seed'];
  if (seedRaw !== undefined && seedRaw !== null && (typeof seedRaw !== 'number' || !Number.isSafeInteger(seedRaw))) {
    return { status: 400, message: `seed must be an integer, got ${JSON.stringify(seedRaw)}`, param: 'seed' };
  }
  const seed = typeof seedRaw === 'number' ? seedRaw : undefined;
  const maxTokensRaw = intField(body, 'max_completion_tokens', 1) ?? intField(body, 'max_tokens', 1);
  if (isProblem(maxTokensRaw)) return maxTokensRaw;
  const room = maxModelLen - promptIds.length;
  // OpenAI's (and vLLM's) default for completions is 16 tokens; chat fills the context.
  const maxTokens = Math.min(room, maxTokensRaw ?? (kind === 'completions' ? 16 : room));
  if (maxTokensRaw !== undefined && maxTokensRaw > room) {
    return { status: 400, message: `max_tokens=${maxTokensRaw} plus ${promptIds.length} input tokens exceeds the maximum context length ${maxModelLen}`, param: 'max_tokens' };
  }
  const salt = body['cache_salt'];
  if (salt !== undefined && salt !== null && (typeof salt !== 'string' || salt === '')) return { status: 400, message: 'cache_salt must be a non-empty string', param: 'cache_salt' };
  const stops = parseStop(body);
  if (isProblem(stops)) return stops;
  const format = kind === 'chat' ? parseResponseFormat(body) : undefined;
  if (isProblem(format)) return format;
  const policy = opts.tools ?? DEFAULT_TOOL_POLICY;
  const toolReq = kind === 'chat' ? parseToolRequest(body, policy) : undefined;
  if (isProblem(toolReq)) return toolReq;

  const ignoreEos = body['ignore_eos'] === true;
  const natural = naturalLength(promptIds, seed);
  const target = ignoreEos ? maxTokens : Math.min(maxTokens, natural);
  const keyRaw = body['agentbench_output_key'];
  const baseKey = typeof keyRaw === 'number' && Number.isSafeInteger(keyRaw) ? keyRaw : hashNumbers(promptIds.length, ...promptIds.slice(-32));
  const key = seed === undefined ? baseKey : hashNumbers(baseKey, seed);

  const calls = toolReq ? decideToolCalls(toolReq, trailingResultNames(body['messages'] as unknown[]), key, policy, target) : [];
  const plan = planAnswer({
    calls, schema: format?.schema, stops, key, target, maxTokens,
    echo: opts.answer === 'echo' ? echoText(kind, body) : '', naturalStop: !ignoreEos && natural <= maxTokens,
  });
  const so = body['stream_options'];
  return {
    kind,
    model: typeof body['model'] === 'string' ? body['model'] : undefined,
    promptIds,
    ...plan,
    stream: body['stream'] === true,
    includeUsage: isObj(so) && so['include_usage'] === true,
    cacheSalt: typeof salt === 'string' ? salt : undefined,
  };
}

/** The finish reason clients see: a natural stop of a tool-calling answer is "tool_calls". */
export function finishReason(g: ParsedGeneration, reason: 'length' | 'stop'): 'length' | 'stop' | 'tool_calls' {
  return reason === 'stop' && g.toolCalls.length > 0 ? 'tool_calls' : reason;
}
