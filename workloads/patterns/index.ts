import type { PatternDef } from '../pattern.js';
import { cacheReusePattern } from './cache-reuse.js';
import { chatPattern } from './chat.js';
import { customPattern } from './custom.js';
import { debatePattern } from './debate.js';
import { hierarchicalPattern } from './hierarchical.js';
import { parallelPattern } from './parallel.js';
import { reactPattern } from './react.js';
import { sequentialPattern } from './sequential.js';

/**
 * Every workflow pattern by the name scenarios use. `mixed` (a weighted mix of these plus
 * background chat) and `trace` (replay of a file) are workload kinds of their own (workload.ts).
 */
export const PATTERNS = {
  sequential: sequentialPattern,
  parallel: parallelPattern,
  'cache-reuse': cacheReusePattern,
  hierarchical: hierarchicalPattern,
  react: reactPattern,
  debate: debatePattern,
  custom: customPattern,
  chat: chatPattern,
} satisfies Record<string, PatternDef>;

/** A registered pattern name. */
export type PatternName = keyof typeof PATTERNS;
