import type { TokenRun } from '../policies/kv/hash.js';

/**
 * Common English words, each a single token when preceded by a space in the cl100k_base,
 * o200k_base and Llama 3 tokenizers (checked with gpt-tokenizer 3 and llama3-tokenizer-js 1.2;
 * README "Live mode" has the figures). 256 of them, so a word is one byte of entropy.
 */
export const RENDER_WORDS: readonly string[] = [
  'the', 'of', 'and', 'to', 'in', 'is', 'that', 'for', 'it', 'as', 'was', 'with', 'be', 'by', 'on', 'not',
  'he', 'this', 'are', 'or', 'his', 'from', 'at', 'which', 'but', 'have', 'an', 'had', 'they', 'you', 'were', 'their',
  'one', 'all', 'we', 'can', 'her', 'has', 'there', 'been', 'if', 'more', 'when', 'will', 'would', 'who', 'so', 'no',
  'she', 'other', 'its', 'may', 'these', 'what', 'them', 'than', 'some', 'him', 'time', 'into', 'only', 'do', 'could', 'new',
  'about', 'two', 'first', 'then', 'also', 'any', 'after', 'like', 'my', 'should', 'made', 'over', 'such', 'our', 'state', 'most',
  'me', 'where', 'through', 'between', 'even', 'did', 'many', 'those', 'before', 'each', 'people', 'must', 'well', 'how', 'much', 'under',
  'work', 'use', 'years', 'year', 'your', 'same', 'because', 'long', 'might', 'just', 'general', 'very', 'world', 'life', 'both', 'make',
  'while', 'way', 'here', 'own', 'being', 'used', 'great', 'three', 'part', 'day', 'take', 'good', 'never', 'since', 'power', 'water',
  'old', 'high', 'last', 'does', 'during', 'small', 'house', 'number', 'system', 'public', 'place', 'law', 'still', 'form', 'without', 'found',
  'against', 'every', 'set', 'case', 'war', 'given', 'end', 'government', 'school', 'again', 'point', 'large', 'order', 'know', 'right', 'group',
  'city', 'free', 'country', 'second', 'building', 'name', 'see', 'home', 'less', 'until', 'report', 'early', 'local', 'family', 'often', 'days',
  'far', 'few', 'line', 'left', 'among', 'others', 'course', 'side', 'another', 'however', 'national', 'development', 'went', 'whole', 'energy', 'within',
  'social', 'find', 'major', 'best', 'political', 'value', 'hand', 'present', 'better', 'possible', 'things', 'business', 'along', 'data', 'north', 'south',
  'east', 'west', 'book', 'game', 'music', 'party', 'team', 'field', 'level', 'young', 'market', 'light', 'money', 'death', 'history', 'study',
  'area', 'fact', 'human', 'love', 'land', 'night', 'road', 'food', 'body', 'story', 'word', 'model', 'center', 'price', 'paper', 'river',
  'table', 'space', 'black', 'white', 'green', 'blue', 'red', 'open', 'close', 'short', 'clear', 'true', 'real', 'full', 'half', 'late',
];

/**
 * The word of token `position` of content `key`: a 32-bit mix of (key, position) indexes
 * {@link RENDER_WORDS}. Depends on nothing else, so a token renders the same wherever it appears.
 */
export function renderWordIndex(key: number, position: number): number {
  let h = Math.imul((key >>> 0) ^ 0x9e3779b9, 0x85ebca6b);
  h ^= Math.floor(key / 4294967296);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= Math.imul(position + 0x7f4a7c15, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) & 255;
}

/** Text of one token: a space then its word. */
export function renderToken(key: number, position: number): string {
  return ` ${RENDER_WORDS[renderWordIndex(key, position)]!}`;
}

/**
 * Text of a prompt made of token runs. Each token renders to " word" on its own, so the text of
 * a run is the same wherever the run sits, a shared prefix of runs gives a byte-identical text
 * prefix, and a space-delimited BPE tokenizer (cl100k, o200k, Llama 3) turns it back into about
 * one token per rendered token: identical segments hit a real vLLM's prefix cache where they
 * hit the simulated one.
 */
export function renderRuns(runs: readonly TokenRun[]): string {
  const parts: string[] = [];
  for (const r of runs) {
    for (let i = 0; i < r.length; i++) parts.push(renderToken(r.key, r.start + i));
  }
  return parts.join('');
}
