import type { IncomingHttpHeaders } from 'node:http';
import type { RouteRequest } from '../../../policies/types.js';
import { chatPromptOf, renderChat } from '../chat-template.js';
import { responsesToChat } from '../engine/responses-api.js';
import { blockHashesOfIds, tokenize } from '../tokenizer.js';
import { routeRequestOf } from '../../../sim/call-meta.js';
import { callMetaFromHttp } from '../call-meta-http.js';

/** The prompt's token ids as the router estimates them (the emulated engine's tokenizer). */
export function promptIds(path: string, body: Record<string, unknown>): number[] {
  if (path.endsWith('/chat/completions')) return tokenize(renderChat(chatPromptOf(body)));
  if (path.endsWith('/responses')) {
    const chat = responsesToChat(body);
    return 'messages' in chat ? tokenize(renderChat(chatPromptOf(chat))) : [];
  }
  const p = body['prompt'];
  if (typeof p === 'string') return tokenize(p);
  if (Array.isArray(p)) {
    if (p.every((x) => typeof x === 'number')) return p as number[];
    if (typeof p[0] === 'string') return tokenize(p[0]);
  }
  return [];
}

/**
 * Build the policy's RouteRequest from what the client sent, and nothing else (the same
 * mapping as the simulator's, {@link routeRequestOf}): `maxTokens` is the body's
 * `max_completion_tokens` / `max_tokens` (OpenAI's default 16 for completions,
 * `defaultMaxTokens` for chat), never a true output length. An error (for a 400) when the
 * call's metadata is malformed.
 */
export function buildRouteRequest(opts: {
  id: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  blockSize: number;
  defaultMaxTokens: number;
  nowUs: number;
}): RouteRequest | { error: string } {
  const { body } = opts;
  const meta = callMetaFromHttp(opts.headers, body);
  if ('error' in meta) return meta;
  const ids = promptIds(opts.path, body);
  const mt = body['max_completion_tokens'] ?? body['max_tokens'] ?? body['max_output_tokens'];
  const maxTokens = typeof mt === 'number' && mt > 0 ? mt : opts.path.endsWith('/completions') && !opts.path.endsWith('/chat/completions') ? 16 : opts.defaultMaxTokens;
  return routeRequestOf(opts.id, meta, { promptBlocks: blockHashesOfIds(ids, opts.blockSize), promptTokens: ids.length }, maxTokens, opts.nowUs);
}
