import { hashBlocks, hashString, rootHash, type TokenRun } from '../../policies/kv/hash.js';
import type { BlockHash } from '../../policies/types.js';
import { RENDER_WORDS, renderWordIndex } from '../../workloads/render.js';

/** Ids below this are the render vocabulary (one per {@link RENDER_WORDS} entry). */
export const VOCAB_WORDS = RENDER_WORDS.length;

const WORD_IDS = new Map<string, number>(RENDER_WORDS.map((w, i) => [` ${w}`, i]));
// A piece is an optional single space followed by up to 16 non-space characters, or one other
// whitespace character (GPT-2-style pre-tokenisation, simplified).
const PIECE = / ?[^\s]{1,16}|\s/gy;

/**
 * Deterministic tokenizer of the emulated engine and the router. A rendered token (" word" from
 * workloads/render.ts) is exactly one token whose id is its word's index, so text rendered from
 * N token runs tokenizes back to N tokens; any other piece gets a stable hashed id. Identical
 * text prefixes give identical id prefixes, hence identical block hashes.
 */
export function tokenize(text: string): number[] {
  const ids: number[] = [];
  PIECE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PIECE.exec(text)) !== null) {
    const piece = m[0];
    const known = WORD_IDS.get(piece);
    ids.push(known ?? VOCAB_WORDS + (hashString(piece) % 1_000_003));
  }
  return ids;
}

/** Text of token ids produced by {@link tokenize} for rendered words (other ids render as words too). */
export function detokenizeWord(id: number): string {
  return ` ${RENDER_WORDS[id % VOCAB_WORDS]!}`;
}

/** Token ids of the first `n` tokens of rendered content `key` (what render.ts writes). */
export function contentIds(key: number, n: number): number[] {
  const ids = new Array<number>(n);
  for (let i = 0; i < n; i++) ids[i] = renderWordIndex(key, i);
  return ids;
}

const ROOT = rootHash('live-text');

/**
 * Chained hashes of the full blocks of a token-id sequence (vLLM's hash_block_tokens scheme,
 * kv_cache_utils.py: each block hashes its parent's hash and its ids). Each id is a one-token
 * run of content `id`, so this reuses the simulator's hash function unchanged.
 */
export function blockHashesOfIds(ids: readonly number[], blockSize: number): BlockHash[] {
  const usable = ids.length - (ids.length % blockSize);
  const runs: TokenRun[] = new Array<TokenRun>(usable);
  for (let i = 0; i < usable; i++) runs[i] = { key: ids[i]!, start: 0, length: 1 };
  return hashBlocks(runs, blockSize, ROOT);
}

/** One chat message as OpenAI clients send it (content may be a string or text parts). */
export interface ChatMessage {
  readonly role: string;
  readonly content: unknown;
}

/** Text of a message's content: a string, or the concatenated `text` of its parts. */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p: unknown) => (p !== null && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('');
  }
  return '';
}

/**
 * The emulated engine's chat template: `<|role|>` + newline + content + newline per message,
 * then `<|assistant|>` + newline (a generation prompt, like Llama 3's template). Router and
 * engine share it so both hash the same tokens.
 */
export function applyChatTemplate(messages: readonly ChatMessage[]): string {
  let s = '';
  for (const m of messages) s += `<|${m.role}|>\n${messageText(m.content)}\n`;
  return `${s}<|assistant|>\n`;
}
