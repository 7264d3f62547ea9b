import type { BlockHash } from '../types.js';

/**
 * Token identity without token arrays: a prompt is a list of runs, and token `i` of a run is
 * the token at position `start + i` of the content named `key`. Identical content (same key,
 * same positions) therefore hashes to identical KV blocks, in simulation and when rendered to
 * text live.
 */
export interface TokenRun {
  /** Content identity (53-bit), e.g. hashString('system:planner'). */
  readonly key: number;
  /** Position of the run's first token within that content. */
  readonly start: number;
  /** Number of tokens. */
  readonly length: number;
}

const TWO32 = 4294967296;

// Two 32-bit lanes absorbed with multiply-xor and finalised as in cyrb53 (public domain,
// bryc/code): a 53-bit result that fits a JS number exactly. Module-level lanes keep hashing
// allocation-free; JS is single-threaded so there is no sharing hazard.
let lane1 = 0;
let lane2 = 0;

function begin(seed: number): void {
  lane1 = 0xdeadbeef ^ seed;
  lane2 = 0x41c6ce57 ^ seed;
}

function absorb32(x: number): void {
  lane1 = Math.imul(lane1 ^ x, 2654435761);
  lane2 = Math.imul(lane2 ^ x, 1597334677);
}

function absorb53(x: number): void {
  absorb32(x >>> 0);
  absorb32(Math.floor(x / TWO32));
}

function digest(): number {
  let h1 = lane1;
  let h2 = lane2;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return TWO32 * (2097151 & h2) + (h1 >>> 0);
}

/** 53-bit hash of a string (cyrb53). */
export function hashString(s: string, seed = 0): number {
  begin(seed);
  for (let i = 0; i < s.length; i++) absorb32(s.charCodeAt(i));
  absorb32(s.length);
  return digest();
}

/** 53-bit hash of a sequence of safe integers. */
export function hashNumbers(...xs: readonly number[]): number {
  begin(0x9e37);
  for (const x of xs) absorb53(x);
  return digest();
}

/**
 * Root of every block-hash chain (vLLM's NONE_HASH; kv_cache_utils.py). vLLM draws it at
 * random per process unless PYTHONHASHSEED is set; we fix it so routers and engines agree and
 * runs are reproducible. A cache salt (vLLM's `cache_salt`, an extra key of the first block)
 * gives a separate namespace.
 */
export function rootHash(cacheSalt = ''): BlockHash {
  return hashString(`agentbench/none-hash/${cacheSalt}`);
}

/**
 * Hashes of the full blocks of a token sequence, chained like vLLM's hash_block_tokens
 * (kv_cache_utils.py): hash_i = H(hash_{i-1}, tokens of block i). Runs are canonicalised
 * (adjacent runs of the same content merge) so equal token sequences give equal hashes
 * however they were split. Cost is O(blocks + runs), never per token.
 */
export function hashBlocks(runs: readonly TokenRun[], blockSize: number, root: BlockHash = rootHash()): BlockHash[] {
  let total = 0;
  for (const r of runs) total += r.length;
  const numBlocks = Math.floor(total / blockSize);
  const out = new Array<BlockHash>(numBlocks);
  let parent = root;
  let ri = 0; // current run
  let off = 0; // tokens of runs[ri] already consumed
  for (let b = 0; b < numBlocks; b++) {
    begin(0x6b76);
    absorb53(parent);
    let need = blockSize;
    // Pending canonical run inside this block.
    let pKey = -1;
    let pStart = 0;
    let pLen = 0;
    while (need > 0) {
      const run = runs[ri]!;
      const avail = run.length - off;
      if (avail <= 0) {
        ri++;
        off = 0;
        continue;
      }
      const take = avail < need ? avail : need;
      const start = run.start + off;
      if (pLen > 0 && run.key === pKey && start === pStart + pLen) {
        pLen += take;
      } else {
        if (pLen > 0) {
          absorb53(pKey);
          absorb53(pStart);
          absorb32(pLen);
        }
        pKey = run.key;
        pStart = start;
        pLen = take;
      }
      off += take;
      need -= take;
    }
    absorb53(pKey);
    absorb53(pStart);
    absorb32(pLen);
    parent = digest();
    out[b] = parent;
  }
  return out;
}

/** Total tokens of a list of runs. */
export function runTokens(runs: readonly TokenRun[]): number {
  let n = 0;
  for (const r of runs) n += r.length;
  return n;
}
