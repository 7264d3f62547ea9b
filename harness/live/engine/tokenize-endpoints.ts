import { chatPromptOf, renderChat, type ChatTemplateName } from '../chat-template.js';
import { detokenizeWord, tokenize, VOCAB_WORDS } from '../tokenizer.js';
import { badRequest, type RequestProblem } from './request-problem.js';
import { isObj } from '../json-object.js';


/**
 * vLLM's `POST /tokenize`: `{prompt}` or `{messages, tools?, add_generation_prompt?}` (rendered
 * with the engine's chat template) → `{count, max_model_len, tokens, token_strs}`; the ids are
 * the ones the engine counts and caches.
 */
export function tokenizeAnswer(body: unknown, template: ChatTemplateName | undefined, maxModelLen: number): Record<string, unknown> | RequestProblem {
  if (!isObj(body)) return badRequest('request body must be a JSON object', 'prompt');
  let ids: number[];
  if (Array.isArray(body['messages'])) ids = tokenize(renderChat(chatPromptOf(body), template, body['add_generation_prompt'] !== false));
  else if (typeof body['prompt'] === 'string') ids = tokenize(body['prompt']);
  else return badRequest('give prompt (a string) or messages', 'prompt');
  return { count: ids.length, max_model_len: maxModelLen, tokens: ids, token_strs: null };
}

/**
 * vLLM's `POST /detokenize`: `{tokens}` → `{prompt}`. Ids of rendered words (below
 * {@link VOCAB_WORDS}) give their words back exactly; other ids are hashes of text pieces and
 * cannot be inverted, so they read `<|id|>`.
 */
export function detokenizeAnswer(body: unknown): Record<string, unknown> | RequestProblem {
  const tokens = isObj(body) ? body['tokens'] : undefined;
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'number' && Number.isInteger(t) && t >= 0)) return badRequest('tokens must be a list of non-negative integers', 'tokens');
  return { prompt: (tokens as number[]).map((t) => (t < VOCAB_WORDS ? detokenizeWord(t) : `<|${t}|>`)).join('') };
}
