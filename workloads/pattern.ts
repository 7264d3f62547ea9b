import { z } from 'zod';
import type { Rng } from '../policies/types.js';
import { hashString } from '../policies/kv/hash.js';
import { arrivalsSchema } from './arrivals.js';
import { distributionSchema, drawTokens, makeSampler, type Sampler } from './distributions.js';
import type { SharingStrategy, Workflow, WorkflowNode } from './workflow.js';

/** Fields every workload has, whatever its pattern. */
export const workloadCommonShape = {
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected letters, digits, ".", "_" or "-"'),
  /** Number of workflows to start (arrivals stop after it). */
  workflows: z.int().positive().optional(),
  /** Arrivals stop after this many simulated seconds. */
  durationS: z.number().positive().optional(),
  arrivals: arrivalsSchema,
  /** vLLM priority of the workload's calls (lower is served first). */
  priority: z.number().default(0),
  /** max_tokens the client declares; a drawn output length above it is cut to it. */
  maxTokens: z.int().positive().default(4096),
  systemTokens: distributionSchema.default(256),
  contextTokens: distributionSchema.default(1024),
  taskTokens: distributionSchema.default(128),
  outputTokens: distributionSchema.default(256),
  sharing: z.enum(['auto', 'broadcast', 'selective', 'none']).optional(),
};

const commonObject = z.object(workloadCommonShape);
/** The common fields after parsing. */
export type WorkloadCommon = z.output<typeof commonObject>;

/** Builds the workflows of one workload, one at a time (lazy generation). */
export interface WorkflowFactory {
  /** Workflow `index`, arriving at `arrivalUs`, drawn from its own stream `rng`. */
  build(index: number, arrivalUs: number, rng: Rng): Workflow;
}

/** One registered workflow pattern. */
export interface PatternDef {
  readonly summary: string;
  /** Pattern-specific fields (merged with the common ones, strictly). */
  readonly shape: z.ZodRawShape;
  make(options: never): WorkflowFactory;
}

/** Typed helper for a pattern file. */
export function definePattern<S extends z.ZodRawShape>(def: {
  summary: string;
  shape: S;
  make(options: WorkloadCommon & z.output<z.ZodObject<S>>): WorkflowFactory;
}): PatternDef {
  return def as unknown as PatternDef;
}

/** Samplers for the common token lengths, built once per workload. */
export interface CommonSamplers {
  readonly system: Sampler;
  readonly context: Sampler;
  readonly task: Sampler;
  readonly output: Sampler;
}

/** Build the common samplers. */
export function commonSamplers(w: WorkloadCommon): CommonSamplers {
  return {
    system: makeSampler(w.systemTokens),
    context: makeSampler(w.contextTokens),
    task: makeSampler(w.taskTokens),
    output: makeSampler(w.outputTokens),
  };
}

/** Assemble a workflow with the usual defaults; draws context and system lengths from `rng`. */
export function assembleWorkflow(
  w: WorkloadCommon,
  s: CommonSamplers,
  pattern: string,
  defaultSharing: SharingStrategy,
  index: number,
  arrivalUs: number,
  rng: Rng,
  roles: readonly string[],
  nodes: WorkflowNode[],
): Workflow {
  const id = `${w.name}-${index}`;
  const systemTokens: Record<string, number> = {};
  for (const role of roles) systemTokens[role] ??= drawTokens(s.system, rng.fork(`system:${role}`));
  const agents: string[] = [];
  for (const n of nodes) if (!agents.includes(n.agentId)) agents.push(n.agentId);
  return {
    id,
    workload: w.name,
    pattern,
    index,
    arrivalUs,
    sharing: w.sharing ?? defaultSharing,
    contextKey: hashString(`context:${id}`),
    contextTokens: drawTokens(s.context, rng.fork('context')),
    systemTokens,
    expectedAgents: agents,
    priority: w.priority,
    nodes,
  };
}

/** Draw an LLM call's task and output lengths (output at least 1, at most maxTokens). */
export function drawCall(w: WorkloadCommon, s: CommonSamplers, rng: Rng): { taskTokens: number; outputTokens: number; maxTokens: number } {
  return {
    taskTokens: drawTokens(s.task, rng, 1),
    outputTokens: Math.min(w.maxTokens, drawTokens(s.output, rng, 1)),
    maxTokens: w.maxTokens,
  };
}
