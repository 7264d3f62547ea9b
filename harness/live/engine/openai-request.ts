import { hashNumbers } from '../../../policies/kv/hash.js';
import { applyChatTemplate, contentIds, tokenize, type ChatMessage } from '../tokenizer.js';

/** Which OpenAI endpoint a request came to. */
export type ApiKind = 'completions' | 'chat';

/** A generation request as the emulated engine runs it. */
export interface ParsedGeneration {
  readonly kind: ApiKind;
  readonly model: string | undefined;
  readonly promptIds: number[];
  readonly outputIds: number[];
  readonly stopReason: 'length' | 'stop';
  readonly stream: boolean;
  readonly includeUsage: boolean;
}

/** An OpenAI-style client error (HTTP status + message + the offending parameter). */
export interface RequestProblem {
  readonly status: number;
  readonly message: string;
  readonly param: string | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * How long the emulated model "wants" to answer when EOS is not ignored: 16..256 tokens,
 * a deterministic function of the prompt (the same prompt always gets the same answer length).
 */
export function naturalLength(promptIds: readonly number[]): number {
  const tail = promptIds.slice(-16);
  return 16 + (hashNumbers(promptIds.length, ...tail) % 241);
}

function intField(body: Record<string, unknown>, key: string, min: number): number | undefined | RequestProblem {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    return { status: 400, message: `${key} must be an integer >= ${min}, got ${JSON.stringify(v)}`, param: key };
  }
  return v;
}

const isProblem = (v: unknown): v is RequestProblem => isObj(v) && typeof v['status'] === 'number';

/**
 * Parse a /v1/completions or /v1/chat/completions body like vLLM's OpenAI server: unknown
 * fields are ignored; `max_tokens` (or `max_completion_tokens`) caps the output; `ignore_eos`
 * makes the output exactly that long (vLLM's benchmarks force lengths this way). The optional
 * `agentbench_output_key` names the content of the output so a workflow's later prompts that
 * quote it hit the cache where its blocks are.
 */
export function parseGeneration(kind: ApiKind, body: unknown, maxModelLen: number): ParsedGeneration | RequestProblem {
  if (!isObj(body)) return { status: 400, message: 'request body must be a JSON object', param: null };
  let promptIds: number[];
  if (kind === 'completions') {
    const p = body['prompt'];
    if (typeof p === 'string') promptIds = tokenize(p);
    else if (Array.isArray(p) && p.length > 0 && p.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) promptIds = p as number[];
    else if (Array.isArray(p) && p.length === 1 && typeof p[0] === 'string') promptIds = tokenize(p[0]);
    else return { status: 400, message: 'prompt must be a string, a list of one string, or a list of token ids (batched prompts are not supported)', param: 'prompt' };
  } else {
    const msgs = body['messages'];
    if (!Array.isArray(msgs) || msgs.length === 0 || !msgs.every((m) => isObj(m) && typeof m['role'] === 'string')) {
      return { status: 400, message: 'messages must be a non-empty list of {role, content}', param: 'messages' };
    }
    promptIds = tokenize(applyChatTemplate(msgs as ChatMessage[]));
  }
  if (promptIds.length === 0) return { status: 400, message: 'prompt is empty', param: 'prompt' };
  if (promptIds.length >= maxModelLen) {
    return { status: 400, message: `This model's maximum context length is ${maxModelLen} tokens. However, your request has ${promptIds.length} input tokens.`, param: 'prompt' };
  }
  const n = intField(body, 'n', 1);
  if (isProblem(n)) return n;
  if (n !== undefined && n > 1) return { status: 400, message: 'n > 1 is not supported by the emulated engine', param: 'n' };
  const maxTokensRaw = intField(body, 'max_completion_tokens', 1) ?? intField(body, 'max_tokens', 1);
  if (isProblem(maxTokensRaw)) return maxTokensRaw;
  const room = maxModelLen - promptIds.length;
  // OpenAI's (and vLLM's) default for completions is 16 tokens; chat fills the context.
  const maxTokens = Math.min(room, maxTokensRaw ?? (kind === 'completions' ? 16 : room));
  if (maxTokensRaw !== undefined && maxTokensRaw > room) {
    return { status: 400, message: `max_tokens=${maxTokensRaw} plus ${promptIds.length} input tokens exceeds the maximum context length ${maxModelLen}`, param: 'max_tokens' };
  }
  const ignoreEos = body['ignore_eos'] === true;
  const natural = naturalLength(promptIds);
  const length = ignoreEos ? maxTokens : Math.min(maxTokens, natural);
  const keyRaw = body['agentbench_output_key'];
  const key = typeof keyRaw === 'number' && Number.isSafeInteger(keyRaw) ? keyRaw : hashNumbers(promptIds.length, ...promptIds.slice(-32));
  const so = body['stream_options'];
  return {
    kind,
    model: typeof body['model'] === 'string' ? body['model'] : undefined,
    promptIds,
    outputIds: contentIds(key, length),
    stopReason: !ignoreEos && natural <= maxTokens ? 'stop' : 'length',
    stream: body['stream'] === true,
    includeUsage: isObj(so) && so['include_usage'] === true,
  };
}
