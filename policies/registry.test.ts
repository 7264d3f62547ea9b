import { describe, expect, it } from 'vitest';
import { instantiate } from './registry.js';
import { SCHEDULING_POLICIES } from './scheduling/registry.js';
import type { SchedulingPolicy } from './scheduling/types.js';

describe('instantiate', () => {
  it('rejects an unknown name, listing the valid ones', () => {
    expect(() => instantiate<SchedulingPolicy>(SCHEDULING_POLICIES, { kind: 'lifo', options: {} }, { blockSize: 16 }, 'scheduling policy'))
      .toThrow("unknown scheduling policy 'lifo'; valid: fcfs, priority, workflow-batching, plas, atlas");
  });
});
