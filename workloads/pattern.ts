import { z } from 'zod';
import { safeNameSchema } from './bounds.js';
import type { Rng } from '../policies/types.js';
import { hashString } from '../policies/kv/hash.js';
import { arrivalsSchema } from './arrivals.js';
import { tokensSchema, drawTokens, makeSampler, nominalMean, type DistributionSpec, type Sampler } from './distributions.js';
import type { SharingStrategy, ToolNode, Workflow, WorkflowNode } from './workflow.js';

/** Fields every generated workload has, whatever its pattern (trace replay has its own). */
export const workloadCommonShape = {
  name: safeNameSchema(),
  /** Number of workflows to start (arrivals stop after it). */
  workflows: z.int().positive().optional(),
  /** Arrivals stop after this many simulated seconds. */
  durationS: z.number().positive().optional(),
  arrivals: arrivalsSchema,
  /** vLLM priority of the workload's calls (lower is served first). */
  priority: z.number().default(0),
  /** max_tokens the client declares; a drawn output length above it is cut to it. */
  maxTokens: z.int().positive().default(4096),
  systemTokens: tokensSchema.default(256),
  contextTokens: tokensSchema.default(1024),
  taskTokens: tokensSchema.default(128),
  outputTokens: tokensSchema.default(256),
  sharing: z.enum(['auto', 'broadcast', 'selective', 'none']).optional(),
};

const commonObject = z.object(workloadCommonShape);
/** The common fields after parsing. */
export type WorkloadCommon = z.output<typeof commonObject>;

/** What a pattern's factory gets besides its options. */
export interface PatternContext {
  /** The workload's own stream, for draws shared by all its workflows (a role's system prompt, a document's length). */
  readonly rng: Rng;
  /** Folder that relative data paths are resolved against (the scenario's). */
  readonly baseDir?: string | undefined;
  /** Workflow ids are `<idPrefix>-<index>` (default: the workload's name). */
  readonly idPrefix?: string | undefined;
}

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
  /** Optional cross-field validation of the parsed workload (paths relative to it). */
  readonly check?: (w: never, issue: (path: (string | number)[], message: string) => void) => void;
  make(options: never, ctx: PatternContext): WorkflowFactory;
}

/** Typed helper for a pattern file. */
export function definePattern<S extends z.ZodRawShape>(def: {
  summary: string;
  shape: S;
  check?: (w: WorkloadCommon & z.output<z.ZodObject<S>>, issue: (path: (string | number)[], message: string) => void) => void;
  make(options: WorkloadCommon & z.output<z.ZodObject<S>>, ctx: PatternContext): WorkflowFactory;
}): PatternDef {
  return def as unknown as PatternDef;
}

/**
 * What every pattern uses to draw: samplers for the common lengths and per-workload memos. A
 * role's system prompt is one text for the whole workload, so its length is drawn once per role
 * from the workload's stream (two workflows using the role share its KV blocks).
 */
export class PatternKit {
  readonly system: Sampler;
  readonly context: Sampler;
  readonly task: Sampler;
  readonly output: Sampler;
  readonly #w: WorkloadCommon;
  readonly #ctx: PatternContext;
  readonly #systemTokens = new Map<string, number>();

  constructor(w: WorkloadCommon, ctx: PatternContext) {
    this.#w = w;
    this.#ctx = ctx;
    this.system = this.sampler(w.systemTokens);
    this.context = this.sampler(w.contextTokens);
    this.task = this.sampler(w.taskTokens);
    this.output = this.sampler(w.outputTokens);
  }

  /** A sampler for a spec of this workload (data files resolved against the scenario). */
  sampler(spec: DistributionSpec): Sampler {
    return makeSampler(spec, { baseDir: this.#ctx.baseDir });
  }

  /** The spec's nominal mean (for declared hints such as a tool's expected duration). */
  mean(spec: DistributionSpec): number {
    return nominalMean(spec, { baseDir: this.#ctx.baseDir });
  }

  /** The workload's stream, for draws shared across workflows. */
  get rng(): Rng {
    return this.#ctx.rng;
  }

  /** System prompt length of a role (drawn once per workload). */
  systemTokensOf(role: string): number {
    let n = this.#systemTokens.get(role);
    if (n === undefined) {
      n = drawTokens(this.system, this.#ctx.rng.fork(`system:${role}`));
      this.#systemTokens.set(role, n);
    }
    return n;
  }

  /** Id of workflow `index`. */
  workflowId(index: number): string {
    return `${this.#ctx.idPrefix ?? this.#w.name}-${index}`;
  }

  /** An LLM call's task and output lengths (output at least 1, at most maxTokens). */
  drawCall(rng: Rng, taskSampler = this.task, outputSampler = this.output): { taskTokens: number; outputTokens: number; maxTokens: number } {
    return {
      taskTokens: drawTokens(taskSampler, rng, 1),
      outputTokens: Math.min(this.#w.maxTokens, drawTokens(outputSampler, rng, 1)),
      maxTokens: this.#w.maxTokens,
    };
  }

  /** A tool wait: drawn duration (ms spec), its declared expected duration and result length. */
  tool(
    id: string, agentId: string, parents: number[], rng: Rng,
    wait: { sampler: Sampler; expectedMs: number }, result: Sampler,
  ): ToolNode {
    return {
      kind: 'tool', id, agentId, parents,
      durationUs: Math.max(0, Math.round(wait.sampler(rng) * 1000)),
      expectedDurationUs: Math.round(wait.expectedMs * 1000),
      resultTokens: drawTokens(result, rng),
    };
  }

  /** A wait spec (ms) as a sampler plus its nominal mean. */
  wait(spec: DistributionSpec): { sampler: Sampler; expectedMs: number } {
    return { sampler: this.sampler(spec), expectedMs: this.mean(spec) };
  }

  /** Assemble a workflow; draws the context length from `rng` unless a shared context is given. */
  assemble(args: {
    pattern: string;
    defaultSharing: SharingStrategy;
    index: number;
    arrivalUs: number;
    rng: Rng;
    nodes: WorkflowNode[];
    /** A context shared beyond this workflow (a document): its key and length. */
    context?: { key: number; tokens: number };
  }): Workflow {
    const w = this.#w;
    const id = this.workflowId(args.index);
    const systemTokens: Record<string, number> = {};
    const agents: string[] = [];
    for (const n of args.nodes) {
      if (n.kind === 'llm' && !(n.role in systemTokens)) systemTokens[n.role] = this.systemTokensOf(n.role);
      if (!agents.includes(n.agentId)) agents.push(n.agentId);
    }
    return {
      id,
      workload: w.name,
      pattern: args.pattern,
      index: args.index,
      arrivalUs: args.arrivalUs,
      sharing: w.sharing ?? args.defaultSharing,
      contextKey: args.context?.key ?? hashString(`context:${id}`),
      contextTokens: args.context?.tokens ?? drawTokens(this.context, args.rng.fork('context')),
      systemTokens,
      expectedAgents: agents,
      priority: w.priority,
      nodes: args.nodes,
    };
  }
}
