export type { Workflow, WorkflowNode, LlmNode, ToolNode, SharingStrategy } from './workflow.js';
export { checkWorkflowShape } from './workflow.js';
export type { Backend, LlmCall, CallHandlers, CallResult, CallError } from './backend.js';
export { buildPrompt, systemKey, taskKey, outputKey, type PromptState, type BuiltPrompt } from './prompt.js';
export {
  distributionSchema, makeSampler, nominalMean, drawTokens, standardGamma, type DistributionSpec, type Sampler,
} from './distributions.js';
export { arrivalsSchema, openLoopArrivalsSchema, makeArrivals, type ArrivalsSpec, type ArrivalProcess } from './arrivals.js';
export { RateSchedule } from './rate-stages.js';
export { workloadSchema, WorkloadSource, type WorkloadSpec, type Arrival, type SourceOptions } from './workload.js';
export { ArrivalDriver, type DriverHooks } from './driver.js';
export type { ArrivalStream, StreamName } from './stream.js';
export { PATTERNS, type PatternName } from './patterns/index.js';
export type { TraceStats } from './trace/trace-stream.js';
export { previewWorkload, type WorkloadPreview } from './preview.js';
export { asciiDag, mermaidDag } from './dag-sketch.js';
