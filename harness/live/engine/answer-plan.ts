import { contentIds, detokenizeWord, tokenize, tokenPieces } from '../tokenizer.js';
import { sizedJson } from './schema-value.js';
import { cutAtStop } from './structured-output.js';
import type { ToolCall } from './tool-calls.js';

/** A tool call of the answer, with where its argument tokens are among the output tokens. */
export interface PlannedCall extends ToolCall {
  /** Index of the call's first output token. */
  readonly firstToken: number;
}

/** The output of one request: its tokens, their text, the tool calls they make, why it stops. */
export interface AnswerPlan {
  readonly outputIds: number[];
  /** The text of each output token (same length as outputIds). */
  readonly pieces: readonly string[];
  /** Tool calls the answer makes (their arguments are the output tokens); empty for a text answer. */
  readonly toolCalls: readonly PlannedCall[];
  /** Why the engine stops after the last output id (max_tokens/ignore_eos vs a natural EOS or stop string). */
  readonly stopReason: 'length' | 'stop';
}

/** What the answer is planned from (all decided by the request parser). */
export interface AnswerInputs {
  /** Tool calls decided for this request (empty: the answer is text or JSON). */
  readonly calls: readonly ToolCall[];
  /** The JSON schema a structured answer follows; undefined for plain text. */
  readonly schema: unknown;
  readonly stops: readonly string[];
  /** Content key of the answer (the request's seed). */
  readonly key: number;
  /** The drawn output length, at most maxTokens. */
  readonly target: number;
  readonly maxTokens: number;
  /** Text an echo answer repeats ('' for a synthetic answer). */
  readonly echo: string;
  /** Whether a synthetic answer of the target length ends by EOS (else by max_tokens / ignore_eos). */
  readonly naturalStop: boolean;
}

/**
 * Plan the answer: tool calls (their arguments' tokens, in call order), a JSON answer (schema-
 * valid text sized toward the target), an echo, or `target` rendered words. JSON, calls and
 * echoes longer than max_tokens are cut there (`length`; cut JSON is invalid, as a real
 * model's); stop strings then cut any answer but tool calls.
 */
export function planAnswer(a: AnswerInputs): AnswerPlan {
  let outputIds: number[];
  let pieces: string[];
  let stopReason: 'length' | 'stop';
  const toolCalls: PlannedCall[] = [];
  const texts = a.calls.length > 0 ? a.calls.map((c) => c.arguments) : a.schema !== undefined ? [sizedJson(a.schema, a.key, a.target)] : a.echo !== '' ? [a.echo] : undefined;
  if (texts) {
    // A tool call's, a JSON answer's or an echo's tokens are the tokens of its text.
    outputIds = [];
    pieces = [];
    for (const t of texts) {
      outputIds.push(...tokenize(t));
      pieces.push(...tokenPieces(t));
    }
    stopReason = 'stop';
    if (outputIds.length > a.maxTokens) {
      outputIds.length = a.maxTokens;
      pieces.length = a.maxTokens;
      stopReason = 'length';
    }
    let first = 0;
    for (const c of a.calls) {
      const len = tokenize(c.arguments).length;
      // Cut by max_tokens: the call keeps the arguments generated so far.
      if (first < outputIds.length) toolCalls.push({ ...c, arguments: pieces.slice(first, Math.min(first + len, pieces.length)).join(''), firstToken: first });
      first += len;
    }
  } else {
    outputIds = contentIds(a.key, a.target);
    pieces = outputIds.map(detokenizeWord);
    stopReason = a.naturalStop ? 'stop' : 'length';
  }
  if (toolCalls.length === 0) {
    const cut = cutAtStop(pieces, a.stops);
    if (cut) {
      pieces = cut.pieces;
      outputIds = outputIds.slice(0, cut.tokens);
      stopReason = 'stop';
    }
  }
  return { outputIds, pieces, toolCalls, stopReason };
}
