import type { PolicyRegistry } from '../registry.js';
import type { SchedulingPolicy } from './types.js';
import { fcfsFactory } from './fcfs.js';
import { priorityFactory } from './priority.js';

/** Every scheduling (waiting-queue order) policy by the name scenarios use. */
export const SCHEDULING_POLICIES = {
  fcfs: fcfsFactory,
  priority: priorityFactory,
} satisfies PolicyRegistry<SchedulingPolicy>;
