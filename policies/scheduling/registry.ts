import type { PolicyRegistry } from '../registry.js';
import type { SchedulingPolicy } from './types.js';
import { atlasFactory, plasFactory } from './attained-service.js';
import { fcfsFactory } from './fcfs.js';
import { priorityFactory } from './priority.js';
import { workflowBatchingFactory } from './workflow-batching.js';

/** Every scheduling (waiting-queue order) policy by the name scenarios use. */
export const SCHEDULING_POLICIES = {
  fcfs: fcfsFactory,
  priority: priorityFactory,
  'workflow-batching': workflowBatchingFactory,
  plas: plasFactory,
  atlas: atlasFactory,
} satisfies PolicyRegistry<SchedulingPolicy>;
