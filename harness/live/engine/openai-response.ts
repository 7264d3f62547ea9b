import type { ApiKind } from './openai-request.js';
import type { ToolCall } from './tool-calls.js';

/** Finish reasons the engine reports. */
export type FinishReason = 'length' | 'stop' | 'tool_calls';

/** Token usage as vLLM reports it (prompt_tokens_details needs --enable-prompt-tokens-details there). */
export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  readonly prompt_tokens_details: { readonly cached_tokens: number };
}

/** Build a usage object. */
export function usage(promptTokens: number, completionTokens: number, cachedTokens: number): Usage {
  return {
    prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cachedTokens },
  };
}

/**
 * Writes the SSE chunks of one streamed response in vLLM's OpenAI format (serving_completion.py,
 * serving_chat.py): per token a chunk with `text` (completions) or `delta.content` (chat), a
 * last chunk with `finish_reason`, then a usage chunk with empty `choices` when
 * `stream_options.include_usage`, then `data: [DONE]`. The constant parts of a token chunk are
 * serialised once.
 */
export class StreamFormatter {
  readonly #head: string;
  readonly #tokenTail: string;
  readonly #kind: ApiKind;
  readonly #base: Record<string, unknown>;

  constructor(kind: ApiKind, id: string, model: string, created: number) {
    this.#kind = kind;
    const object = kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    this.#base = { id, object, created, model };
    this.#head = `data: {"id":${JSON.stringify(id)},"object":"${object}","created":${created},"model":${JSON.stringify(model)},"choices":[{"index":0,`;
    this.#tokenTail = kind === 'chat' ? '},"logprobs":null,"finish_reason":null}]}\n\n' : ',"logprobs":null,"finish_reason":null,"stop_reason":null}]}\n\n';
  }

  /** The chat stream's opening chunk (role only); empty for completions. */
  opening(): string {
    if (this.#kind !== 'chat') return '';
    return `${this.#head}"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n`;
  }

  /** One token's chunk. */
  token(text: string): string {
    return this.#kind === 'chat'
      ? `${this.#head}"delta":{"content":${JSON.stringify(text)}${this.#tokenTail}`
      : `${this.#head}"text":${JSON.stringify(text)}${this.#tokenTail}`;
  }

  /**
   * The first chunk of tool call `index` (chat only): id, type and name with empty arguments, as
   * OpenAI streams it; the arguments follow in {@link toolCallArgs} chunks.
   */
  toolCallStart(index: number, call: ToolCall): string {
    const tc = { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
    return `${this.#head}"delta":{"tool_calls":[${JSON.stringify(tc)}]${this.#tokenTail}`;
  }

  /** One token of tool call `index`'s arguments. */
  toolCallArgs(index: number, text: string): string {
    return `${this.#head}"delta":{"tool_calls":[{"index":${index},"function":{"arguments":${JSON.stringify(text)}}}]${this.#tokenTail}`;
  }

  /** The closing chunks: finish reason, optional usage, [DONE]. */
  closing(finishReason: FinishReason, u: Usage | undefined): string {
    const choice = this.#kind === 'chat'
      ? { index: 0, delta: {}, logprobs: null, finish_reason: finishReason, stop_reason: null }
      : { index: 0, text: '', logprobs: null, finish_reason: finishReason, stop_reason: null };
    let s = `data: ${JSON.stringify({ ...this.#base, choices: [choice] })}\n\n`;
    if (u) s += `data: ${JSON.stringify({ ...this.#base, choices: [], usage: u })}\n\n`;
    return `${s}data: [DONE]\n\n`;
  }
}

/** A whole (non-streamed) response body; a chat answer with tool calls has `content: null`. */
export function fullResponse(kind: ApiKind, id: string, model: string, created: number, text: string, finishReason: FinishReason, u: Usage, toolCalls: readonly ToolCall[] = []): unknown {
  if (kind === 'chat') {
    const calls = toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
    return {
      id, object: 'chat.completion', created, model,
      choices: [{
        index: 0, message: { role: 'assistant', content: calls.length > 0 ? null : text, refusal: null, tool_calls: calls },
        logprobs: null, finish_reason: finishReason, stop_reason: null,
      }],
      usage: u,
    };
  }
  return {
    id, object: 'text_completion', created, model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason, stop_reason: null }],
    usage: u,
  };
}

/** An OpenAI-style error body. */
export function errorBody(status: number, message: string, param: string | null = null): unknown {
  const type = status === 401 ? 'AuthenticationError' : status === 404 ? 'NotFoundError' : status === 503 ? 'ServiceUnavailableError' : status >= 500 ? 'InternalServerError' : 'BadRequestError';
  return { error: { message, type, param, code: status } };
}
