import type { TokenRun } from '../../policies/kv/hash.js';
import type { CallError, CallHandlers, CallResult, LlmCall } from '../../workloads/backend.js';
import type { PromptState } from '../../workloads/prompt.js';
import type { Workflow } from '../../workloads/workflow.js';
import { staticHints, type StaticHints } from './call-hints.js';

/** What a {@link CallHandle} reports to (the WorkflowRunner). */
export interface CallSink {
  token(h: CallHandle, nowUs: number, first: boolean): void;
  done(h: CallHandle, r: CallResult): void;
  error(h: CallHandle, e: CallError): void;
  attemptFailed(h: CallHandle, e: CallError): void;
}

/** The run-time state of one workflow: progress per node, what prompts need, counters. */
export class Execution implements PromptState {
  readonly producedTokens: number[];
  readonly completionOrder: number[] = [];
  readonly inputsOf: (TokenRun[] | undefined)[];
  readonly remainingParents: Int32Array;
  readonly children: number[][];
  readonly nodeEndUs: Float64Array;
  readonly nodePromptTokens: Float64Array;
  readonly nodeCachedTokens: Float64Array;
  /** Observed service of each completed LLM call (end − send − queue), µs; 0 for tools. */
  readonly nodeServiceUs: Float64Array;
  /** Largest service along a chain of ancestors of each launched node, µs (Autellix ATLAS). */
  readonly nodeCriticalPathUs: Float64Array;
  /** Σ service of the completed LLM calls (Autellix PLAS). */
  attainedServiceUs = 0;
  #hints: (StaticHints | undefined)[] | undefined;
  readonly instanceCalls = new Map<string, number>();
  readonly calls = new Set<CallHandle>();
  finishedNodes = 0;
  inflight = 0;
  stepsOk = 0;
  stepsFailed = 0;
  retries = 0;
  failReason = '';
  /** Recovery state: re-sends of each node in this run, restarts, a restart waiting to happen. */
  readonly nodeRetries: Int32Array;
  /** Calls submitted per node and attempt rows recorded per node, over all runs (ids, `attempt`). */
  readonly nodeSubmissions: Int32Array;
  readonly nodeAttempts: Int32Array;
  restarts = 0;
  restartDelayUs = -1;
  constructor(readonly wf: Workflow, readonly startUs: number) {
    const n = wf.nodes.length;
    this.producedTokens = new Array<number>(n).fill(-1);
    this.inputsOf = new Array<TokenRun[] | undefined>(n).fill(undefined);
    this.remainingParents = new Int32Array(n);
    this.children = Array.from({ length: n }, () => []);
    this.nodeEndUs = new Float64Array(n).fill(NaN);
    this.nodePromptTokens = new Float64Array(n);
    this.nodeCachedTokens = new Float64Array(n);
    this.nodeServiceUs = new Float64Array(n);
    this.nodeCriticalPathUs = new Float64Array(n);
    this.nodeRetries = new Int32Array(n);
    this.nodeSubmissions = new Int32Array(n);
    this.nodeAttempts = new Int32Array(n);
    wf.nodes.forEach((node, i) => {
      for (const p of node.parents) this.children[p]!.push(i);
    });
    this.reset();
  }
  /** Forget the progress of the current run (a restart); counters and ids carry over. */
  reset(): void {
    this.producedTokens.fill(-1);
    this.completionOrder.length = 0;
    this.inputsOf.fill(undefined);
    this.wf.nodes.forEach((node, i) => (this.remainingParents[i] = node.parents.length));
    this.nodeEndUs.fill(NaN);
    this.nodePromptTokens.fill(0);
    this.nodeCachedTokens.fill(0);
    this.nodeServiceUs.fill(0);
    this.nodeCriticalPathUs.fill(0);
    this.nodeRetries.fill(0);
    this.finishedNodes = 0;
  }
  get failed(): boolean {
    return this.failReason !== '';
  }

  /** The DAG-derived hints of each node, computed on first use. */
  get staticHints(): (StaticHints | undefined)[] {
    this.#hints ??= staticHints(this.wf);
    return this.#hints;
  }

  /** Set node i's critical-path service from its (completed) parents and return it. */
  criticalPath(i: number): number {
    let cp = 0;
    for (const p of this.wf.nodes[i]!.parents) cp = Math.max(cp, this.nodeCriticalPathUs[p]! + this.nodeServiceUs[p]!);
    this.nodeCriticalPathUs[i] = cp;
    return cp;
  }

  /** Nothing new may start: the workflow failed or waits to restart. */
  get halted(): boolean {
    return this.failReason !== '' || this.restartDelayUs >= 0;
  }
}

/** One LLM call in flight; ends exactly once. */
export class CallHandle implements CallHandlers {
  firstTokenUs = NaN;
  lastTokenUs = NaN;
  ended = false;
  /** Ended by abortAll: a late callback from the backend is expected and ignored. */
  aborted = false;
  constructor(
    readonly runner: CallSink,
    readonly exec: Execution,
    readonly node: number,
    readonly call: LlmCall,
    readonly sendUs: number,
  ) {}
  onToken(nowUs: number, first: boolean): void {
    this.runner.token(this, nowUs, first);
  }
  tokensUntil(lastTokenUs: number): void {
    // As token() would have left it: ended calls ignore tokens; times only grow.
    if (!this.ended && !(lastTokenUs <= this.lastTokenUs)) this.lastTokenUs = lastTokenUs;
  }
  onDone(result: CallResult): void {
    this.runner.done(this, result);
  }
  onError(error: CallError): void {
    this.runner.error(this, error);
  }
  onAttemptFailed(error: CallError): void {
    this.runner.attemptFailed(this, error);
  }
}
