export type { Workflow, WorkflowNode, LlmNode, ToolNode, SharingStrategy } from './workflow.js';
export { checkWorkflowShape } from './workflow.js';
export type { Backend, LlmCall, CallHandlers, CallResult, CallError } from './backend.js';
export { buildPrompt, systemKey, taskKey, outputKey, type PromptState } from './prompt.js';
export { distributionSchema, makeSampler, nominalMean, drawTokens, type DistributionSpec, type Sampler } from './distributions.js';
export { arrivalsSchema, makeArrivals, type ArrivalsSpec, type ArrivalProcess } from './arrivals.js';
export { workloadSchema, WorkloadSource, type WorkloadSpec, type Arrival } from './workload.js';
export { PATTERNS, type PatternName } from './patterns/index.js';
