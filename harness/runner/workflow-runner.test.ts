import { describe, expect, it } from 'vitest';
import type { RecoveryDecision, RecoveryPolicy } from '../../policies/recovery/workflow-recovery.js';
import { SeededRng } from '../../policies/rng.js';
import type { RequestRecord, WorkflowRecord } from '../../reports/records.js';
import { SimClock } from '../../sim/sim-clock.js';
import type { Backend, CallError, CallHandlers, LlmCall } from '../../workloads/backend.js';
import type { Workflow, WorkflowNode } from '../../workloads/workflow.js';
import { WorkflowRunner } from './workflow-runner.js';

/**
 * The runner against a scripted backend on a SimClock: every time below is worked out from the
 * script (first token `ttftUs` after the send, then one token per `tpotUs`, done at the last
 * token; queue 200 µs), so the records are exact.
 */
type Script =
  | { readonly kind: 'ok'; readonly instance?: string; readonly cached?: number }
  | { readonly kind: 'error'; readonly afterUs: number; readonly instance?: string; readonly outcome?: CallError['outcome']; readonly retryable?: boolean }
  | { readonly kind: 'silent' };

const TTFT_US = 1000;
const TPOT_US = 500;
const QUEUE_US = 200;

class ScriptedBackend implements Backend {
  readonly sent: { atUs: number; call: LlmCall }[] = [];
  readonly handlers = new Map<string, CallHandlers>();
  constructor(readonly clock: SimClock, readonly script: (call: LlmCall) => Script = () => ({ kind: 'ok' })) {}

  submit(call: LlmCall, h: CallHandlers): void {
    const t0 = this.clock.nowUs();
    this.sent.push({ atUs: t0, call });
    this.handlers.set(call.id, h);
    const s = this.script(call);
    if (s.kind === 'silent') return;
    if (s.kind === 'error') {
      this.clock.schedule(t0 + s.afterUs, () => h.onError({
        outcome: s.outcome ?? 'failed', reason: 'boom', instance: s.instance, endUs: this.clock.nowUs(),
        ...(s.retryable !== undefined ? { retryable: s.retryable } : {}),
      }));
      return;
    }
    for (let k = 0; k < call.outputTokens; k++) {
      const at = t0 + TTFT_US + k * TPOT_US;
      this.clock.schedule(at, () => {
        h.onToken(at, k === 0);
        if (k === call.outputTokens - 1) {
          h.onDone({
            instance: s.instance ?? 'i0', firstTokenUs: t0 + TTFT_US, endUs: at, queueUs: QUEUE_US, promptTokens: call.promptTokens,
            cachedPromptTokens: s.cached ?? 0, crossAgentCachedTokens: 0, outputTokens: call.outputTokens, preemptions: 0,
          });
        }
      });
    }
  }

  /** Isolated latency, a simple stand-in for the cost model: 10 µs per uncached prompt token, 100 µs per output token. */
  isolatedLatencyUs(promptTokens: number, cachedPromptTokens: number, outputTokens: number): number {
    return (promptTokens - cachedPromptTokens) * 10 + outputTokens * 100;
  }
}

const llm = (id: string, agentId: string, parents: number[], promptLength: number, outputTokens: number): WorkflowNode => ({
  kind: 'llm', id, agentId, role: agentId, parents, taskTokens: 0, outputTokens, maxTokens: 2 * outputTokens,
  prompt: [{ key: promptLength, start: 0, length: promptLength }],
});

/**
 * plan ─┬─ search (tool, 5 ms) ─┬─ agg
 *       └─ a ───────────────────┘
 */
function diamond(id = 'wf'): Workflow {
  return {
    id, workload: 'w', pattern: 'custom', index: 0, arrivalUs: 0, sharing: 'none', contextKey: 0, contextTokens: 0,
    systemTokens: {}, expectedAgents: ['p', 'a', 'g'], priority: 3,
    nodes: [
      llm('plan', 'p', [], 100, 4),
      { kind: 'tool', id: 'search', agentId: 'p', parents: [0], durationUs: 5000, resultTokens: 10 },
      llm('a', 'a', [0], 50, 3),
      llm('agg', 'g', [1, 2], 80, 2),
    ],
  };
}

function setup(script?: (call: LlmCall) => Script, recovery?: RecoveryPolicy) {
  const clock = new SimClock();
  const backend = new ScriptedBackend(clock, script);
  const requests: RequestRecord[] = [];
  const workflows: WorkflowRecord[] = [];
  const itl: number[] = [];
  const runner = new WorkflowRunner(clock, backend, { request: (r) => requests.push(r), workflow: (w) => workflows.push(w), itl: (ms) => itl.push(ms) }, {
    check: true, ...(recovery ? { recovery: { policy: recovery, rng: new SeededRng(1) } } : {}),
  });
  return { clock, backend, runner, requests, workflows, itl };
}

/** A recovery policy that always decides the same (no jitter: exact times). */
const always = (d: RecoveryDecision): RecoveryPolicy & { seen: unknown[] } => {
  const seen: unknown[] = [];
  return { name: 'fixed', seen, onCallFailed: (f) => (seen.push(f), d) };
};

const ok = (id: string, nodeId: string, agentId: string, instance: string, attempt: number, [sendUs, firstTokenUs, endUs]: number[], promptTokens: number, outputTokens: number): RequestRecord => ({
  id, workload: 'w', workflowId: 'wf', nodeId, agentId, instance, outcome: 'ok', reason: '', attempt, sendUs: sendUs!, firstTokenUs: firstTokenUs!, endUs: endUs!,
  queueUs: QUEUE_US, promptTokens, cachedPromptTokens: 0, crossAgentCachedTokens: 0, outputTokens, preemptions: 0,
});

describe('WorkflowRunner', () => {
  it('runs a DAG in dependency order and records every call and the workflow exactly', () => {
    const instances: Record<string, string> = { 'wf/plan': 'i0', 'wf/a': 'i1', 'wf/agg': 'i0' };
    const { clock, backend, runner, requests, workflows, itl } = setup((c) => ({ kind: 'ok', instance: instances[c.id]! }));
    runner.start(diamond());
    expect([runner.activeWorkflows, runner.startedWorkflows, runner.inflightCalls]).toEqual([1, 1, 1]);
    expect(clock.run()).toBe('drained');
    // plan: sent 0, tokens at 1000, 1500, 2000, 2500 (done). At 2500 the tool (ends 7500) and a
    // (sent 2500, tokens 3500, 4000, 4500) start; agg waits for both: sent 7500, tokens 8500, 9000.
    expect(backend.sent.map((s) => [s.atUs, s.call.id])).toEqual([[0, 'wf/plan'], [2500, 'wf/a'], [7500, 'wf/agg']]);
    expect(requests).toEqual([
      ok('wf/plan', 'plan', 'p', 'i0', 0, [0, 1000, 2500], 100, 4),
      ok('wf/a', 'a', 'a', 'i1', 0, [2500, 3500, 4500], 50, 3),
      ok('wf/agg', 'agg', 'g', 'i0', 0, [7500, 8500, 9000], 80, 2),
    ]);
    // One gap per token after the first: 3 + 2 + 1 gaps of 500 µs.
    expect(itl).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    // Critical path with isolated latencies: plan 100·10 + 4·100 = 1400; search 5000 → 6400; a 50·10 + 3·100 = 800 → 2200;
    // agg starts at max(6400, 2200) and takes 80·10 + 2·100 = 1000 → 7400. Affinity: i0 has 2 of 3 calls.
    expect(workflows).toEqual([{
      id: 'wf', workload: 'w', pattern: 'custom', outcome: 'completed', reason: '', arrivalUs: 0, startUs: 0, endUs: 9000,
      criticalPathUs: 7400, calls: 3, stepsOk: 3, stepsFailed: 0, retries: 0, affinity: 2 / 3,
    }]);
    expect([runner.activeWorkflows, runner.startedWorkflows, runner.inflightCalls]).toEqual([0, 1, 0]);
  });

  it('sends each call with the workflow metadata: parent = the last parent LLM call, session = workflow id, priority', () => {
    const { clock, backend, runner } = setup();
    runner.start(diamond());
    clock.run();
    const [plan, a, agg] = backend.sent.map((s) => s.call);
    expect(plan).toMatchObject({ workflowId: 'wf', agentId: 'p', parentRequestId: undefined, priority: 3, sessionKey: 'wf', promptTokens: 100, outputTokens: 4, maxTokens: 8, expectedAgents: ['p', 'a', 'g'] });
    expect(a).toMatchObject({ agentId: 'a', parentRequestId: 'wf/plan', promptTokens: 50 });
    expect(agg).toMatchObject({ agentId: 'g', parentRequestId: 'wf/a', promptTokens: 80 }); // parents [search, a]: the last one
    // Observed service of the calls done before agg was sent: plan (2500 − 0 − 200) + a (4500 − 2500 − 200) = 4100 µs.
    expect(agg!.hints?.attainedServiceUs).toBe(4100);
  });

  it('without recovery, a failed call fails the workflow: what is in flight still ends, nothing new starts', () => {
    const { clock, backend, runner, requests, workflows } = setup((c) => (c.id === 'wf/a' ? { kind: 'error', afterUs: 500, instance: 'i1' } : { kind: 'ok' }));
    runner.start(diamond());
    clock.run();
    expect(backend.sent.map((s) => s.call.id)).toEqual(['wf/plan', 'wf/a']); // agg never sent
    expect(requests[1]).toEqual({
      id: 'wf/a', workload: 'w', workflowId: 'wf', nodeId: 'a', agentId: 'a', instance: 'i1', outcome: 'failed', reason: 'boom', attempt: 0,
      sendUs: 2500, firstTokenUs: NaN, endUs: 3000, queueUs: NaN, promptTokens: 50, cachedPromptTokens: 0, crossAgentCachedTokens: NaN, outputTokens: 0, preemptions: 0,
    });
    // The tool in flight ends at 7500; then the workflow ends, failed, with the first failure's reason.
    expect(workflows).toEqual([{
      id: 'wf', workload: 'w', pattern: 'custom', outcome: 'failed', reason: 'a: failed: boom', arrivalUs: 0, startUs: 0, endUs: 7500,
      criticalPathUs: NaN, calls: 2, stepsOk: 1, stepsFailed: 1, retries: 0, affinity: 0.5,
    }]);
  });

  it('retry-call re-sends the node after the backoff under a new id, and the workflow completes', () => {
    let failures = 0;
    const policy = always({ action: 'retry-call', delayUs: 1000 });
    const { clock, backend, runner, requests, workflows } = setup((c) => (c.id === 'wf/a' && failures++ === 0 ? { kind: 'error', afterUs: 500 } : { kind: 'ok' }), policy);
    runner.start(diamond());
    clock.run();
    // a fails at 3000; re-sent at 4000 as wf/a#1 (tokens 5000, 5500, 6000); agg still waits for the tool (7500).
    expect(backend.sent.map((s) => [s.atUs, s.call.id])).toEqual([[0, 'wf/plan'], [2500, 'wf/a'], [4000, 'wf/a#1'], [7500, 'wf/agg']]);
    expect(policy.seen).toEqual([{ outcome: 'failed', retryable: true, nodeRetries: 0, restarts: 0 }]);
    expect(requests.map((r) => [r.id, r.outcome, r.attempt])).toEqual([['wf/plan', 'ok', 0], ['wf/a', 'failed', 0], ['wf/a#1', 'ok', 1], ['wf/agg', 'ok', 0]]);
    expect(workflows[0]).toMatchObject({ outcome: 'completed', reason: '', endUs: 9000, stepsOk: 3, stepsFailed: 1, retries: 1 });
  });

  it('tells the recovery policy that a rejection is not retryable unless the backend says so', () => {
    const policy = always({ action: 'fail-workflow' });
    const { clock, runner } = setup((c) => (c.id === 'wf/plan' ? { kind: 'error', afterUs: 10, outcome: 'rejected' } : { kind: 'ok' }), policy);
    runner.start(diamond());
    clock.run();
    const policy2 = always({ action: 'fail-workflow' });
    const second = setup((c) => (c.id === 'wf/plan' ? { kind: 'error', afterUs: 10, outcome: 'rejected', retryable: true } : { kind: 'ok' }), policy2);
    second.runner.start(diamond());
    second.clock.run();
    expect([policy.seen, policy2.seen]).toEqual([
      [{ outcome: 'rejected', retryable: false, nodeRetries: 0, restarts: 0 }],
      [{ outcome: 'rejected', retryable: true, nodeRetries: 0, restarts: 0 }],
    ]);
  });

  it('restart-workflow starts over after the backoff; only the failed node gets a new id', () => {
    let failures = 0;
    const policy = always({ action: 'restart-workflow', delayUs: 2000 });
    const { clock, backend, runner, requests, workflows } = setup((c) => (c.id === 'wf/a' && failures++ === 0 ? { kind: 'error', afterUs: 500 } : { kind: 'ok' }), policy);
    runner.start(diamond());
    clock.run();
    // a fails at 3000; the tool still runs until 7500; the restart waits for it, then 2000 µs: at
    // 9500 plan is re-sent (it had an attempt: wf/plan#1), done 12 000; a#1 and the tool start at
    // 12 000; a#1 done 14 000; the tool at 17 000; agg (never sent before: its plain id) done 18 500.
    expect(backend.sent.map((s) => [s.atUs, s.call.id])).toEqual([[0, 'wf/plan'], [2500, 'wf/a'], [9500, 'wf/plan#1'], [12_000, 'wf/a#1'], [17_000, 'wf/agg']]);
    expect(requests.map((r) => [r.id, r.attempt])).toEqual([['wf/plan', 0], ['wf/a', 0], ['wf/plan#1', 1], ['wf/a#1', 1], ['wf/agg', 0]]);
    expect(workflows).toHaveLength(1);
    expect(workflows[0]).toMatchObject({ outcome: 'completed', startUs: 0, endUs: 18_500, stepsOk: 4, stepsFailed: 1, retries: 1 });
  });

  it('abortAll records what is in flight as timeouts, fails the workflow, and ignores the late callbacks', () => {
    const { clock, runner, requests, workflows, itl } = setup();
    runner.start(diamond());
    // At 3000 plan is done; a (sent 2500) and the tool are in flight.
    clock.schedule(3000, () => runner.abortAll('run limit'));
    clock.run({ untilUs: 3000 });
    expect(requests.map((r) => [r.id, r.outcome, r.reason, r.endUs])).toEqual([['wf/plan', 'ok', '', 2500], ['wf/a', 'timeout', 'run limit', 3000]]);
    expect(workflows).toEqual([expect.objectContaining({ outcome: 'failed', reason: 'run limit', endUs: 3000 })]);
    expect([runner.activeWorkflows, runner.inflightCalls]).toEqual([0, 0]);
    const itlBefore = itl.length;
    expect(clock.run()).toBe('drained'); // a's tokens and done arrive: ignored, nothing more recorded
    expect([requests.length, workflows.length, itl.length]).toEqual([2, 1, itlBefore]);
  });

  it('records a router re-send as its own attempt row and keeps the call open', () => {
    const { clock, backend, runner, requests } = setup((c) => (c.id === 'wf/plan' ? { kind: 'silent' } : { kind: 'ok' }));
    runner.start(diamond());
    const h = backend.handlers.get('wf/plan')!;
    clock.schedule(100, () => h.onAttemptFailed!({ outcome: 'failed', reason: 'reset', instance: 'i1', endUs: 100, sendUs: 0 }));
    clock.schedule(400, () => h.onToken(400, true));
    clock.schedule(600, () => h.onDone({ instance: 'i0', firstTokenUs: 400, endUs: 600, queueUs: 50, promptTokens: 100, cachedPromptTokens: 0, crossAgentCachedTokens: 0, outputTokens: 1, preemptions: 0 }));
    clock.run({ untilUs: 600 });
    expect(requests.map((r) => [r.id, r.outcome, r.instance, r.attempt, r.sendUs, r.endUs])).toEqual([['wf/plan', 'failed', 'i1', 0, 0, 100], ['wf/plan', 'ok', 'i0', 1, 0, 600]]);
    expect(() => h.onAttemptFailed!({ outcome: 'failed', reason: 'late', endUs: 700 })).toThrow('request wf/plan: an attempt failed after the call ended');
  });

  it('throws on a backend that ends a call twice, or sends a token before the call was sent (check mode)', () => {
    const twice = setup((c) => (c.id === 'wf/plan' ? { kind: 'silent' } : { kind: 'ok' }));
    twice.runner.start(diamond());
    const h = twice.backend.handlers.get('wf/plan')!;
    h.onError({ outcome: 'failed', reason: 'x', endUs: 0 });
    expect(() => h.onError({ outcome: 'failed', reason: 'y', endUs: 0 })).toThrow('request wf/plan ended twice');

    const early = setup((c) => (c.id === 'wf/plan' ? { kind: 'silent' } : { kind: 'ok' }));
    early.clock.schedule(1000, () => early.runner.start(diamond()));
    early.clock.run();
    expect(() => early.backend.handlers.get('wf/plan')!.onToken(999, true)).toThrow('causality: token of wf/plan at 999 before send at 1000');
  });

  it('refuses a second workflow with the same id while the first is in flight', () => {
    const { runner } = setup();
    runner.start(diamond());
    expect(() => runner.start(diamond())).toThrow('request id wf/plan is already in flight');
  });

  it('ends an empty workflow at once, completed, with a zero critical path and no affinity', () => {
    const { runner, workflows } = setup();
    runner.start({ ...diamond('empty'), nodes: [] });
    expect(workflows).toEqual([{
      id: 'empty', workload: 'w', pattern: 'custom', outcome: 'completed', reason: '', arrivalUs: 0, startUs: 0, endUs: 0,
      criticalPathUs: 0, calls: 0, stepsOk: 0, stepsFailed: 0, retries: 0, affinity: NaN,
    }]);
  });

  it('takes the first token time it saw (not the backend\'s), accepts a token at the send time, and no ITL without a first token', () => {
    const { clock, backend, runner, requests, itl } = setup((c) => (c.id === 'wf/plan' ? { kind: 'silent' } : { kind: 'ok' }));
    runner.start(diamond());
    const h = backend.handlers.get('wf/plan')!;
    h.onToken(0, false); // a non-first token before any first one: no gap to measure
    h.onToken(0, true); // at the send time itself: allowed
    clock.schedule(40, () => h.onDone({ instance: 'i0', firstTokenUs: 30, endUs: 40, queueUs: 0, promptTokens: 100, cachedPromptTokens: 0, crossAgentCachedTokens: 0, outputTokens: 2, preemptions: 0 }));
    clock.run({ untilUs: 40 });
    expect(requests[0]).toMatchObject({ id: 'wf/plan', firstTokenUs: 0, endUs: 40 });
    expect(itl).toEqual([]);
  });

  it('records an error without an instance as instance \'\' and leaves it out of the affinity', () => {
    const { clock, runner, requests, workflows } = setup((c) => (c.id === 'wf/a' ? { kind: 'error', afterUs: 500 } : { kind: 'ok' }));
    runner.start(diamond());
    clock.run();
    expect(requests[1]).toMatchObject({ id: 'wf/a', instance: '', outcome: 'failed' });
    expect(workflows[0]).toMatchObject({ calls: 1, affinity: 1 }); // plan's call only
  });

  it('fail-workflow from a policy counts no retry; a second failure of a node is told its earlier re-send', () => {
    const fail = always({ action: 'fail-workflow' });
    const one = setup((c) => (c.id === 'wf/a' ? { kind: 'error', afterUs: 500 } : { kind: 'ok' }), fail);
    one.runner.start(diamond());
    one.clock.run();
    expect(one.workflows[0]).toMatchObject({ outcome: 'failed', retries: 0, reason: 'a: failed: boom' });
    const retry = always({ action: 'retry-call', delayUs: 100 });
    let failures = 0;
    const two = setup((c) => (c.id.startsWith('wf/a') && failures++ < 2 ? { kind: 'error', afterUs: 500 } : { kind: 'ok' }), retry);
    two.runner.start(diamond());
    two.clock.run();
    expect(retry.seen).toEqual([
      { outcome: 'failed', retryable: true, nodeRetries: 0, restarts: 0 },
      { outcome: 'failed', retryable: true, nodeRetries: 1, restarts: 0 },
    ]);
    expect(two.requests.map((r) => r.id)).toEqual(['wf/plan', 'wf/a', 'wf/a#1', 'wf/a#2', 'wf/agg']);
  });

  it('a restart after a zero backoff still restarts, and the policy is told how many restarts came before', () => {
    const policy = always({ action: 'restart-workflow', delayUs: 0 });
    let failures = 0;
    const { clock, runner, workflows } = setup((c) => (c.id.startsWith('wf/plan') && failures++ < 2 ? { kind: 'error', afterUs: 10 } : { kind: 'ok' }), policy);
    runner.start(diamond());
    clock.run();
    expect(policy.seen).toEqual([
      { outcome: 'failed', retryable: true, nodeRetries: 0, restarts: 0 },
      { outcome: 'failed', retryable: true, nodeRetries: 0, restarts: 1 },
    ]);
    expect(workflows[0]).toMatchObject({ outcome: 'completed', retries: 2, stepsFailed: 2 });
  });

  it('abortAll during a restart backoff: the restart never happens', () => {
    const policy = always({ action: 'restart-workflow', delayUs: 5000 });
    const { clock, backend, runner, workflows } = setup((c) => (c.id === 'wf/plan' ? { kind: 'error', afterUs: 10 } : { kind: 'ok' }), policy);
    runner.start(diamond());
    clock.schedule(1000, () => runner.abortAll('run limit'));
    clock.run();
    expect(backend.sent.map((x) => x.call.id)).toEqual(['wf/plan']);
    expect(workflows).toEqual([expect.objectContaining({ outcome: 'failed', reason: 'run limit', endUs: 1000 })]);
  });

  it('a workflow halted during a retry backoff ends when the backoff does, without re-sending; finished nodes launch no children', () => {
    // plan → a, b; b → c. a fails (retried after 1000 µs); b then times out (fail-workflow).
    const wf: Workflow = { ...diamond(), nodes: [llm('plan', 'p', [], 10, 1), llm('a', 'a', [0], 10, 8), llm('b', 'b', [0], 10, 1), llm('c', 'c', [2], 10, 1)] };
    const policy: RecoveryPolicy = { name: 'by-outcome', onCallFailed: (f) => (f.outcome === 'failed' ? { action: 'retry-call', delayUs: 1000 } : { action: 'fail-workflow' }) };
    const { clock, backend, runner, workflows } = setup((c) => (c.id === 'wf/a' ? { kind: 'error', afterUs: 100 } : c.id === 'wf/b' ? { kind: 'error', afterUs: 300, outcome: 'timeout' } : { kind: 'ok' }), policy);
    runner.start(wf);
    clock.run();
    // plan done at 1000; a fails at 1100 (retry due 2100); b times out at 1300: the workflow fails,
    // and at 2100 the pending retry closes it instead of sending wf/a#1.
    expect(backend.sent.map((x) => x.call.id)).toEqual(['wf/plan', 'wf/a', 'wf/b']);
    expect(workflows).toEqual([expect.objectContaining({ outcome: 'failed', reason: 'b: timeout: boom', endUs: 2100, retries: 1 })]);
  });

  it('keeps the first failure\'s reason when the run is aborted later', () => {
    const { clock, runner, workflows } = setup((c) => (c.id === 'wf/a' ? { kind: 'error', afterUs: 500 } : { kind: 'ok' }));
    runner.start(diamond());
    clock.schedule(4000, () => runner.abortAll('run limit')); // a failed at 3000; the tool runs until 7500
    clock.run();
    expect(workflows).toEqual([expect.objectContaining({ outcome: 'failed', reason: 'a: failed: boom', endUs: 4000 })]);
  });

  it('ignores a router re-send reported after the call was aborted', () => {
    const { backend, runner } = setup((c) => (c.id === 'wf/plan' ? { kind: 'silent' } : { kind: 'ok' }));
    runner.start(diamond());
    runner.abortAll('stop');
    expect(() => backend.handlers.get('wf/plan')!.onAttemptFailed!({ outcome: 'failed', reason: 'late', endUs: 1 })).not.toThrow();
  });

  it('without an isolated-latency model the critical path is unknown (NaN)', () => {
    const clock = new SimClock();
    const scripted = new ScriptedBackend(clock);
    const plain: Backend = { submit: (call, h) => scripted.submit(call, h) };
    const workflows: WorkflowRecord[] = [];
    new WorkflowRunner(clock, plain, { request() {}, workflow: (w) => workflows.push(w), itl() {} }, { check: true }).start(diamond());
    clock.run();
    expect(workflows[0]).toMatchObject({ outcome: 'completed', criticalPathUs: NaN });
  });
});
