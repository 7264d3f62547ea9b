import { instantiate } from '../registry.js';
import type { Rng, RoutingPolicy } from '../types.js';
import { ROUTING_POLICIES } from './registry.js';

/** A registered routing policy built as a scenario would (block size 16). */
export function routingPolicy<P extends RoutingPolicy = RoutingPolicy>(kind: string, options: Record<string, unknown> = {}): P {
  return instantiate<RoutingPolicy>(ROUTING_POLICIES, { kind, options }, { blockSize: 16 }, 'routing policy') as P;
}

/** An Rng for cases with a unique answer and no draw at all: any draw fails the test. */
export const noDraws: Rng = {
  float: () => { throw new Error('unexpected random draw'); },
  int: () => { throw new Error('unexpected tie'); },
  fork: () => noDraws,
};

/** An Rng for cases with a unique answer: only the draw among a single candidate, int(1) = 0, is allowed. */
export const noTies: Rng = {
  float: () => { throw new Error('unexpected random draw'); },
  int: (n) => { if (n === 1) return 0; throw new Error('unexpected tie'); },
  fork: () => noTies,
};

/** An Rng whose int(n) is n − 1: a tie never replaces the first candidate. */
export const keepFirst: Rng = { float: () => 0.5, int: (n) => n - 1, fork: () => keepFirst };

/** An Rng whose int() is 0: every tie takes the later candidate. */
export const takeLast: Rng = { float: () => 0, int: () => 0, fork: () => takeLast };
