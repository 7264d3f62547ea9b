/** Records as every reader takes them: an array, or a column table (`RequestTable`, `WorkflowTable`). */
export interface Rows<T> extends Iterable<T> {
  readonly length: number;
}

/** How a request ended. */
export type Outcome = 'ok' | 'failed' | 'rejected' | 'timeout';

/** One LLM call, as requests.csv has it (times in µs of the run's clock). */
export interface RequestRecord {
  readonly id: string;
  readonly workload: string;
  readonly workflowId: string;
  readonly nodeId: string;
  readonly agentId: string;
  readonly instance: string;
  readonly outcome: Outcome;
  readonly reason: string;
  readonly attempt: number;
  readonly sendUs: number;
  /** NaN when no token arrived. */
  readonly firstTokenUs: number;
  readonly endUs: number;
  /** NaN where unknown (live). */
  readonly queueUs: number;
  readonly promptTokens: number;
  readonly cachedPromptTokens: number;
  /** Cached tokens whose blocks another agent or workflow computed (NaN where unknown). */
  readonly crossAgentCachedTokens: number;
  readonly outputTokens: number;
  readonly preemptions: number;
}

/** One workflow, as workflows.csv has it. */
export interface WorkflowRecord {
  readonly id: string;
  readonly workload: string;
  readonly pattern: string;
  readonly outcome: 'completed' | 'failed';
  readonly reason: string;
  readonly arrivalUs: number;
  readonly startUs: number;
  readonly endUs: number;
  /** Lower bound on the makespan (each call alone on an idle instance); NaN when unknown. */
  readonly criticalPathUs: number;
  readonly calls: number;
  readonly stepsOk: number;
  readonly stepsFailed: number;
  readonly retries: number;
  /** Share of the workflow's calls on its most-used instance. */
  readonly affinity: number;
}

/** The workflows that completed, in record order. */
export function completedWorkflows(workflows: Rows<WorkflowRecord>): WorkflowRecord[] {
  const done: WorkflowRecord[] = [];
  for (const w of workflows) if (w.outcome === 'completed') done.push(w);
  return done;
}

/** Derived per-request latencies in ms (NaN where undefined). */
export function requestLatencies(r: RequestRecord): { ttftMs: number; e2eMs: number; tpotMs: number; queueMs: number } {
  const ttftMs = (r.firstTokenUs - r.sendUs) / 1000;
  const e2eMs = (r.endUs - r.sendUs) / 1000;
  const tpotMs = r.outputTokens > 1 && Number.isFinite(ttftMs) ? (e2eMs - ttftMs) / (r.outputTokens - 1) : NaN;
  return { ttftMs, e2eMs, tpotMs, queueMs: r.queueUs / 1000 };
}
