import type { PatternDef } from '../pattern.js';
import { parallelPattern } from './parallel.js';
import { sequentialPattern } from './sequential.js';

/** Every workflow pattern by the name scenarios use. */
export const PATTERNS = {
  sequential: sequentialPattern,
  parallel: parallelPattern,
} satisfies Record<string, PatternDef>;

/** A registered pattern name. */
export type PatternName = keyof typeof PATTERNS;
