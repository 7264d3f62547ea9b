import type { TokenRun } from '../policies/kv/hash.js';

/** How much of the workflow's earlier work a call sees in its prompt. */
export type SharingStrategy = 'auto' | 'broadcast' | 'selective' | 'none';

/** An LLM call of a workflow. */
export interface LlmNode {
  readonly kind: 'llm';
  /** Unique within the workflow, e.g. 'worker-2'. */
  readonly id: string;
  readonly agentId: string;
  /** Agent role: calls with the same role share its system prompt (also across workflows). */
  readonly role: string;
  /** Indices of parent nodes in `Workflow.nodes`. */
  readonly parents: readonly number[];
  readonly taskTokens: number;
  /** True output length (drawn at generation; only engines read it). */
  readonly outputTokens: number;
  /** What the client declares as max_tokens. */
  readonly maxTokens: number;
  /** Declared µs until this agent is expected to run again (eviction hint), if known. */
  readonly expectedReuseUs?: number;
  /** This call's own sharing strategy (custom DAGs); the workflow's when absent. */
  readonly sharing?: SharingStrategy;
  /** A literal prompt (trace replay) used instead of the segment recipe. */
  readonly prompt?: readonly TokenRun[];
}

/** A tool call or other non-LLM wait (think time). Its result feeds its children's prompts. */
export interface ToolNode {
  readonly kind: 'tool';
  readonly id: string;
  readonly agentId: string;
  readonly parents: readonly number[];
  /** True duration (drawn at generation; only the runner's timer reads it). */
  readonly durationUs: number;
  /**
   * The declared expected wait, µs: the nominal mean of the wait's distribution, not the drawn
   * value (what a client could announce to the serving stack; policies may read it, never
   * `durationUs`).
   */
  readonly expectedDurationUs?: number;
  /** Tokens the tool returns (appear in children's prompts). */
  readonly resultTokens: number;
}

/** A node of a workflow DAG. */
export type WorkflowNode = LlmNode | ToolNode;

/** One workflow instance: a DAG of nodes in topological order, with its prompt recipe. */
export interface Workflow {
  readonly id: string;
  readonly workload: string;
  readonly pattern: string;
  /** 0-based index of the workflow within its workload. */
  readonly index: number;
  readonly arrivalUs: number;
  readonly sharing: SharingStrategy;
  /** Content identity of the shared workflow context (equal across workflows sharing a document). */
  readonly contextKey: number;
  readonly contextTokens: number;
  /** System prompt length per role. */
  readonly systemTokens: Readonly<Record<string, number>>;
  readonly expectedAgents: readonly string[];
  /** vLLM priority of every call (lower is served first). */
  readonly priority: number;
  readonly sessionKey?: string;
  readonly nodes: readonly WorkflowNode[];
}

/** Throw unless the nodes are a DAG in topological order with valid parent indices. */
export function checkWorkflowShape(wf: Workflow): void {
  const ids = new Set<string>();
  wf.nodes.forEach((n, i) => {
    if (ids.has(n.id)) throw new Error(`workflow ${wf.id}: duplicate node id '${n.id}'`);
    ids.add(n.id);
    for (const p of n.parents) {
      if (!(Number.isInteger(p) && p >= 0 && p < i)) {
        throw new Error(`workflow ${wf.id}: node '${n.id}' has parent ${p}, which is not an earlier node`);
      }
    }
  });
}
