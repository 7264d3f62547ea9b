export type { SchedRequest, SchedulingPolicy, WaitingQueue, SchedulerLimits, RequestStatus } from './types.js';
export { V1Scheduler, type StepBatch } from './v1-scheduler.js';
export { FcfsPolicy, Deque } from './fcfs.js';
export { PriorityPolicy, Heap, comparePriority } from './priority.js';
export { SCHEDULING_POLICIES } from './registry.js';
export { WorkflowBatchingPolicy } from './workflow-batching.js';
export { AttainedServicePolicy } from './attained-service.js';
