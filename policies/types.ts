/**
 * The seams between policy code and whoever runs it (the simulator or the live router).
 * Policies import only from here: no I/O, no wall clock, no Math.random.
 */

/** Opaque handle returned by {@link Clock.schedule}. */
export type TimerId = number;

/** Injected time: virtual in simulation (SimClock), monotonic wall time live (WallClock). */
export interface Clock {
  /** Current time in microseconds since the run started. */
  nowUs(): number;
  /** Run `fn` at `atUs` (never earlier than now). */
  schedule(atUs: number, fn: () => void): TimerId;
  /** Cancel a pending timer; cancelling a fired or unknown timer is a no-op. */
  cancel(id: TimerId): void;
}

/** Injected randomness: a seeded stream that can fork independent child streams by label. */
export interface Rng {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** An independent stream derived from this stream's seed and `label` (not from its position). */
  fork(label: string): Rng;
}

/** Hash of one full KV block, chained over its prefix (a safe integer, < 2^53). */
export type BlockHash = number;

/** What a router may see about an instance: a snapshot, possibly stale, never the future. */
export interface InstanceView {
  readonly id: string;
  readonly healthy: boolean;
  /** Requests in the running batch. */
  readonly running: number;
  /** Requests queued (including preempted ones). */
  readonly waiting: number;
  readonly kvBlocksUsed: number;
  readonly kvBlocksTotal: number;
  /** Prompt tokens routed to the instance and not yet prefilled. */
  readonly inflightPrefillTokens: number;
  /** Requests routed to the instance that are past prefill and still decoding. */
  readonly inflightDecodeTokens: number;
  /**
   * Exact length in blocks of the longest cached prefix of `promptBlocks` on this instance.
   * Only the simulator can offer it (it reads the engine's KV index); live views leave it out
   * and policies must keep their own approximate index.
   */
  readonly cachedPrefixBlocks?: (promptBlocks: readonly BlockHash[]) => number;
  /**
   * Where the prompt's prefix is cached on this instance, tier by tier (simulation with KV
   * tiers only): fills `out` with the device prefix, then the blocks continuing it in the
   * instance's host (CPU) tier, then those continuing it in the shared remote tier.
   */
  readonly cachedPrefixTiers?: (promptBlocks: readonly BlockHash[], out: TierOverlap) => void;
}

/** A prompt's cached prefix split by KV tier, in blocks (Dynamo's device / host / disk overlap). */
export interface TierOverlap {
  device: number;
  host: number;
  remote: number;
}

/**
 * Declared hints a client may attach to a call: facts about the workflow's declared structure
 * (its DAG and declared expected tool times) and about the past (service its completed calls
 * received), never the true output length or anything measured in the future. This is the
 * whole vocabulary: a policy cannot read a hint that is not listed here (the oracle boundary).
 */
export interface DeclaredHints {
  /** LLM steps until this agent's next call in the workflow DAG (KVFlow's steps-to-execution); absent when it has none. */
  readonly stepsToReuse?: number;
  /** Declared expected µs of tool waits between this call and the agent's next call. */
  readonly expectedReuseUs?: number;
  /** Declared expected µs of the tool wait that follows this call (Continuum's TTL input); absent when no tool follows. */
  readonly toolWaitUs?: number;
  /** Service (µs) the workflow's completed LLM calls received so far (Autellix PLAS). */
  readonly attainedServiceUs?: number;
  /** Largest service (µs) along any chain of completed ancestor calls (Autellix ATLAS). */
  readonly criticalPathServiceUs?: number;
}

/** Every hint key (checked at run time in --check mode). */
export const DECLARED_HINT_KEYS = [
  'stepsToReuse', 'expectedReuseUs', 'toolWaitUs', 'attainedServiceUs', 'criticalPathServiceUs',
] as const satisfies readonly (keyof DeclaredHints)[];

/**
 * What a router knows about a request: what a real client sends. Deliberately has no true
 * output length (the oracle boundary): `maxTokens` is the client's cap, not the answer.
 */
export interface RouteRequest {
  readonly id: string;
  readonly workflowId?: string;
  readonly agentId?: string;
  readonly parentRequestId?: string;
  readonly priority?: number;
  readonly sessionKey?: string;
  /** Chained hashes of the prompt's full blocks (block size of the cluster). */
  readonly promptBlocks: readonly BlockHash[];
  readonly promptTokens: number;
  readonly maxTokens: number;
  readonly nowUs: number;
  /** Declared, non-oracle hints a client may send (see {@link DeclaredHints}). */
  readonly hints?: DeclaredHints;
}

/** Where a request goes: an instance id, or a rejection with its reason. */
export type RouteDecision = string | { readonly reject: string };

/** A routing policy: pure, deterministic for a given Rng stream. */
export interface RoutingPolicy {
  readonly name: string;
  route(req: RouteRequest, instances: readonly InstanceView[], rng: Rng): RouteDecision;
  /** Called once the request was sent to `instanceId` (e.g. insert into a prefix index). */
  onRouted?(req: RouteRequest, instanceId: string): void;
  /** Called when the request ended on `instanceId`. */
  onFinished?(req: RouteRequest, instanceId: string, ok: boolean): void;
  /** Called when the runner learns an instance is down (health check or crash). */
  onInstanceDown?(instanceId: string): void;
  /** Counters of the policy's decisions (migrations, fallbacks...), merged into the run summary as `routing.<key>`. */
  stats?(): Record<string, number>;
}

/** The fields of a RouteRequest, used to build one without leaking anything else into it. */
export const ROUTE_REQUEST_KEYS = [
  'id', 'workflowId', 'agentId', 'parentRequestId', 'priority', 'sessionKey',
  'promptBlocks', 'promptTokens', 'maxTokens', 'nowUs', 'hints',
] as const satisfies readonly (keyof RouteRequest)[];
