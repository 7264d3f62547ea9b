import { z } from 'zod';
import { definePolicy, type PolicyContext } from '../registry.js';
import type { InstanceView, RouteDecision, RouteRequest, RoutingPolicy, Rng } from '../types.js';
import { NO_HEALTHY, loadRange, queueLoad } from './helpers.js';
import { KvAwarePolicy, cachedBlocks, kvAwareShape, type KvAwareOptions } from './kv-aware.js';
import { PrefixIndex } from './prefix-index.js';

/** Options of {@link WorkflowAwarePolicy}. */
export interface WorkflowAwareOptions extends KvAwareOptions {
  readonly slackRequests: number;
  readonly slackFactor: number;
  readonly workflowTtlS: number;
  readonly maxWorkflows: number;
}

/** Where a tracked workflow and its agents are assigned. */
interface Assignment {
  instance: string;
  lastUseUs: number;
  readonly agents: Map<string, string>;
  /**
   * An instance where a call of this workflow failed: the workflow and all its agents move away
   * from it for the rest of the workflow (sibling calls pinned there fail too).
   */
  avoid?: string | undefined;
}

/**
 * Workflow-aware routing (the seed design of production-stack issue #244,
 * WorkflowAwareRouter / WorkflowContextManager): the first call of a workflow goes to the best
 * instance by KV match and load (the longest cached prefix among instances within the slack,
 * then the least loaded); later calls of the same agent, else of the same workflow, stick to
 * its assigned instance while that instance is within the slack of the least loaded, i.e. not
 * (load − minLoad > slackRequests AND load > slackFactor × minLoad) with load = running +
 * waiting (the imbalance test of SGLang's router). Past the slack, or when the instance is
 * unhealthy, or after a call of the workflow failed there (issue #7: the workflow's affinity
 * moves; the router may not know yet that the instance is down), the call is reassigned the
 * same way as a first call, avoiding that instance, and a migration is counted.
 * Assignments expire workflowTtlS after their last use (production-stack: 3600 s) and at most
 * maxWorkflows (1000) are tracked, least recently used dropped first. Calls without a workflow
 * id go to `kv-aware`.
 */
export class WorkflowAwarePolicy implements RoutingPolicy {
  readonly name = 'workflow-aware';
  readonly #o: WorkflowAwareOptions;
  readonly #bs: number;
  readonly #kvAware: KvAwarePolicy;
  readonly #index: PrefixIndex;
  readonly #workflows = new Map<string, Assignment>();
  readonly #match: number[] = [];
  readonly #counters = { newWorkflows: 0, affinityHits: 0, migrations: 0, expiredWorkflows: 0, evictedWorkflows: 0, withoutWorkflowId: 0 };

  constructor(opts: WorkflowAwareOptions, ctx: PolicyContext) {
    this.#o = opts;
    this.#bs = ctx.blockSize;
    this.#kvAware = new KvAwarePolicy(opts, ctx);
    this.#index = new PrefixIndex(opts.indexCapacityBlocks);
  }

  route(req: RouteRequest, instances: readonly InstanceView[], rng: Rng): RouteDecision {
    const wf = req.workflowId;
    if (wf === undefined) {
      this.#counters.withoutWorkflowId++;
      return this.#kvAware.route(req, instances, rng);
    }
    const [minLoad] = loadRange(instances);
    let a = this.#workflows.get(wf);
    if (a && req.nowUs - a.lastUseUs > this.#o.workflowTtlS * 1e6) {
      this.#workflows.delete(wf);
      this.#counters.expiredWorkflows++;
      a = undefined;
    }
    if (!a) {
      const i = this.#place(req, instances, minLoad, rng);
      if (i >= 0) this.#counters.newWorkflows++;
      return i < 0 ? NO_HEALTHY : instances[i]!.id;
    }
    const sticky = (req.agentId !== undefined ? a.agents.get(req.agentId) : undefined) ?? a.instance;
    const v = instances.find((x) => x.id === sticky);
    if (v && v.healthy && sticky !== a.avoid && this.withinSlack(queueLoad(v), minLoad)) {
      this.#counters.affinityHits++;
      return v.id;
    }
    // The slack is measured among the instances the call may go to: an avoided instance that
    // looks idle (dead, but not detected yet) must not make every other one look overloaded.
    let i = a.avoid === undefined ? this.#place(req, instances, minLoad, rng) : this.#place(req, instances, loadRange(instances, a.avoid)[0], rng, a.avoid);
    if (i < 0 && a.avoid !== undefined) i = this.#place(req, instances, minLoad, rng); // nowhere else to go
    if (i < 0) return NO_HEALTHY;
    this.#counters.migrations++;
    return instances[i]!.id;
  }

  /** True when an instance with `load` keeps its workflows, the least loaded having `minLoad`. */
  withinSlack(load: number, minLoad: number): boolean {
    return !(load - minLoad > this.#o.slackRequests && load > this.#o.slackFactor * minLoad);
  }

  onRouted(req: RouteRequest, instanceId: string): void {
    this.#kvAware.onRouted(req, instanceId);
    this.#index.insert(instanceId, req.promptBlocks, req.nowUs);
    const wf = req.workflowId;
    if (wf === undefined) return;
    const m = this.#workflows;
    let a = m.get(wf);
    if (a) m.delete(wf);
    else a = { instance: instanceId, lastUseUs: req.nowUs, agents: new Map() };
    a.instance = instanceId;
    a.lastUseUs = req.nowUs;
    if (req.agentId !== undefined) a.agents.set(req.agentId, instanceId);
    m.set(wf, a);
    if (m.size > this.#o.maxWorkflows) {
      m.delete(m.keys().next().value!);
      this.#counters.evictedWorkflows++;
    }
  }

  onFinished(req: RouteRequest, instanceId: string, ok: boolean): void {
    if (ok || req.workflowId === undefined) return;
    const a = this.#workflows.get(req.workflowId);
    if (a) a.avoid = instanceId;
  }

  onInstanceDown(instanceId: string): void {
    this.#kvAware.onInstanceDown(instanceId);
    this.#index.removeInstance(instanceId);
  }

  stats(): Record<string, number> {
    return { ...this.#counters, tracked: this.#workflows.size };
  }

  // Longest cached prefix among healthy instances within the slack, then least loaded, then random.
  #place(req: RouteRequest, instances: readonly InstanceView[], minLoad: number, rng: Rng, exclude?: string): number {
    const match = this.#match;
    cachedBlocks(req, instances, this.#index, match, this.#o);
    const minTokens = Math.max(1, req.promptTokens - this.#o.maxUnmatchedTokens);
    let best = -1;
    let bestMatch = -1;
    let bestLoad = Infinity;
    let ties = 0;
    for (let k = 0; k < instances.length; k++) {
      const v = instances[k]!;
      if (!v.healthy || v.id === exclude) continue;
      const load = queueLoad(v);
      if (!this.withinSlack(load, minLoad)) continue;
      // A match too short to matter (kv-aware's threshold) counts as none: placement is by load.
      const m = match[k]! * this.#bs >= minTokens ? match[k]! : 0;
      if (m > bestMatch || (m === bestMatch && load < bestLoad)) {
        best = k;
        bestMatch = m;
        bestLoad = load;
        ties = 1;
      } else if (m === bestMatch && load === bestLoad) {
        ties++;
        if (rng.int(ties) === 0) best = k;
      }
    }
    return best;
  }
}

/** Registry entry for `routing: workflow-aware`. */
export const workflowAwareFactory = definePolicy({
  summary: 'workflow/agent affinity within a load slack, placed by KV match and load (production-stack #244 seed design)',
  options: z.strictObject({
    ...kvAwareShape,
    /** Keep affinity unless the assigned instance has more than this many requests above the least loaded... */
    slackRequests: z.number().nonnegative().default(8),
    /** ...and more than this factor times the least loaded's requests. */
    slackFactor: z.number().min(1).default(1.5),
    workflowTtlS: z.number().positive().default(3600),
    maxWorkflows: z.int().positive().default(1000),
  }),
  make: (o, ctx) => new WorkflowAwarePolicy(o, ctx),
});
