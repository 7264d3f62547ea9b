import type { Clock } from '../../policies/types.js';
import type { TokenRun } from '../../policies/kv/hash.js';
import type { Backend, CallError, CallHandlers, CallResult, LlmCall } from '../../workloads/backend.js';
import { buildPrompt, outputKey, type PromptState } from '../../workloads/prompt.js';
import { runTokens } from '../../policies/kv/hash.js';
import type { Workflow } from '../../workloads/workflow.js';
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
  /**
   * Extra attempts of an LLM call whose attempt failed (outcome `failed`: connection lost,
   * server error), each recorded as its own request with `attempt` + 1. Default 0.
   */
  readonly retries?: number | undefined;
}

class Execution implements PromptState {
  readonly producedTokens: number[];
  readonly completionOrder: number[] = [];
  readonly inputsOf: (TokenRun[] | undefined)[];
  readonly remainingParents: Int32Array;
  readonly children: number[][];
  readonly nodeEndUs: Float64Array;
  readonly nodePromptTokens: Float64Array;
  readonly instanceCalls = new Map<string, number>();
  readonly calls = new Set<CallHandle>();
  finishedNodes = 0;
  inflight = 0;
  stepsOk = 0;
  stepsFailed = 0;
  retries = 0;
  failReason = '';
  constructor(readonly wf: Workflow, readonly startUs: number) {
    const n = wf.nodes.length;
    this.producedTokens = new Array<number>(n).fill(-1);
    this.inputsOf = new Array<TokenRun[] | undefined>(n).fill(undefined);
    this.remainingParents = new Int32Array(n);
    this.children = Array.from({ length: n }, () => []);
    this.nodeEndUs = new Float64Array(n).fill(NaN);
    this.nodePromptTokens = new Float64Array(n);
    wf.nodes.forEach((node, i) => {
      this.remainingParents[i] = node.parents.length;
      for (const p of node.parents) this.children[p]!.push(i);
    });
  }
  get failed(): boolean {
    return this.failReason !== '';
  }
}

/** One LLM call in flight; ends exactly once. */
class CallHandle implements CallHandlers {
  firstTokenUs = NaN;
  lastTokenUs = NaN;
  ended = false;
  /** Ended by abortAll: a late callback from the backend is expected and ignored. */
  aborted = false;
  constructor(
    readonly runner: WorkflowRunner,
    readonly exec: Execution,
    readonly node: number,
    readonly call: LlmCall,
    readonly sendUs: number,
    readonly attempt: number,
  ) {}
  onToken(nowUs: number, first: boolean): void {
    this.runner.token(this, nowUs, first);
  }
  onDone(result: CallResult): void {
    this.runner.done(this, result);
  }
  onError(error: CallError): void {
    this.runner.error(this, error);
  }
}

/**
 * Executes workflow DAGs against a Backend in the Clock's time, the same way in simulation and
 * live: a node starts when all its parents have ended; an LLM node's prompt is built from its
 * segments at that moment; a tool node is a timer. Records one RequestRecord per call and one
 * WorkflowRecord per workflow. A failed call fails its workflow (`fail-workflow`); nodes in
 * flight still run to their end, nothing new starts.
 */
export class WorkflowRunner {
  readonly #clock: Clock;
  readonly #backend: Backend;
  readonly #sink: RunnerSink;
  readonly #opts: RunnerOptions;
  readonly #active = new Set<Execution>();
  readonly #inflightIds = new Set<string>();
  #started = 0;

  constructor(clock: Clock, backend: Backend, sink: RunnerSink, opts: RunnerOptions) {
    this.#clock = clock;
    this.#backend = backend;
    this.#sink = sink;
    this.#opts = opts;
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
      agentId: h.call.agentId ?? '', instance: r.instance, outcome: 'ok', reason: '', attempt: h.attempt,
      sendUs: h.sendUs, firstTokenUs: Number.isFinite(h.firstTokenUs) ? h.firstTokenUs : r.firstTokenUs, endUs: r.endUs,
      queueUs: r.queueUs, promptTokens: r.promptTokens, cachedPromptTokens: r.cachedPromptTokens,
      crossAgentCachedTokens: r.crossAgentCachedTokens, outputTokens: r.outputTokens, preemptions: r.preemptions,
    });
    exec.instanceCalls.set(r.instance, (exec.instanceCalls.get(r.instance) ?? 0) + 1);
    exec.stepsOk++;
    exec.inflight--;
    this.#complete(exec, h.node, r.outputTokens);
  }

  /** @internal */
  error(h: CallHandle, e: CallError): void {
    if (this.#endOnce(h)) return;
    const exec = h.exec;
    this.#record(h, e);
    if (e.instance) exec.instanceCalls.set(e.instance, (exec.instanceCalls.get(e.instance) ?? 0) + 1);
    exec.inflight--;
    if (e.outcome === 'failed' && h.attempt < (this.#opts.retries ?? 0) && !exec.failed) {
      exec.retries++;
      const base = `${exec.wf.id}/${exec.wf.nodes[h.node]!.id}`;
      this.#submit(exec, h.node, { ...h.call, id: `${base}/retry-${h.attempt + 1}` }, h.attempt + 1);
      return;
    }
    exec.stepsFailed++;
    if (!exec.failed) exec.failReason = `${exec.wf.nodes[h.node]!.id}: ${e.outcome}: ${e.reason}`;
    this.#maybeEnd(exec);
  }

  #record(h: CallHandle, e: CallError): void {
    const exec = h.exec;
    this.#sink.request({
      id: h.call.id, workload: exec.wf.workload, workflowId: exec.wf.id, nodeId: exec.wf.nodes[h.node]!.id,
      agentId: h.call.agentId ?? '', instance: e.instance ?? '', outcome: e.outcome, reason: e.reason, attempt: h.attempt,
      sendUs: h.sendUs, firstTokenUs: e.firstTokenUs ?? (Number.isFinite(h.firstTokenUs) ? h.firstTokenUs : NaN), endUs: e.endUs,
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
    if (node.kind === 'tool') {
      exec.inflight++;
      this.#clock.schedule(now + node.durationUs, () => {
        exec.inflight--;
        this.#complete(exec, i, node.resultTokens);
      });
      return;
    }
    const { prompt, inputs } = buildPrompt(wf, i, exec);
    exec.inputsOf[i] = inputs;
    const promptTokens = runTokens(prompt);
    exec.nodePromptTokens[i] = promptTokens;
    const parent = node.parents.length > 0 ? wf.nodes[node.parents[node.parents.length - 1]!] : undefined;
    const call: LlmCall = {
      id: `${wf.id}/${node.id}`,
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
      expectedReuseUs: node.expectedReuseUs,
    };
    this.#submit(exec, i, call, 0);
  }

  #submit(exec: Execution, i: number, call: LlmCall, attempt: number): void {
    if (this.#inflightIds.has(call.id)) throw new Error(`request id ${call.id} is already in flight`);
    exec.inflight++;
    this.#inflightIds.add(call.id);
    const h = new CallHandle(this, exec, i, call, this.#clock.nowUs(), attempt);
    exec.calls.add(h);
    this.#backend.submit(call, h);
  }

  #complete(exec: Execution, i: number, produced: number): void {
    const now = this.#clock.nowUs();
    exec.producedTokens[i] = produced;
    exec.completionOrder.push(i);
    exec.nodeEndUs[i] = now;
    exec.finishedNodes++;
    if (!exec.failed) {
      for (const c of exec.children[i]!) {
        if (--exec.remainingParents[c]! === 0) this.#launch(exec, c);
      }
    }
    this.#maybeEnd(exec);
  }

  #maybeEnd(exec: Execution): void {
    if (exec.inflight > 0 || !this.#active.has(exec)) return;
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

  // Longest path through the DAG with each LLM call at its isolated latency (a lower bound).
  #criticalPathUs(exec: Execution): number {
    const iso = this.#backend.isolatedLatencyUs?.bind(this.#backend);
    if (!iso) return NaN;
    const nodes = exec.wf.nodes;
    const finish = new Float64Array(nodes.length);
    let best = 0;
    nodes.forEach((n, i) => {
      let start = 0;
      for (const p of n.parents) start = Math.max(start, finish[p]!);
      const w = n.kind === 'tool' ? n.durationUs : iso(exec.nodePromptTokens[i]!, Math.max(1, exec.producedTokens[i]!));
      finish[i] = start + w;
      best = Math.max(best, finish[i]!);
    });
    return best;
  }
}
