import type { IncomingHttpHeaders } from 'node:http';
import type { RouteRequest } from '../../../policies/types.js';
import { chatPromptOf, renderChat } from '../chat-template.js';
import { responsesToChat } from '../engine/responses-api.js';
import { blockHashesOfIds, tokenize, tokenizeYielding } from '../tokenizer.js';
import { routeRequestOf } from '../../../sim/call-meta.js';
import { callMetaFromHttp } from '../call-meta-http.js';

/**
 * What the router tokenizes for a request's prompt, the one place the paths are told apart: the
 * rendered chat (chat completions, and the chat translation of a Responses request), the prompt
 * text, or the client's own token ids. Empty text where there is no prompt.
 */
function promptSource(path: string, body: Record<string, unknown>): string | number[] {
  if (path.endsWith('/chat/completions')) return renderChat(chatPromptOf(body));
  if (path.endsWith('/responses')) {
    const chat = responsesToChat(body);
    return 'messages' in chat ? renderChat(chatPromptOf(chat)) : '';
  }
  const p = body['prompt'];
  if (typeof p === 'string') return p;
  if (Array.isArray(p)) {
    if (p.every((x) => typeof x === 'number')) return p as number[];
    if (typeof p[0] === 'string') return p[0];
  }
  return '';
}

/** The prompt's token ids as the router estimates them (the emulated engine's tokenizer). */
export function promptIds(path: string, body: Record<string, unknown>): number[] {
  const src = promptSource(path, body);
  return typeof src === 'string' ? tokenize(src) : src;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Why a generation body cannot be routed (the prompt's shape, as the emulated engine and vLLM
 * check it: `messages` a non-empty list of objects with a string `role`; `prompt` a string, a
 * list of one string or a list of token ids), or undefined. Everything else passes through to
 * the engine unchanged, which judges its own fields.
 */
export function promptShapeError(path: string, body: Record<string, unknown>): string | undefined {
  if (path.endsWith('/responses')) return undefined; // the engine checks a Responses request's input items
  if (path.endsWith('/chat/completions')) {
    const msgs = body['messages'];
    if (!Array.isArray(msgs) || msgs.length === 0 || !msgs.every((m) => isObj(m) && typeof m['role'] === 'string')) {
      return 'messages must be a non-empty list of {role, content}';
    }
    return undefined;
  }
  const p = body['prompt'];
  if (typeof p === 'string') return undefined;
  if (Array.isArray(p) && p.length > 0 && p.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) return undefined;
  if (Array.isArray(p) && p.length === 1 && typeof p[0] === 'string') return undefined;
  return 'prompt must be a string, a list of one string, or a list of token ids';
}

/**
 * {@link promptIds} without holding the event loop on a huge prompt: the same ids, tokenized in
 * slices with a turn of the event loop between them ({@link tokenizeYielding}).
 */
export async function promptIdsYielding(path: string, body: Record<string, unknown>): Promise<number[]> {
  const src = promptSource(path, body);
  return typeof src === 'string' ? tokenizeYielding(src) : src;
}

/**
 * Build the policy's RouteRequest from what the client sent, and nothing else (the same
 * mapping as the simulator's, {@link routeRequestOf}): `maxTokens` is the body's
 * `max_completion_tokens` / `max_tokens` (OpenAI's default 16 for completions,
 * `defaultMaxTokens` for chat), never a true output length. An error (for a 400) when the
 * call's metadata is malformed.
 */
export async function buildRouteRequest(opts: {
  id: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  blockSize: number;
  defaultMaxTokens: number;
  nowUs: number;
}): Promise<RouteRequest | { error: string }> {
  const { body } = opts;
  const shape = promptShapeError(opts.path, body);
  if (shape !== undefined) return { error: shape };
  const meta = callMetaFromHttp(opts.headers, body);
  if ('error' in meta) return meta;
  const ids = await promptIdsYielding(opts.path, body);
  const mt = body['max_completion_tokens'] ?? body['max_tokens'] ?? body['max_output_tokens'];
  const maxTokens = typeof mt === 'number' && mt > 0 ? mt : opts.path.endsWith('/completions') && !opts.path.endsWith('/chat/completions') ? 16 : opts.defaultMaxTokens;
  return routeRequestOf(opts.id, meta, { promptBlocks: blockHashesOfIds(ids, opts.blockSize), promptTokens: ids.length }, maxTokens, opts.nowUs);
}
