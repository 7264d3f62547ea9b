/** One agent-to-agent message held by the router. */
export interface AgentMessage {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly type: string;
  readonly content: unknown;
  readonly sentAtMs: number;
}

/** Limits of the workflow store. */
export interface WorkflowStoreOptions {
  /** A workflow unseen for this long is forgotten with its queues, ms. */
  readonly ttlMs: number;
  /** Messages queued per agent; a full queue refuses new ones (HTTP 429). */
  readonly maxQueue: number;
  /** Workflows tracked at once; past it the least recently seen is dropped. */
  readonly maxWorkflows: number;
}

/** Default store limits. */
export const DEFAULT_WORKFLOW_STORE: WorkflowStoreOptions = { ttlMs: 300_000, maxQueue: 1000, maxWorkflows: 100_000 };

interface WorkflowState {
  readonly id: string;
  readonly createdMs: number;
  lastSeenMs: number;
  requests: number;
  lastInstance: string | undefined;
  readonly instances: Map<string, number>;
  readonly agents: Set<string>;
  readonly queues: Map<string, AgentMessage[]>;
  messagesPosted: number;
}

/** Running totals for /metrics. */
export interface WorkflowCounters {
  workflowRequests: number;
  affinityHits: number;
  migrations: number;
  messagesPosted: number;
  messagesRefused: number;
}

/**
 * What the router knows about workflows: which instance served each one last (workflow
 * affinity and migrations), which agents it has, and the agent-to-agent message queues of the
 * seed design's endpoints. Bounded: per-agent queues cap at `maxQueue`, idle workflows expire
 * after `ttlMs`, and at most `maxWorkflows` are kept (least recently seen dropped first).
 */
export class WorkflowStore {
  readonly counters: WorkflowCounters = { workflowRequests: 0, affinityHits: 0, migrations: 0, messagesPosted: 0, messagesRefused: 0 };
  readonly #opts: WorkflowStoreOptions;
  // Map iteration order = insertion order; touching a workflow re-inserts it, so the first entry
  // is always the least recently seen one.
  readonly #wfs = new Map<string, WorkflowState>();
  #msgSeq = 0;

  constructor(opts: WorkflowStoreOptions = DEFAULT_WORKFLOW_STORE) {
    this.#opts = opts;
  }

  /** Workflows seen within the TTL. */
  get active(): number {
    return this.#wfs.size;
  }

  #touch(id: string, nowMs: number): WorkflowState {
    let s = this.#wfs.get(id);
    if (s) this.#wfs.delete(id);
    else {
      s = { id, createdMs: nowMs, lastSeenMs: nowMs, requests: 0, lastInstance: undefined, instances: new Map(), agents: new Set(), queues: new Map(), messagesPosted: 0 };
      while (this.#wfs.size >= this.#opts.maxWorkflows) this.#wfs.delete(this.#wfs.keys().next().value!);
    }
    s.lastSeenMs = nowMs;
    this.#wfs.set(id, s);
    return s;
  }

  /** A request of workflow `id` was routed to `instance`. */
  routed(id: string, agentId: string | undefined, instance: string, nowMs: number): void {
    const s = this.#touch(id, nowMs);
    const c = this.counters;
    c.workflowRequests++;
    if (s.lastInstance !== undefined) {
      if (s.lastInstance === instance) c.affinityHits++;
      else c.migrations++;
    }
    s.lastInstance = instance;
    s.requests++;
    s.instances.set(instance, (s.instances.get(instance) ?? 0) + 1);
    if (agentId !== undefined) s.agents.add(agentId);
  }

  /** Queue a message for agent `to`; false when that agent's queue is full. */
  post(id: string, msg: { from: string; to: string; type: string; content: unknown }, nowMs: number): AgentMessage | undefined {
    const s = this.#touch(id, nowMs);
    let q = s.queues.get(msg.to);
    if (!q) s.queues.set(msg.to, (q = []));
    if (q.length >= this.#opts.maxQueue) {
      this.counters.messagesRefused++;
      return undefined;
    }
    const m: AgentMessage = { id: `msg-${++this.#msgSeq}`, ...msg, sentAtMs: nowMs };
    q.push(m);
    s.agents.add(msg.from);
    s.agents.add(msg.to);
    s.messagesPosted++;
    this.counters.messagesPosted++;
    return m;
  }

  /** Take (remove and return) up to `limit` queued messages of an agent, oldest first. */
  take(id: string, agent: string, limit: number, nowMs: number): AgentMessage[] {
    if (!this.#wfs.has(id)) return [];
    const q = this.#touch(id, nowMs).queues.get(agent);
    return q ? q.splice(0, limit) : [];
  }

  /** A workflow's status, or undefined if unknown or expired. */
  status(id: string): Record<string, unknown> | undefined {
    const s = this.#wfs.get(id);
    if (!s) return undefined;
    const pending: Record<string, number> = {};
    for (const [a, q] of s.queues) pending[a] = q.length;
    return {
      workflow_id: s.id, requests: s.requests, agents: [...s.agents], instances: Object.fromEntries(s.instances),
      last_instance: s.lastInstance ?? null, pending_messages: pending, messages_posted: s.messagesPosted,
      created_at_ms: s.createdMs, last_seen_at_ms: s.lastSeenMs, ttl_ms: this.#opts.ttlMs,
    };
  }

  /** Forget workflows idle for longer than the TTL. */
  sweep(nowMs: number): number {
    let n = 0;
    for (const [id, s] of this.#wfs) {
      if (nowMs - s.lastSeenMs <= this.#opts.ttlMs) break; // the rest were seen later
      this.#wfs.delete(id);
      n++;
    }
    return n;
  }
}
