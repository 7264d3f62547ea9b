import type { ServerResponse } from 'node:http';
import { sendJson } from '../http-util.js';
import { finishReason, type ApiKind, type ParsedGeneration } from './openai-request.js';
import { fullResponse, StreamFormatter, usage } from './openai-response.js';

/** How the engine finished a request (EmulatedListener.onFinished's argument). */
export interface FinishInfo {
  readonly outputTokens: number;
  readonly cachedTokens: number;
  readonly promptTokens: number;
  readonly reason: 'length' | 'stop';
}

/** Names of one response: its id, the served model, the creation time, extra headers. */
export interface AnswerMeta {
  readonly id: string;
  readonly model: string;
  readonly created: number;
  readonly headers: Record<string, string>;
}

/** Writes one generation's answer to the client as the engine produces its tokens. */
export interface AnswerWriter {
  /** The request was admitted: a stream sends its headers and opening events. */
  begin(): void;
  /** Output token `index` was generated. */
  token(index: number): void;
  /** The request finished. */
  end(info: FinishInfo): void;
}

/**
 * The answer of /v1/completions and /v1/chat/completions: streamed token by token (text, or
 * tool-call deltas: a call's first chunk carries id, type and name, then its argument tokens)
 * or whole at the end.
 */
export function chatAnswerWriter(kind: ApiKind, g: ParsedGeneration, res: ServerResponse, meta: AnswerMeta): AnswerWriter {
  const fmt = g.stream ? new StreamFormatter(kind, meta.id, meta.model, meta.created) : undefined;
  let text = '';
  let call = -1;
  let opened = false;
  const open = (): void => {
    if (opened || !fmt) return;
    opened = true;
    res.write(fmt.opening());
  };
  return {
    begin() {
      if (!fmt) return;
      // Headers now, the first body byte with the first token (vLLM's chat stream sends its role
      // chunk with the first output, after prefill): until then nothing is committed, so a router
      // may still re-send a request whose engine dies or hangs before its first token.
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...meta.headers });
      res.flushHeaders();
    },
    token(index) {
      const piece = g.pieces[index] ?? '';
      if (!fmt) {
        text += piece;
        return;
      }
      open();
      if (g.toolCalls.length > 0) {
        const next = g.toolCalls[call + 1];
        if (next !== undefined && index >= next.firstToken) res.write(fmt.toolCallStart(++call, next));
        res.write(fmt.toolCallArgs(call, piece));
      } else if (piece !== '') res.write(fmt.token(piece));
    },
    end(info) {
      const u = usage(info.promptTokens, info.outputTokens, info.cachedTokens);
      const reason = finishReason(g, info.reason);
      if (fmt) {
        open();
        res.end(fmt.closing(reason, g.includeUsage ? u : undefined));
      }
      else sendJson(res, 200, fullResponse(kind, meta.id, meta.model, meta.created, text, reason, u, g.toolCalls), meta.headers);
    },
  };
}
