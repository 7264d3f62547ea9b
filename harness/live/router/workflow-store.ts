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
  /** Workflows tracked at once; past it the least recently seen is dropped (with its queued messages). */
  readonly maxWorkflows: number;
  /** Largest message, bytes of its JSON body (HTTP 413 past it). */
  readonly maxMessageBytes: number;
  /** Agents known per workflow; a message naming one more is refused (HTTP 429), a request's agent is not recorded. */
  readonly maxAgentsPerWorkflow: number;
  /** Bytes of queued messages over all workflows; a message that would pass it is refused (HTTP 429). */
  readonly maxTotalBytes: number;
}

/**
 * Default store limits. The byte cap bounds what agent messages can make the router hold
 * (the issue measured 300 × 0.9 MiB messages growing RSS by 240 MiB with no cap): 64 MiB of
 * message bodies, 1 MiB each, 256 agents per workflow; 100,000 workflows of bookkeeping
 * without messages is a few tens of MiB.
 */
export const DEFAULT_WORKFLOW_STORE: WorkflowStoreOptions = {
  ttlMs: 300_000, maxQueue: 1000, maxWorkflows: 100_000, maxMessageBytes: 1024 * 1024, maxAgentsPerWorkflow: 256, maxTotalBytes: 64 * 1024 * 1024,
};

/** Why a message was refused, with the HTTP status it is answered with. */
export interface PostRefusal {
  readonly refused: string;
  readonly status: 413 | 429;
}

interface WorkflowState {
  readonly id: string;
  readonly createdMs: number;
  lastSeenMs: number;
  requests: number;
  lastInstance: string | undefined;
  readonly instances: Map<string, number>;
  readonly agents: Set<string>;
  readonly queues: Map<string, QueuedMessage[]>;
  messagesPosted: number;
  /** Bytes of this workflow's queued messages. */
  bytes: number;
}

interface QueuedMessage extends AgentMessage {
  readonly bytes: number;
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
  #bytes = 0;

  constructor(opts: Partial<WorkflowStoreOptions> = {}) {
    this.#opts = { ...DEFAULT_WORKFLOW_STORE, ...opts };
  }

  /** The limits in force. */
  get options(): WorkflowStoreOptions {
    return this.#opts;
  }

  /** Bytes of queued messages held now. */
  get queuedBytes(): number {
    return this.#bytes;
  }

  #drop(id: string): void {
    const s = this.#wfs.get(id);
    if (!s) return;
    this.#bytes -= s.bytes;
    this.#wfs.delete(id);
  }

  /** Workflows seen within the TTL. */
  get active(): number {
    return this.#wfs.size;
  }

  #touch(id: string, nowMs: number): WorkflowState {
    let s = this.#wfs.get(id);
    if (s) this.#wfs.delete(id);
    else {
      s = { id, createdMs: nowMs, lastSeenMs: nowMs, requests: 0, lastInstance: undefined, instances: new Map(), agents: new Set(), queues: new Map(), messagesPosted: 0, bytes: 0 };
      while (this.#wfs.size >= this.#opts.maxWorkflows) this.#drop(this.#wfs.keys().next().value!);
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
    if (agentId !== undefined && (s.agents.has(agentId) || s.agents.size < this.#opts.maxAgentsPerWorkflow)) s.agents.add(agentId);
  }

  /**
   * Queue a message for agent `to` (`bytes`: its size as received), or say why not: too large
   * (413), the agent's queue full, too many agents in the workflow, or the global byte cap
   * reached (429: try later, when messages were taken).
   */
  post(id: string, msg: { from: string; to: string; type: string; content: unknown }, nowMs: number, bytes = 0): AgentMessage | PostRefusal {
    const o = this.#opts;
    const refuse = (refused: string, status: 413 | 429): PostRefusal => {
      this.counters.messagesRefused++;
      return { refused, status };
    };
    if (bytes > o.maxMessageBytes) return refuse(`message of ${bytes} bytes is larger than ${o.maxMessageBytes} bytes`, 413);
    if (this.#bytes + bytes > o.maxTotalBytes) return refuse(`router message memory full (${o.maxTotalBytes} bytes queued over all workflows)`, 429);
    const s = this.#touch(id, nowMs);
    const newAgents = (s.agents.has(msg.from) ? 0 : 1) + (s.agents.has(msg.to) || msg.to === msg.from ? 0 : 1);
    if (s.agents.size + newAgents > o.maxAgentsPerWorkflow) return refuse(`workflow '${id}' has ${s.agents.size} agents, the most allowed is ${o.maxAgentsPerWorkflow}`, 429);
    let q = s.queues.get(msg.to);
    if (q && q.length >= o.maxQueue) return refuse(`message queue of agent '${msg.to}' in workflow '${id}' is full`, 429);
    if (!q) s.queues.set(msg.to, (q = []));
    const m: QueuedMessage = { id: `msg-${++this.#msgSeq}`, ...msg, sentAtMs: nowMs, bytes };
    q.push(m);
    s.bytes += bytes;
    this.#bytes += bytes;
    s.agents.add(msg.from);
    s.agents.add(msg.to);
    s.messagesPosted++;
    this.counters.messagesPosted++;
    return m;
  }

  /** Take (remove and return) up to `limit` queued messages of an agent, oldest first. */
  take(id: string, agent: string, limit: number, nowMs: number): AgentMessage[] {
    if (!this.#wfs.has(id)) return [];
    const s = this.#touch(id, nowMs);
    const q = s.queues.get(agent);
    if (!q) return [];
    const out = q.splice(0, limit);
    let freed = 0;
    for (const m of out) freed += m.bytes;
    s.bytes -= freed;
    this.#bytes -= freed;
    if (q.length === 0) s.queues.delete(agent);
    return out.map(({ bytes: _b, ...m }) => m);
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
      this.#drop(id);
      n++;
    }
    return n;
  }
}
