import { describe, expect, it } from 'vitest';
import { SimClock } from '../../sim/sim-clock.js';
import type { Backend, CallHandlers, LlmCall } from '../../workloads/backend.js';
import type { Workflow } from '../../workloads/workflow.js';
import type { RequestRecord, WorkflowRecord } from '../../reports/records.js';
import { WorkflowRunner } from './workflow-runner.js';

/** Fails the first `failures` attempts of every call (outcome `failed`), then succeeds. */
class FlakyBackend implements Backend {
  readonly seen: string[] = [];
  constructor(readonly clock: SimClock, readonly failures: number, readonly outcome: 'failed' | 'rejected' = 'failed') {}
  submit(call: LlmCall, h: CallHandlers): void {
    this.seen.push(call.id);
    const attempt = this.seen.filter((id) => id.split('/retry-')[0] === call.id.split('/retry-')[0]).length - 1;
    const now = this.clock.nowUs();
    if (attempt < this.failures) {
      this.clock.at(now + 10, 'timer', () => h.onError({ outcome: this.outcome, reason: 'boom', instance: 'i0', endUs: this.clock.nowUs() }));
      return;
    }
    this.clock.at(now + 100, 'timer', () => {
      h.onToken(this.clock.nowUs(), true);
      h.onDone({
        instance: 'i1', firstTokenUs: this.clock.nowUs(), endUs: this.clock.nowUs(), queueUs: 0, promptTokens: call.promptTokens,
        cachedPromptTokens: 0, crossAgentCachedTokens: 0, outputTokens: call.outputTokens, preemptions: 0,
      });
    });
  }
}

const wf: Workflow = {
  id: 'w', workload: 'x', pattern: 'sequential', index: 0, arrivalUs: 0, sharing: 'auto', contextKey: 1, contextTokens: 10,
  systemTokens: { a: 5 }, expectedAgents: ['a0', 'a1'], priority: 0,
  nodes: [
    { kind: 'llm', id: 'n0', agentId: 'a0', role: 'a', parents: [], taskTokens: 4, outputTokens: 3, maxTokens: 10 },
    { kind: 'llm', id: 'n1', agentId: 'a1', role: 'a', parents: [0], taskTokens: 4, outputTokens: 3, maxTokens: 10 },
  ],
};

function run(retries: number, failures: number, outcome: 'failed' | 'rejected' = 'failed') {
  const clock = new SimClock();
  const backend = new FlakyBackend(clock, failures, outcome);
  const requests: RequestRecord[] = [];
  const workflows: WorkflowRecord[] = [];
  const runner = new WorkflowRunner(clock, backend, { request: (r) => requests.push(r), workflow: (w) => workflows.push(w), itl: () => {} }, { check: true, retries });
  runner.start(wf);
  clock.run();
  expect(runner.inflightCalls).toBe(0);
  return { requests, workflows, backend };
}

describe('WorkflowRunner retries', () => {
  it('retries a failed call under a new id, records every attempt, and completes the workflow', () => {
    const { requests, workflows, backend } = run(2, 1);
    expect(backend.seen).toEqual(['w/n0', 'w/n0/retry-1', 'w/n1', 'w/n1/retry-1']);
    expect(requests.map((r) => [r.id, r.outcome, r.attempt])).toEqual([
      ['w/n0', 'failed', 0], ['w/n0/retry-1', 'ok', 1], ['w/n1', 'failed', 0], ['w/n1/retry-1', 'ok', 1],
    ]);
    expect(workflows[0]).toMatchObject({ outcome: 'completed', retries: 2, stepsOk: 2, stepsFailed: 0 });
  });

  it('fails the workflow once the retries are used up', () => {
    const { requests, workflows } = run(1, 5);
    expect(requests.map((r) => r.attempt)).toEqual([0, 1]);
    expect(workflows[0]).toMatchObject({ outcome: 'failed', retries: 1, stepsFailed: 1 });
  });

  it('does not retry rejections, and does not retry at all by default', () => {
    expect(run(3, 1, 'rejected').requests).toHaveLength(1);
    expect(run(0, 1).requests).toHaveLength(1);
  });
});
