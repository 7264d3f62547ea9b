// One conformance suite for the Backend interface (hono-style: one suite per interface, every
// implementation runs it). The simulated cluster (SimBackend) and the HTTP path (HttpBackend →
// agentbench router → emulated engines) must agree on what a policy sees and on how attempts,
// exclusion and timeouts end a call.
import { expect, it } from 'vitest';
import { hashString } from '../../policies/kv/hash.js';
import { FcfsPolicy } from '../../policies/scheduling/fcfs.js';
import type { SchedRequest, SchedulingPolicy } from '../../policies/scheduling/types.js';
import type { DeclaredHints, InstanceView, RouteRequest, RoutingPolicy } from '../../policies/types.js';
import type { RouterCoreOptions } from '../../sim/router-core.js';
import { ROUTER_DEFAULTS } from '../../sim/router-core.js';
import type { Backend, CallError, CallResult, LlmCall } from '../../workloads/backend.js';

/** What a world is built from. */
export interface WorldSpec {
  readonly instances: number;
  readonly routing: RoutingPolicy;
  /** A fresh scheduling policy per engine. */
  readonly scheduling: () => SchedulingPolicy;
  readonly router: RouterCoreOptions;
}

/** A Backend under test with the controls the suite needs. */
export interface ConformanceWorld {
  readonly backend: Backend;
  /** Let everything submitted so far end (simulation: run the clock; live: wait). */
  settle(): Promise<void>;
  /** Instance k's process dies: connections are refused. */
  crash(k: number): Promise<void>;
  /** Instance k stops answering but keeps its connections. */
  hang(k: number): Promise<void>;
  close(): Promise<void>;
}

export type WorldFactory = (spec: WorldSpec) => Promise<ConformanceWorld>;

/** What a routing policy was asked and told, in order (inputs a real client can send, no ids the worlds assign). */
export class RecordingRouting implements RoutingPolicy {
  readonly name = 'recording';
  readonly events: string[] = [];
  readonly inputs: Record<string, unknown>[] = [];
  route(req: RouteRequest, instances: readonly InstanceView[]): string | { reject: string } {
    this.inputs.push({
      workflowId: req.workflowId, agentId: req.agentId, parentRequestId: req.parentRequestId, priority: req.priority,
      sessionKey: req.sessionKey, hints: req.hints, promptTokens: req.promptTokens, promptBlocks: req.promptBlocks.length, maxTokens: req.maxTokens,
    });
    // The first healthy candidate: the order of the views is the instances' order in both worlds.
    const pick = instances.find((v) => v.healthy);
    return pick ? pick.id : { reject: 'no healthy instance' };
  }
  onRouted(_req: RouteRequest, id: string): void {
    this.events.push(`route ${id}`);
  }
  onFinished(_req: RouteRequest, id: string, ok: boolean): void {
    this.events.push(`${ok ? 'ok' : 'failed'} ${id}`);
  }
}

/** FCFS that records what each finished request carried into the engine. */
export class RecordingScheduling extends FcfsPolicy {
  constructor(readonly seen: Record<string, unknown>[]) {
    super();
  }
  onFinished(req: SchedRequest): void {
    this.seen.push({ workflowId: req.workflowId, agentId: req.agentId, priority: req.priority, hints: req.hints, expectedReuseUs: req.expectedReuseUs });
  }
}

const HINTS: DeclaredHints = { stepsToReuse: 2, expectedReuseUs: 1_500_000, toolWaitUs: 250_000, attainedServiceUs: 12_000, criticalPathServiceUs: 9_000 };

/** A call with every piece of metadata a client can declare; max_tokens equal to its length so both worlds send the same cap. */
export function metaCall(id: string, promptTokens = 96, outputTokens = 6): LlmCall {
  return {
    id, workflowId: 'wf-1', agentId: 'planner', parentRequestId: 'wf-1/root', priority: 3, sessionKey: 'session-7',
    prompt: [{ key: hashString(`conformance/${id}`), start: 0, length: promptTokens }], promptTokens,
    outputKey: hashString(`conformance/out/${id}`), outputTokens, maxTokens: outputTokens, expectedReuseUs: 2_000_000, hints: HINTS,
  };
}

type Ending = { ok: CallResult } | { error: CallError };

/** Submit and collect how the call ended (exactly once) and its failed attempts. */
export function submit(b: Backend, call: LlmCall): { ended: Ending[]; attemptsFailed: CallError[] } {
  const out = { ended: [] as Ending[], attemptsFailed: [] as CallError[] };
  b.submit(call, {
    onToken() {},
    onDone: (r) => out.ended.push({ ok: r }),
    onError: (e) => out.ended.push({ error: e }),
    onAttemptFailed: (e) => out.attemptsFailed.push(e),
  });
  return out;
}

const attempts = (n: number, timeoutUs = Infinity): RouterCoreOptions => ({ timeoutUs, retry: { ...ROUTER_DEFAULTS.retry, maxAttempts: n, jitter: 0 } });

/** What one scenario of the suite observed: compared across worlds. */
export interface Observed {
  readonly routing: readonly Record<string, unknown>[];
  readonly policyEvents: readonly string[];
  readonly engine: readonly Record<string, unknown>[];
  readonly outcome: string;
}

function outcomeOf(e: Ending[]): string {
  expect(e).toHaveLength(1); // every call ends exactly once
  const x = e[0]!;
  return 'ok' in x ? `ok on ${x.ok.instance}` : `${x.error.outcome}`;
}

/** The suite's scenarios; each returns what it observed (the test file compares the worlds' observations). */
export const CONFORMANCE_CASES: Record<string, (make: WorldFactory) => Promise<Observed>> = {
  async 'metadata reaches the routing and the scheduling policy'(make) {
    const routing = new RecordingRouting();
    const seen: Record<string, unknown>[] = [];
    const w = await make({ instances: 2, routing, scheduling: () => new RecordingScheduling(seen), router: attempts(1) });
    try {
      const c = submit(w.backend, metaCall('a'));
      await w.settle();
      return { routing: routing.inputs, policyEvents: routing.events, engine: seen, outcome: outcomeOf(c.ended) };
    } finally {
      await w.close();
    }
  },
  async 'a refused connection excludes the instance and the call is re-sent within maxAttempts'(make) {
    const routing = new RecordingRouting();
    const seen: Record<string, unknown>[] = [];
    const w = await make({ instances: 2, routing, scheduling: () => new RecordingScheduling(seen), router: attempts(2) });
    try {
      await w.crash(0);
      const c = submit(w.backend, metaCall('b'));
      await w.settle();
      return { routing: routing.inputs.map((x) => ({ workflowId: x['workflowId'] })), policyEvents: routing.events, engine: seen, outcome: outcomeOf(c.ended) };
    } finally {
      await w.close();
    }
  },
  async 'with one attempt a refused connection fails the call'(make) {
    const routing = new RecordingRouting();
    const seen: Record<string, unknown>[] = [];
    const w = await make({ instances: 2, routing, scheduling: () => new RecordingScheduling(seen), router: attempts(1) });
    try {
      await w.crash(0);
      const c = submit(w.backend, metaCall('c'));
      await w.settle();
      return { routing: [], policyEvents: routing.events, engine: seen, outcome: outcomeOf(c.ended) };
    } finally {
      await w.close();
    }
  },
  async 'an instance silent past the idle timeout before the first token is a failed attempt, re-sent elsewhere'(make) {
    const routing = new RecordingRouting();
    const seen: Record<string, unknown>[] = [];
    const w = await make({ instances: 2, routing, scheduling: () => new RecordingScheduling(seen), router: attempts(2, 400_000) });
    try {
      await w.hang(0);
      const c = submit(w.backend, metaCall('d', 64, 4));
      await w.settle();
      return { routing: [], policyEvents: routing.events, engine: [], outcome: outcomeOf(c.ended) };
    } finally {
      await w.close();
    }
  },
  async 'the first-token timeout fails attempts on a hung instance, and consecutive failures eject it (Envoy consecutive_5xx)'(make) {
    const routing = new RecordingRouting();
    const seen: Record<string, unknown>[] = [];
    const router: RouterCoreOptions = {
      ...attempts(2), firstTokenTimeoutUs: 400_000,
      outlierDetection: { consecutive5xx: 2, baseEjectionUs: 30e6, maxEjectionUs: 300e6, maxEjectionPercent: 50 },
    };
    const w = await make({ instances: 2, routing, scheduling: () => new RecordingScheduling(seen), router });
    try {
      await w.hang(0);
      // One after the other: the health checks never notice the hang; the third call goes
      // straight to i1 because i0 failed twice in a row and is ejected.
      const outcomes: string[] = [];
      for (const id of ['e1', 'e2', 'e3']) {
        const c = submit(w.backend, metaCall(id, 64, 4));
        await w.settle();
        outcomes.push(outcomeOf(c.ended));
      }
      return { routing: [], policyEvents: routing.events, engine: [], outcome: outcomes.join(', ') };
    } finally {
      await w.close();
    }
  },
};

/** The expected observations, world-independent (the test also checks both worlds agree). */
export const EXPECTED: Record<string, Partial<Observed>> = {
  'metadata reaches the routing and the scheduling policy': {
    routing: [{
      workflowId: 'wf-1', agentId: 'planner', parentRequestId: 'wf-1/root', priority: 3, sessionKey: 'session-7', hints: HINTS,
      promptTokens: 96, promptBlocks: 6, maxTokens: 6, // 96 tokens / 16 per block = 6 full blocks
    }],
    policyEvents: ['route i0', 'ok i0'],
    engine: [{ workflowId: 'wf-1', agentId: 'planner', priority: 3, hints: HINTS, expectedReuseUs: 2_000_000 }],
    outcome: 'ok on i0',
  },
  'a refused connection excludes the instance and the call is re-sent within maxAttempts': {
    policyEvents: ['route i0', 'failed i0', 'route i1', 'ok i1'],
    outcome: 'ok on i1',
  },
  'with one attempt a refused connection fails the call': {
    policyEvents: ['route i0', 'failed i0'],
    engine: [],
    outcome: 'failed',
  },
  'an instance silent past the idle timeout before the first token is a failed attempt, re-sent elsewhere': {
    policyEvents: ['route i0', 'failed i0', 'route i1', 'ok i1'],
    outcome: 'ok on i1',
  },
  'the first-token timeout fails attempts on a hung instance, and consecutive failures eject it (Envoy consecutive_5xx)': {
    policyEvents: ['route i0', 'failed i0', 'route i1', 'ok i1', 'route i0', 'failed i0', 'route i1', 'ok i1', 'route i1', 'ok i1'],
    outcome: 'ok on i1, ok on i1, ok on i1',
  },
};

/** Register the suite for one world. */
export function runBackendConformance(world: string, make: WorldFactory, record: Map<string, Observed>): void {
  for (const [name, run] of Object.entries(CONFORMANCE_CASES)) {
    it(`${world}: ${name}`, async () => {
      const got = await run(make);
      expect(got).toMatchObject(EXPECTED[name]!);
      record.set(`${world}/${name}`, got);
    });
  }
}
