import { rootHash } from '../../policies/kv/hash.js';
import type { BlockHash } from '../../policies/types.js';
import { RENDER_WORDS, renderWordIndex } from '../../workloads/render.js';

/** Ids below this are the render vocabulary (one per {@link RENDER_WORDS} entry). */
export const VOCAB_WORDS = RENDER_WORDS.length;

const MAX_PIECE = 16;
const TWO32 = 4294967296;

// cyrb53 (public domain, bryc/code) of text[start, end): pieces are identified by this hash,
// so tokenising allocates no substrings.
function pieceHash(text: string, start: number, end: number): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = start; i < end; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return TWO32 * (2097151 & h2) + (h1 >>> 0);
}

// Keyed by the hash's low 30 bits (a small integer: fast Map keys) and checked on the full hash.
const WORD_KEYS = new Map<number, number>();
const WORD_HASHES = RENDER_WORDS.map((w, i) => {
  const h = pieceHash(` ${w}`, 0, w.length + 1);
  WORD_KEYS.set(h % 1073741824, i);
  return h;
});

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 160 || c === 0x2028 || c === 0x2029 || c === 0xfeff;

/**
 * Deterministic tokenizer of the emulated engine and the router. Pieces are GPT-2-style,
 * simplified: an optional single space followed by up to 16 non-space characters, or a run of
 * whitespace. A rendered token (" word" from workloads/render.ts) is exactly one
 * piece whose id is its word's index, so text rendered from N tokens tokenizes back to N; any
 * other piece gets a stable hashed id. Identical text prefixes give identical id prefixes.
 */
export function tokenize(text: string): number[] {
  const ids: number[] = [];
  for (let i = 0, n = text.length; i < n;) {
    const end = pieceEnd(text, i);
    ids.push(pieceId(text, i, end));
    i = end;
  }
  return ids;
}

/** The text of each token {@link tokenize} finds (its pieces, in order; they join back to `text`). */
export function tokenPieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0, n = text.length; i < n;) {
    const end = pieceEnd(text, i);
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

/** Characters tokenized between two turns of the event loop by {@link tokenizeYielding}. */
export const TOKENIZE_SLICE_CHARS = 256 * 1024;

/**
 * {@link tokenize} in slices of about `slice` characters, giving the event loop a turn between
 * slices, so a huge prompt (20 MB tokenizes in about 0.35 s) does not stall every other stream
 * and the health checks of the process doing it. Same ids as `tokenize`: each slice ends where
 * a whitespace run starts, which is always a piece boundary (a word's pieces end at whitespace,
 * and a whitespace run starts a piece). Text up to one slice is tokenized at once.
 */
export async function tokenizeYielding(text: string, slice = TOKENIZE_SLICE_CHARS): Promise<number[]> {
  if (text.length <= slice) return tokenize(text);
  const out: number[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(text.length, i + slice);
    // End at the start of a whitespace run: a piece boundary (a word piece ends at whitespace, and a run starts a piece).
    while (end < text.length && !(isSpace(text.charCodeAt(end)) && !isSpace(text.charCodeAt(end - 1)))) end++;
    for (const id of tokenize(text.slice(i, end))) out.push(id);
    i = end;
    if (i < text.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}

// End of the piece starting at `start`: the one splitting rule tokenize and tokenPieces share.
function pieceEnd(text: string, start: number): number {
  const n = text.length;
  let i = start;
  if (isSpace(text.charCodeAt(i))) {
    // A whitespace run is one piece (as in BPE pre-tokenizers: indentation is not one token per
    // space), except that a single space directly before a word belongs to the word.
    let j = i + 1;
    while (j < n && isSpace(text.charCodeAt(j))) j++;
    if (j === n || text.charCodeAt(j - 1) !== 32) return j;
    if (j - 1 > start) return j - 1;
    i = j;
  }
  const limit = Math.min(n, i + MAX_PIECE);
  while (i < limit && !isSpace(text.charCodeAt(i))) i++;
  return i;
}

function pieceId(text: string, start: number, end: number): number {
  const h = pieceHash(text, start, end);
  const w = WORD_KEYS.get(h % 1073741824);
  return w !== undefined && WORD_HASHES[w] === h ? w : VOCAB_WORDS + (h % 1_000_003);
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
const SALTED_ROOTS = new Map<string, BlockHash>();

// The chain root of a cache namespace: the shared one, or one per salt (vLLM's `cache_salt`
// and LoRA adapters keep separate prefix caches).
function rootOf(salt: string): BlockHash {
  if (salt === '') return ROOT;
  let r = SALTED_ROOTS.get(salt);
  if (r === undefined) {
    r = rootHash(`live-text/${salt}`);
    SALTED_ROOTS.set(salt, r);
  }
  return r;
}

/**
 * Chained hashes of the full blocks of a token-id sequence, like vLLM's hash_block_tokens
 * (kv_cache_utils.py): each block's hash covers its parent's hash and its ids, so equal
 * prefixes give equal hashes. cyrb53-style mixing over the ids, no allocation per token. A
 * non-empty `salt` starts another chain: equal ids under different salts share no block.
 */
export function blockHashesOfIds(ids: readonly number[], blockSize: number, salt = ''): BlockHash[] {
  const blocks = Math.floor(ids.length / blockSize);
  const out = new Array<BlockHash>(blocks);
  let parent = rootOf(salt);
  for (let b = 0; b < blocks; b++) {
    let h1 = 0xdeadbeef ^ (parent >>> 0);
    let h2 = 0x41c6ce57 ^ Math.floor(parent / TWO32);
    for (let i = b * blockSize, end = i + blockSize; i < end; i++) {
      const x = ids[i]!;
      h1 = Math.imul(h1 ^ x, 2654435761);
      h2 = Math.imul(h2 ^ x, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    parent = TWO32 * (2097151 & h2) + (h1 >>> 0);
    out[b] = parent;
  }
  return out;
}
