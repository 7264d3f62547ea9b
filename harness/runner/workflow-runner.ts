import type { Clock, Rng } from '../../policies/types.js';
import type { RecoveryPolicy } from '../../policies/recovery/workflow-recovery.js';
import type { Backend, CallError, CallResult, LlmCall } from '../../workloads/backend.js';
import { buildPrompt, outputKey } from '../../workloads/prompt.js';
import { runTokens } from '../../policies/kv/hash.js';
import type { Workflow } from '../../workloads/workflow.js';
import { callHints } from './call-hints.js';
import { CallHandle, Execution, type CallSink } from './execution.js';
import type { RequestRecord, WorkflowRecord } from '../../reports/records.js';

/** Where the runner reports what happened. */
export interface RunnerSink {
  request(rec: RequestRecord): void;
  workflow(rec: WorkflowRecord): void;
  /** One inter-token gap in ms (per token in sim, per streamed chunk live). */
  itl(ms: number): void;
}

/** Runner options. */
export interface RunnerOptions {
  /** Assert causality and exactly-once endings as the run goes (tests and --check). */
  readonly check: boolean;
  /** What to do when a call fails for good (default: fail the workflow), and its jitter stream. */
  readonly recovery?: { readonly policy: RecoveryPolicy; readonly rng: Rng } | undefined;
}

/**
 * Executes workflow DAGs against a Backend in the Clock's time, the same way in simulation and
 * live: a node starts when all its parents have ended; an LLM node's prompt is built from its
 * segments at that moment; a tool node is a timer. Records one RequestRecord per call and one
 * WorkflowRecord per workflow (one RequestRecord per attempt, router re-sends included).
 * A call that fails for good goes to the recovery policy: `fail-workflow` (the default: nodes
 * in flight still run to their end, nothing new starts), `retry-call` (send it again after a
 * backoff) or `restart-workflow` (once the calls in flight have ended, start over).
 */
export class WorkflowRunner implements CallSink {
  readonly #clock: Clock;
  readonly #backend: Backend;
  readonly #sink: RunnerSink;
  readonly #opts: RunnerOptions;
  readonly #active = new Set<Execution>();
  readonly #recovery: RunnerOptions['recovery'];
  readonly #inflightIds = new Set<string>();
  #started = 0;

  constructor(clock: Clock, backend: Backend, sink: RunnerSink, opts: RunnerOptions) {
    this.#clock = clock;
    this.#backend = backend;
    this.#sink = sink;
    this.#opts = opts;
    this.#recovery = opts.recovery;
  }

  /** Workflows started and not yet ended. */
  get activeWorkflows(): number {
    return this.#active.size;
  }

  /** Workflows started so far. */
  get startedWorkflows(): number {
    return this.#started;
  }

  /** LLM calls submitted and not yet ended. */
  get inflightCalls(): number {
    return this.#inflightIds.size;
  }

  /** Start a workflow now. */
  start(wf: Workflow): void {
    const exec = new Execution(wf, this.#clock.nowUs());
    this.#active.add(exec);
    this.#started++;
    wf.nodes.forEach((node, i) => {
      if (node.parents.length === 0) this.#launch(exec, i);
    });
    if (wf.nodes.length === 0) this.#maybeEnd(exec);
  }

  /**
   * End everything still in flight (a run limit was reached): each open call is recorded as a
   * timeout with `reason`, each open workflow as failed. Late callbacks are then ignored.
   */
  abortAll(reason: string): void {
    const now = this.#clock.nowUs();
    for (const exec of [...this.#active]) {
      for (const h of [...exec.calls]) {
        this.#record(h, { outcome: 'timeout', reason, endUs: now });
        this.#close(h);
        h.aborted = true;
      }
      exec.inflight = 0;
      if (!exec.failed) exec.failReason = reason;
      this.#maybeEnd(exec);
    }
  }

  /** @internal */
  token(h: CallHandle, nowUs: number, first: boolean): void {
    if (h.ended) return;
    if (this.#opts.check && nowUs < h.sendUs) throw new Error(`causality: token of ${h.call.id} at ${nowUs} before send at ${h.sendUs}`);
    if (first) h.firstTokenUs = nowUs;
    else if (Number.isFinite(h.lastTokenUs)) this.#sink.itl((nowUs - h.lastTokenUs) / 1000);
    h.lastTokenUs = nowUs;
  }

  /** @internal */
  done(h: CallHandle, r: CallResult): void {
    if (this.#endOnce(h)) return;
    const exec = h.exec;
    this.#sink.request({
      id: h.call.id, workload: exec.wf.workload, workflowId: exec.wf.id, nodeId: exec.wf.nodes[h.node]!.id,
      agentId: h.call.agentId ?? '', instance: r.instance, outcome: 'ok', reason: '', attempt: exec.nodeAttempts[h.node]!++,
      sendUs: h.sendUs, firstTokenUs: Number.isFinite(h.firstTokenUs) ? h.firstTokenUs : r.firstTokenUs, endUs: r.endUs,
      queueUs: r.queueUs, promptTokens: r.promptTokens, cachedPromptTokens: r.cachedPromptTokens,
      crossAgentCachedTokens: r.crossAgentCachedTokens, outputTokens: r.outputTokens, preemptions: r.preemptions,
    });
    exec.instanceCalls.set(r.instance, (exec.instanceCalls.get(r.instance) ?? 0) + 1);
    // What the client observed of the call's service (live the queue time is unknown: e2e).
    const serviceUs = Math.max(0, r.endUs - h.sendUs - (Number.isFinite(r.queueUs) ? r.queueUs : 0));
    exec.nodeServiceUs[h.node] = serviceUs;
    exec.attainedServiceUs += serviceUs;
    exec.stepsOk++;
    exec.inflight--;
    exec.nodeCachedTokens[h.node] = r.cachedPromptTokens;
    this.#complete(exec, h.node, r.outputTokens);
  }

  /** @internal */
  error(h: CallHandle, e: CallError): void {
    if (this.#endOnce(h)) return;
    const exec = h.exec;
    this.#record(h, e);
    exec.stepsFailed++;
    if (!exec.halted && this.#recover(exec, h, e)) return;
    exec.inflight--;
    if (!exec.halted) exec.failReason = `${exec.wf.nodes[h.node]!.id}: ${e.outcome}: ${e.reason}`;
    this.#maybeEnd(exec);
  }

  /** @internal The router gave up on one attempt and re-sends the call: record the attempt. */
  attemptFailed(h: CallHandle, e: CallError): void {
    if (h.ended) {
      if (h.aborted) return;
      throw new Error(`request ${h.call.id}: an attempt failed after the call ended`);
    }
    this.#record(h, e);
  }

  // Ask the recovery policy; true when the node stays in flight (sent again after a backoff).
  #recover(exec: Execution, h: CallHandle, e: CallError): boolean {
    const rec = this.#recovery;
    if (!rec) return false;
    const d = rec.policy.onCallFailed({
      outcome: e.outcome, retryable: e.retryable ?? e.outcome !== 'rejected',
      nodeRetries: exec.nodeRetries[h.node]!, restarts: exec.restarts,
    }, rec.rng);
    if (d.action === 'retry-call') {
      exec.retries++;
      exec.nodeRetries[h.node]!++;
      this.#clock.schedule(this.#clock.nowUs() + d.delayUs, () => {
        if (!this.#active.has(exec)) return;
        if (exec.halted) {
          exec.inflight--;
          this.#maybeEnd(exec);
          return;
        }
        const n = ++exec.nodeSubmissions[h.node]!;
        this.#submit(exec, h.node, { ...h.call, id: `${exec.wf.id}/${exec.wf.nodes[h.node]!.id}#${n}` });
      });
      return true;
    }
    if (d.action === 'restart-workflow') {
      exec.retries++;
      exec.restartDelayUs = d.delayUs;
    }
    return false;
  }

  #record(h: CallHandle, e: CallError): void {
    const exec = h.exec;
    if (e.instance) exec.instanceCalls.set(e.instance, (exec.instanceCalls.get(e.instance) ?? 0) + 1);
    this.#sink.request({
      id: h.call.id, workload: exec.wf.workload, workflowId: exec.wf.id, nodeId: exec.wf.nodes[h.node]!.id,
      agentId: h.call.agentId ?? '', instance: e.instance ?? '', outcome: e.outcome, reason: e.reason,
      attempt: exec.nodeAttempts[h.node]!++, sendUs: e.sendUs ?? h.sendUs, firstTokenUs: e.firstTokenUs ?? (Number.isFinite(h.firstTokenUs) ? h.firstTokenUs : NaN), endUs: e.endUs,
      queueUs: NaN, promptTokens: h.call.promptTokens, cachedPromptTokens: e.cachedPromptTokens ?? 0,
      crossAgentCachedTokens: NaN, outputTokens: e.outputTokens ?? 0, preemptions: e.preemptions ?? 0,
    });
  }

  // True when the call was already ended by abortAll (ignore the late callback); a second
  // ending of a call that ended normally is a backend bug.
  #endOnce(h: CallHandle): boolean {
    if (h.ended) {
      if (h.aborted) return true;
      throw new Error(`request ${h.call.id} ended twice`);
    }
    this.#close(h);
    return false;
  }

  #close(h: CallHandle): void {
    h.ended = true;
    h.exec.calls.delete(h);
    if (!this.#inflightIds.delete(h.call.id)) throw new Error(`request ${h.call.id} ended but was not in flight`);
  }

  #launch(exec: Execution, i: number): void {
    const wf = exec.wf;
    const node = wf.nodes[i]!;
    const now = this.#clock.nowUs();
    if (this.#opts.check) {
      for (const p of node.parents) {
        if (!(exec.nodeEndUs[p]! <= now)) throw new Error(`causality: ${wf.id}/${node.id} started before parent ${wf.nodes[p]!.id} ended`);
      }
    }
    exec.inflight++;
    const criticalPathUs = exec.criticalPath(i);
    if (node.kind === 'tool') {
      this.#clock.schedule(now + node.durationUs, () => {
        exec.inflight--;
        this.#complete(exec, i, node.resultTokens);
      });
      return;
    }
    const { prompt, inputs, sharedContextKeys } = buildPrompt(wf, i, exec);
    exec.inputsOf[i] = inputs;
    const promptTokens = runTokens(prompt);
    exec.nodePromptTokens[i] = promptTokens;
    const parent = node.parents.length > 0 ? wf.nodes[node.parents[node.parents.length - 1]!] : undefined;
    const n = exec.nodeSubmissions[i]!;
    const call: LlmCall = {
      id: n === 0 ? `${wf.id}/${node.id}` : `${wf.id}/${node.id}#${n}`,
      workflowId: wf.id,
      agentId: node.agentId,
      parentRequestId: parent ? `${wf.id}/${parent.id}` : undefined,
      priority: wf.priority,
      sessionKey: wf.sessionKey ?? wf.id,
      prompt,
      promptTokens,
      outputKey: outputKey(wf, i),
      outputTokens: node.outputTokens,
      maxTokens: node.maxTokens,
      expectedReuseUs: node.expectedReuseUs ?? exec.staticHints[i]?.expectedReuseUs,
      sharedContextKeys,
      expectedAgents: wf.expectedAgents,
      hints: callHints(exec.staticHints[i], exec.attainedServiceUs, criticalPathUs),
    };
    this.#submit(exec, i, call);
  }

  #submit(exec: Execution, i: number, call: LlmCall): void {
    if (this.#inflightIds.has(call.id)) throw new Error(`request id ${call.id} is already in flight`);
    this.#inflightIds.add(call.id);
    const h = new CallHandle(this, exec, i, call, this.#clock.nowUs());
    exec.calls.add(h);
    this.#backend.submit(call, h);
  }

  #complete(exec: Execution, i: number, produced: number): void {
    const now = this.#clock.nowUs();
    exec.producedTokens[i] = produced;
    exec.completionOrder.push(i);
    exec.nodeEndUs[i] = now;
    exec.finishedNodes++;
    if (!exec.halted) {
      for (const c of exec.children[i]!) {
        if (--exec.remainingParents[c]! === 0) this.#launch(exec, c);
      }
    }
    this.#maybeEnd(exec);
  }

  #maybeEnd(exec: Execution): void {
    if (exec.inflight > 0 || !this.#active.has(exec)) return;
    if (exec.restartDelayUs >= 0 && !exec.failed) {
      this.#restart(exec);
      return;
    }
    const wf = exec.wf;
    const completed = !exec.failed && exec.finishedNodes === wf.nodes.length;
    if (!completed && !exec.failed) return; // nodes still to launch (cannot happen: launches are synchronous)
    this.#active.delete(exec);
    let calls = 0;
    let most = 0;
    for (const c of exec.instanceCalls.values()) {
      calls += c;
      if (c > most) most = c;
    }
    this.#sink.workflow({
      id: wf.id, workload: wf.workload, pattern: wf.pattern, outcome: completed ? 'completed' : 'failed',
      reason: exec.failReason, arrivalUs: wf.arrivalUs, startUs: exec.startUs, endUs: this.#clock.nowUs(),
      criticalPathUs: completed ? this.#criticalPathUs(exec) : NaN, calls,
      stepsOk: exec.stepsOk, stepsFailed: exec.stepsFailed, retries: exec.retries,
      affinity: calls > 0 ? most / calls : NaN,
    });
  }

  // Every call of the failed run has ended: start the workflow over after the backoff. New
  // calls get fresh ids (`#n`); the prompts are the same, so surviving KV is hit again.
  #restart(exec: Execution): void {
    const delayUs = exec.restartDelayUs;
    exec.restartDelayUs = -1;
    exec.restarts++;
    exec.reset();
    for (let i = 0; i < exec.nodeSubmissions.length; i++) if (exec.nodeAttempts[i]! > 0) exec.nodeSubmissions[i]!++;
    exec.inflight++; // the pending restart keeps the workflow open
    this.#clock.schedule(this.#clock.nowUs() + delayUs, () => {
      if (!this.#active.has(exec)) return;
      exec.inflight--;
      exec.wf.nodes.forEach((node, i) => {
        if (node.parents.length === 0 && !exec.halted) this.#launch(exec, i);
      });
      this.#maybeEnd(exec);
    });
  }

  // Longest path through the DAG with each LLM call at its isolated latency (no queueing, no
  // co-batching, the cache hits it actually had) and each tool at its duration.
  #criticalPathUs(exec: Execution): number {
    const iso = this.#backend.isolatedLatencyUs?.bind(this.#backend);
    if (!iso) return NaN;
    const nodes = exec.wf.nodes;
    const finish = new Float64Array(nodes.length);
    let best = 0;
    nodes.forEach((n, i) => {
      let start = 0;
      for (const p of n.parents) start = Math.max(start, finish[p]!);
      const w = n.kind === 'tool' ? n.durationUs : iso(exec.nodePromptTokens[i]!, exec.nodeCachedTokens[i]!, Math.max(1, exec.producedTokens[i]!));
      finish[i] = start + w;
      best = Math.max(best, finish[i]!);
    });
    return best;
  }
}
