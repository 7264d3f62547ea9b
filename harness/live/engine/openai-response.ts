import type { ApiKind } from './openai-request.js';

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

  /** The closing chunks: finish reason, optional usage, [DONE]. */
  closing(finishReason: 'length' | 'stop', u: Usage | undefined): string {
    const choice = this.#kind === 'chat'
      ? { index: 0, delta: {}, logprobs: null, finish_reason: finishReason, stop_reason: null }
      : { index: 0, text: '', logprobs: null, finish_reason: finishReason, stop_reason: null };
    let s = `data: ${JSON.stringify({ ...this.#base, choices: [choice] })}\n\n`;
    if (u) s += `data: ${JSON.stringify({ ...this.#base, choices: [], usage: u })}\n\n`;
    return `${s}data: [DONE]\n\n`;
  }
}

/** A whole (non-streamed) response body. */
export function fullResponse(kind: ApiKind, id: string, model: string, created: number, text: string, finishReason: 'length' | 'stop', u: Usage): unknown {
  if (kind === 'chat') {
    return {
      id, object: 'chat.completion', created, model,
      choices: [{ index: 0, message: { role: 'assistant', content: text, tool_calls: [] }, logprobs: null, finish_reason: finishReason, stop_reason: null }],
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
